package org.rtc4j.webrtc;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.rtc4j.testkit.Wait;
import org.rtc4j.webrtc.runtime.RtcRuntime;

/**
 * Two rtc4j peers on real loopback sockets with an in-memory signaling channel, for tests: one
 * offers, the other answers, by trickle (candidates relayed as they come, queued until the remote
 * description is set) or not (the complete local description after gathering).
 */
final class LoopbackPeers implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);

  final PeerConnection offerer;
  final PeerConnection answerer;
  final List<RtcPeerConnectionState> offererStates = new CopyOnWriteArrayList<>();
  final List<RtcPeerConnectionState> answererStates = new CopyOnWriteArrayList<>();
  final List<String> callbackThreads = Collections.synchronizedList(new ArrayList<>());
  /** What happened when, in ms since construction: for failure messages and latency reports. */
  final List<String> timeline = new CopyOnWriteArrayList<>();
  private final long t0 = System.nanoTime();

  private final Trickle toAnswerer = new Trickle();
  private final Trickle toOfferer = new Trickle();

  static RtcConfiguration.Builder loopbackConfig() {
    return RtcConfiguration.builder().hostAddress(InetAddress.getLoopbackAddress());
  }

  LoopbackPeers(RtcConfiguration offererConfig, RtcConfiguration answererConfig) {
    this(offererConfig, answererConfig, null);
  }

  /** Both peers on {@code runtime}, or each on a runtime of its own (stopped on close) when null. */
  LoopbackPeers(RtcConfiguration offererConfig, RtcConfiguration answererConfig, RtcRuntime runtime) {
    offerer = runtime == null ? new PeerConnection(offererConfig) : new PeerConnection(offererConfig, runtime);
    PeerConnection b;
    try {
      b = runtime == null ? new PeerConnection(answererConfig) : new PeerConnection(answererConfig, runtime);
    } catch (RuntimeException e) {
      offerer.close();
      throw e;
    }
    answerer = b;
    offerer.onConnectionStateChange(s -> {
      callbackThreads.add(Thread.currentThread().getName());
      offererStates.add(s);
      mark("offerer connection " + s);
    });
    answerer.onConnectionStateChange(s -> {
      callbackThreads.add(Thread.currentThread().getName());
      answererStates.add(s);
      mark("answerer connection " + s);
    });
    offerer.onIceConnectionStateChange(s -> mark("offerer ice " + s));
    answerer.onIceConnectionStateChange(s -> mark("answerer ice " + s));
    offerer.onIceGatheringStateChange(s -> mark("offerer gathering " + s));
    answerer.onIceGatheringStateChange(s -> mark("answerer gathering " + s));
  }

  void mark(String what) {
    timeline.add(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms " + what);
  }

  /** Trickle ICE: candidates flow as they are gathered. */
  void connectTrickle() throws Exception {
    connectTrickle(UnaryOperator.identity());
  }

  void connectTrickle(UnaryOperator<String> offerTamper) throws Exception {
    toAnswerer.reset(answerer);
    toOfferer.reset(offerer);
    offerer.onIceCandidate(toAnswerer::candidate);
    answerer.onIceCandidate(toOfferer::candidate);
    RtcSessionDescription offer = offerer.createOffer().get(10, TimeUnit.SECONDS);
    offerer.setLocalDescription(offer).get(10, TimeUnit.SECONDS);
    answerer.setRemoteDescription(RtcSessionDescription.offer(offerTamper.apply(offer.sdp()))).get(10, TimeUnit.SECONDS);
    toAnswerer.ready();
    RtcSessionDescription answer = answerer.createAnswer().get(10, TimeUnit.SECONDS);
    answerer.setLocalDescription(answer).get(10, TimeUnit.SECONDS);
    offerer.setRemoteDescription(answer).get(10, TimeUnit.SECONDS);
    toOfferer.ready();
  }

  /** Non-trickle: each side sends its description once gathering completed (all candidates in it). */
  void connectNonTrickle() throws Exception {
    offerer.setLocalDescription().get(10, TimeUnit.SECONDS);
    Wait.until(WAIT, "offerer gathering complete", () -> offerer.iceGatheringState() == RtcIceGatheringState.COMPLETE);
    RtcSessionDescription offer = offerer.localDescription();
    answerer.setRemoteDescription(offer).get(10, TimeUnit.SECONDS);
    answerer.setLocalDescription().get(10, TimeUnit.SECONDS);
    Wait.until(WAIT, "answerer gathering complete", () -> answerer.iceGatheringState() == RtcIceGatheringState.COMPLETE);
    offerer.setRemoteDescription(answerer.localDescription()).get(10, TimeUnit.SECONDS);
  }

  void awaitBoth(RtcPeerConnectionState state) {
    Wait.until(WAIT, "both peers " + state.value(),
        () -> offerer.connectionState() == state && answerer.connectionState() == state,
        () -> "timeline " + timeline + "\nofferer " + offererStates + " ice " + offerer.iceConnectionState() + ", answerer " + answererStates
            + " ice " + answerer.iceConnectionState() + "\noffer stats " + stats(offerer) + "\nanswer stats "
            + stats(answerer));
  }

  static String stats(PeerConnection pc) {
    try {
      return pc.getStats().get(5, TimeUnit.SECONDS).toString();
    } catch (Exception e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    offerer.close();
    answerer.close();
  }

  /** Candidates queued until the receiver has a remote description, then passed on. */
  private static final class Trickle {
    private final List<RtcIceCandidate> queue = new ArrayList<>();
    private PeerConnection target;
    private boolean ready;

    synchronized void candidate(RtcIceCandidate c) {
      RtcIceCandidate signalled = c != null ? c : new RtcIceCandidate("", null, 0, null);
      if (ready) {
        target.addIceCandidate(signalled);
      } else {
        queue.add(signalled);
      }
    }

    synchronized void reset(PeerConnection to) {
      target = to;
      ready = false;
    }

    synchronized void ready() {
      ready = true;
      for (RtcIceCandidate c : queue) {
        target.addIceCandidate(c);
      }
      queue.clear();
    }
  }
}
