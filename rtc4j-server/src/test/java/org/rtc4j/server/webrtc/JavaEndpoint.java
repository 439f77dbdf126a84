package org.rtc4j.server.webrtc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceCandidate;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.runtime.RtcRuntime;

/** An rtc4j {@link PeerConnection} as an {@link Endpoint}: what the tests assert on. */
final class JavaEndpoint implements Endpoint {

  static final Duration STEP = Duration.ofSeconds(20);

  private final String name;
  private final PeerConnection pc;
  private final ConcurrentLinkedQueue<Candidate> candidates = new ConcurrentLinkedQueue<>();
  private final List<String> history = Collections.synchronizedList(new ArrayList<>());
  private final long t0 = System.nanoTime();
  private volatile CompletableFuture<Void> gathered = new CompletableFuture<>();

  JavaEndpoint(String name, RtcConfiguration config, RtcRuntime runtime) {
    this.name = name;
    this.pc = new PeerConnection(config, runtime);
    // null = gathering complete: passed on as end-of-candidates (an empty candidate for mid "0")
    pc.onIceCandidate(c -> candidates.add(c == null ? Candidate.endOfCandidates(null, null)
        : new Candidate(c.isEndOfCandidates() ? "" : c.candidate(), c.sdpMid(), c.sdpMLineIndex())));
    pc.onConnectionStateChange(s -> note("connectionState", s));
    pc.onIceConnectionStateChange(s -> note("iceConnectionState", s));
    pc.onSignalingStateChange(s -> note("signalingState", s));
    pc.onIceGatheringStateChange(s -> {
      note("iceGatheringState", s);
      if (s == RtcIceGatheringState.COMPLETE) {
        gathered.complete(null);
      }
    });
  }

  /** The default configuration of these tests: loopback host candidates. */
  static RtcConfiguration.Builder loopback() {
    return RtcConfiguration.builder().includeLoopback(true);
  }

  private void note(String kind, Object value) {
    history.add(String.format("%.1f %s %s", (System.nanoTime() - t0) / 1e6, kind, value));
  }

  PeerConnection pc() {
    return pc;
  }

  @Override
  public String name() {
    return "rtc4j:" + name;
  }

  private static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(STEP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("rtc4j step failed: " + e, e);
    }
  }

  @Override
  public String createOffer(boolean waitGathering) {
    gathered = new CompletableFuture<>();
    RtcSessionDescription offer = get(pc.createOffer());
    get(pc.setLocalDescription(offer));
    if (waitGathering) {
      get(gathered);
    }
    return pc.localDescription().sdp();
  }

  @Override
  public String answer(String offerSdp, boolean waitGathering) {
    gathered = new CompletableFuture<>();
    get(pc.setRemoteDescription(RtcSessionDescription.offer(offerSdp)));
    RtcSessionDescription answer = get(pc.createAnswer());
    get(pc.setLocalDescription(answer));
    if (waitGathering) {
      get(gathered);
    }
    return pc.localDescription().sdp();
  }

  @Override
  public void acceptAnswer(String answerSdp) {
    get(pc.setRemoteDescription(RtcSessionDescription.answer(answerSdp)));
  }

  @Override
  public List<Candidate> takeCandidates() {
    List<Candidate> out = new ArrayList<>();
    for (Candidate c = candidates.poll(); c != null; c = candidates.poll()) {
      out.add(c);
    }
    return out;
  }

  @Override
  public List<String> addCandidates(List<Candidate> list) {
    List<String> errors = new ArrayList<>();
    for (Candidate c : list) {
      try {
        get(pc.addIceCandidate(new RtcIceCandidate(c.isEnd() ? "" : c.candidate(), c.sdpMid(), c.sdpMLineIndex(), null)));
      } catch (AssertionError e) {
        errors.add(e.getMessage() + " for " + c);
      }
    }
    return errors;
  }

  /**
   * rtc4j's getStats: the transport's dtlsState and its selected candidate pair with both
   * candidates, as {state, nominated, local: {candidateType, address, ...}, remote: {...}, dtlsState}.
   */
  java.util.Map<String, Object> selectedPair() {
    org.rtc4j.webrtc.RtcStatsReport report = get(pc.getStats());
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (org.rtc4j.webrtc.RtcStats t : report.ofType("transport")) {
      out.put("dtlsState", t.get("dtlsState"));
      Object id = t.get("selectedCandidatePairId");
      if (id != null) {
        report.get((String) id).ifPresent(p -> {
          out.put("state", p.get("state"));
          out.put("nominated", p.get("nominated"));
          out.put("local", report.get((String) p.get("localCandidateId")).map(c -> c.members()).orElse(null));
          out.put("remote", report.get((String) p.get("remoteCandidateId")).map(c -> c.members()).orElse(null));
        });
      }
    }
    out.put("report", report.toString());
    return out;
  }

  @Override
  public String connectionState() {
    return pc.connectionState().toString();
  }

  @Override
  public String describe() {
    synchronized (history) {
      return name() + " connectionState " + pc.connectionState() + ", iceConnectionState " + pc.iceConnectionState()
          + ", signalingState " + pc.signalingState() + "; history " + history;
    }
  }

  @Override
  public void close() {
    pc.close();
  }
}
