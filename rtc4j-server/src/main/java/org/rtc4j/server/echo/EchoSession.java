package org.rtc4j.server.echo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session of {@code rtc4j echo}: one {@link PeerConnection}, non-trickle (the description it
 * hands out carries every candidate: it is read once ICE gathering completed), its state changes
 * logged.
 *
 * <p>What the peer does once connected lives in {@link #attachApplication()}: every data channel the
 * remote opens is echoed message by message, a channel labelled {@code sink} counts and hashes
 * ({@link DataChannelEcho}); the media issue adds tracks there.
 *
 * <p>Threading: the PeerConnection's callbacks and futures run on its serial callback executor;
 * this class keeps no other state than the connection and two flags.
 */
public final class EchoSession implements EchoPeer {

  private static final Logger LOG = LoggerFactory.getLogger(EchoSession.class);

  private final String id;
  private final PeerConnection pc;
  private final Runnable ended;
  private final List<DataChannel> channels = new CopyOnWriteArrayList<>();
  private volatile boolean offered;
  private volatile boolean answerAccepted;
  private volatile boolean endedReported;

  private EchoSession(String id, PeerConnection pc, Runnable ended) {
    this.id = id;
    this.pc = pc;
    this.ended = ended;
    pc.onSignalingStateChange(s -> LOG.info("session {}: signalingState {}", id, s));
    pc.onIceGatheringStateChange(s -> LOG.info("session {}: iceGatheringState {}", id, s));
    pc.onIceConnectionStateChange(s -> LOG.info("session {}: iceConnectionState {}", id, s));
    pc.onConnectionStateChange(s -> {
      LOG.info("session {}: connectionState {}", id, s);
      if (s == RtcPeerConnectionState.FAILED || s == RtcPeerConnectionState.CLOSED) {
        reportEnded();
      }
    });
    attachApplication();
  }

  /** Sessions over PeerConnections made with {@code config} on {@code runtime}. */
  public static EchoPeerFactory factory(RtcConfiguration config, RtcRuntime runtime) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(runtime, "runtime");
    return (id, ended) -> new EchoSession(id, new PeerConnection(config, runtime), ended);
  }

  /** What the echo peer does with the connection: the extension point of the data-channel and media issues. */
  private void attachApplication() {
    // Issue 4: every channel the remote opens is echoed (or, labelled "sink", counted and hashed).
    pc.onDataChannel(channel -> {
      channels.add(channel);
      DataChannelEcho.attach(id, channel);
    });
  }

  /** The connection (for tests and future extensions). */
  public PeerConnection peerConnection() {
    return pc;
  }

  /** The data channels the remote opened, in order (for tests and status). */
  public List<DataChannel> dataChannels() {
    return List.copyOf(channels);
  }

  /** The session id. */
  public String id() {
    return id;
  }

  @Override
  public CompletableFuture<String> answer(String offerSdp) {
    CompletableFuture<Void> gathered = gatheringComplete();
    return pc.setRemoteDescription(RtcSessionDescription.offer(offerSdp))
        .handle(rejectedAs("offer refused"))
        .thenCompose(v -> pc.createAnswer())
        .thenCompose(pc::setLocalDescription)
        .thenCompose(v -> gathered)
        .thenApply(v -> pc.localDescription().sdp());
  }

  @Override
  public CompletableFuture<String> offer() {
    offered = true;
    CompletableFuture<Void> gathered = gatheringComplete();
    return pc.createOffer()
        .thenCompose(pc::setLocalDescription)
        .thenCompose(v -> gathered)
        .thenApply(v -> pc.localDescription().sdp());
  }

  @Override
  public CompletableFuture<Void> acceptAnswer(String answerSdp) {
    return pc.setRemoteDescription(RtcSessionDescription.answer(answerSdp))
        .handle(rejectedAs("answer refused"))
        .thenRun(() -> answerAccepted = true);
  }

  @Override
  public boolean awaitingAnswer() {
    return offered && !answerAccepted;
  }

  @Override
  public Map<String, String> status() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("connectionState", pc.connectionState().toString());
    m.put("iceConnectionState", pc.iceConnectionState().toString());
    m.put("iceGatheringState", pc.iceGatheringState().toString());
    m.put("signalingState", pc.signalingState().toString());
    m.put("dataChannels", channels.toString());
    return m;
  }

  @Override
  public void close() {
    try {
      pc.close();
    } catch (RuntimeException e) {
      LOG.debug("session {}: close failed", id, e);
    }
    reportEnded();
  }

  private void reportEnded() {
    if (!endedReported) {
      endedReported = true;
      ended.run();
    }
  }

  /** Completes when ICE gathering is complete; registered before setLocalDescription starts it. */
  private CompletableFuture<Void> gatheringComplete() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    pc.onIceGatheringStateChange(s -> {
      LOG.info("session {}: iceGatheringState {}", id, s);
      if (s == RtcIceGatheringState.COMPLETE) {
        f.complete(null);
      }
    });
    return f;
  }

  /** Maps a failure of setRemoteDescription to {@link RejectedDescriptionException} (HTTP 400). */
  private static java.util.function.BiFunction<Void, Throwable, Void> rejectedAs(String what) {
    return (v, e) -> {
      if (e != null) {
        throw new RejectedDescriptionException(what + ": " + unwrap(e).getMessage(), unwrap(e));
      }
      return null;
    };
  }

  private static Throwable unwrap(Throwable e) {
    Throwable c = e;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
