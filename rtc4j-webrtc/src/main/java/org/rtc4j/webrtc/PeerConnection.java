package org.rtc4j.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.ice.IceServer;
import org.rtc4j.ice.IceTransportPolicy;
import org.rtc4j.webrtc.engine.PeerEngine;
import org.rtc4j.webrtc.engine.PeerEngineConfig;
import org.rtc4j.webrtc.engine.PeerEvent;
import org.rtc4j.webrtc.runtime.HostAddresses;
import org.rtc4j.webrtc.runtime.PeerDriver;
import org.rtc4j.webrtc.runtime.RtcLoop;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import org.rtc4j.webrtc.runtime.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W3C {@code RTCPeerConnection} for the JVM: offer/answer (JSEP, RFC 9429), ICE (RFC 8445,
 * trickle RFC 8838, consent RFC 7675), DTLS (RFC 6347, fingerprints RFC 8122) and their states.
 *
 * <pre>{@code
 * PeerConnection pc = new PeerConnection(RtcConfiguration.defaults());
 * pc.onIceCandidate(c -> signaling.send(c));                 // null = gathering complete
 * pc.onConnectionStateChange(s -> log.info("state {}", s));
 * RtcSessionDescription offer = pc.createOffer().join();
 * pc.setLocalDescription(offer).join();
 * ... signaling ...
 * pc.setRemoteDescription(answer).join();
 * }</pre>
 *
 * <p>Threading: the connection's protocol state lives on one {@link RtcLoop} thread. Methods may
 * be called from any thread; the asynchronous ones return a {@link CompletableFuture} that
 * completes on this connection's callback executor, and every callback runs there too, one at a
 * time, in order, never on the loop (so a callback may block briefly, or call back into this
 * connection, without stalling the network). The state getters return what the last delivered
 * event said, as in JavaScript.
 *
 * <p>Errors: misuse throws (or completes the future with) the W3C-named exceptions:
 * {@link InvalidStateException} after {@link #close()} or in the wrong signaling state,
 * {@link InvalidModificationException} for an edited description, {@link OperationException}
 * for a description that cannot be applied, {@link TypeException} and {@link SyntaxException}
 * for malformed arguments.
 *
 * <p>{@link #close()} releases every socket and timer of the connection (and the threads of a
 * runtime the connection created for itself).
 */
public final class PeerConnection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);
  private static final Duration LOOP_CALL_TIMEOUT = Duration.ofSeconds(10);

  private final RtcConfiguration configuration;
  private final RtcRuntime runtime;
  private final boolean ownsRuntime;
  private final RtcLoop loop;
  private final SerialExecutor callbacks;
  private final PeerDriver driver;
  private final PeerEngine engine;
  private final DtlsCertificate certificate;

  private volatile boolean closed;
  private volatile RtcSignalingState signalingState = RtcSignalingState.STABLE;
  private volatile RtcIceGatheringState iceGatheringState = RtcIceGatheringState.NEW;
  private volatile RtcIceConnectionState iceConnectionState = RtcIceConnectionState.NEW;
  private volatile RtcPeerConnectionState connectionState = RtcPeerConnectionState.NEW;

  private volatile Consumer<RtcIceCandidate> onIceCandidate = c -> { };
  private volatile Consumer<RtcSignalingState> onSignalingStateChange = s -> { };
  private volatile Consumer<RtcIceGatheringState> onIceGatheringStateChange = s -> { };
  private volatile Consumer<RtcIceConnectionState> onIceConnectionStateChange = s -> { };
  private volatile Consumer<RtcPeerConnectionState> onConnectionStateChange = s -> { };
  private volatile Consumer<DataChannel> onDataChannel = c -> { };
  private volatile Runnable onNegotiationNeeded = () -> { };
  private volatile boolean negotiatedData;

  private final Map<Integer, DataChannel> channels = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger nextHandle = new java.util.concurrent.atomic.AtomicInteger();
  private volatile long remoteMaxMessageSize = org.rtc4j.webrtc.engine.Jsep.DEFAULT_REMOTE_MAX_MESSAGE_SIZE;
  private volatile boolean sctpConnected;
  private final java.util.concurrent.atomic.AtomicLong channelsOpened = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong channelsClosed = new java.util.concurrent.atomic.AtomicLong();

  /** A connection with its own one-loop runtime (closed with the connection). */
  public PeerConnection(RtcConfiguration configuration) {
    this(configuration, RtcRuntime.create(1), true);
  }

  /** A connection on a shared runtime (which the caller closes after its connections). */
  public PeerConnection(RtcConfiguration configuration, RtcRuntime runtime) {
    this(configuration, runtime, false);
  }

  private PeerConnection(RtcConfiguration configuration, RtcRuntime runtime, boolean ownsRuntime) {
    this.configuration = Objects.requireNonNull(configuration, "configuration");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.ownsRuntime = ownsRuntime;
    PeerDriver d = null;
    try {
      Map<InetSocketAddress, String> names = new HashMap<>();
      List<IceServer> servers = resolveServers(configuration.iceServers(), names);
      SecureRandom random = new SecureRandom();
      this.certificate = configuration.certificates().isEmpty()
          ? DtlsCertificate.generate(random, Instant.now()) : configuration.certificates().get(0);
      this.loop = runtime.nextLoop();
      this.callbacks = runtime.newCallbackExecutor();
      List<InetAddress> addresses = HostAddresses.select(configuration.hostAddresses(), configuration.includeLoopback());
      Function<InetSocketAddress, String> serverName = a -> names.getOrDefault(a, a.getAddress().getHostAddress());
      try {
        d = PeerDriver.bind(loop, addresses, configuration.tlsContext(), serverName);
      } catch (IOException e) {
        throw new NetworkException("cannot bind a UDP socket on " + addresses + ": " + e.getMessage(), e);
      }
      this.driver = d;
      d.mdns(configuration.mdns(), configuration.hostAddresses());
      PeerEngineConfig ec = new PeerEngineConfig(servers,
          configuration.iceTransportPolicy() == RtcIceTransportPolicy.RELAY ? IceTransportPolicy.RELAY
              : IceTransportPolicy.ALL,
          d.localAddresses(), certificate, configuration.maxMessageSize(), 5000,
          configuration.iceDisconnectedTimeout(), configuration.iceFailedTimeout(), d.wakeup());
      this.engine = new PeerEngine(ec, random);
      PeerDriver started = d;
      loop.execute(() -> started.start(engine, this::onEngineEvent, this::afterPump));
    } catch (RuntimeException e) {
      if (d != null) {
        d.abandon();
      }
      if (ownsRuntime) {
        runtime.close();
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Offer / answer

  /** W3C {@code createOffer()}. */
  public CompletableFuture<RtcSessionDescription> createOffer() {
    return onLoop(() -> engine.createOffer(loop.nanoTime()));
  }

  /** W3C {@code createAnswer()}; needs a remote offer. */
  public CompletableFuture<RtcSessionDescription> createAnswer() {
    return onLoop(() -> engine.createAnswer(loop.nanoTime()));
  }

  /**
   * W3C {@code setLocalDescription(description)}: the description must be the one
   * {@link #createOffer()}/{@link #createAnswer()} returned (or a rollback). Gathering starts with
   * the first call.
   */
  public CompletableFuture<Void> setLocalDescription(RtcSessionDescription description) {
    Objects.requireNonNull(description, "description");
    return onLoop(() -> {
      engine.setLocalDescription(loop.nanoTime(), description.type(), description.sdp());
      return null;
    });
  }

  /** W3C {@code setLocalDescription()} without argument: creates and applies the right offer or answer. */
  public CompletableFuture<Void> setLocalDescription() {
    return onLoop(() -> {
      engine.setLocalDescription(loop.nanoTime(), null, "");
      return null;
    });
  }

  /** W3C {@code setRemoteDescription(description)}: an offer, pranswer, answer or rollback. */
  public CompletableFuture<Void> setRemoteDescription(RtcSessionDescription description) {
    Objects.requireNonNull(description, "description");
    return onLoop(() -> {
      engine.setRemoteDescription(loop.nanoTime(), description);
      return null;
    });
  }

  /**
   * W3C {@code addIceCandidate(candidate)}: a trickled remote candidate; an empty candidate
   * string (or null) is end-of-candidates.
   */
  public CompletableFuture<Void> addIceCandidate(RtcIceCandidate candidate) {
    return onLoop(() -> {
      engine.addIceCandidate(loop.nanoTime(), candidate);
      return null;
    });
  }

  /** W3C {@code restartIce()}: the next offer restarts ICE with new credentials (RFC 8445 §9). */
  public void restartIce() {
    requireOpen();
    loop.execute(engine::restartIce);
    negotiationNeeded();
  }

  /**
   * W3C {@code localDescription}: the pending or current local description, with every candidate
   * gathered so far and {@code a=end-of-candidates} once gathering completed (the non-trickle path:
   * wait for {@link RtcIceGatheringState#COMPLETE}, then send this). Null before any.
   */
  public RtcSessionDescription localDescription() {
    return query(engine::localDescription);
  }

  /** W3C {@code currentLocalDescription}: the local description of the last completed negotiation (with candidates), or null. */
  public RtcSessionDescription currentLocalDescription() {
    return query(engine::currentLocalDescription);
  }

  /** W3C {@code pendingLocalDescription}: the local offer or pranswer in progress (with candidates), or null. */
  public RtcSessionDescription pendingLocalDescription() {
    return query(engine::pendingLocalDescription);
  }

  /** W3C {@code remoteDescription}: the pending or current remote description, or null. */
  public RtcSessionDescription remoteDescription() {
    return query(engine::remoteDescription);
  }

  /** W3C {@code currentRemoteDescription}: the remote description of the last completed negotiation, or null. */
  public RtcSessionDescription currentRemoteDescription() {
    return query(engine::currentRemoteDescription);
  }

  /** W3C {@code pendingRemoteDescription}: the remote offer or pranswer in progress, or null. */
  public RtcSessionDescription pendingRemoteDescription() {
    return query(engine::pendingRemoteDescription);
  }

  // ------------------------------------------------------------------------------------------
  // States and events

  /** W3C {@code signalingState}, as of the last delivered event. */
  public RtcSignalingState signalingState() {
    return signalingState;
  }

  /** W3C {@code iceGatheringState}, as of the last delivered event. */
  public RtcIceGatheringState iceGatheringState() {
    return iceGatheringState;
  }

  /** W3C {@code iceConnectionState}, as of the last delivered event. */
  public RtcIceConnectionState iceConnectionState() {
    return iceConnectionState;
  }

  /** W3C {@code connectionState} (ICE and DTLS aggregated), as of the last delivered event. */
  public RtcPeerConnectionState connectionState() {
    return connectionState;
  }

  /** W3C {@code onicecandidate}: each local candidate to trickle, then null when gathering completed. */
  public void onIceCandidate(Consumer<RtcIceCandidate> handler) {
    onIceCandidate = handler == null ? c -> { } : handler;
  }

  /** W3C {@code onsignalingstatechange}. */
  public void onSignalingStateChange(Consumer<RtcSignalingState> handler) {
    onSignalingStateChange = handler == null ? s -> { } : handler;
  }

  /** W3C {@code onicegatheringstatechange}. */
  public void onIceGatheringStateChange(Consumer<RtcIceGatheringState> handler) {
    onIceGatheringStateChange = handler == null ? s -> { } : handler;
  }

  /** W3C {@code oniceconnectionstatechange}. */
  public void onIceConnectionStateChange(Consumer<RtcIceConnectionState> handler) {
    onIceConnectionStateChange = handler == null ? s -> { } : handler;
  }

  /** W3C {@code onconnectionstatechange}: ICE and DTLS together ('connected' needs both). */
  public void onConnectionStateChange(Consumer<RtcPeerConnectionState> handler) {
    onConnectionStateChange = handler == null ? s -> { } : handler;
  }

  // ------------------------------------------------------------------------------------------

  /** W3C {@code getConfiguration()}. */
  public RtcConfiguration getConfiguration() {
    return configuration;
  }

  /** The local DTLS certificate (W3C {@code RTCCertificate}). */
  public DtlsCertificate certificate() {
    return certificate;
  }

  /**
   * W3C {@code getStats()}: {@code peer-connection}, {@code transport}, {@code candidate-pair},
   * {@code local-candidate}, {@code remote-candidate} and {@code certificate} entries with the
   * webrtc-stats member names.
   */
  public CompletableFuture<RtcStatsReport> getStats() {
    return onLoop(() -> {
      double now = System.currentTimeMillis();
      List<RtcStats> stats = new ArrayList<>(Stats.collect(engine, driver, certificate, now));
      for (DataChannel dc : channels.values()) {
        stats.add(new RtcStats("D" + dc.handle(), "data-channel", now, dc.statsMembers()));
      }
      Map<String, Object> pcMembers = new java.util.LinkedHashMap<>();
      pcMembers.put("dataChannelsOpened", channelsOpened.get());
      pcMembers.put("dataChannelsClosed", channelsClosed.get());
      stats.set(0, new RtcStats("P", "peer-connection", now, pcMembers));
      return new RtcStatsReport(stats);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Data channels

  /**
   * W3C {@code createDataChannel(label, init)}. The channel opens once the SCTP association is up
   * (after offer/answer, ICE and DTLS); create channels before {@link #createOffer()} as in the
   * browser.
   *
   * @throws TypeException for a label or protocol over 65535 bytes, both maxRetransmits and
   *     maxPacketLifeTime, a negotiated channel without id, or an id over 65534
   * @throws OperationException when the id is already in use
   * @throws InvalidStateException after {@link #close()}
   */
  public DataChannel createDataChannel(String label, DataChannelInit init) {
    requireOpen();
    Objects.requireNonNull(label, "label");
    DataChannelInit i = init == null ? DataChannelInit.defaults() : init;
    if (label.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 65535
        || i.protocol().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 65535) {
      throw new TypeException("label and protocol are limited to 65535 bytes");
    }
    if (i.maxRetransmits() != null && i.maxPacketLifeTime() != null) {
      throw new TypeException("maxRetransmits and maxPacketLifeTime are mutually exclusive");
    }
    if (i.negotiated() && i.id() == null) {
      throw new TypeException("a negotiated channel needs an id");
    }
    if (i.id() != null && (i.id() < 0 || i.id() > 65534)) {
      throw new TypeException("id must be 0..65534: " + i.id());
    }
    if ((i.maxRetransmits() != null && i.maxRetransmits() < 0) || (i.maxPacketLifeTime() != null && i.maxPacketLifeTime() < 0)) {
      throw new TypeException("maxRetransmits and maxPacketLifeTime must be >= 0");
    }
    int handle = nextHandle.incrementAndGet();
    DataChannel dc = new DataChannel(this, handle, label, i.protocol(), i.ordered(), i.maxRetransmits(),
        i.maxPacketLifeTime(), i.negotiated(), i.negotiated() ? i.id() : null);
    channels.put(handle, dc);
    boolean first = !negotiatedData && channels.size() == 1;
    try {
      loop.call(() -> {
        if (engine.localDescription() != null) {
          negotiatedData = true; // the session already has its data section: no new negotiation
        }
        engine.createDataChannel(loop.nanoTime(), handle, label, i.protocol(), i.ordered(),
            i.maxRetransmits() == null ? -1 : i.maxRetransmits(),
            i.maxPacketLifeTime() == null ? -1 : i.maxPacketLifeTime(), i.negotiated(),
            i.id() == null || !i.negotiated() ? -1 : i.id());
        int id = engine.channelId(handle);
        if (id >= 0) {
          dc.assignId(id); // W3C: the id is known at creation once the DTLS role is
        }
        driver.pump();
        return null;
      }, LOOP_CALL_TIMEOUT);
    } catch (RuntimeException e) {
      channels.remove(handle);
      throw e;
    }
    if (first && !negotiatedData) {
      negotiatedData = true;
      negotiationNeeded();
    }
    return dc;
  }

  /**
   * W3C {@code onnegotiationneeded}: fired when the first data channel is created before any
   * description carried a data section, and after {@link #restartIce()}; the application then
   * runs an offer/answer round.
   */
  public void onNegotiationNeeded(Runnable handler) {
    onNegotiationNeeded = handler == null ? () -> { } : handler;
  }

  private void negotiationNeeded() {
    callbacks.execute(() -> {
      if (!closed) {
        onNegotiationNeeded.run();
      }
    });
  }

  /** W3C {@code ondatachannel}: a channel the peer opened (already open; its onOpen follows). */
  public void onDataChannel(Consumer<DataChannel> handler) {
    onDataChannel = handler == null ? c -> { } : handler;
  }

  /** W3C {@code sctp}: null until a description with a data section was applied. */
  public RtcSctpTransport sctp() {
    if (closed) {
      return null;
    }
    return new RtcSctpTransport(sctpConnected ? "connected" : "connecting", remoteMaxMessageSize, 65535);
  }

  // ---- for DataChannel

  long remoteMaxMessageSize() {
    return remoteMaxMessageSize;
  }

  long nanoTime() {
    return loop.nanoTime();
  }

  /** Runs an engine command on the loop and pumps (for DataChannel). */
  void runOnLoop(Consumer<PeerEngine> command) {
    if (closed) {
      return;
    }
    try {
      loop.execute(() -> {
        if (!engine.isClosed()) {
          command.accept(engine);
          driver.pump();
        }
      });
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** On the loop: a send failed after it was admitted. */
  void deliverChannelError(DataChannel dc, RtcException e) {
    callbacks.execute(() -> {
      if (!closed) {
        dc.error(e);
      }
    });
  }

  /**
   * On the loop, after every pump: publishes each channel's fallen bufferedAmount and, where it
   * fell to the threshold, posts the onBufferedAmountLow check. The event is derived from the value
   * the application reads, not taken from the engine, whose count lacks the bytes still on their
   * way to the loop, and it is decided on the callback executor (DataChannel.takeLow), so the
   * handler reads a value at or below the threshold (W3C).
   */
  private void afterPump() {
    for (DataChannel dc : channels.values()) {
      if (dc.refreshOnLoop(engine.bufferedAmount(dc.handle()))) {
        callbacks.execute(() -> {
          if (!closed && dc.takeLow()) {
            dc.bufferedAmountLow();
          }
        });
      }
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * W3C {@code close()}: ends ICE (TURN allocations are released), sends DTLS close_notify, closes
   * every socket and timer of this connection, and stops the runtime when the connection owns it.
   * No state-change events fire afterwards. Idempotent; waits (bounded) until the sockets are closed.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DataChannel dc : channels.values()) {
      dc.closedSilently();
    }
    signalingState = RtcSignalingState.CLOSED;
    iceConnectionState = RtcIceConnectionState.CLOSED;
    connectionState = RtcPeerConnectionState.CLOSED;
    try {
      loop.call(() -> {
        driver.close();
        return null;
      }, LOOP_CALL_TIMEOUT);
    } catch (RejectedExecutionException e) {
      // the runtime is already closed; its loop closed the sockets on the way out
    } catch (RuntimeException e) {
      LOG.warn("close: {}", e.toString());
    }
    if (ownsRuntime) {
      runtime.close();
    }
  }

  // ------------------------------------------------------------------------------------------

  private void requireOpen() {
    if (closed) {
      throw new InvalidStateException("the connection is closed");
    }
  }

  private interface LoopTask<T> {
    T run();
  }

  /**
   * Runs {@code task} on the loop; events it caused are delivered first, then the future completes,
   * both on the callback executor (W3C: state events fire before the promise resolves).
   */
  private <T> CompletableFuture<T> onLoop(LoopTask<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (closed) {
      f.completeExceptionally(new InvalidStateException("the connection is closed"));
      return f;
    }
    try {
      loop.execute(() -> {
        T result;
        try {
          if (closed) {
            throw new InvalidStateException("the connection is closed");
          }
          result = task.run();
        } catch (RuntimeException e) {
          driver.pump();
          callbacks.execute(() -> f.completeExceptionally(e));
          return;
        } catch (Throwable e) {
          // A bug (an Error) must still settle the future, never leave the caller waiting.
          callbacks.execute(() -> f.completeExceptionally(new OperationException("internal error: " + e, e)));
          return;
        }
        driver.pump();
        callbacks.execute(() -> f.complete(result));
      });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new InvalidStateException("the connection is closed"));
    }
    return f;
  }

  private <T> T query(java.util.function.Supplier<T> q) {
    if (closed) {
      return null;
    }
    try {
      return loop.call(q, LOOP_CALL_TIMEOUT);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** On the loop: moves an engine event to the callback executor. */
  private void onEngineEvent(PeerEvent e) {
    if (e instanceof PeerEvent.ChannelBufferedAmountLow) {
      return; // afterPump derives the event from what the application reads
    }
    if (e instanceof PeerEvent.ChannelClosed c) {
      // The engine no longer counts the channel's bytes: keep the last value (W3C: not reset to 0).
      DataChannel dc = channels.get(c.handle());
      if (dc != null) {
        dc.freezeBuffered();
      }
    }
    callbacks.execute(() -> dispatch(e));
  }

  private void dispatch(PeerEvent e) {
    if (closed) {
      return; // W3C: no events after close()
    }
    if (e instanceof PeerEvent.SignalingStateChanged s) {
      signalingState = s.state();
      onSignalingStateChange.accept(s.state());
    } else if (e instanceof PeerEvent.LocalCandidate c) {
      onIceCandidate.accept(c.candidate());
    } else if (e instanceof PeerEvent.IceGatheringStateChanged g) {
      iceGatheringState = g.state();
      onIceGatheringStateChange.accept(g.state());
    } else if (e instanceof PeerEvent.IceConnectionStateChanged i) {
      iceConnectionState = i.state();
      onIceConnectionStateChange.accept(i.state());
    } else if (e instanceof PeerEvent.ConnectionStateChanged c) {
      connectionState = c.state();
      onConnectionStateChange.accept(c.state());
    } else if (e instanceof PeerEvent.SctpConnected sc) {
      remoteMaxMessageSize = sc.remoteMaxMessageSize();
      sctpConnected = true;
    } else if (e instanceof PeerEvent.ChannelOpened o) {
      if (o.remote()) {
        org.rtc4j.sctp.dcep.DataChannelInfo info = o.info();
        DataChannel dc = new DataChannel(this, o.handle(), info.label(), info.protocol(), info.ordered(),
            info.maxRetransmits() < 0 ? null : info.maxRetransmits(),
            info.maxPacketLifeTime() < 0 ? null : (int) info.maxPacketLifeTime(), info.negotiated(), info.id());
        channels.put(o.handle(), dc);
        // Open before anything else is dispatched: messages queued right behind this event must
        // find the channel open, and onOpen fires after the application saw (and wired) the channel.
        channelsOpened.incrementAndGet();
        try {
          onDataChannel.accept(dc);
        } finally {
          dc.opened(info.id());
        }
      } else {
        DataChannel dc = channels.get(o.handle());
        if (dc != null) {
          channelsOpened.incrementAndGet();
          dc.opened(o.info().id());
        }
      }
    } else if (e instanceof PeerEvent.ChannelMessage m) {
      DataChannel dc = channels.get(m.handle());
      if (dc != null) {
        dc.message(new DataChannelMessage(m.data(), m.text()));
      }
    } else if (e instanceof PeerEvent.ChannelClosing c) {
      DataChannel dc = channels.get(c.handle());
      if (dc != null) {
        dc.closing();
      }
    } else if (e instanceof PeerEvent.ChannelClosed c) {
      DataChannel dc = channels.remove(c.handle());
      if (dc != null) {
        if (dc.readyState() != DataChannelState.CONNECTING) {
          channelsClosed.incrementAndGet();
        }
        dc.closed();
      }
    } else if (e instanceof PeerEvent.ChannelError err) {
      DataChannel dc = channels.get(err.handle());
      if (dc != null) {
        dc.error(new OperationException(err.message()));
      }
    }
  }

  /**
   * Parses the W3C iceServers into agent servers with IP-literal hosts (the agent does no DNS);
   * remembers the names for TLS certificate checks.
   */
  private static List<IceServer> resolveServers(List<RtcIceServer> servers, Map<InetSocketAddress, String> names) {
    List<IceServer> out = new ArrayList<>();
    for (RtcIceServer s : servers) {
      for (String url : s.urls()) {
        IceServer parsed;
        try {
          parsed = IceServer.parse(url, s.username(), s.credential());
        } catch (IllegalArgumentException e) {
          throw new SyntaxException(e.getMessage(), e);
        }
        InetSocketAddress literal = parsed.literalAddress().orElse(null);
        if (literal == null) {
          try {
            InetAddress a = InetAddress.getByName(parsed.host());
            literal = new InetSocketAddress(a, parsed.port());
          } catch (UnknownHostException e) {
            LOG.warn("ICE server {} does not resolve; skipped", parsed.host());
            continue;
          }
        }
        names.put(literal, parsed.host());
        out.add(new IceServer(parsed.scheme(), literal.getAddress().getHostAddress(), parsed.port(),
            parsed.protocol(), parsed.username(), parsed.credential()));
      }
    }
    return out;
  }
}
