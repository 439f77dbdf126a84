package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SCTP association over DTLS (RFC 9260 with RFC 8261), a sans-IO core.
 *
 * <p>What it does: the four-way handshake with a signed, expiring state cookie and random
 * verification tags, including INIT collision (both sides call {@link #connect}, RFC 9260 §5.2);
 * DATA and SACK with gap-ack blocks and duplicate TSNs; delayed SACK (every second packet or
 * {@link SctpConfig#delayedAckTime()}); fast retransmit and fast recovery (§7.2.4); T3-rtx with
 * the RTO of §6.3 and back-off; slow start and congestion avoidance (§7.2); receive-window flow
 * control (the advertised a_rwnd is the receive buffer minus what is buffered, reassembly and
 * undelivered messages included, so a slow reader bounds memory); chunk bundling; fragmentation
 * and reassembly; ordered and unordered delivery with per-stream SSNs (a gap on one stream never
 * blocks another); partial reliability (RFC 3758: abandoned messages are skipped with
 * FORWARD-TSN); stream reset (RFC 6525); HEARTBEAT, SHUTDOWN and ABORT.
 *
 * <p>TSNs are kept as unwrapped 64-bit counters internally; only the wire carries 32 bits.
 *
 * <p>Not implemented: association restart (an INIT or a COOKIE ECHO with new tags on an
 * established association is ignored; WebRTC never restarts one), I-DATA / message interleaving
 * (RFC 8260, not advertised), partial delivery of messages larger than the receive buffer,
 * zero checksum (RFC 9653, not advertised), SSN/TSN reset and add-streams requests (answered
 * "denied"), stale-cookie recovery with a Cookie Preservative.
 *
 * <p>Not thread-safe: one owner thread (the connection's loop). Never throws on remote input.
 */
public final class SctpAssociation {
  private static final Logger LOG = LoggerFactory.getLogger(SctpAssociation.class);
  private static final int MAX_GAP_BLOCKS = 128;
  private static final int MAX_DUP_TSNS = 32;
  /** Out-of-order TSNs held at most (a 1 MiB window of 1-byte messages is ~52k chunks). */
  static final int MAX_RECEIVED_ABOVE = 131_072;
  /** Extra receive-buffer room for the chunk at cumTsn+1 when later TSNs are held. */
  private static final int GAP_FILL_SLACK = 64 * 1024;
  /** Do not start a new fragment in the last few bytes of a packet: the header would dominate. */
  private static final int MIN_FRAGMENT = 64;

  private final SctpConfig cfg;
  private final RandomGenerator random;
  private final Mac mac;
  private final int mtu;
  private final int rbuf;
  private final long rtoMinNanos;
  private final long rtoMaxNanos;

  private SctpState state = SctpState.CLOSED;
  private boolean finished;
  private long remoteMaxMessageSize;

  // Tags and initial values.
  private long myTag;
  private long peerTag;
  private long myInitialTsn;
  private long peerInitialTsn;
  private int outStreams;
  private boolean peerForwardTsn;
  private boolean peerReconfig;

  // Handshake retransmission (T1) and shutdown (T2).
  private ByteBuffer handshakePacket;
  private long t1Deadline = Long.MAX_VALUE;
  private long t1Rto;
  private int t1Count;
  private long t2Deadline = Long.MAX_VALUE;
  private int t2Count;

  // Output.
  private final ArrayDeque<ByteBuffer> rawPackets = new ArrayDeque<>();
  private final ArrayDeque<Chunk> control = new ArrayDeque<>();
  private final ArrayDeque<SctpEvent> events = new ArrayDeque<>();

  // Sender.
  private final ArrayDeque<OutMessage> pending = new ArrayDeque<>();
  private final Map<Integer, OutStream> outStreamMap = new HashMap<>();
  private OutChunk[] ring = new OutChunk[1024];
  private int ringHead;
  private int ringSize;
  private long nextTsn;
  private long cumAckPoint;
  private long advancedPeerAckPoint;
  private long flightSize;
  private long peerRwnd;
  private long cwnd;
  private long ssthresh;
  private long partialBytesAcked;
  private boolean fastRecovery;
  private long recoveryExit;
  private boolean fastRetransmitNow;
  private int retransmitPending;
  private long t3Deadline = Long.MAX_VALUE;
  /** The buffer {@link #pollTransmitTransient()} builds packets in. */
  private ByteBuffer txBuffer;
  private long srttNanos = -1;
  private long rttvarNanos;
  private long rtoNanos;
  private long rttTsn = -1;
  private int errorCount;
  private boolean forwardTsnNeeded;
  private long totalBuffered;
  private final Map<Integer, long[]> decreased = new HashMap<>();

  // Pacing (RFC 9260 §7.2 allows it; Linux TCP and QUIC stacks pace the same way): DATA leaves at
  // gain * cwnd / srtt instead of in cwnd-sized bursts whenever SACKs open the window. A receiver
  // that reads its socket in batches (Chromium: a 128 KiB socket buffer, ~56 datagrams, drained
  // by its network process) acknowledges in clumps, and each clump released as one burst
  // overflowed that buffer; a paced sender offers the same rate as a steady stream.
  /** Bytes DATA may still take now; negative: owed (a deficit, paid back at the pacing rate). */
  private long paceCredit;
  /** When {@link #paceCredit} was last brought up to date. */
  private long paceStamp;
  /** When pacing held data back: the instant it may go ({@link #pollTimeout}), else MAX_VALUE. */
  private long paceDeadline = Long.MAX_VALUE;

  // Queueing delay (as Vegas and HyStart++ read it): the RTT rising above the path's minimum
  // means a queue is building at the bottleneck; slow start then ends and cwnd stops growing
  // instead of growing until the queue overflows. Chromium's receive socket holds ~56 datagrams:
  // each overflow cost a halved window and a burst of drops, while the RTT had risen from under
  // 1 ms to 6-12 ms. A higher RTT is not always our queue (a loaded receiver, a longer path), so
  // a small window never holds, and a held window is checked by draining (see onRoundEnd).
  /** Smallest RTT sample in the current and the previous {@link #RTT_MIN_WINDOW_NANOS}. */
  private long rttMinCurrent = Long.MAX_VALUE;
  private long rttMinPrevious = Long.MAX_VALUE;
  private long rttMinWindowStart;
  /** Smallest RTT sample in this round (a round ends when everything sent at its start is acked). */
  private long roundRttMin = Long.MAX_VALUE;
  private int roundRttSamples;
  private long lastRoundRttMin = Long.MAX_VALUE;
  private long roundEndTsn = -1;
  /** Largest cwnd in this round and in the previous one (when this round's acked chunks left). */
  private long roundCwndMax;
  private long prevRoundCwndMax;
  /** Whether a SACK of this round was held. */
  private boolean roundHeld;
  /** Consecutive held rounds whose minimum stayed near {@link #heldRoundMin}. */
  private int heldRounds;
  private long heldRoundMin;
  /** Drain check: 0 none, 1 the round of chunks sent before the cut, 2 the round that tells. */
  private int drainPhase;
  private long drainSavedCwnd;
  /** ssthresh before the delay signal ended slow start (0: it did not, or a loss came since). */
  private long delayExitSsthresh;
  /** Newest send time of a chunk acked (first transmission) by the SACK being processed. */
  private long ackedSentAt;

  // Receiver.
  private long cumTsn;
  private long highestReceived;
  private final TreeSet<Long> receivedAbove = new TreeSet<>();
  private final TreeMap<Long, InChunk> reassembly = new TreeMap<>();
  private List<byte[]> fastParts;
  private InChunk fastHead;
  private long fastFirst;
  private long fastNext;
  private long fastLen;
  private final Map<Integer, InStream> inStreams = new HashMap<>();
  private final List<Long> dupTsns = new ArrayList<>();
  private long bufferedRecv;
  private boolean sackNow;
  private int packetsSinceSack;
  private long sackDeadline = Long.MAX_VALUE;
  private long lastAdvertisedRwnd;
  private boolean dataReceivedSinceSack;

  // Stream reset (RFC 6525).
  private long myReqSeq;
  private long peerReqSeqExpected;
  private final Set<Integer> resetQueue = new LinkedHashSet<>();
  private ReconfigParameter.OutgoingSsnResetRequest outstandingReset;
  private long reconfigDeadline = Long.MAX_VALUE;
  private ReconfigParameter.OutgoingSsnResetRequest deferredIncomingReset;
  private ReconfigParameter.ReconfigResponse lastResponse;

  // Path MTU discovery (RFC 8899): off until the layer below names a larger maximum.
  private PlpmtuDiscovery plpmtu;
  private long probeNonce;

  // Heartbeat.
  private long hbDeadline = Long.MAX_VALUE;
  private long hbSentNanos;
  private long hbNonce;
  private boolean hbOutstanding;

  // Stats.
  private long packetsSent;
  private long packetsReceived;
  private long bytesSent;
  private long bytesReceived;
  private long messagesSent;
  private long messagesReceived;
  private long dataChunksSent;
  private long dataChunksReceived;
  private long retransmittedChunks;
  private long fastRetransmits;
  private long t3Expirations;
  private long duplicateTsnCount;
  private long abandonedMessages;
  private long malformedPackets;
  private long badChecksums;
  private long badTags;
  private long droppedChunks;
  private long internalErrors;
  private long sacksReceived;
  private long dataPacketsSent;
  private long peerRwndMin = -1;
  private long cwndLimited;
  private long rwndLimited;
  private long cwndMax;
  private long pacingHolds;
  private long delayHolds;
  private long drainChecks;

  /**
   * @param cfg configuration
   * @param random source of verification tags, initial TSNs and (when the config has none) the
   *     cookie secret; pass a {@link java.security.SecureRandom} in production
   */
  public SctpAssociation(SctpConfig cfg, RandomGenerator random) {
    this.cfg = cfg;
    this.random = random;
    byte[] secret = cfg.cookieSecret();
    if (secret == null) {
      secret = new byte[32];
      random.nextBytes(secret);
    }
    this.mac = StateCookie.mac(secret);
    this.mtu = cfg.mtu();
    this.rbuf = cfg.receiveBufferSize();
    this.rtoMinNanos = cfg.rtoMin().toNanos();
    this.rtoMaxNanos = cfg.rtoMax().toNanos();
    this.rtoNanos = clampRto(cfg.rtoInitial().toNanos());
    this.remoteMaxMessageSize = cfg.remoteMaxMessageSize();
    this.cwnd = Math.min(4L * mtu, Math.max(2L * mtu, 4404));
    this.ssthresh = cfg.maxCwnd();
    this.lastAdvertisedRwnd = rbuf;
    this.plpmtu = new PlpmtuDiscovery(mtu, mtu, PROBE_TIMER_NANOS, RAISE_TIMER_NANOS);
  }

  /** RFC 8899 PROBE_TIMER: the RFC's floor (HEARTBEAT-ACKs are sent at once, not delayed). */
  static final long PROBE_TIMER_NANOS = 1_000_000_000L;
  /** RFC 8899 PMTU_RAISE_TIMER (600 s). */
  static final long RAISE_TIMER_NANOS = 600_000_000_000L;

  /**
   * The largest SCTP packet the layer below can carry (for DTLS over UDP: the link MTU minus IP,
   * UDP and record overhead). Above the configured MTU, which stays the size every path must
   * carry, the association discovers the path's limit (RFC 8899 with HEARTBEAT + PAD probes, see
   * {@link PlpmtuDiscovery}) once established and sends DATA in packets up to the confirmed size.
   * Call before the association is established.
   */
  public void setMaxPacketSize(int maxPacketSize) {
    plpmtu = new PlpmtuDiscovery(mtu, maxPacketSize, PROBE_TIMER_NANOS, RAISE_TIMER_NANOS);
  }

  /**
   * The packets now take another path (a new ICE candidate pair, an ICE restart): the packet size
   * confirmed on the old one is forgotten and discovery starts again from BASE (RFC 8899 §3), and
   * so are the minimum RTT and the rounds the queueing-delay signal compares with.
   */
  public void pathChanged(long nowNanos) {
    now(nowNanos);
    plpmtu.restart(nowNanos);
    resetDelayState();
  }

  /**
   * Forgets the RTT minimum and the rounds: on a new path the old minimum says nothing, and a
   * longer path held against it froze cwnd where the short one left it.
   */
  private void resetDelayState() {
    rttMinCurrent = Long.MAX_VALUE;
    rttMinPrevious = Long.MAX_VALUE;
    roundRttMin = Long.MAX_VALUE;
    roundRttSamples = 0;
    lastRoundRttMin = Long.MAX_VALUE;
    roundEndTsn = -1;
    roundHeld = false;
    heldRounds = 0;
    endDrain();
    ssthresh = Math.max(ssthresh, delayExitSsthresh);
    delayExitSsthresh = 0;
  }

  /** The path MTU discovery state (the confirmed packet size is {@code current()}). */
  public PlpmtuDiscovery pathMtu() {
    return plpmtu;
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /** The configuration. */
  public SctpConfig config() {
    return cfg;
  }

  /** The association state. */
  public SctpState state() {
    return state;
  }

  /** Sets the peer's a=max-message-size (RFC 8841); 0 means no limit. */
  public void setRemoteMaxMessageSize(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative max message size");
    }
    this.remoteMaxMessageSize = bytes;
  }

  /** The peer's max message size as set; 0 means no limit. */
  public long remoteMaxMessageSize() {
    return remoteMaxMessageSize;
  }

  /** Number of outbound streams agreed in the handshake (0 before it). */
  public int outboundStreams() {
    return outStreams;
  }

  /**
   * Starts the handshake: sends INIT (RFC 9260 §5.1). Both sides may call it; the collision is
   * resolved as §5.2.1 says. Ignored unless CLOSED and never connected.
   */
  public void connect(long nowNanos) {
    now(nowNanos);
    if (state != SctpState.CLOSED || finished || myTag != 0) {
      return;
    }
    myTag = randomTag();
    myInitialTsn = random.nextLong() & 0xFFFFFFFFL;
    InitChunk init = new InitChunk(0, myTag, rbuf, cfg.outboundStreams(), cfg.inboundStreams(), myInitialTsn,
        localParameters(null));
    handshakePacket = packet(0, init);
    rawPackets.add(handshakePacket.duplicate());
    state = SctpState.COOKIE_WAIT;
    t1Rto = clampRto(cfg.rtoInitial().toNanos());
    t1Count = 0;
    t1Deadline = nowNanos + t1Rto;
  }

  /**
   * Queues a message.
   *
   * @param streamId stream (must be below the negotiated outbound stream count)
   * @param ppid payload protocol identifier
   * @param message the bytes (copied; position..limit; must not be empty)
   * @param unordered deliver as soon as complete, not in SSN order
   * @param maxRetransmits partial reliability: give up after this many retransmissions, -1 never
   * @param maxLifetimeMillis partial reliability: give up this long after send, -1 never
   * @throws IllegalStateException when the association is not established (or is shutting down)
   * @throws IllegalArgumentException when the message is empty, larger than the peer's max message
   *     size, or the stream is out of range
   */
  public void send(long nowNanos, int streamId, int ppid, ByteBuffer message, boolean unordered, int maxRetransmits,
      long maxLifetimeMillis) {
    now(nowNanos);
    check(streamId, message.remaining());
    byte[] data = new byte[message.remaining()];
    message.duplicate().get(data);
    enqueue(nowNanos, streamId, ppid, data, unordered, maxRetransmits, maxLifetimeMillis);
  }

  /**
   * Like {@link #send}, but queues {@code message} itself instead of a copy: for a caller that made
   * the array for this message (the data-channel API copies the application's buffer once, and
   * a second copy here was a full extra pass over every byte sent). The caller must not change it.
   */
  public void sendOwned(long nowNanos, int streamId, int ppid, byte[] message, boolean unordered, int maxRetransmits,
      long maxLifetimeMillis) {
    now(nowNanos);
    check(streamId, message.length);
    enqueue(nowNanos, streamId, ppid, message, unordered, maxRetransmits, maxLifetimeMillis);
  }

  private void check(int streamId, int len) {
    if (state != SctpState.ESTABLISHED) {
      throw new IllegalStateException("association not established: " + state);
    }
    if (len == 0) {
      throw new IllegalArgumentException("empty message (SCTP cannot carry one; use the empty PPIDs)");
    }
    if (remoteMaxMessageSize > 0 && len > remoteMaxMessageSize) {
      throw new IllegalArgumentException("message of " + len + " bytes exceeds the peer's max message size "
          + remoteMaxMessageSize);
    }
    if (streamId < 0 || streamId >= outStreams) {
      throw new IllegalArgumentException("stream " + streamId + " outside 0.." + (outStreams - 1));
    }
  }

  private void enqueue(long nowNanos, int streamId, int ppid, byte[] data, boolean unordered, int maxRetransmits,
      long maxLifetimeMillis) {
    int len = data.length;
    OutStream os = outStream(streamId);
    OutMessage m = new OutMessage();
    m.streamId = streamId;
    m.ppid = ppid;
    m.data = data;
    m.unordered = unordered;
    m.maxRetransmits = maxRetransmits;
    m.expiry = maxLifetimeMillis >= 0 ? nowNanos + maxLifetimeMillis * 1_000_000L : Long.MAX_VALUE;
    m.unacked = len;
    m.stream = os;
    os.buffered += len;
    os.queued++;
    totalBuffered += len;
    pending.add(m);
    messagesSent++;
  }

  /** Bytes of a stream's messages not yet sent (W3C bufferedAmount: queued, not in flight). */
  public long bufferedAmount(int streamId) {
    OutStream os = outStreamMap.get(streamId);
    return os == null ? 0 : os.buffered;
  }

  /** Bytes of all streams not yet sent. */
  public long bufferedAmount() {
    return totalBuffered;
  }

  /**
   * Resets outgoing streams (RFC 6525 Outgoing SSN Reset Request): messages already queued on
   * them are sent first; then the peer resets its incoming side and we restart their SSNs at 0
   * ({@link SctpEvent.OutgoingStreamsReset}).
   */
  public void resetStreams(long nowNanos, int... streamIds) {
    now(nowNanos);
    if (state != SctpState.ESTABLISHED) {
      return;
    }
    for (int s : streamIds) {
      if (s >= 0 && s <= 0xFFFF) {
        resetQueue.add(s);
      }
    }
    maybeSendReset(nowNanos);
  }

  /** Graceful close (RFC 9260 §9.2): the queued data is delivered first. */
  public void shutdown(long nowNanos) {
    now(nowNanos);
    switch (state) {
      case ESTABLISHED -> {
        state = SctpState.SHUTDOWN_PENDING;
        checkShutdown(nowNanos);
      }
      case COOKIE_WAIT, COOKIE_ECHOED -> close("shutdown before establishment", false);
      default -> {}
    }
  }

  /** Abrupt close (RFC 9260 §9.1): sends ABORT with a user-initiated-abort cause. */
  public void abort(long nowNanos, String reason) {
    now(nowNanos);
    if (finished) {
      return;
    }
    if (state != SctpState.CLOSED && peerTag != 0) {
      rawPackets.add(packet(peerTag, new AbortChunk(0,
          List.of(ErrorCause.text(ErrorCause.USER_INITIATED_ABORT, reason == null ? "" : reason)))));
    }
    close("aborted locally: " + reason, false);
  }

  /** A snapshot of the counters. */
  /** Out-of-order TSNs currently held (tests: bounded by {@link #MAX_RECEIVED_ABOVE}). */
  int receivedAboveCount() {
    return receivedAbove.size();
  }

  public SctpStats stats() {
    return new SctpStats(packetsSent, packetsReceived, bytesSent, bytesReceived, messagesSent, messagesReceived,
        dataChunksSent, dataChunksReceived, retransmittedChunks, fastRetransmits, t3Expirations, duplicateTsnCount,
        abandonedMessages, malformedPackets, badChecksums, badTags, droppedChunks, cwnd, ssthresh, flightSize,
        Math.max(0, peerRwnd - flightSize), localRwnd(), srttNanos < 0 ? 0 : srttNanos / 1e6, rtoNanos / 1e6,
        totalBuffered, bufferedRecv, sacksReceived, dataPacketsSent, peerRwndMin, cwndLimited, rwndLimited,
        Math.max(cwndMax, cwnd), pacingHolds, (long) pacingRate(), delayHolds,
        rttMin() == Long.MAX_VALUE ? 0 : rttMin() / 1e6, drainChecks);
  }

  // ---------------------------------------------------------------------------------------------
  // Sans-IO surface

  /** One SCTP packet (one DTLS application-data record). Never throws on bad input. */
  public void handleReceive(long nowNanos, ByteBuffer packet) {
    now(nowNanos);
    if (finished) {
      answerOutOfTheBlue(packet);
      return;
    }
    int len = packet.remaining();
    SctpPacket p;
    try {
      p = SctpPacket.parse(packet.duplicate(), cfg.verifyChecksum());
    } catch (SctpParseException e) {
      if (e.offset() == 8 && e.getMessage().startsWith("bad CRC32c")) {
        badChecksums++;
      } else {
        malformedPackets++;
      }
      LOG.debug("dropped SCTP packet: {}", e.getMessage());
      return;
    } catch (RuntimeException e) {
      malformedPackets++;
      LOG.debug("dropped SCTP packet", e);
      return;
    }
    try {
      process(nowNanos, p, len);
    } catch (RuntimeException e) {
      // A bug, not bad input; keep the loop alive and make it visible.
      malformedPackets++;
      internalErrors++;
      LOG.warn("SCTP packet processing failed", e);
    }
  }

  /**
   * A closed association still answers a SHUTDOWN ACK with a SHUTDOWN COMPLETE, T bit set and the
   * tag reflected (RFC 9260 §8.4 item 5): after a graceful close our SHUTDOWN COMPLETE may have
   * been lost, and the peer would otherwise retransmit SHUTDOWN ACK until its give-up limit
   * (minutes of T2 back-off) before closing.
   */
  private void answerOutOfTheBlue(ByteBuffer packet) {
    if (peerTag == 0 || packet.remaining() < SctpPacket.HEADER_LENGTH + 4
        || packet.get(packet.position() + SctpPacket.HEADER_LENGTH) != Chunk.SHUTDOWN_ACK) {
      return;
    }
    try {
      SctpPacket p = SctpPacket.parse(packet.duplicate(), cfg.verifyChecksum());
      if (p.verificationTag() == myTag && rawPackets.size() < 4) {
        rawPackets.add(new SctpPacket(cfg.localPort(), cfg.remotePort(), myTag,
            List.of(new ShutdownCompleteChunk(1))).encode());
      }
    } catch (SctpParseException | RuntimeException e) {
      // not even a packet: nothing to answer
    }
  }

  /** Runs the timers that are due. */
  public void handleTimeout(long nowNanos) {
    now(nowNanos);
    if (finished) {
      return;
    }
    if (nowNanos >= t1Deadline) {
      onT1(nowNanos);
    }
    if (nowNanos >= t2Deadline) {
      onT2(nowNanos);
    }
    if (nowNanos >= t3Deadline) {
      onT3(nowNanos);
    }
    if (nowNanos >= sackDeadline) {
      sackDeadline = Long.MAX_VALUE;
      if (dataReceivedSinceSack || !dupTsns.isEmpty()) {
        sackNow = true;
      }
    }
    if (nowNanos >= reconfigDeadline) {
      reconfigDeadline = Long.MAX_VALUE;
      if (outstandingReset != null && !finished) {
        control.add(new ReconfigChunk(0, List.of(outstandingReset)));
        reconfigDeadline = nowNanos + rtoNanos;
      }
    }
    if (nowNanos >= hbDeadline) {
      onHeartbeatTimer(nowNanos);
    }
    if (nowNanos >= plpmtu.pollTimeout()) {
      plpmtu.handleTimeout(nowNanos);
      queueProbe(nowNanos);
    }
    if (nowNanos >= paceDeadline) {
      paceDeadline = Long.MAX_VALUE; // the next poll sends or sets it again
    }
    expireQueued(nowNanos);
  }

  /** When {@link #handleTimeout} should run next; {@link Long#MAX_VALUE} when nothing is scheduled. */
  public long pollTimeout() {
    if (finished) {
      return Long.MAX_VALUE;
    }
    long t = Math.min(t1Deadline, t2Deadline);
    t = Math.min(t, t3Deadline);
    t = Math.min(t, sackDeadline);
    t = Math.min(t, reconfigDeadline);
    t = Math.min(t, hbDeadline);
    t = Math.min(t, state == SctpState.ESTABLISHED ? plpmtu.pollTimeout() : Long.MAX_VALUE);
    t = Math.min(t, paceDeadline);
    return t;
  }

  /** The next event, if any. Message events release receive-buffer space when polled. */
  public Optional<SctpEvent> pollEvent() {
    SctpEvent e = events.poll();
    if (e instanceof SctpEvent.Message m) {
      bufferedRecv -= m.data().remaining();
      long rwnd = localRwnd();
      // Window update: tell a sender blocked by our window that it opened (RFC 9260 §6.2).
      if (state != SctpState.CLOSED && rwnd - lastAdvertisedRwnd >= Math.max(rbuf / 4, 4L * mtu)) {
        sackNow = true;
      }
    }
    return Optional.ofNullable(e);
  }

  /** The next SCTP packet to send (at most the MTU), if any; a buffer of its own. */
  public Optional<ByteBuffer> pollTransmit() {
    return poll(false);
  }

  /**
   * Like {@link #pollTransmit()}, but a packet built here is a view of one buffer that the next
   * call overwrites: for a caller that consumes it at once (DTLS encrypts it into a record of its
   * own). A buffer per packet was the largest allocation on the data path (1.2 KB per packet,
   * SACK-only packets included).
   */
  public Optional<ByteBuffer> pollTransmitTransient() {
    return poll(true);
  }

  private Optional<ByteBuffer> poll(boolean reuse) {
    ByteBuffer raw = rawPackets.poll();
    if (raw != null) {
      count(raw.remaining());
      return Optional.of(raw);
    }
    if (finished || peerTag == 0 || state == SctpState.CLOSED) {
      return Optional.empty();
    }
    boolean dataState = state == SctpState.ESTABLISHED || state == SctpState.SHUTDOWN_PENDING
        || state == SctpState.SHUTDOWN_RECEIVED;
    if (forwardTsnNeeded && dataState) {
      forwardTsnNeeded = false;
      ForwardTsnChunk f = buildForwardTsn();
      if (f != null) {
        control.add(f);
      }
    }
    boolean wantData = dataState && (retransmitPending > 0 || canSendNew());
    paceDeadline = Long.MAX_VALUE;
    // Only a packet that would carry DATA waits (with retransmissions pending, cwnd decides that).
    boolean dataReady = wantData && (retransmitPending == 0 || flightSize < cwnd);
    if (dataReady && !fastRetransmitNow && !paceAllows(lastNow)) {
      wantData = false; // paceDeadline says when
    }
    if (!sackNow && control.isEmpty() && !wantData) {
      return Optional.empty();
    }
    ByteBuffer out;
    if (reuse) {
      if (txBuffer == null || txBuffer.capacity() < plpmtu.current()) {
        txBuffer = ByteBuffer.allocate(plpmtu.current());
      }
      out = txBuffer.clear().limit(plpmtu.current());
    } else {
      out = ByteBuffer.allocate(plpmtu.current());
    }
    out.putShort((short) cfg.localPort()).putShort((short) cfg.remotePort()).putInt((int) peerTag).putInt(0);
    boolean sackPending = sackNow || dataReceivedSinceSack || !dupTsns.isEmpty();
    if (sackPending && state != SctpState.COOKIE_WAIT && state != SctpState.COOKIE_ECHOED) {
      writeSack(out);
    }
    while (!control.isEmpty() && control.peek().encodedLength() <= out.remaining()) {
      control.poll().encodeTo(out);
    }
    if (wantData) {
      int before = out.position();
      writeData(out);
      if (out.position() > before) {
        dataPacketsSent++;
        paceCredit -= out.position() - before;
      }
      flushDecreased();
    }
    if (out.position() == SctpPacket.HEADER_LENGTH) {
      if (!control.isEmpty()) {
        // A control chunk larger than the MTU cannot be sent; drop it rather than loop.
        LOG.debug("dropping oversized control chunk type {}", control.poll().type());
      }
      return Optional.empty();
    }
    int len = out.position();
    Crc32c.writeField(out, 0, len);
    out.flip();
    count(len);
    return Optional.of(out);
  }

  private void count(int len) {
    packetsSent++;
    bytesSent += len;
  }

  // ---------------------------------------------------------------------------------------------
  // Receive processing

  private void process(long now, SctpPacket p, int len) {
    List<Chunk> chunks = p.chunks();
    if (chunks.isEmpty()) {
      malformedPackets++;
      return;
    }
    Chunk first = chunks.get(0);
    long vtag = p.verificationTag();
    if (first instanceof InitChunk init) {
      if (vtag != 0 || chunks.size() != 1) {
        badTags++;
        return;
      }
      accept(len);
      onInit(now, init);
      return;
    }
    if (first instanceof CookieEchoChunk ce) {
      // The tag is checked against the cookie (the passive side has no tag yet).
      StateCookie c = StateCookie.verify(mac, ce.value());
      if (c == null || c.myTag() != vtag) {
        badTags++;
        return;
      }
    } else if (!tagOk(first, vtag)) {
      badTags++;
      return;
    }
    accept(len);
    plpmtu.onPeerHeard(now);
    boolean hadData = false;
    for (Chunk c : chunks) {
      if (finished) {
        return;
      }
      if (c instanceof DataChunk d) {
        hadData = true;
        onData(now, d);
      } else if (c instanceof SackChunk s) {
        onSack(now, s);
      } else if (c instanceof InitAckChunk ia) {
        onInitAck(now, ia);
      } else if (c instanceof CookieEchoChunk ce) {
        onCookieEcho(now, ce);
      } else if (c instanceof CookieAckChunk) {
        onCookieAck(now);
      } else if (c instanceof HeartbeatChunk hb) {
        if (state != SctpState.CLOSED) {
          control.add(new HeartbeatAckChunk(0, hb.value()));
        }
      } else if (c instanceof HeartbeatAckChunk ha) {
        onHeartbeatAck(now, ha);
      } else if (c instanceof AbortChunk a) {
        close("ABORT received" + (a.causes().isEmpty() ? "" : ": " + a.describe()), true);
        return;
      } else if (c instanceof ShutdownChunk sd) {
        onShutdown(now, sd);
      } else if (c instanceof ShutdownAckChunk) {
        onShutdownAck(now);
      } else if (c instanceof ShutdownCompleteChunk) {
        if (state == SctpState.SHUTDOWN_ACK_SENT) {
          close("shutdown complete", false);
        }
      } else if (c instanceof ForwardTsnChunk f) {
        hadData = true;
        onForwardTsn(now, f);
      } else if (c instanceof ReconfigChunk r) {
        onReconfig(now, r);
      } else if (c instanceof ErrorChunk e) {
        LOG.debug("SCTP ERROR from peer: {}", e.describe());
      } else if (c instanceof UnknownChunk u) {
        int action = (u.type() >>> 6) & 3;
        if (action == 1 || action == 3) {
          ByteBuffer whole = ByteBuffer.allocate(u.encodedLength());
          u.encodeTo(whole);
          whole.flip();
          if (whole.remaining() <= mtu - 32 && state != SctpState.CLOSED) {
            control.add(new ErrorChunk(0, List.of(new ErrorCause(ErrorCause.UNRECOGNIZED_CHUNK_TYPE, whole))));
          }
        }
        if (action < 2) {
          break;
        }
      } else if (c instanceof InitChunk) {
        // INIT bundled with other chunks is a protocol violation; ignore it.
        malformedPackets++;
      }
    }
    if (hadData) {
      afterData(now);
    }
  }

  private void accept(int len) {
    packetsReceived++;
    bytesReceived += len;
  }

  private boolean tagOk(Chunk first, long vtag) {
    if (first instanceof AbortChunk a && (a.flags() & AbortChunk.FLAG_T) != 0) {
      return peerTag != 0 && vtag == peerTag;
    }
    if (first instanceof ShutdownCompleteChunk s && (s.flags() & 1) != 0) {
      return peerTag != 0 && vtag == peerTag;
    }
    return myTag != 0 && vtag == myTag;
  }

  private void onInit(long now, InitChunk init) {
    if (init.initiateTag() == 0 || init.outboundStreams() == 0 || init.inboundStreams() == 0) {
      malformedPackets++;
      return;
    }
    long tag;
    long tsn;
    switch (state) {
      case CLOSED -> {
        if (finished) {
          return;
        }
        // Stateless (RFC 9260 §5.1.3): everything goes into the cookie.
        tag = randomTag();
        tsn = random.nextLong() & 0xFFFFFFFFL;
      }
      case COOKIE_WAIT, COOKIE_ECHOED -> {
        // INIT collision (§5.2.1): answer with the parameters of our own INIT.
        tag = myTag;
        tsn = myInitialTsn;
      }
      default -> {
        // Restart of an established association is not supported: ignore.
        return;
      }
    }
    StateCookie cookie = new StateCookie(tag, init.initiateTag(), tsn, init.initialTsn(), init.aRwnd(),
        init.outboundStreams(), init.inboundStreams(), init.forwardTsnSupported(), init.reconfigSupported(), now,
        cfg.cookieLifetime().toMillis());
    byte[] signed = cookie.sign(mac);
    InitAckChunk ack = new InitAckChunk(0, tag, rbuf, cfg.outboundStreams(), cfg.inboundStreams(), tsn,
        localParameters(signed));
    rawPackets.add(packet(init.initiateTag(), ack));
  }

  private List<Parameter> localParameters(byte[] cookie) {
    List<Parameter> ps = new ArrayList<>(3);
    if (cookie != null) {
      ps.add(new Parameter(Parameter.STATE_COOKIE, ByteBuffer.wrap(cookie)));
    }
    ps.add(new Parameter(Parameter.FORWARD_TSN_SUPPORTED, ByteBuffer.allocate(0)));
    ps.add(Parameter.of(Parameter.SUPPORTED_EXTENSIONS, (byte) Chunk.FORWARD_TSN, (byte) Chunk.RE_CONFIG));
    return ps;
  }

  private void onInitAck(long now, InitAckChunk ia) {
    if (state != SctpState.COOKIE_WAIT) {
      return;
    }
    Optional<ByteBuffer> cookie = ia.stateCookie();
    if (cookie.isEmpty() || ia.initiateTag() == 0 || ia.inboundStreams() == 0) {
      malformedPackets++;
      return;
    }
    peerTag = ia.initiateTag();
    peerInitialTsn = ia.initialTsn();
    peerRwnd = ia.aRwnd();
    outStreams = Math.min(cfg.outboundStreams(), ia.inboundStreams());
    peerForwardTsn = ia.forwardTsnSupported();
    peerReconfig = ia.reconfigSupported();
    handshakePacket = packet(peerTag, new CookieEchoChunk(0, cookie.get()));
    rawPackets.add(handshakePacket.duplicate());
    state = SctpState.COOKIE_ECHOED;
    t1Count = 0;
    t1Rto = clampRto(cfg.rtoInitial().toNanos());
    t1Deadline = now + t1Rto;
  }

  private void onCookieEcho(long now, CookieEchoChunk ce) {
    StateCookie c = StateCookie.verify(mac, ce.value());
    if (c == null) {
      badTags++;
      return;
    }
    long ageMillis = (now - c.createdNanos()) / 1_000_000L;
    if (now - c.createdNanos() < 0 || ageMillis > c.lifetimeMillis()) {
      // Stale cookie (§5.1.5 / §3.3.10.3): report and stay closed.
      ByteBuffer staleness = ByteBuffer.allocate(4).putInt((int) Math.min(0xFFFFFFFFL,
          Math.max(0, (ageMillis - c.lifetimeMillis()) * 1000))).flip();
      rawPackets.add(packet(c.peerTag(), new ErrorChunk(0, List.of(new ErrorCause(ErrorCause.STALE_COOKIE,
          staleness)))));
      badTags++;
      return;
    }
    switch (state) {
      case CLOSED -> {
        if (finished) {
          return;
        }
        myTag = c.myTag();
        myInitialTsn = c.myInitialTsn();
        establishFromCookie(now, c);
      }
      case COOKIE_WAIT, COOKIE_ECHOED -> {
        if (c.myTag() != myTag) {
          badTags++;
          return;
        }
        establishFromCookie(now, c);
      }
      case ESTABLISHED -> {
        if (c.myTag() == myTag && c.peerTag() == peerTag) {
          control.add(new CookieAckChunk(0)); // our COOKIE ACK was lost (case D)
        }
      }
      default -> {}
    }
  }

  private void establishFromCookie(long now, StateCookie c) {
    peerTag = c.peerTag();
    peerInitialTsn = c.peerInitialTsn();
    peerRwnd = c.peerRwnd();
    outStreams = Math.min(cfg.outboundStreams(), c.peerMis());
    peerForwardTsn = c.peerForwardTsn();
    peerReconfig = c.peerReconfig();
    control.add(new CookieAckChunk(0));
    establish(now);
  }

  private void onCookieAck(long now) {
    if (state == SctpState.COOKIE_ECHOED) {
      establish(now);
    }
  }

  private void establish(long now) {
    t1Deadline = Long.MAX_VALUE;
    handshakePacket = null;
    // Stale INIT/COOKIE-ECHO retransmissions still queued.
    rawPackets.removeIf(b -> b.remaining() > 12 && (b.get(12) == Chunk.INIT || b.get(12) == Chunk.COOKIE_ECHO));
    state = SctpState.ESTABLISHED;
    nextTsn = myInitialTsn;
    cumAckPoint = myInitialTsn - 1;
    advancedPeerAckPoint = cumAckPoint;
    cumTsn = peerInitialTsn - 1;
    highestReceived = cumTsn;
    myReqSeq = myInitialTsn;
    peerReqSeqExpected = peerInitialTsn;
    ssthresh = Math.max(peerRwnd, 4L * mtu);
    hbDeadline = now + cfg.heartbeatInterval().toNanos();
    probeNonce = myTag << 32 | peerTag; // only our own probes' ACKs carry it; DTLS authenticates the peer
    plpmtu.start(now); // the first probe leaves from handleTimeout, after the handshake's last chunk
    events.add(new SctpEvent.Established());
  }

  private void onT1(long now) {
    if (handshakePacket == null || (state != SctpState.COOKIE_WAIT && state != SctpState.COOKIE_ECHOED)) {
      t1Deadline = Long.MAX_VALUE;
      return;
    }
    if (++t1Count > cfg.maxInitRetransmits()) {
      close("handshake timed out", true);
      return;
    }
    rawPackets.add(handshakePacket.duplicate());
    t1Rto = Math.min(t1Rto * 2, rtoMaxNanos);
    t1Deadline = now + t1Rto;
  }

  // --- DATA --------------------------------------------------------------------------------------

  private long unwrapPeer(long wire) {
    int delta = (int) wire - (int) cumTsn;
    return cumTsn + delta;
  }

  private void onData(long now, DataChunk d) {
    if (state != SctpState.ESTABLISHED && state != SctpState.SHUTDOWN_PENDING
        && state != SctpState.SHUTDOWN_SENT) {
      return;
    }
    dataChunksReceived++;
    dataReceivedSinceSack = true;
    if ((d.flags() & DataChunk.FLAG_I) != 0) {
      sackNow = true; // RFC 7053: the sender asks for an immediate SACK
    }
    int len = d.userData().remaining();
    long t = unwrapPeer(d.tsn());
    if (len == 0) {
      // No user data (§6.2): abort with cause 9.
      ByteBuffer tsnBytes = ByteBuffer.allocate(4).putInt((int) d.tsn()).flip();
      rawPackets.add(packet(peerTag, new AbortChunk(0, List.of(new ErrorCause(ErrorCause.NO_USER_DATA, tsnBytes)))));
      close("DATA chunk without user data", true);
      return;
    }
    if (t <= cumTsn || receivedAbove.contains(t)) {
      duplicateTsnCount++;
      if (dupTsns.size() < MAX_DUP_TSNS) {
        dupTsns.add(d.tsn());
      }
      sackNow = true;
      return;
    }
    // Room is checked for every chunk (checking only chunks above the highest TSN let a peer send
    // one far-ahead TSN and then fill every TSN below it without bound). A chunk that fills the
    // gap at cumTsn+1 gets a little slack, so out-of-order data that filled the buffer can never
    // block the one chunk that lets it be delivered. The count of out-of-order TSNs is capped too,
    // since chunks on invalid streams are acknowledged without being buffered.
    boolean fillsGap = t == cumTsn + 1 && !receivedAbove.isEmpty();
    long room = rbuf + (fillsGap ? GAP_FILL_SLACK : 0);
    if (bufferedRecv + len > room || (!fillsGap && receivedAbove.size() >= MAX_RECEIVED_ABOVE)) {
      droppedChunks++;
      sackNow = true;
      return;
    }
    if (t - cumTsn > 0x7FFFFFFFL / 2) {
      malformedPackets++;
      return;
    }
    if (d.streamId() >= cfg.inboundStreams()) {
      // Invalid stream (§6.5): the TSN is acknowledged but the data dropped; report it.
      markReceived(t);
      ByteBuffer v = ByteBuffer.allocate(4).putShort((short) d.streamId()).putShort((short) 0).flip();
      control.add(new ErrorChunk(0, List.of(new ErrorCause(ErrorCause.INVALID_STREAM_IDENTIFIER, v))));
      return;
    }
    markReceived(t);
    if (t > highestReceived) {
      highestReceived = t;
    }
    if (d.beginning() && d.ending()) {
      byte[] b = new byte[len];
      d.userData().duplicate().get(b);
      bufferedRecv += len;
      complete(d.streamId(), d.ssn(), d.ppid(), d.unordered(), b);
    } else if (fastPath(t, d, len)) {
      return;
    } else {
      flushFast();
      InChunk c = new InChunk();
      c.flags = d.flags();
      c.streamId = d.streamId();
      c.ssn = d.ssn();
      c.ppid = d.ppid();
      c.data = new byte[len];
      d.userData().duplicate().get(c.data);
      reassembly.put(t, c);
      bufferedRecv += len;
      if (d.ending() || reassembly.containsKey(t + 1)) {
        tryReassemble(t);
      }
    }
  }

  /**
   * In-order fragments of one message are collected in a list instead of the TSN map (the common
   * case on a clean link); anything out of order moves them to the map first.
   */
  private boolean fastPath(long t, DataChunk d, int len) {
    boolean inOrder = t == cumTsn && receivedAbove.isEmpty() && reassembly.isEmpty();
    if (fastParts != null) {
      if (!inOrder || t != fastNext || d.beginning() || d.streamId() != fastHead.streamId) {
        return false;
      }
    } else if (!inOrder || !d.beginning()) {
      return false;
    }
    byte[] b = new byte[len];
    d.userData().duplicate().get(b);
    bufferedRecv += len;
    if (fastParts == null) {
      fastParts = new ArrayList<>();
      fastHead = new InChunk();
      fastHead.flags = d.flags();
      fastHead.streamId = d.streamId();
      fastHead.ssn = d.ssn();
      fastHead.ppid = d.ppid();
      fastFirst = t;
      fastLen = 0;
    }
    fastParts.add(b);
    fastLen += len;
    fastNext = t + 1;
    if (fastLen > cfg.maxMessageSize()) {
      bufferedRecv -= fastLen;
      fastParts = null;
      droppedChunks++;
      // The rest of the message will be dropped as fragments without a beginning.
      return true;
    }
    if (d.ending()) {
      byte[] msg = new byte[(int) fastLen];
      int off = 0;
      for (byte[] part : fastParts) {
        System.arraycopy(part, 0, msg, off, part.length);
        off += part.length;
      }
      InChunk h = fastHead;
      fastParts = null;
      complete(h.streamId, h.ssn, h.ppid, (h.flags & DataChunk.FLAG_U) != 0, msg);
    }
    return true;
  }

  private void flushFast() {
    if (fastParts == null) {
      return;
    }
    long t = fastFirst;
    for (int i = 0; i < fastParts.size(); i++) {
      InChunk c = new InChunk();
      c.flags = i == 0 ? fastHead.flags : (fastHead.flags & DataChunk.FLAG_U);
      c.streamId = fastHead.streamId;
      c.ssn = fastHead.ssn;
      c.ppid = fastHead.ppid;
      c.data = fastParts.get(i);
      reassembly.put(t++, c);
    }
    fastParts = null;
  }

  private void markReceived(long t) {
    if (t == cumTsn + 1) {
      cumTsn = t;
      while (!receivedAbove.isEmpty() && receivedAbove.first() == cumTsn + 1) {
        cumTsn = receivedAbove.pollFirst();
      }
    } else {
      receivedAbove.add(t);
      sackNow = true; // out of order: SACK at once (§6.7)
    }
  }

  /** Tries to complete the message containing fragment {@code t}. */
  private void tryReassemble(long t) {
    InChunk c = reassembly.get(t);
    if (c == null) {
      return;
    }
    // Find the end.
    long end = t;
    InChunk e = c;
    while ((e.flags & DataChunk.FLAG_E) == 0) {
      InChunk n = reassembly.get(end + 1);
      if (n == null || (n.flags & DataChunk.FLAG_B) != 0 || n.streamId != c.streamId) {
        return;
      }
      end++;
      e = n;
    }
    // Find the beginning.
    long begin = t;
    InChunk b = c;
    while ((b.flags & DataChunk.FLAG_B) == 0) {
      InChunk p = reassembly.get(begin - 1);
      if (p == null || (p.flags & DataChunk.FLAG_E) != 0 || p.streamId != c.streamId) {
        return;
      }
      begin--;
      b = p;
    }
    long total = 0;
    for (long i = begin; i <= end; i++) {
      total += reassembly.get(i).data.length;
    }
    if (total > cfg.maxMessageSize()) {
      for (long i = begin; i <= end; i++) {
        bufferedRecv -= reassembly.remove(i).data.length;
      }
      droppedChunks++;
      LOG.debug("dropped a {}-byte message over the local max message size", total);
      return;
    }
    byte[] msg = new byte[(int) total];
    int off = 0;
    for (long i = begin; i <= end; i++) {
      InChunk f = reassembly.remove(i);
      System.arraycopy(f.data, 0, msg, off, f.data.length);
      off += f.data.length;
    }
    complete(b.streamId, b.ssn, b.ppid, (b.flags & DataChunk.FLAG_U) != 0, msg);
  }

  /** A whole message arrived; its bytes are already counted in bufferedRecv. */
  private void complete(int streamId, int ssn, int ppid, boolean unordered, byte[] msg) {
    if (unordered) {
      deliver(streamId, ppid, msg, true);
      return;
    }
    InStream s = inStreams.computeIfAbsent(streamId, k -> new InStream());
    if (ssn == s.nextSsn) {
      deliver(streamId, ppid, msg, false);
      s.nextSsn = (s.nextSsn + 1) & 0xFFFF;
      drainOrdered(streamId, s);
    } else if (ssnAfter(ssn, s.nextSsn)) {
      InMessage m = new InMessage(ppid, msg);
      s.pending.put(ssn, m);
    } else {
      bufferedRecv -= msg.length; // stale SSN (already skipped): drop
    }
  }

  private void drainOrdered(int streamId, InStream s) {
    InMessage m;
    while (!s.pending.isEmpty() && (m = s.pending.remove(s.nextSsn)) != null) {
      deliver(streamId, m.ppid, m.data, false);
      s.nextSsn = (s.nextSsn + 1) & 0xFFFF;
    }
  }

  private void deliver(int streamId, int ppid, byte[] msg, boolean unordered) {
    messagesReceived++;
    events.add(new SctpEvent.Message(streamId, ppid, ByteBuffer.wrap(msg), unordered));
  }

  private static boolean ssnAfter(int a, int b) {
    int d = (a - b) & 0xFFFF;
    return d != 0 && d < 0x8000;
  }

  private void afterData(long now) {
    packetsSinceSack++;
    if (packetsSinceSack >= 2) {
      sackNow = true;
    }
    if (!sackNow && sackDeadline == Long.MAX_VALUE) {
      sackDeadline = now + cfg.delayedAckTime().toNanos();
    }
    checkDeferredReset(now);
  }

  private void onForwardTsn(long now, ForwardTsnChunk f) {
    if (state != SctpState.ESTABLISHED && state != SctpState.SHUTDOWN_PENDING
        && state != SctpState.SHUTDOWN_SENT) {
      return;
    }
    dataReceivedSinceSack = true;
    long newCum = unwrapPeer(f.newCumulativeTsn());
    sackNow = true;
    flushFast();
    if (newCum > cumTsn && newCum - cumTsn <= 0x7FFFFFFFL / 2) {
      cumTsn = newCum;
      while (!receivedAbove.isEmpty() && receivedAbove.first() <= cumTsn) {
        receivedAbove.pollFirst();
      }
      while (!receivedAbove.isEmpty() && receivedAbove.first() == cumTsn + 1) {
        cumTsn = receivedAbove.pollFirst();
      }
      if (highestReceived < cumTsn) {
        highestReceived = cumTsn;
      }
      // Fragments up to the new cumulative TSN belong to abandoned messages, and so do the
      // continuations right after it (their beginning was skipped): RFC 3758 §3.6.
      while (!reassembly.isEmpty() && reassembly.firstKey() <= newCum) {
        bufferedRecv -= reassembly.pollFirstEntry().getValue().data.length;
      }
      long t = newCum + 1;
      InChunk orphan;
      while ((orphan = reassembly.get(t)) != null && (orphan.flags & DataChunk.FLAG_B) == 0) {
        bufferedRecv -= reassembly.remove(t).data.length;
        t++;
      }
    }
    // Stream skips apply even when the TSN part is old news: the chunks may all have arrived
    // while the message they belong to was abandoned (a stale FORWARD-TSN's SSN is behind and
    // changes nothing).
    for (ForwardTsnChunk.StreamSsn ss : f.streams()) {
      InStream s = inStreams.get(ss.streamId());
      if (s == null) {
        s = new InStream();
        inStreams.put(ss.streamId(), s);
      }
      if (ss.ssn() == s.nextSsn || ssnAfter(ss.ssn(), s.nextSsn)) {
        // Complete messages up to the skipped SSN are delivered in order; the gaps are skipped.
        int stop = (ss.ssn() + 1) & 0xFFFF;
        for (int k = s.nextSsn; k != stop && !s.pending.isEmpty(); k = (k + 1) & 0xFFFF) {
          InMessage m = s.pending.remove(k);
          if (m != null) {
            deliver(ss.streamId(), m.ppid, m.data, false);
          }
        }
        s.nextSsn = stop;
        drainOrdered(ss.streamId(), s);
      }
    }
  }

  private long localRwnd() {
    return Math.max(0, rbuf - bufferedRecv);
  }

  private void writeSack(ByteBuffer out) {
    int room = (out.remaining() - 16) / 4;
    int gaps = 0;
    int gapPos = out.position() + 16;
    // Gap blocks first (written after the fixed part), then duplicates.
    ByteBuffer g = out.duplicate();
    g.position(gapPos);
    long start = -1;
    long prev = -1;
    int maxGaps = Math.min(MAX_GAP_BLOCKS, room);
    for (long t : receivedAbove) {
      if (start < 0) {
        start = t;
      } else if (t != prev + 1) {
        if (gaps >= maxGaps) {
          break;
        }
        g.putShort((short) (start - cumTsn)).putShort((short) (prev - cumTsn));
        gaps++;
        start = t;
      }
      prev = t;
    }
    if (start >= 0 && gaps < maxGaps) {
      g.putShort((short) (start - cumTsn)).putShort((short) (prev - cumTsn));
      gaps++;
    }
    int dups = Math.min(dupTsns.size(), room - gaps);
    for (int i = 0; i < dups; i++) {
      g.putInt((int) dupTsns.get(i).longValue());
    }
    long rwnd = localRwnd();
    int length = 16 + 4 * gaps + 4 * dups;
    out.put((byte) Chunk.SACK).put((byte) 0).putShort((short) length).putInt((int) cumTsn).putInt((int) rwnd)
        .putShort((short) gaps).putShort((short) dups);
    out.position(out.position() + 4 * gaps + 4 * dups);
    dupTsns.clear();
    sackNow = false;
    packetsSinceSack = 0;
    dataReceivedSinceSack = false;
    sackDeadline = Long.MAX_VALUE;
    lastAdvertisedRwnd = rwnd;
  }

  // --- SACK --------------------------------------------------------------------------------------

  private long unwrapOwn(long wire) {
    int delta = (int) wire - (int) cumAckPoint;
    return cumAckPoint + delta;
  }

  private OutChunk chunkAt(long tsn) {
    long idx = tsn - (cumAckPoint + 1);
    if (idx < 0 || idx >= ringSize) {
      return null;
    }
    return ring[(int) ((ringHead + idx) & (ring.length - 1))];
  }

  private void onSack(long now, SackChunk s) {
    if (state == SctpState.CLOSED || state == SctpState.COOKIE_WAIT || state == SctpState.COOKIE_ECHOED) {
      return;
    }
    sacksReceived++;
    if (peerRwndMin < 0 || s.aRwnd() < peerRwndMin) {
      peerRwndMin = s.aRwnd();
    }
    long cum = unwrapOwn(s.cumulativeTsnAck());
    if (cum < cumAckPoint) {
      return; // stale, out of order SACK (§6.2.1 D)
    }
    if (cum >= nextTsn) {
      malformedPackets++; // acknowledges what was never sent
      return;
    }
    long bytesAcked = 0;
    ackedSentAt = Long.MIN_VALUE;
    long htna = -1;
    boolean cumAdvanced = cum > cumAckPoint;
    while (cumAckPoint < cum) {
      OutChunk c = ring[ringHead];
      ring[ringHead] = null;
      ringHead = (ringHead + 1) & (ring.length - 1);
      ringSize--;
      cumAckPoint++;
      if (!c.acked && !c.abandoned) {
        bytesAcked += ackChunk(now, c);
      }
    }
    if (advancedPeerAckPoint < cumAckPoint) {
      advancedPeerAckPoint = cumAckPoint;
    }
    if (cumAdvanced) {
      htna = cum;
      errorCount = 0;
      // New acknowledgements prove the path works: undo the T3 back-off now rather than at the
      // next RTT sample, which partial reliability may never deliver (abandoned chunks).
      if (srttNanos >= 0) {
        rtoNanos = clampRto(srttNanos + 4 * rttvarNanos);
      }
    }
    for (SackChunk.GapAckBlock g : s.gapAckBlocks()) {
      if (g.start() > g.end() || g.start() == 0) {
        continue;
      }
      for (long t = cum + g.start(); t <= cum + g.end(); t++) {
        OutChunk c = chunkAt(t);
        if (c == null) {
          break;
        }
        if (!c.acked && !c.abandoned) {
          bytesAcked += ackChunk(now, c);
          htna = Math.max(htna, t);
        }
      }
    }
    peerRwnd = s.aRwnd();
    // Fast retransmit (§7.2.4): miss indications for TSNs below the highest newly acked.
    if (htna > cumAckPoint) {
      boolean newlyMarked = false;
      boolean lost = false;
      for (long t = cumAckPoint + 1; t < htna; t++) {
        OutChunk c = chunkAt(t);
        if (c == null || c.acked || c.abandoned || c.retransmit) {
          continue;
        }
        // A retransmitted chunk is missed only when data sent after its retransmission is acked:
        // SACKs for data sent before it say nothing about the copy, and counting them re-sent a
        // lost chunk every third SACK until the copy arrived (about 4 copies per loss against
        // Chromium, which SACKs every second packet: 900 chunks resent for 180 lost packets).
        if (c.transmits > 1 && htna < c.rtxFence) {
          continue;
        }
        if (++c.missIndications == 3) {
          c.missIndications = 0;
          // A chunk that partial reliability abandons instead of resending was lost all the
          // same: the congestion response below applies to it too (it did not, and a
          // maxRetransmits=0 channel kept overrunning Chromium with no cwnd cut).
          lost = true;
          if (!abandonIfExpired(now, c)) {
            markRetransmit(c);
            newlyMarked = true;
          }
        }
      }
      if (lost && !fastRecovery) {
        fastRetransmits++;
        endDrain();
        delayExitSsthresh = 0;
        ssthresh = Math.max(cwnd / 2, 4L * mtu);
        cwnd = ssthresh;
        partialBytesAcked = 0;
        fastRecovery = true;
        recoveryExit = nextTsn - 1;
        fastRetransmitNow = newlyMarked;
      }
    }
    if (fastRecovery && cumAckPoint >= recoveryExit) {
      fastRecovery = false;
    }
    if (ackedSentAt != Long.MIN_VALUE) {
      sampleRtt(now, now - ackedSentAt);
    }
    // Congestion window (§7.2.1, §7.2.2): grows only when the cumulative ack advances, and not
    // while the RTT says a queue is building (then slow start ends, as in HyStart++) or while a
    // drain check runs.
    boolean grow = cumAdvanced && !fastRecovery && bytesAcked > 0;
    if (grow && drainPhase != 0) {
      grow = false;
    } else if (grow && cwnd >= (long) HOLD_MIN_PACKETS * mtu && queueBuilding()) {
      delayHolds++;
      roundHeld = true;
      if (ssthresh > cwnd) {
        delayExitSsthresh = Math.max(delayExitSsthresh, ssthresh);
        ssthresh = cwnd;
      }
      grow = false;
    }
    if (grow) {
      if (cwnd <= ssthresh) {
        cwnd += Math.min(bytesAcked, mtu);
      } else {
        partialBytesAcked += bytesAcked;
        if (partialBytesAcked >= cwnd) {
          partialBytesAcked -= cwnd;
          cwnd += mtu;
        }
      }
      cwnd = Math.min(cwnd, cfg.maxCwnd());
      cwndMax = Math.max(cwndMax, cwnd);
    }
    roundCwndMax = Math.max(roundCwndMax, cwnd);
    // T3-rtx (§6.3.2): restart when the earliest outstanding TSN is acked; stop when none is.
    if (!hasOutstanding()) {
      t3Deadline = Long.MAX_VALUE;
      partialBytesAcked = 0;
    } else if (cumAdvanced) {
      t3Deadline = now + rtoNanos;
    }
    // Partial reliability (RFC 3758 §3.5 C1-C3).
    if (peerForwardTsn) {
      advanceAckPoint();
      if (advancedPeerAckPoint > cum) {
        forwardTsnNeeded = true;
        if (t3Deadline == Long.MAX_VALUE) {
          t3Deadline = now + rtoNanos;
        }
      }
    }
    flushDecreased();
    maybeSendReset(now);
    checkShutdown(now);
  }

  /** Window of the minimum-RTT filter: a path whose RTT grew for good is relearnt within 10-20 s. */
  private static final long RTT_MIN_WINDOW_NANOS = 10_000_000_000L;
  /** Samples a round needs before its minimum counts (HyStart++'s N_RTT_SAMPLE). */
  private static final int ROUND_RTT_SAMPLES = 8;

  /** One RTT sample per SACK that newly acks a first transmission (the newest one it acks). */
  private void sampleRtt(long now, long rtt) {
    if (rtt < 0) {
      return;
    }
    if (now - rttMinWindowStart > RTT_MIN_WINDOW_NANOS || rttMinCurrent == Long.MAX_VALUE) {
      if (rttMinCurrent != Long.MAX_VALUE) {
        rttMinPrevious = rttMinCurrent;
        rttMinCurrent = Long.MAX_VALUE;
      }
      rttMinWindowStart = now;
    }
    rttMinCurrent = Math.min(rttMinCurrent, rtt);
    if (roundEndTsn < 0 || cumAckPoint >= roundEndTsn) {
      if (roundEndTsn >= 0) {
        onRoundEnd(now);
      }
      // A round of one or two delayed SACKs says little: only a full round replaces the last.
      if (roundRttSamples >= ROUND_RTT_SAMPLES) {
        lastRoundRttMin = roundRttMin;
      }
      roundRttMin = Long.MAX_VALUE;
      roundRttSamples = 0;
      roundEndTsn = nextTsn - 1;
      prevRoundCwndMax = roundCwndMax;
      roundCwndMax = cwnd;
      roundHeld = false;
    }
    roundRttMin = Math.min(roundRttMin, rtt);
    roundRttSamples++;
  }

  private long rttMin() {
    return Math.min(rttMinCurrent, rttMinPrevious);
  }

  /**
   * Windows below this many packets never hold: a window that small cannot have built the queue.
   * Twice ROUND_RTT_SAMPLES, so a held window's round always has enough samples to be judged (at
   * 8, a window of 8-15 packets held on a stale round minimum for good after a T3; REVIEW of
   * a728cf4, #1).
   */
  private static final int HOLD_MIN_PACKETS = 16;
  /** Held rounds with a steady minimum before a drain check. */
  private static final int DRAIN_AFTER_ROUNDS = 4;

  /**
   * The end of a round (its minimum in roundRttMin). A higher RTT that we did not cause becomes
   * the new base: (1) a round whose chunks all left under a window of fewer than
   * {@link #HOLD_MIN_PACKETS} packets (after a T3, say) measures the path, not our queue; (2) when
   * a held window keeps the round minimum steady for a few rounds, a queue of ours and a longer
   * path look the same, so cwnd is cut for a round to cwnd * base / minimum (what leaves no queue
   * if the queue is ours): if the next round's minimum is still high, the path's RTT rose and
   * that is the base and cwnd comes back; if it fell, the queue was ours and cwnd stays cut
   * ({@link #keepDrained}).
   */
  private void onRoundEnd(long now) {
    long m = roundRttMin;
    long base = rttMin();
    if (m == Long.MAX_VALUE || base == Long.MAX_VALUE) {
      return;
    }
    boolean elevated = m - base >= Math.max(QUEUE_DELAY_MIN_NANOS, base);
    if (drainPhase == 1) {
      drainPhase = 2;
      return;
    }
    if (drainPhase == 2) {
      if (m - base <= QUEUE_DELAY_MIN_NANOS / 2 && base < QUEUE_DELAY_MIN_NANOS) {
        // The cut emptied the queue (within 1 ms of the base), so it was all ours. Merely below
        // the threshold, it may be another flow's queue minus our share: keeping the cut then
        // ratchets cwnd down against a loss-based flow (REVIEW of a728cf4, #2). On longer paths
        // the queue carries the link through a loss halving, so it stays (#3).
        keepDrained(base);
        return;
      }
      if (elevated) {
        // The path's RTT rose: ending slow start on it was wrong too.
        adoptBase(now, m);
        ssthresh = Math.max(ssthresh, delayExitSsthresh);
        delayExitSsthresh = 0;
      }
      endDrain();
      return;
    }
    if (elevated && roundRttSamples >= 2
        && Math.max(roundCwndMax, prevRoundCwndMax) < (long) HOLD_MIN_PACKETS * mtu) {
      adoptBase(now, m);
      return;
    }
    if (!roundHeld || !elevated || roundRttSamples < ROUND_RTT_SAMPLES) {
      heldRounds = 0;
      return;
    }
    if (heldRounds > 0 && Math.abs(m - heldRoundMin) <= Math.max(QUEUE_DELAY_MIN_NANOS / 2, heldRoundMin / 4)) {
      heldRounds++;
    } else {
      heldRounds = 1;
      heldRoundMin = m;
    }
    if (heldRounds >= DRAIN_AFTER_ROUNDS) {
      heldRounds = 0;
      drainPhase = 1;
      drainSavedCwnd = cwnd;
      cwnd = Math.max(4L * mtu, (long) (cwnd * ((double) base / m)));
      drainChecks++;
    }
  }

  /** The path minimum is now {@code rtt}: the filter restarts from it. */
  private void adoptBase(long now, long rtt) {
    rttMinCurrent = rtt;
    rttMinPrevious = Long.MAX_VALUE;
    rttMinWindowStart = now;
    lastRoundRttMin = Long.MAX_VALUE;
    heldRounds = 0;
  }

  /**
   * A drain check emptied the queue on a short path, so it was ours: the window stays cut, to
   * what queues half the threshold (base + 1 ms) where the held round's minimum was, never below
   * the drained window nor above the held one, and grows from there in congestion avoidance. A
   * standing queue of ours buys no throughput once the bottleneck is busy, and a receiver can get
   * slower as it grows: Chromium's network process takes a fresh 64 KiB buffer for every datagram
   * of a read batch and frees the batch at once, so a deeper queue means bigger batches and more
   * page-freeing (madvise) per datagram. Restoring the held window kept that queue 3-6 ms deep
   * (docs/ARCHITECTURE.md, "SCTP").
   */
  private void keepDrained(long base) {
    long keep = (long) (drainSavedCwnd * ((double) (base + QUEUE_DELAY_MIN_NANOS / 2) / Math.max(1, heldRoundMin)));
    cwnd = Math.max(cwnd, Math.min(drainSavedCwnd, keep));
    ssthresh = Math.min(ssthresh, Math.max(cwnd, 4L * mtu));
    partialBytesAcked = 0;
    drainPhase = 0;
  }

  /** Ends a drain check: cwnd back to what it was (a loss then cuts from there). */
  private void endDrain() {
    if (drainPhase != 0) {
      cwnd = Math.max(cwnd, drainSavedCwnd);
    }
    drainPhase = 0;
  }

  /**
   * Queueing delay below which cwnd always grows (a sub-millisecond path may queue 200 KB at
   * 100 MB/s). Against Chromium, 2 ms left 2-4 loss events per 32 MiB, 4 ms 4-7, none 22-24.
   */
  private static final long QUEUE_DELAY_MIN_NANOS = 2_000_000L;

  /**
   * Whether a queue of more than max(2 ms, one minimum RTT) stands at the bottleneck: this round's
   * smallest RTT sample (once it has enough, else the last round's) that far above the path's
   * minimum. A queue of one round trip already keeps the bottleneck busy through a halving of
   * cwnd, so holding growth there costs no throughput, and it keeps the queue clear of a small
   * buffer's limit. Minimums of samples, so jitter and delayed SACKs do not count (a receiver
   * acking in 8 ms batches on a 10 ms path adds ~6 ms to every sample: a smaller threshold read
   * that as a queue). The minimum is relearnt after the filter's window, so a standing queue
   * holds growth for 10-20 s at most; loss still halves cwnd as RFC 9260 says.
   */
  private boolean queueBuilding() {
    long base = rttMin();
    long round = roundRttSamples >= ROUND_RTT_SAMPLES ? roundRttMin : lastRoundRttMin;
    if (base == Long.MAX_VALUE || round == Long.MAX_VALUE) {
      return false;
    }
    return round - base >= Math.max(QUEUE_DELAY_MIN_NANOS, base);
  }

  /** Acknowledges one chunk: returns its bytes if it counted towards flight. */
  private long ackChunk(long now, OutChunk c) {
    c.acked = true;
    if (c.retransmit) {
      c.retransmit = false;
      retransmitPending--;
    }
    long n = c.len;
    if (c.inFlight) {
      c.inFlight = false;
      flightSize -= c.len;
    }
    if (c.transmits == 1 && (ackedSentAt == Long.MIN_VALUE || c.sentAt - ackedSentAt > 0)) {
      ackedSentAt = c.sentAt;
    }
    if (c.tsn == rttTsn) {
      rttTsn = -1;
      if (c.transmits == 1) {
        updateRtt(now - c.sentAt);
      }
    }
    OutMessage m = c.msg;
    if (!m.abandoned) {
      m.unacked -= c.len;
    }
    return n;
  }

  private void decrease(OutStream os, long n) {
    if (n <= 0) {
      return;
    }
    os.buffered -= n;
    totalBuffered -= n;
    long[] acc = decreased.get(os.id);
    if (acc == null) {
      decreased.put(os.id, new long[] {n});
    } else {
      acc[0] += n;
    }
  }

  private void flushDecreased() {
    if (decreased.isEmpty()) {
      return;
    }
    for (Map.Entry<Integer, long[]> e : decreased.entrySet()) {
      OutStream os = outStreamMap.get(e.getKey());
      events.add(new SctpEvent.BufferedAmountDecreased(e.getKey(), e.getValue()[0], os == null ? 0 : os.buffered));
    }
    decreased.clear();
  }

  private void updateRtt(long r) {
    if (r < 0) {
      return;
    }
    if (srttNanos < 0) {
      srttNanos = r;
      rttvarNanos = r / 2;
    } else {
      rttvarNanos = (3 * rttvarNanos + Math.abs(srttNanos - r)) / 4;
      srttNanos = (7 * srttNanos + r) / 8;
    }
    rtoNanos = clampRto(srttNanos + 4 * rttvarNanos);
  }

  private long clampRto(long r) {
    return Math.max(rtoMinNanos, Math.min(rtoMaxNanos, r));
  }

  private boolean hasOutstanding() {
    if (advancedPeerAckPoint > cumAckPoint) {
      return true;
    }
    return flightSize > 0 || retransmitPending > 0;
  }

  private void markRetransmit(OutChunk c) {
    if (c.retransmit || c.acked || c.abandoned) {
      return;
    }
    c.retransmit = true;
    retransmitPending++;
    if (c.inFlight) {
      c.inFlight = false;
      flightSize -= c.len;
    }
  }

  /** Abandons the chunk's message if its partial-reliability limit is reached (RFC 3758 §3.5 A1). */
  private boolean abandonIfExpired(long now, OutChunk c) {
    OutMessage m = c.msg;
    if (m.abandoned) {
      return true;
    }
    if (!peerForwardTsn) {
      return false;
    }
    boolean expired = (m.maxRetransmits >= 0 && c.transmits > m.maxRetransmits) || now >= m.expiry;
    if (!expired) {
      return false;
    }
    abandon(m);
    return true;
  }

  private void abandon(OutMessage m) {
    if (m.abandoned) {
      return;
    }
    m.abandoned = true;
    abandonedMessages++;
    decrease(m.stream, m.data.length - m.offset); // only the unsent part still counts as buffered
    m.unacked = 0;
    if (m.offset < m.data.length) {
      // Never fully sent: it leaves the queue here (the rest gets no TSN).
      m.stream.queued--;
      pending.remove(m);
      m.offset = m.data.length;
    }
    for (OutChunk c : m.chunks) {
      if (c.acked) {
        continue;
      }
      c.abandoned = true;
      if (c.retransmit) {
        c.retransmit = false;
        retransmitPending--;
      }
      if (c.inFlight) {
        c.inFlight = false;
        flightSize -= c.len;
      }
    }
    m.chunks = null;
    forwardTsnNeeded = true;
  }

  /**
   * RFC 3758 §3.5 C1: moves the Advanced.Peer.Ack.Point over abandoned chunks. It also moves over
   * chunks the peer already holds (gap-acked) of abandoned messages and of complete unordered
   * messages, so that one FORWARD TSN skips a run of losses instead of one island per round trip.
   * It never passes a complete ordered message: the FORWARD TSN would then list an SSN at or past
   * it, and a receiver that skips every ordered message up to the listed SSN (dcSCTP, in
   * Chromium) discards it although it arrived. Such a message is delivered once the FORWARD TSN
   * below it lets the peer's cumulative TSN reach it; the losses after it go in the next one.
   */
  private void advanceAckPoint() {
    while (advancedPeerAckPoint + 1 < nextTsn) {
      OutChunk c = chunkAt(advancedPeerAckPoint + 1);
      if (c == null) {
        break;
      }
      OutMessage m = c.msg;
      boolean done = c.abandoned || (advancedPeerAckPoint > cumAckPoint && c.acked
          && (m.abandoned || (m.unordered && m.unacked == 0 && m.offset == m.data.length)));
      if (!done) {
        break;
      }
      advancedPeerAckPoint++;
    }
    // Never stop on an acknowledged chunk: the FORWARD TSN must end on an abandoned one.
    while (advancedPeerAckPoint > cumAckPoint) {
      OutChunk c = chunkAt(advancedPeerAckPoint);
      if (c != null && !c.abandoned) {
        advancedPeerAckPoint--;
      } else {
        break;
      }
    }
  }

  private ForwardTsnChunk buildForwardTsn() {
    if (advancedPeerAckPoint <= cumAckPoint) {
      return null;
    }
    Map<Integer, Integer> ssns = new HashMap<>();
    for (long t = cumAckPoint + 1; t <= advancedPeerAckPoint; t++) {
      OutChunk c = chunkAt(t);
      if (c != null && !c.msg.unordered && c.msg.abandoned) {
        Integer prev = ssns.get(c.msg.streamId);
        if (prev == null || ssnAfter(c.msg.ssn, prev)) {
          ssns.put(c.msg.streamId, c.msg.ssn);
        }
      }
    }
    List<ForwardTsnChunk.StreamSsn> list = new ArrayList<>(ssns.size());
    int maxEntries = (mtu - 12 - 8 - 32) / 4;
    for (Map.Entry<Integer, Integer> e : ssns.entrySet()) {
      if (list.size() >= maxEntries) {
        break;
      }
      list.add(new ForwardTsnChunk.StreamSsn(e.getKey(), e.getValue()));
    }
    return new ForwardTsnChunk(advancedPeerAckPoint & 0xFFFFFFFFL, list);
  }

  private void onT3(long now) {
    t3Deadline = Long.MAX_VALUE;
    if (!hasOutstanding()) {
      return;
    }
    t3Expirations++;
    plpmtu.onT3(now, cumAckPoint);
    if (++errorCount > cfg.maxAssociationRetransmits()) {
      rawPackets.add(packet(peerTag, new AbortChunk(0,
          List.of(ErrorCause.text(ErrorCause.USER_INITIATED_ABORT, "too many retransmissions")))));
      close("too many retransmissions", true);
      return;
    }
    endDrain();
    heldRounds = 0;
    delayExitSsthresh = 0;
    ssthresh = Math.max(cwnd / 2, 4L * mtu);
    cwnd = mtu;
    partialBytesAcked = 0;
    fastRecovery = false;
    rtoNanos = Math.min(rtoNanos * 2, rtoMaxNanos);
    rttTsn = -1;
    for (long t = cumAckPoint + 1; t < nextTsn; t++) {
      OutChunk c = chunkAt(t);
      if (c != null && !c.acked && !c.abandoned && c.inFlight) {
        if (!abandonIfExpired(now, c)) {
          markRetransmit(c);
        }
      }
    }
    if (peerForwardTsn) {
      advanceAckPoint();
      if (advancedPeerAckPoint > cumAckPoint) {
        forwardTsnNeeded = true;
      }
    }
    flushDecreased();
    fastRetransmitNow = true; // one packet goes regardless of cwnd
    t3Deadline = now + rtoNanos;
  }

  /** Drops queued messages whose lifetime ended before they were ever sent. */
  private void expireQueued(long now) {
    if (pending.isEmpty()) {
      return;
    }
    boolean any = false;
    Iterator<OutMessage> it = pending.iterator();
    while (it.hasNext()) {
      OutMessage m = it.next();
      if (m.offset == 0 && now >= m.expiry && peerForwardTsn) {
        it.remove();
        m.abandoned = true;
        m.offset = m.data.length;
        m.stream.queued--;
        abandonedMessages++;
        decrease(m.stream, m.unacked);
        m.unacked = 0;
        any = true;
      }
    }
    if (any) {
      flushDecreased();
    }
  }

  // --- Sending -----------------------------------------------------------------------------------

  /** Pacing gain in slow start: the window doubles per round trip, so must the rate (as Linux). */
  private static final double PACE_GAIN_SLOW_START = 2.0;
  /** Pacing gain in congestion avoidance: above 1, so pacing never becomes the bottleneck. */
  private static final double PACE_GAIN = 1.25;
  /**
   * Credit that may build up while nothing is sent, as time at the pacing rate: a runtime whose
   * timers fire on millisecond ticks (RtcLoop's select) sends about this much per tick.
   */
  private static final long PACE_QUANTUM_NANOS = 1_000_000L;
  /**
   * ... but never less than this many packets, the initial window TCP may send at once (RFC 6928);
   * the rate is computed as if cwnd were never smaller. A window that small is then not paced at
   * all: pacing it only added delay where srtt overstates the round trip (delayed SACKs, jitter,
   * cwnd at one MTU after a T3 with srtt 300 ms: one packet every 240 ms).
   */
  private static final int PACE_MIN_BURST_PACKETS = 10;

  /** Bytes per second DATA may leave at; 0 when unpaced (no RTT measured yet, or a zero RTT). */
  private double pacingRate() {
    if (srttNanos <= 0) {
      return 0;
    }
    double gain = cwnd < ssthresh ? PACE_GAIN_SLOW_START : PACE_GAIN;
    return gain * Math.max(cwnd, (long) PACE_MIN_BURST_PACKETS * mtu) * 1e9 / srttNanos;
  }

  /**
   * Whether a DATA packet may leave now; when not, sets {@link #paceDeadline}. Credit accrues at the
   * pacing rate up to one quantum (at least ten packets), and a packet may go while the credit is
   * not negative: bursts are bounded by the quantum, and the average rate by the pacing rate.
   */
  private boolean paceAllows(long now) {
    double rate = pacingRate();
    if (rate <= 0) {
      return true;
    }
    long elapsed = now - paceStamp;
    paceStamp = now;
    long cap = Math.max((long) (rate * PACE_QUANTUM_NANOS / 1e9), (long) PACE_MIN_BURST_PACKETS * mtu);
    if (elapsed > 0) {
      paceCredit = (long) Math.min(cap, paceCredit + rate * elapsed / 1e9);
    }
    paceCredit = Math.min(paceCredit, cap);
    if (paceCredit >= 0) {
      return true;
    }
    pacingHolds++;
    paceDeadline = now + Math.max(1, (long) Math.ceil(-paceCredit * 1e9 / rate));
    return false;
  }

  private boolean canSendNew() {
    if (pending.isEmpty()) {
      return false;
    }
    if (fastRetransmitNow) {
      return true;
    }
    // Counted here, once per pollTransmit that finds queued data it may not send.
    if (flightSize >= cwnd) {
      cwndLimited++;
      return false;
    }
    if (flightSize > 0 && peerRwnd <= flightSize) {
      rwndLimited++;
      return false;
    }
    return true;
  }

  private void writeData(ByteBuffer out) {
    long now = lastNow;
    boolean ignoreCwnd = fastRetransmitNow;
    fastRetransmitNow = false;
    // Retransmissions first, lowest TSN first.
    if (retransmitPending > 0) {
      for (long t = cumAckPoint + 1; t < nextTsn && retransmitPending > 0; t++) {
        OutChunk c = chunkAt(t);
        if (c == null || !c.retransmit) {
          continue;
        }
        if (!ignoreCwnd && flightSize >= cwnd) {
          return;
        }
        int need = Wire.pad4(DataChunk.HEADER_LENGTH + c.len);
        if (need > out.remaining()) {
          return;
        }
        c.retransmit = false;
        retransmitPending--;
        c.transmits++;
        c.missIndications = 0;
        c.rtxFence = nextTsn;
        c.inFlight = true;
        c.sentAt = now;
        flightSize += c.len;
        retransmittedChunks++;
        putData(out, c);
      }
    }
    // New data.
    while (!pending.isEmpty()) {
      if (!ignoreCwnd && (flightSize >= cwnd || (flightSize > 0 && peerRwnd <= flightSize))) {
        return;
      }
      OutMessage m = pending.peek();
      int room = out.remaining() - DataChunk.HEADER_LENGTH;
      int left = m.data.length - m.offset;
      if (room < Math.min(left, MIN_FRAGMENT)) {
        return;
      }
      if (m.offset == 0 && now >= m.expiry && peerForwardTsn) {
        expireQueued(now);
        continue;
      }
      // At most what fits a BASE-size packet: a chunk is never re-fragmented, and after a black
      // hole sends the PLPMTU back to BASE every chunk in flight must still fit a packet.
      int n = Math.min(Math.min(left, room & ~3), (mtu - SctpPacket.HEADER_LENGTH - DataChunk.HEADER_LENGTH) & ~3);
      if (n <= 0) {
        return;
      }
      if (m.offset == 0 && !m.unordered) {
        // The SSN is taken at the first transmission, so a message that expires unsent leaves no gap.
        m.ssn = m.stream.nextSsn;
        m.stream.nextSsn = (m.stream.nextSsn + 1) & 0xFFFF;
      }
      OutChunk c = new OutChunk();
      c.msg = m;
      c.offset = m.offset;
      c.len = n;
      c.flags = (m.unordered ? DataChunk.FLAG_U : 0) | (m.offset == 0 ? DataChunk.FLAG_B : 0)
          | (m.offset + n == m.data.length ? DataChunk.FLAG_E : 0);
      c.tsn = nextTsn++;
      c.transmits = 1;
      c.sentAt = now;
      c.inFlight = true;
      if (m.chunks == null) {
        m.chunks = new ArrayList<>(Math.max(1, m.data.length / (mtu - 28) + 1));
      }
      m.chunks.add(c);
      m.offset += n;
      // bufferedAmount is what is not yet handed to the network (W3C, like Chromium's dcSCTP send
      // queue): counting in-flight bytes too would cap an application that keeps bufferedAmount
      // under a few MiB at that many bytes per round trip.
      decrease(m.stream, n);
      if (m.offset == m.data.length) {
        pending.poll();
        m.stream.queued--;
      }
      if (pending.isEmpty()) {
        // The last queued byte (RFC 7053 I bit): a peer that delays its SACK (200 ms) would
        // otherwise answer at the same moment our T3 (RTO floor 200 ms) fires, and every message
        // that ends on an odd packet paid a spurious timeout: cwnd back to one MTU, flight resent.
        c.flags |= DataChunk.FLAG_I;
      }
      pushRing(c);
      flightSize += n;
      dataChunksSent++;
      if (rttTsn < 0) {
        rttTsn = c.tsn;
      }
      putData(out, c);
      if (t3Deadline == Long.MAX_VALUE) {
        t3Deadline = now + rtoNanos;
      }
      ignoreCwnd = false;
    }
  }

  private void putData(ByteBuffer out, OutChunk c) {
    OutMessage m = c.msg;
    int length = DataChunk.HEADER_LENGTH + c.len;
    out.put((byte) Chunk.DATA).put((byte) c.flags).putShort((short) length).putInt((int) c.tsn)
        .putShort((short) m.streamId).putShort((short) m.ssn).putInt(m.ppid).put(m.data, c.offset, c.len);
    int pad = Wire.pad4(length) - length;
    for (int i = 0; i < pad; i++) {
      out.put((byte) 0);
    }
    if (t3Deadline == Long.MAX_VALUE) {
      t3Deadline = lastNow + rtoNanos;
    }
  }

  private void pushRing(OutChunk c) {
    if (ringSize == ring.length) {
      OutChunk[] bigger = new OutChunk[ring.length * 2];
      for (int i = 0; i < ringSize; i++) {
        bigger[i] = ring[(ringHead + i) & (ring.length - 1)];
      }
      ring = bigger;
      ringHead = 0;
    }
    ring[(ringHead + ringSize) & (ring.length - 1)] = c;
    ringSize++;
  }

  // --- Stream reset (RFC 6525) -------------------------------------------------------------------

  private void maybeSendReset(long now) {
    if (outstandingReset != null || resetQueue.isEmpty() || state != SctpState.ESTABLISHED) {
      return;
    }
    List<Integer> ready = new ArrayList<>();
    for (int s : resetQueue) {
      OutStream os = outStreamMap.get(s);
      if (os == null || os.queued == 0) {
        ready.add(s);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    if (ready.size() > (mtu - 64) / 2) {
      ready = ready.subList(0, (mtu - 64) / 2);
    }
    resetQueue.removeAll(ready);
    outstandingReset = new ReconfigParameter.OutgoingSsnResetRequest(myReqSeq & 0xFFFFFFFFL,
        (peerReqSeqExpected - 1) & 0xFFFFFFFFL, (nextTsn - 1) & 0xFFFFFFFFL, ready);
    control.add(new ReconfigChunk(0, List.of(outstandingReset)));
    reconfigDeadline = now + rtoNanos;
  }

  private void onReconfig(long now, ReconfigChunk r) {
    if (state != SctpState.ESTABLISHED && state != SctpState.SHUTDOWN_PENDING) {
      return;
    }
    for (ReconfigParameter p : r.parameters()) {
      if (p instanceof ReconfigParameter.OutgoingSsnResetRequest req) {
        onOutgoingResetRequest(now, req);
      } else if (p instanceof ReconfigParameter.IncomingSsnResetRequest req) {
        long seq = req.requestSeq();
        if (seq == (peerReqSeqExpected & 0xFFFFFFFFL)) {
          peerReqSeqExpected++;
          lastResponse = new ReconfigParameter.ReconfigResponse(seq, ReconfigParameter.ReconfigResponse.SUCCESS_PERFORMED,
              List.of());
          control.add(new ReconfigChunk(0, List.of(lastResponse)));
          int[] ids = req.streams().stream().mapToInt(Integer::intValue).toArray();
          if (ids.length == 0) {
            ids = outStreamMap.keySet().stream().mapToInt(Integer::intValue).toArray();
          }
          resetStreams(now, ids);
        } else if (lastResponse != null && seq == lastResponse.responseSeq()) {
          control.add(new ReconfigChunk(0, List.of(lastResponse)));
        }
      } else if (p instanceof ReconfigParameter.ReconfigResponse resp) {
        onReconfigResponse(now, resp);
      } else {
        // SSN/TSN reset and add-streams are not supported: deny.
        if (p instanceof ReconfigParameter.Other o && o.value().remaining() >= 4) {
          long seq = o.value().getInt(o.value().position()) & 0xFFFFFFFFL;
          if (o.type() == ReconfigParameter.SSN_TSN_RESET_REQUEST || o.type() == ReconfigParameter.ADD_OUTGOING_STREAMS
              || o.type() == ReconfigParameter.ADD_INCOMING_STREAMS) {
            if (seq == (peerReqSeqExpected & 0xFFFFFFFFL)) {
              peerReqSeqExpected++;
              lastResponse = new ReconfigParameter.ReconfigResponse(seq, ReconfigParameter.ReconfigResponse.DENIED,
                  List.of());
              control.add(new ReconfigChunk(0, List.of(lastResponse)));
            }
          }
        }
      }
    }
  }

  private void onOutgoingResetRequest(long now, ReconfigParameter.OutgoingSsnResetRequest req) {
    long seq = req.requestSeq();
    long expected = peerReqSeqExpected & 0xFFFFFFFFL;
    if (seq == expected) {
      if (unwrapPeer(req.senderLastTsn()) <= cumTsn) {
        performIncomingReset(req);
      } else {
        deferredIncomingReset = req;
        control.add(new ReconfigChunk(0, List.of(new ReconfigParameter.ReconfigResponse(seq,
            ReconfigParameter.ReconfigResponse.IN_PROGRESS, List.of()))));
      }
    } else if (lastResponse != null && seq == lastResponse.responseSeq()) {
      control.add(new ReconfigChunk(0, List.of(lastResponse))); // our response was lost
    } else {
      control.add(new ReconfigChunk(0, List.of(new ReconfigParameter.ReconfigResponse(seq,
          ReconfigParameter.ReconfigResponse.ERROR_BAD_SEQUENCE_NUMBER, List.of()))));
    }
  }

  private void performIncomingReset(ReconfigParameter.OutgoingSsnResetRequest req) {
    deferredIncomingReset = null;
    peerReqSeqExpected++;
    int[] ids;
    if (req.streams().isEmpty()) {
      ids = inStreams.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    } else {
      ids = req.streams().stream().mapToInt(Integer::intValue).toArray();
    }
    for (int id : ids) {
      InStream s = inStreams.remove(id);
      if (s != null) {
        for (InMessage m : s.pending.values()) {
          bufferedRecv -= m.data.length;
        }
      }
    }
    lastResponse = new ReconfigParameter.ReconfigResponse(req.requestSeq(),
        ReconfigParameter.ReconfigResponse.SUCCESS_PERFORMED, List.of());
    control.add(new ReconfigChunk(0, List.of(lastResponse)));
    events.add(new SctpEvent.StreamsReset(ids));
  }

  private void checkDeferredReset(long now) {
    if (deferredIncomingReset != null && unwrapPeer(deferredIncomingReset.senderLastTsn()) <= cumTsn) {
      performIncomingReset(deferredIncomingReset);
    }
  }

  private void onReconfigResponse(long now, ReconfigParameter.ReconfigResponse resp) {
    if (outstandingReset == null || resp.responseSeq() != outstandingReset.requestSeq()) {
      return;
    }
    long result = resp.result();
    if (result == ReconfigParameter.ReconfigResponse.IN_PROGRESS) {
      reconfigDeadline = now + rtoNanos; // ask again later
      return;
    }
    ReconfigParameter.OutgoingSsnResetRequest done = outstandingReset;
    outstandingReset = null;
    reconfigDeadline = Long.MAX_VALUE;
    myReqSeq++;
    int[] ids = done.streams().stream().mapToInt(Integer::intValue).toArray();
    if (result == ReconfigParameter.ReconfigResponse.SUCCESS_PERFORMED
        || result == ReconfigParameter.ReconfigResponse.SUCCESS_NOTHING_TO_DO) {
      for (int id : ids) {
        OutStream os = outStreamMap.get(id);
        if (os != null) {
          os.nextSsn = 0;
        }
      }
    } else {
      LOG.debug("stream reset {} refused with result {}", done.streams(), result);
    }
    events.add(new SctpEvent.OutgoingStreamsReset(ids));
    maybeSendReset(now);
  }

  // --- Heartbeat ---------------------------------------------------------------------------------

  private void onHeartbeatTimer(long now) {
    hbDeadline = now + cfg.heartbeatInterval().toNanos() + rtoNanos;
    if (state != SctpState.ESTABLISHED) {
      return;
    }
    if (hbOutstanding && ++errorCount > cfg.maxAssociationRetransmits()) {
      close("peer unreachable (heartbeats unanswered)", true);
      return;
    }
    hbOutstanding = true;
    hbNonce = random.nextLong();
    hbSentNanos = now;
    ByteBuffer info = ByteBuffer.allocate(20);
    info.putShort((short) Parameter.HEARTBEAT_INFO).putShort((short) 20).putLong(hbNonce).putLong(now).flip();
    control.add(new HeartbeatChunk(0, info));
  }

  private void onHeartbeatAck(long now, HeartbeatAckChunk ha) {
    ByteBuffer v = ha.value();
    int probed = PlpmtuDiscovery.probeSize(v, probeNonce);
    if (probed > 0) {
      plpmtu.onProbeAcked(now, probed); // the next probe, if any, leaves from handleTimeout
      return;
    }
    if (!hbOutstanding || v.remaining() != 20 || v.getLong(v.position() + 4) != hbNonce) {
      return;
    }
    hbOutstanding = false;
    errorCount = 0;
    updateRtt(now - hbSentNanos);
  }

  /** Queues the probe PLPMTUD asks for (HEARTBEAT + PAD, outside congestion control: RFC 8899 §4.1). */
  private void queueProbe(long now) {
    int size = state == SctpState.ESTABLISHED ? plpmtu.pollProbe(now) : 0;
    if (size > 0) {
      rawPackets.add(PlpmtuDiscovery.writeProbe(ByteBuffer.allocate(size), cfg.localPort(), cfg.remotePort(), peerTag,
          probeNonce, size));
    }
  }

  // --- Shutdown ----------------------------------------------------------------------------------

  private void checkShutdown(long now) {
    boolean drained = pending.isEmpty() && !hasOutstanding();
    if (state == SctpState.SHUTDOWN_PENDING && drained) {
      state = SctpState.SHUTDOWN_SENT;
      control.add(new ShutdownChunk(0, cumTsn & 0xFFFFFFFFL));
      t2Count = 0;
      t2Deadline = now + rtoNanos;
    } else if (state == SctpState.SHUTDOWN_RECEIVED && drained) {
      state = SctpState.SHUTDOWN_ACK_SENT;
      control.add(new ShutdownAckChunk(0));
      t2Count = 0;
      t2Deadline = now + rtoNanos;
    }
  }

  private void onShutdown(long now, ShutdownChunk sd) {
    switch (state) {
      case ESTABLISHED, SHUTDOWN_PENDING -> {
        onSack(now, new SackChunk(sd.cumulativeTsnAck(), peerRwnd, List.of(), List.of()));
        state = SctpState.SHUTDOWN_RECEIVED;
        sackNow = true;
        checkShutdown(now);
      }
      case SHUTDOWN_SENT -> {
        state = SctpState.SHUTDOWN_ACK_SENT;
        control.add(new ShutdownAckChunk(0));
        t2Count = 0;
        t2Deadline = now + rtoNanos;
      }
      default -> {}
    }
  }

  private void onShutdownAck(long now) {
    if (state == SctpState.SHUTDOWN_SENT || state == SctpState.SHUTDOWN_ACK_SENT) {
      rawPackets.add(packet(peerTag, new ShutdownCompleteChunk(0)));
      close("shutdown complete", false);
    }
  }

  private void onT2(long now) {
    t2Deadline = Long.MAX_VALUE;
    if (++t2Count > cfg.maxAssociationRetransmits()) {
      close("shutdown timed out", true);
      return;
    }
    if (state == SctpState.SHUTDOWN_SENT) {
      control.add(new ShutdownChunk(0, cumTsn & 0xFFFFFFFFL));
    } else if (state == SctpState.SHUTDOWN_ACK_SENT) {
      control.add(new ShutdownAckChunk(0));
    } else {
      return;
    }
    t2Deadline = now + Math.min(rtoNanos << Math.min(t2Count, 6), rtoMaxNanos);
  }

  private void close(String reason, boolean aborted) {
    if (finished) {
      return;
    }
    finished = true;
    state = SctpState.CLOSED;
    t1Deadline = t2Deadline = t3Deadline = sackDeadline = reconfigDeadline = hbDeadline = Long.MAX_VALUE;
    control.clear();
    pending.clear();
    reassembly.clear();
    receivedAbove.clear();
    events.add(aborted ? new SctpEvent.Aborted(reason) : new SctpEvent.Closed(reason));
  }

  // --- helpers -----------------------------------------------------------------------------------

  private long lastNow;

  private long randomTag() {
    long t;
    do {
      t = random.nextLong() & 0xFFFFFFFFL;
    } while (t == 0);
    return t;
  }

  private ByteBuffer packet(long vtag, Chunk c) {
    return new SctpPacket(cfg.localPort(), cfg.remotePort(), vtag, List.of(c)).encode();
  }

  private OutStream outStream(int id) {
    OutStream os = outStreamMap.get(id);
    if (os == null) {
      os = new OutStream(id);
      outStreamMap.put(id, os);
    }
    return os;
  }

  /** Records the time of the current call for code paths reached from pollTransmit. */
  private void now(long nowNanos) {
    lastNow = nowNanos;
  }

  /** Exceptions caught while processing a packet (bugs, never expected): tests assert zero. */
  long internalErrors() {
    return internalErrors;
  }

  /** Internal state for test diagnostics. */
  String debugState() {
    StringBuilder sb = new StringBuilder();
    sb.append("state ").append(state).append(" cumAck ").append(cumAckPoint).append(" apa ").append(advancedPeerAckPoint)
        .append(" next ").append(nextTsn).append(" flight ").append(flightSize).append(" rtxPending ")
        .append(retransmitPending).append(" t3 ").append(t3Deadline).append(" rto ").append(rtoNanos)
        .append(" pending ").append(pending.size()).append(" | cumTsn ").append(cumTsn).append(" above ")
        .append(receivedAbove.size()).append(" reasm ").append(reassembly.keySet().stream().limit(8).toList());
    for (Map.Entry<Integer, InStream> e : inStreams.entrySet()) {
      sb.append(" | in ").append(e.getKey()).append(" next ").append(e.getValue().nextSsn).append(" pending ")
          .append(e.getValue().pending.keySet().stream().sorted().limit(8).toList());
    }
    for (long t = cumAckPoint + 1; t < Math.min(nextTsn, cumAckPoint + 6); t++) {
      OutChunk c = chunkAt(t);
      sb.append("\n  ").append(t).append(c == null ? " null" : " acked=" + c.acked + " ab=" + c.abandoned + " rtx="
          + c.retransmit + " inF=" + c.inFlight + " tx=" + c.transmits + " ssn=" + c.msg.ssn + " fl=" + c.flags);
    }
    return sb.toString();
  }

  private static final class OutStream {
    final int id;
    int nextSsn;
    long buffered;
    int queued;

    OutStream(int id) {
      this.id = id;
    }
  }

  private static final class OutMessage {
    int streamId;
    int ppid;
    byte[] data;
    boolean unordered;
    int ssn;
    int maxRetransmits;
    long expiry;
    int offset;
    long unacked;
    boolean abandoned;
    OutStream stream;
    List<OutChunk> chunks;
  }

  private static final class OutChunk {
    OutMessage msg;
    long tsn;
    int offset;
    int len;
    int flags;
    long sentAt;
    int transmits;
    int missIndications;
    /** First TSN assigned after this chunk's last retransmission: only acks of TSNs from here on are news about it. */
    long rtxFence;
    boolean acked;
    boolean retransmit;
    boolean abandoned;
    boolean inFlight;
  }

  private static final class InChunk {
    int flags;
    int streamId;
    int ssn;
    int ppid;
    byte[] data;
  }

  private record InMessage(int ppid, byte[] data) {}

  private static final class InStream {
    int nextSsn;
    final Map<Integer, InMessage> pending = new HashMap<>();
  }
}
