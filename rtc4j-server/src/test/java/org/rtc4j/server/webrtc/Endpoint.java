package org.rtc4j.server.webrtc;

import java.time.Duration;
import java.util.List;

/**
 * One side of a connection under test, whatever implements it (Chromium in a page, an rtc4j
 * PeerConnection): the JSEP steps {@link Signaling} needs, with W3C state names.
 */
interface Endpoint extends AutoCloseable {

  /** A short name for messages, e.g. "chromium" or "rtc4j". */
  String name();

  /** createOffer + setLocalDescription; with {@code waitGathering} the SDP once gathering completed. */
  String createOffer(boolean waitGathering);

  /** setRemoteDescription(offer) + createAnswer + setLocalDescription (gathering as above). */
  String answer(String offerSdp, boolean waitGathering);

  /** setRemoteDescription(answer). */
  void acceptAnswer(String answerSdp);

  /** Candidates gathered since the last call (trickle), end-of-candidates included. */
  List<Candidate> takeCandidates();

  /** addIceCandidate for each; returns the errors (none expected). */
  List<String> addCandidates(List<Candidate> candidates);

  /** connectionState: new, connecting, connected, disconnected, failed, closed. */
  String connectionState();

  /** Everything worth printing when a test fails: states, their history, errors. */
  String describe();

  /** Waits until connectionState is one of {@code states}; returns it, or the current one after {@code timeout}. */
  default String awaitState(Duration timeout, String... states) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> wanted = List.of(states);
    while (true) {
      String s = connectionState();
      if (wanted.contains(s) || System.nanoTime() - deadline > 0) {
        return s;
      }
      org.rtc4j.testkit.Wait.pause(Duration.ofMillis(10));
    }
  }

  @Override
  void close();
}
