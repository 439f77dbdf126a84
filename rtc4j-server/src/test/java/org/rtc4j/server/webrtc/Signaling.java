package org.rtc4j.server.webrtc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.rtc4j.testkit.Wait;

/**
 * Connects two {@link Endpoint}s the way an application's signaling would: the offerer's SDP to
 * the answerer, the answer back, and with trickle every candidate as it appears (end-of-candidates
 * included); without trickle each description is handed over once its gathering completed.
 * Descriptions can be altered on the way ({@code tamper}), e.g. a wrong a=fingerprint.
 */
final class Signaling {

  /** What happened, for assertions and failure messages. */
  record Result(String offer, String answer, List<Candidate> offererCandidates, List<Candidate> answererCandidates,
      List<String> errors) {}

  private Signaling() {}

  static Result connect(Endpoint offerer, Endpoint answerer, boolean trickle) {
    return connect(offerer, answerer, trickle, UnaryOperator.identity(), UnaryOperator.identity(), Duration.ofSeconds(20));
  }

  /**
   * Runs the exchange and, with trickle, keeps moving candidates until both endpoints are in a
   * final state (connected or failed) or {@code timeout} passed. Does not assert the states.
   */
  static Result connect(Endpoint offerer, Endpoint answerer, boolean trickle, UnaryOperator<String> tamperOffer,
      UnaryOperator<String> tamperAnswer, Duration timeout) {
    List<Candidate> fromOfferer = new ArrayList<>();
    List<Candidate> fromAnswerer = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    String offer = tamperOffer.apply(offerer.createOffer(!trickle));
    String answer = tamperAnswer.apply(answerer.answer(offer, !trickle));
    offerer.acceptAnswer(answer);
    if (!trickle) {
      return new Result(offer, answer, fromOfferer, fromAnswerer, errors);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      List<Candidate> a = offerer.takeCandidates();
      List<Candidate> b = answerer.takeCandidates();
      if (!a.isEmpty()) {
        fromOfferer.addAll(a);
        errors.addAll(answerer.addCandidates(a));
      }
      if (!b.isEmpty()) {
        fromAnswerer.addAll(b);
        errors.addAll(offerer.addCandidates(b));
      }
      if (done(offerer) && done(answerer) && a.isEmpty() && b.isEmpty()) {
        break;
      }
      if (a.isEmpty() && b.isEmpty()) {
        Wait.pause(Duration.ofMillis(5));
      }
    }
    return new Result(offer, answer, fromOfferer, fromAnswerer, errors);
  }

  private static boolean done(Endpoint e) {
    String s = e.connectionState();
    return s.equals("connected") || s.equals("failed") || s.equals("closed");
  }

  /**
   * {@code sdp} with the IP address of every host candidate replaced by one {@code <uuid>.local}
   * name and the c= line set to 0.0.0.0, as Chromium writes its offers when it hides local addresses
   * behind mDNS (RFC 8828 mode 3, draft-ietf-mmusic-mdns-ice-candidates). Nobody answers for the
   * name, as between two machines on different links.
   */
  static String hideHostAddressesBehindMdns(String sdp) {
    String name = java.util.UUID.randomUUID() + ".local";
    StringBuilder out = new StringBuilder();
    for (String line : sdp.split("\r\n", -1)) {
      if (line.startsWith("a=candidate:") && line.contains(" typ host")) {
        String[] f = line.split(" ");
        f[4] = name; // candidate:<foundation> <component> <transport> <priority> <address> <port> typ host
        line = String.join(" ", f);
      } else if (line.startsWith("c=IN IP4 ")) {
        line = "c=IN IP4 0.0.0.0";
      }
      out.append(line).append("\r\n");
    }
    return out.substring(0, out.length() - 2);
  }

  /** {@code sdp} with every a=fingerprint's first hex byte changed (same hash, wrong certificate). */
  static String tamperFingerprint(String sdp) {
    StringBuilder out = new StringBuilder();
    boolean changed = false;
    for (String line : sdp.split("\r\n", -1)) {
      if (line.startsWith("a=fingerprint:")) {
        int sp = line.indexOf(' ');
        String hex = line.substring(sp + 1);
        String first = hex.substring(0, 2);
        String flipped = first.equalsIgnoreCase("00") ? "01" : "00";
        line = line.substring(0, sp + 1) + flipped + hex.substring(2);
        changed = true;
      }
      out.append(line).append("\r\n");
    }
    if (!changed) {
      throw new IllegalArgumentException("no a=fingerprint in\n" + sdp);
    }
    // split(-1) kept the empty tail after the last CRLF: drop the extra CRLF it produced
    return out.substring(0, out.length() - 2);
  }
}
