package org.rtc4j.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.Queue;
import java.util.Vector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;
import org.rtc4j.net.Datagram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DtlsEngine} over Bouncy Castle's blocking DTLS API.
 *
 * <p>The handshake runs on one thread per engine ({@code rtc4j-dtls-handshake}) reading a bounded
 * queue the owner fills from {@link #handleReceive}. When the handshake is done the thread hands
 * the {@link DTLSTransport} over and ends; from then on records are decrypted by the owner thread
 * right after enqueueing (see package-info for the measurement behind that choice).
 */
final class BcDtlsEngine implements DtlsEngine {

  private static final Logger LOG = LoggerFactory.getLogger(BcDtlsEngine.class);

  /** ECDHE-ECDSA with AEAD only (trust-tests SC-7): no CBC, no RSA key transport, no static DH. */
  static final int[] CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  };

  /** Inbound buffering caps (trust-tests BI-9): datagrams and bytes waiting for the record layer. */
  static final int MAX_QUEUED_DATAGRAMS = 128;
  static final int MAX_QUEUED_BYTES = 64 * 1024;
  /** Largest datagram accepted: a full 2^14 record plus AEAD expansion and header, rounded up. */
  static final int RECEIVE_LIMIT = 16384 + 512;
  /** The largest UDP payload (IPv4): bounds what {@link #send} accepts (see DtlsEngine#send). */
  static final int MAX_UDP_PAYLOAD = 65507;
  /** Handshake messages larger than this are refused before any buffer is sized from them. */
  static final int MAX_HANDSHAKE_MESSAGE = 64 * 1024;
  private static final int MAX_QUEUED_OUT = 512;

  /** Where the post-handshake record path runs; OWNER is the production choice, HANDSHAKE_THREAD exists to measure. */
  enum RecordPath { OWNER, HANDSHAKE_THREAD }

  private static final int RECORD_HEADER = 13;
  /** The owner path's plaintext buffer starts at one datagram at the usual MTU and grows to the largest datagram received. */
  private static final int RECORD_BUFFER_START = 1500;
  /** How many first-record (epoch, sequence) keys of received handshake datagrams are remembered to spot replays. */
  private static final int SEEN_KEYS = 64;

  /**
   * Knobs tests need and production must not have: a server that asks for no client certificate
   * (trust-tests FT-1 runs "without client certificates"), extra raw ClientHello extensions (a
   * Firefox-like hello offering DTLS 1.3 with a post-quantum key share, FT-14), raw use_srtp
   * profile ids (SC-7).
   */
  static final class Hooks {
    boolean requestClientCertificate = true;
    /** False keeps Bouncy Castle's record layer after the handshake (tests compare the two on the wire). */
    boolean ownRecordLayer = true;
    /** Cipher suites to offer / accept instead of {@link #CIPHER_SUITES}. */
    int[] cipherSuites;
    /** Sees a copy of the key block at the hand-over (tests compare our records with Bouncy Castle's). */
    Consumer<byte[]> keyBlockSeen = kb -> { };
    /** Runs on the handshake thread under the record lock, just before the record layer is handed over. */
    Runnable beforeHandOver = () -> { };
    Consumer<Hashtable<Integer, byte[]>> clientExtensions = ext -> { };
    int[] rawClientSrtpProfiles;
  }

  /**
   * The datagrams the handshake thread last flushed: one flight (or its retransmission by Bouncy
   * Castle), a snapshot the owner replays on its own timer.
   *
   * @param generation increases with every new flush after the handshake thread read from the wire
   * @param afterProgress whether the thread had read a datagram before this flight (a new flight,
   *     so the retransmission timer starts again at its initial value)
   */
  private record Flight(int generation, boolean afterProgress, List<byte[]> datagrams) {}

  private final DtlsConfig config;
  private final RecordPath recordPath;
  private final Hooks hooks;
  private final LinkedBlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>(MAX_QUEUED_DATAGRAMS);
  private final AtomicInteger inboundBytes = new AtomicInteger();
  private final Queue<Datagram> outbound = new ConcurrentLinkedQueue<>();
  /** outbound's size: ConcurrentLinkedQueue.size() walks the queue, once per record made a burst quadratic. */
  private final AtomicInteger outboundCount = new AtomicInteger();
  private final Queue<DtlsEvent> events = new ConcurrentLinkedQueue<>();
  private final ReentrantLock recordLock = new ReentrantLock();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicInteger largestSent = new AtomicInteger();
  /** Thrown by the queue transport in OWNER mode when the queue is empty: Bouncy Castle passes InterruptedIOException through untouched. */
  private final InterruptedIOException drained = new InterruptedIOException("drained");
  private final QueueTransport transport = new QueueTransport();

  private volatile boolean started;
  private volatile boolean ended;
  private volatile DTLSTransport dtls;
  /**
   * The record protection that replaces Bouncy Castle's record layer once the handshake is done
   * (OWNER path; see {@link RecordProtection}). Set under recordLock by the handshake thread, then
   * used by the owner thread only. Bouncy Castle is never called for records again, so its epoch-1
   * sequence numbers cannot collide with ours (a repeated AES-GCM nonce would be fatal).
   */
  private volatile RecordProtection records;
  /** Highest epoch-1 sequence number Bouncy Castle wrote (the Finished and its retransmissions). */
  private volatile long bcMaxWriteSequence = -1;
  // Written on the handshake thread in notifyHandshakeComplete, consumed at the hand-over.
  private int negotiatedSuite;
  private byte[] keyBlock;
  private final AtomicLong recordsRejected = new AtomicLong();
  /** Owner thread: where decrypted records go on our own record path, or null for events. */
  private Consumer<ByteBuffer> dataHandler;
  /** During the hand-over (handshake thread, under recordLock): records decrypted before HandshakeComplete is published. */
  private List<DtlsEvent> heldBack;
  private volatile Thread thread;
  private volatile boolean peerClosed;
  private long deadlineNanos = Long.MAX_VALUE;
  private byte[] recordBuffer;
  private boolean terminalReported;

  // Retransmission under the owner's clock (see handleTimeout). Published by the handshake thread:
  private volatile Flight lastFlight;
  // Owner thread only:
  private long lastNow;
  private int armedGeneration;
  private long retransmitAt = Long.MAX_VALUE;
  private long retransmitInterval;
  private boolean replayedOnDuplicate;
  private long lastDuplicateReplay;
  private final long[] seenKeys = new long[SEEN_KEYS];
  /** For each seen key: the generation of our last flight when that datagram first arrived (0: none yet). */
  private final int[] seenGenerations = new int[SEEN_KEYS];
  private int seenCount;
  private final AtomicLong timerReplays = new AtomicLong();
  private final AtomicLong duplicateReplays = new AtomicLong();
  private final AtomicLong duplicatesReceived = new AtomicLong();
  private final AtomicLong prematureCipherSpecs = new AtomicLong();
  private int cutsInARow;
  /** The peer's epoch-0 handshake fragments handed to Bouncy Castle so far (owner thread, during the handshake). */
  private final HandshakeCoverage peerMessages = new HandshakeCoverage();
  /** Owner-path receive sizing: the last datagram handed to Bouncy Castle when it held more than one record, else 0. */
  private int pendingRecordsLimit;

  // Quiescence, for deterministic simulated-time tests (handshakeIdle): datagrams offered by the
  // owner, taken by the handshake thread, and what was taken when it last blocked.
  private volatile long offered;
  private volatile long taken;
  private volatile long takenWhenBlocked = -1;
  private volatile boolean blocked;
  private volatile boolean threadDone;

  // Written on the handshake thread inside Bouncy Castle callbacks, read after connect/accept returns.
  private SrtpProfile negotiatedProfile;
  private byte[] keyingMaterial;
  private Fingerprint peerFingerprint;

  BcDtlsEngine(DtlsConfig config) {
    this(config, RecordPath.OWNER);
  }

  BcDtlsEngine(DtlsConfig config, RecordPath recordPath) {
    this(config, recordPath, new Hooks());
  }

  BcDtlsEngine(DtlsConfig config, RecordPath recordPath, Hooks hooks) {
    this.config = config;
    this.recordPath = recordPath;
    this.hooks = hooks;
  }

  @Override
  public void start(long nowNanos) {
    if (started) {
      throw new IllegalStateException("DtlsEngine already started");
    }
    started = true;
    lastNow = nowNanos;
    deadlineNanos = nowNanos + config.handshakeTimeout().toNanos();
    Thread t = new Thread(this::runHandshake, "rtc4j-dtls-handshake-" + config.role().name().toLowerCase());
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  @Override
  public void handleReceive(long nowNanos, Datagram in) {
    lastNow = nowNanos;
    if (ended || !in.source().equals(config.remote())) {
      // SC-6: only the ICE-selected peer may speak DTLS to us; anything else cannot disturb the handshake.
      dropped.incrementAndGet();
      return;
    }
    int len = in.length();
    if (len == 0 || len > RECEIVE_LIMIT || inboundBytes.get() + len > MAX_QUEUED_BYTES) {
      dropped.incrementAndGet();
      return;
    }
    long key = -1;
    if (dtls == null || lastFlight != null) {
      key = firstRecordKey(in.payload());
      int at = key >= 0 ? indexOf(key) : -1;
      if (at >= 0) {
        // The same (epoch, sequence) twice is a replay: the network duplicated it, or the peer
        // re-sent its flight verbatim because ours did not arrive. Bouncy Castle's replay window
        // would drop it anyway. If it first arrived before our last flight left, the peer is
        // repeating a flight we already answered: it lacks our answer, so we repeat it (RFC 6347
        // §4.2.4's rule for a retransmitted flight). If it arrived after, it is part of the peer's
        // answer to our last flight, and answering it would only start a replay ping-pong; unless
        // our handshake is over: then the peer expects nothing from us but our final flight.
        duplicatesReceived.incrementAndGet();
        Flight f = lastFlight;
        if (f != null && (f.generation() > seenGenerations[at] || dtls != null)) {
          replayOnDuplicate(nowNanos);
        }
        return;
      }
    }
    if (records != null) {
      receiveOwn(nowNanos, in.payload());
      return;
    }
    byte[] bytes = in.bytes();
    if (dtls == null) {
      int keep = peerMessages.deliverableLength(bytes);
      // Never more than a few cuts in a row: a coverage view that went wrong (a peer numbering its
      // messages oddly) must not starve Bouncy Castle of the ChangeCipherSpec for good.
      if (keep < bytes.length && ++cutsInARow > 4) {
        keep = bytes.length;
      }
      if (keep == bytes.length) {
        cutsInARow = 0;
      }
      if (keep < bytes.length) {
        // A ChangeCipherSpec ahead of the messages before it: Bouncy Castle would consume it
        // without switching epochs (it has no keys yet) and then drop every copy as a replay. Hand
        // over only what precedes it, and let the peer's next copy of this datagram through.
        prematureCipherSpecs.incrementAndGet();
        key = -1;
        if (keep == 0) {
          return;
        }
        bytes = java.util.Arrays.copyOf(bytes, keep);
        len = keep;
      }
      peerMessages.record(bytes);
    }
    inboundBytes.addAndGet(len);
    if (!inbound.offer(bytes)) {
      inboundBytes.addAndGet(-len);
      dropped.incrementAndGet();
      return;
    }
    offered++;
    if (key >= 0) {
      Flight f = lastFlight;
      remember(key, f != null ? f.generation() : 0);
    }
    if (dtls != null && recordPath == RecordPath.OWNER) {
      drainRecords();
    }
  }

  /**
   * Retransmission timer and handshake deadline, both on the owner's clock.
   *
   * <p>Bouncy Castle retransmits on its own thread with wall-clock time, starting at 1 s and
   * doubling up to 60 s, and offers no hook to change the backoff. Under 50 % loss in both
   * directions that schedule leaves too few attempts in 30 s (trust-tests FT-1). So the engine
   * also re-sends the last flight itself, verbatim, after {@link DtlsConfig#retransmitInitial()},
   * doubling up to {@link DtlsConfig#retransmitMax()}, and restarts at the initial value for each
   * new flight. A verbatim copy is indistinguishable from a datagram the network duplicated, which
   * every DTLS stack must tolerate: a peer that missed the original accepts it, a peer that has it
   * drops it as a replay. The peer that already answered learns that its answer was lost from the
   * replay itself (see handleReceive), and Bouncy Castle's own fresh retransmissions still cover
   * peers that ignore replays.
   */
  @Override
  public void handleTimeout(long nowNanos) {
    lastNow = nowNanos;
    if (ended || !started || dtls != null) {
      return;
    }
    if (nowNanos - deadlineNanos >= 0) {
      fail("handshake did not complete within " + config.handshakeTimeout().toMillis() + " ms");
      return;
    }
    Flight f = lastFlight;
    if (f == null) {
      return;
    }
    if (f.generation() != armedGeneration) {
      armedGeneration = f.generation();
      if (f.afterProgress() || retransmitInterval == 0) {
        retransmitInterval = config.retransmitInitial().toNanos();
      }
      retransmitAt = nowNanos + retransmitInterval;
      return;
    }
    if (nowNanos - retransmitAt >= 0) {
      replay(f);
      timerReplays.incrementAndGet();
      retransmitInterval = Math.min(2 * retransmitInterval, config.retransmitMax().toNanos());
      retransmitAt = nowNanos + retransmitInterval;
    }
  }

  @Override
  public Optional<Datagram> pollTransmit() {
    Datagram d = outbound.poll();
    if (d == null) {
      return Optional.empty();
    }
    outboundCount.decrementAndGet();
    return Optional.of(d);
  }

  @Override
  public Optional<DtlsEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  @Override
  public long pollTimeout() {
    if (ended || dtls != null || !started) {
      return Long.MAX_VALUE;
    }
    Flight f = lastFlight;
    if (f != null && f.generation() != armedGeneration) {
      return lastNow; // a new flight left: arm its timer at the owner's next handleTimeout, now
    }
    return Math.min(deadlineNanos, f != null ? retransmitAt : Long.MAX_VALUE);
  }

  @Override
  public void send(ByteBuffer appData) {
    DTLSTransport t = dtls;
    if (t == null || ended) {
      throw new IllegalStateException("DTLS is not connected");
    }
    int max = maxApplicationDataSize(MAX_UDP_PAYLOAD);
    if (appData.remaining() > max) {
      throw new IllegalArgumentException("application data of " + appData.remaining() + " bytes exceeds " + max);
    }
    byte[] bytes;
    int off;
    int len = appData.remaining();
    if (appData.hasArray() && len > 0) {
      bytes = appData.array(); // Bouncy Castle encrypts into its own buffer: no copy needed
      off = appData.arrayOffset() + appData.position();
    } else {
      bytes = new byte[Math.max(len, 1)]; // BC refuses a zero-length array even for len 0
      appData.duplicate().get(bytes, 0, len);
      off = 0;
    }
    appData.position(appData.limit());
    RecordProtection r = records;
    if (r != null) {
      protectAndSend(r, RecordProtection.CONTENT_APPLICATION_DATA, bytes, off, len);
      return;
    }
    recordLock.lock();
    try {
      r = records;
      if (r != null) {
        // The hand-over finished while we waited for the lock: Bouncy Castle must not write an
        // epoch-1 record now, its next sequence number is ours (GCM nonce reuse).
        protectAndSend(r, RecordProtection.CONTENT_APPLICATION_DATA, bytes, off, len);
        return;
      }
      t.send(bytes, off, len);
    } catch (IOException | RuntimeException e) {
      fail("send failed: " + describe(e));
    } finally {
      recordLock.unlock();
    }
  }

  @Override
  public void applicationDataHandler(Consumer<ByteBuffer> handler) {
    this.dataHandler = handler;
  }

  @Override
  public int maxApplicationDataSize() {
    RecordProtection r = records;
    if (r != null) {
      return r.maxPlaintext(config.mtu());
    }
    DTLSTransport t = dtls;
    if (t == null) {
      return 0;
    }
    try {
      return t.getSendLimit();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public int maxApplicationDataSize(int datagramLimit) {
    RecordProtection r = records;
    if (r != null) {
      return Math.max(0, r.maxPlaintext(datagramLimit));
    }
    // Bouncy Castle's record layer refuses anything above its limit at the configured MTU.
    return Math.min(maxApplicationDataSize(), Math.max(0, datagramLimit));
  }

  @Override
  public boolean isConnected() {
    return dtls != null && !ended;
  }

  @Override
  public void close() {
    if (ended) {
      return;
    }
    DTLSTransport t = dtls;
    RecordProtection r = records;
    if (r != null) {
      protectAndSend(r, RecordProtection.CONTENT_ALERT, new byte[] {1, (byte) AlertDescription.close_notify}, 0, 2);
    } else if (t != null) {
      recordLock.lock();
      try {
        RecordProtection handedOver = records;
        if (handedOver != null) {
          protectAndSend(handedOver, RecordProtection.CONTENT_ALERT, new byte[] {1, (byte) AlertDescription.close_notify}, 0, 2);
        } else {
          t.close(); // queues close_notify
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("close_notify not sent: {}", e.toString());
      } finally {
        recordLock.unlock();
      }
    }
    end(new DtlsEvent.Closed("closed locally"));
  }

  /** Datagrams dropped: wrong source, over the buffering caps, or after the end. */
  long droppedDatagrams() {
    return dropped.get();
  }

  /** Bytes waiting in the inbound queue (bounded by {@link #MAX_QUEUED_BYTES}). */
  int queuedInboundBytes() {
    return inboundBytes.get();
  }

  /** The largest datagram handed to {@link #pollTransmit()} so far. */
  int largestDatagramSent() {
    return largestSent.get();
  }

  /** Flights the owner re-sent on its retransmission timer. */
  long timerReplays() {
    return timerReplays.get();
  }

  /** Flights the owner re-sent because the peer's last flight arrived again. */
  long duplicateReplays() {
    return duplicateReplays.get();
  }

  /** Datagrams cut before a ChangeCipherSpec that arrived ahead of the messages preceding it. */
  long prematureCipherSpecs() {
    return prematureCipherSpecs.get();
  }

  /** Replayed handshake datagrams received (and not handed to Bouncy Castle). */
  long duplicatesReceived() {
    return duplicatesReceived.get();
  }

  /**
   * Whether the handshake thread is quiescent: ended, or blocked waiting for a datagram with every
   * datagram the owner offered already taken (its output for them is then in pollTransmit). Tests
   * on simulated time advance the clock only when both engines are idle.
   */
  boolean handshakeIdle() {
    if (threadDone || !started) {
      return true;
    }
    return blocked && takenWhenBlocked == offered;
  }

  /** Whether the handshake thread is still alive. */
  boolean handshakeThreadAlive() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  // ---------------------------------------------------------------------------------------------

  private void runHandshake() {
    JcaTlsCrypto crypto = new JcaTlsCryptoProvider().create(config.random());
    try {
      DTLSTransport t;
      if (config.role() == DtlsRole.CLIENT) {
        t = new DTLSClientProtocol().connect(new Client(crypto), transport);
      } else {
        DTLSServerProtocol protocol = new DTLSServerProtocol();
        // ICE connectivity checks already proved the peer owns its address (RFC 8842 §5); a
        // HelloVerifyRequest cookie round trip would only add latency.
        protocol.setVerifyRequests(false);
        t = protocol.accept(new Server(crypto), transport);
      }
      transport.flush(); // the server's last flight is written without a following receive
      recordLock.lock();
      try {
        if (ended) {
          return;
        }
        DtlsEvent complete = new DtlsEvent.HandshakeComplete(negotiatedProfile, keyingMaterial, peerFingerprint,
            config.role() == DtlsRole.CLIENT);
        keyingMaterial = null;
        if (config.role() == DtlsRole.CLIENT) {
          // The client's last flight is answered by the server's, which just arrived: nothing to resend.
          // The server keeps its last flight until the client's data shows that it arrived.
          lastFlight = null;
        }
        recordBuffer = new byte[RECORD_BUFFER_START];
        // A peer may have packed records behind its Finished: they are smaller than the datagram
        // that carried it. Until Bouncy Castle says it holds none, size receives for that datagram.
        pendingRecordsLimit = transport.lastTakenLength;
        transport.pending = null; // the flight buffer is done: an idle connection keeps no MTU-sized array
        transport.released = true;
        dtls = t;
        if (recordPath == RecordPath.OWNER) {
          // Records that arrived while the owner still saw us handshaking are ours to decrypt; they
          // are held back so that HandshakeComplete, published last, still comes first.
          heldBack = new ArrayList<>();
          drainRecordsLocked();
          hooks.beforeHandOver.run();
          takeOverRecords();
        }
        // Published only now: an owner that sees HandshakeComplete finds the engine connected and
        // the record layer handed over (a send in between would otherwise go through Bouncy Castle).
        events.add(complete);
        if (heldBack != null) {
          events.addAll(heldBack);
          heldBack = null;
        }
      } finally {
        recordLock.unlock();
      }
      config.wakeup().run();
      if (recordPath == RecordPath.HANDSHAKE_THREAD) {
        receiveLoop(t);
      }
    } catch (Throwable e) {
      transport.flush(); // let the fatal alert out: the peer must fail too (trust-tests SC-1)
      lastFlight = null;
      if (!ended) {
        fail(describe(e));
      }
    } finally {
      threadDone = true;
    }
  }

  /** The HANDSHAKE_THREAD record path (measurement only): decrypt on this thread, blocking on the queue. */
  private void receiveLoop(DTLSTransport t) throws IOException {
    byte[] buf = new byte[t.getReceiveLimit()];
    while (!ended) {
      int n = t.receive(buf, 0, buf.length, 100);
      if (n >= 0) {
        byte[] copy = new byte[n];
        System.arraycopy(buf, 0, copy, 0, n);
        events.add(new DtlsEvent.ApplicationData(copy));
        config.wakeup().run();
      }
    }
  }

  private void drainRecords() {
    recordLock.lock();
    try {
      drainRecordsLocked();
    } finally {
      recordLock.unlock();
    }
  }

  private void drainRecordsLocked() {
    if (records != null) {
      // Queued by an owner that saw the handshake done before the hand-over finished.
      for (byte[] d = inbound.poll(); d != null; d = inbound.poll()) {
        inboundBytes.addAndGet(-d.length);
        receiveOwn(lastNow, ByteBuffer.wrap(d));
      }
      return;
    }
    DTLSTransport t = dtls;
    // One datagram holds at most a few dozen records; the bound makes a record layer that keeps
    // returning "nothing" (e.g. after close_notify) unable to spin the owner thread.
    for (int guard = 0; guard < 4 * MAX_QUEUED_DATAGRAMS && !ended; guard++) {
      int n;
      byte[] head = inbound.peek();
      int need = Math.max(head != null ? head.length : 0, pendingRecordsLimit);
      if (need > recordBuffer.length) {
        recordBuffer = new byte[Math.min(need, RECEIVE_LIMIT)]; // a record's plaintext is shorter than its datagram
      }
      try {
        n = t.receive(recordBuffer, 0, recordBuffer.length, 1000);
      } catch (InterruptedIOException e) {
        break; // queue empty
      } catch (IOException | RuntimeException e) {
        fail(describe(e));
        return;
      }
      if (n >= 0) {
        byte[] copy = new byte[n];
        System.arraycopy(recordBuffer, 0, copy, 0, n);
        (heldBack != null ? heldBack : events).add(new DtlsEvent.ApplicationData(copy));
        if (lastFlight != null) {
          lastFlight = null; // the peer sends data: it has our last flight
          seenCount = 0;
        }
        if (inbound.isEmpty() && pendingRecordsLimit == 0) {
          break; // nothing queued here or inside Bouncy Castle: skip the call that would only say so
        }
      } else if (inbound.isEmpty()) {
        break;
      }
    }
    if (peerClosed) {
      end(new DtlsEvent.Closed("close_notify received"));
    }
  }

  /**
   * Replaces Bouncy Castle's record layer with {@link RecordProtection} (under recordLock, on the
   * handshake thread, after the last Bouncy Castle record call). Our first epoch-1 sequence number
   * follows the highest one Bouncy Castle wrote. Suites we do not protect keep Bouncy Castle.
   */
  private void takeOverRecords() {
    byte[] kb = keyBlock;
    keyBlock = null;
    if (!hooks.ownRecordLayer || kb == null || ended) {
      return;
    }
    try {
      hooks.keyBlockSeen.accept(kb.clone());
      records = new RecordProtection(negotiatedSuite, kb, config.role() == DtlsRole.CLIENT, bcMaxWriteSequence + 1);
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      LOG.debug("keeping Bouncy Castle's record layer: {}", e.toString());
    } finally {
      java.util.Arrays.fill(kb, (byte) 0);
    }
  }

  /** key_block = PRF(master_secret, "key expansion", server_random + client_random) (RFC 5246 §6.3). */
  private void deriveKeyBlock(TlsContext context) {
    if (!hooks.ownRecordLayer || recordPath != RecordPath.OWNER) {
      return;
    }
    try {
      org.bouncycastle.tls.SecurityParameters sp = context.getSecurityParametersConnection();
      if (sp == null) {
        sp = context.getSecurityParametersHandshake();
      }
      int suite = sp.getCipherSuite();
      if (!RecordProtection.supports(suite)) {
        return;
      }
      byte[] sr = sp.getServerRandom();
      byte[] cr = sp.getClientRandom();
      byte[] seed = new byte[sr.length + cr.length];
      System.arraycopy(sr, 0, seed, 0, sr.length);
      System.arraycopy(cr, 0, seed, sr.length, cr.length);
      keyBlock = sp.getMasterSecret().deriveUsingPRF(sp.getPRFAlgorithm(), "key expansion", seed,
          RecordProtection.keyBlockLength(suite)).extract();
      negotiatedSuite = suite;
    } catch (RuntimeException e) {
      LOG.debug("no key block, keeping Bouncy Castle's record layer: {}", e.toString());
      keyBlock = null;
    }
  }

  /** Protects one record and queues it as its own datagram. Owner thread. */
  private void protectAndSend(RecordProtection r, int type, byte[] bytes, int off, int len) {
    byte[] out = new byte[r.recordLength(len)];
    try {
      r.protect(type, bytes, off, len, out, 0);
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      fail("send failed: " + e);
      return;
    }
    transport.enqueue(out);
  }

  /**
   * The records of one datagram after the hand-over (RFC 6347 §4.1: several records may share a
   * datagram): epoch-1 application data and alerts are decrypted here; a handshake record or
   * ChangeCipherSpec means the peer repeats its last flight because ours was lost, answered with our
   * last flight (the server's final one) as before the hand-over; anything else, and every record
   * that does not authenticate or is a replay, is dropped silently (RFC 6347 §4.1.2.7).
   */
  private void receiveOwn(long nowNanos, ByteBuffer payload) {
    RecordProtection r = records;
    byte[] a;
    int p;
    int end;
    if (payload.hasArray()) {
      a = payload.array();
      p = payload.arrayOffset() + payload.position();
      end = p + payload.remaining();
    } else {
      a = new byte[payload.remaining()];
      payload.duplicate().get(a);
      p = 0;
      end = a.length;
    }
    while (end - p >= RECORD_HEADER && !ended) {
      int type = a[p] & 0xFF;
      int epoch = ((a[p + 3] & 0xFF) << 8) | (a[p + 4] & 0xFF);
      int len = ((a[p + 11] & 0xFF) << 8) | (a[p + 12] & 0xFF);
      if (len > end - p - RECORD_HEADER || len > RecordProtection.MAX_FRAGMENT) {
        recordsRejected.incrementAndGet();
        return; // truncated: the rest of the datagram cannot be framed
      }
      boolean v12 = (a[p + 1] & 0xFF) == 0xFE && (a[p + 2] & 0xFF) == 0xFD;
      if (v12 && epoch == RecordProtection.EPOCH
          && (type == RecordProtection.CONTENT_APPLICATION_DATA || type == RecordProtection.CONTENT_ALERT)) {
        if (recordBuffer.length < len) {
          recordBuffer = new byte[len];
        }
        int n = r.unprotect(a, p, RECORD_HEADER + len, recordBuffer, 0);
        if (n < 0) {
          recordsRejected.incrementAndGet();
        } else if (type == RecordProtection.CONTENT_APPLICATION_DATA) {
          Consumer<ByteBuffer> h = dataHandler;
          if (h != null) {
            // Writable on purpose: a read-only heap buffer hides its array, and CRC32C (SCTP's
            // checksum) then copies it in 4 KB chunks instead of running the intrinsic on it.
            h.accept(ByteBuffer.wrap(recordBuffer, 0, n));
          } else {
            events.add(new DtlsEvent.ApplicationData(java.util.Arrays.copyOf(recordBuffer, n)));
          }
          if (lastFlight != null) {
            lastFlight = null; // the peer sends data: it has our last flight
            seenCount = 0;
          }
        } else {
          alert(n);
        }
      } else if (type == RecordProtection.CONTENT_HANDSHAKE || type == RecordProtection.CONTENT_CHANGE_CIPHER_SPEC) {
        duplicatesReceived.incrementAndGet();
        replayOnDuplicate(nowNanos);
      } else {
        recordsRejected.incrementAndGet();
      }
      p += RECORD_HEADER + len;
    }
  }

  /** An authenticated alert in recordBuffer[0, n): close_notify closes, a fatal alert fails, warnings are ignored. */
  private void alert(int n) {
    if (n < 2) {
      recordsRejected.incrementAndGet();
      return;
    }
    int level = recordBuffer[0] & 0xFF;
    short description = (short) (recordBuffer[1] & 0xFF);
    if (description == AlertDescription.close_notify) {
      peerClosed = true;
      end(new DtlsEvent.Closed("close_notify received"));
    } else if (level == 2) {
      fail("fatal alert received: " + AlertDescription.getText(description));
    }
  }

  /** Records that did not authenticate, were replays, or were not expected after the handshake. */
  long recordsRejected() {
    return recordsRejected.get();
  }

  /** Whether the engine protects records itself (true after the hand-over for AEAD suites). */
  boolean ownsRecordLayer() {
    return records != null;
  }

  private void replay(Flight f) {
    for (byte[] d : f.datagrams()) {
      transport.enqueue(d.clone());
    }
  }

  private void replayOnDuplicate(long nowNanos) {
    Flight f = lastFlight;
    if (f == null) {
      return;
    }
    // A burst of duplicates (a duplicating network, a peer's multi-datagram flight) earns one answer.
    if (replayedOnDuplicate && nowNanos - lastDuplicateReplay < config.retransmitInitial().toNanos() / 2) {
      return;
    }
    replayedOnDuplicate = true;
    lastDuplicateReplay = nowNanos;
    duplicateReplays.incrementAndGet();
    replay(f);
  }

  /** The (epoch, sequence number) of the datagram's first DTLS record (RFC 6347 §4.1), or -1 when it has none. */
  private static long firstRecordKey(ByteBuffer b) {
    int p = b.position();
    if (b.remaining() < RECORD_HEADER) {
      return -1;
    }
    long key = 0;
    for (int i = 3; i < 11; i++) {
      key = (key << 8) | (b.get(p + i) & 0xFF);
    }
    return key & Long.MAX_VALUE;
  }

  private int indexOf(long key) {
    int n = Math.min(seenCount, SEEN_KEYS);
    for (int i = 0; i < n; i++) {
      if (seenKeys[i] == key) {
        return i;
      }
    }
    return -1;
  }

  private void remember(long key, int generation) {
    seenKeys[seenCount % SEEN_KEYS] = key;
    seenGenerations[seenCount % SEEN_KEYS] = generation;
    seenCount++;
  }

  private void fail(String reason) {
    LOG.debug("DTLS {} failed: {}", config.role(), reason);
    end(new DtlsEvent.Failed(reason));
  }

  private void end(DtlsEvent terminal) {
    synchronized (this) {
      if (terminalReported) {
        return;
      }
      terminalReported = true;
      ended = true;
      // During the hand-over the terminal event must follow HandshakeComplete, which is published last (REVIEW #12).
      List<DtlsEvent> held = heldBack;
      (held != null && Thread.currentThread() == thread ? held : events).add(terminal);
    }
    keyingMaterial = null;
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt(); // unblocks the queue poll; Bouncy Castle then aborts and the thread ends
    }
    inbound.clear();
    inboundBytes.set(0);
    if (Thread.currentThread() == t) {
      config.wakeup().run();
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof TlsFatalAlertReceived r) {
      return "fatal alert received: " + AlertDescription.getText(r.getAlertDescription());
    }
    if (e instanceof TlsFatalAlert a) {
      return "fatal alert sent: " + AlertDescription.getText(a.getAlertDescription())
          + (a.getMessage() != null ? " (" + a.getMessage() + ")" : "");
    }
    return e.toString();
  }

  /** Checks the peer's leaf certificate against the expected fingerprints; the exception makes Bouncy Castle send bad_certificate. */
  private void verifyPeer(Certificate chain) throws IOException {
    if (chain == null || chain.isEmpty()) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate, "peer sent no certificate");
    }
    byte[] der = chain.getCertificateAt(0).getEncoded();
    for (Fingerprint expected : config.remoteFingerprints()) {
      if (expected.matches(der)) {
        peerFingerprint = Fingerprint.of(expected.hashFunction(), der);
        return;
      }
    }
    throw new TlsFatalAlert(AlertDescription.bad_certificate, "peer certificate does not match a=fingerprint");
  }

  private TlsCredentialedSigner signer(TlsContext context, JcaTlsCrypto crypto) throws IOException {
    List<byte[]> chain = config.certificate().chain();
    TlsCertificate[] certs = new TlsCertificate[1 + chain.size()];
    certs[0] = crypto.createCertificate(config.certificate().der());
    for (int i = 0; i < chain.size(); i++) {
      certs[i + 1] = crypto.createCertificate(chain.get(i));
    }
    return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
        config.certificate().privateKey(), new Certificate(certs),
        new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
  }

  private void export(TlsContext context) {
    keyingMaterial = context.exportKeyingMaterial("EXTRACTOR-dtls_srtp", null, negotiatedProfile.keyingMaterialLength());
  }

  private int[] offeredProfileIds() {
    return config.srtpProfiles().stream().mapToInt(SrtpProfile::id).toArray();
  }

  // ---------------------------------------------------------------------------------------------

  /** Bouncy Castle's view of the wire: a blocking queue in, a concurrent queue out. */
  private final class QueueTransport implements DatagramTransport {
    /**
     * On the handshake thread: the full limit (a peer's flight datagram may be large). On the
     * owner's record path: just enough for the next datagram, or for the records Bouncy Castle still
     * holds from the last one, because Bouncy Castle allocates a fresh buffer of this size for every
     * receive call (16.9 KB per record otherwise).
     */
    @Override
    public int getReceiveLimit() {
      if (dtls == null || recordPath != RecordPath.OWNER || Thread.currentThread() == thread) {
        return RECEIVE_LIMIT;
      }
      byte[] head = inbound.peek();
      return Math.max(RECORD_HEADER, Math.max(head != null ? head.length : 0, pendingRecordsLimit));
    }

    @Override
    public int getSendLimit() {
      return config.mtu();
    }

    /**
     * Records the handshake thread wrote since it last read: one flight. Bouncy Castle gives every
     * record its own datagram; packing a flight into as few MTU-sized datagrams as possible (RFC
     * 6347 §4.1.1 allows several records per datagram) means fewer datagrams that can be lost: a
     * client's Certificate..Finished flight shrinks from five datagrams to one or two.
     * Touched by the handshake thread only, like the flight bookkeeping below.
     */
    private byte[] pending; // allocated on the first write, released when the handshake is done
    private boolean released;
    private int pendingLength;
    private int lastTakenLength;
    private boolean receiveReturned = true;
    private boolean readSinceFlight;
    private int generation;
    private List<byte[]> flight = List.of();

    void flush() {
      if (Thread.currentThread() != thread || pendingLength == 0) {
        return;
      }
      byte[] copy = new byte[pendingLength];
      System.arraycopy(pending, 0, copy, 0, pendingLength);
      pendingLength = 0;
      List<byte[]> next = new ArrayList<>(receiveReturned ? List.of() : flight);
      next.add(copy.clone()); // the owner's consumer may reuse the transmitted array
      flight = List.copyOf(next);
      if (receiveReturned) {
        generation++;
        lastFlight = new Flight(generation, readSinceFlight, flight);
        receiveReturned = false;
        readSinceFlight = false;
      } else {
        lastFlight = new Flight(generation, lastFlight != null && lastFlight.afterProgress(), flight);
      }
      enqueue(copy);
      config.wakeup().run();
    }

    void enqueue(byte[] datagram) {
      if (outboundCount.get() >= MAX_QUEUED_OUT) {
        dropped.incrementAndGet(); // the owner stopped polling; losing a datagram is what UDP does anyway
        return;
      }
      largestSent.accumulateAndGet(datagram.length, Math::max);
      outboundCount.incrementAndGet();
      outbound.add(Datagram.udp(config.local(), config.remote(), datagram));
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
      boolean handshakeThread = Thread.currentThread() == thread;
      if (handshakeThread) {
        flush(); // about to wait for the peer: the flight is complete
      }
      byte[] d = inbound.poll();
      if (d == null) {
        if (ended) {
          throw new InterruptedIOException("DTLS engine ended");
        }
        if (dtls != null && recordPath == RecordPath.OWNER) {
          pendingRecordsLimit = 0; // Bouncy Castle asks for a datagram only when it holds no records
          throw drained;
        }
        try {
          takenWhenBlocked = taken;
          blocked = true;
          d = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("DTLS engine closed");
        } finally {
          blocked = false;
        }
        if (d == null) {
          if (handshakeThread) {
            receiveReturned = true;
          }
          return -1;
        }
      }
      taken++;
      inboundBytes.addAndGet(-d.length);
      if (dtls != null) {
        pendingRecordsLimit = recordCount(d) > 1 ? d.length : 0;
      } else if (handshakeThread) {
        lastTakenLength = d.length;
        receiveReturned = true;
        readSinceFlight = true;
      }
      int n = Math.min(len, d.length);
      System.arraycopy(d, 0, buf, off, n);
      return d.length; // larger than len makes Bouncy Castle drop it, as an oversized datagram should be
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
      noteSequences(buf, off, len);
      if (Thread.currentThread() == thread) {
        if (pendingLength > 0 && pendingLength + len > config.mtu()) {
          flush();
        }
        if (pending == null && !released) {
          pending = new byte[config.mtu()];
        }
        if (len <= config.mtu() && pending != null) {
          System.arraycopy(buf, off, pending, pendingLength, len);
          pendingLength += len;
          return;
        }
      }
      if (dtls != null && off == 0 && len == buf.length) {
        // After the handshake every record comes from an AEAD cipher that encrypts into a fresh
        // array per record (TlsAEADCipher.encodePlaintext) and keeps no reference: send it as is.
        enqueue(buf);
        return;
      }
      byte[] copy = new byte[len];
      System.arraycopy(buf, off, copy, 0, len);
      enqueue(copy);
    }

    @Override
    public void close() {
      // The owner's socket is not ours to close.
    }
  }

  /** Remembers the highest epoch-1 sequence number among the records Bouncy Castle writes. */
  private void noteSequences(byte[] buf, int off, int len) {
    int p = off;
    int end = off + len;
    while (end - p >= RECORD_HEADER) {
      long key = RecordProtection.getLong(buf, p + 3);
      if ((key >>> 48) == RecordProtection.EPOCH) {
        long seq = key & 0xFFFF_FFFF_FFFFL;
        if (seq > bcMaxWriteSequence) {
          bcMaxWriteSequence = seq;
        }
      }
      p += RECORD_HEADER + (((buf[p + 11] & 0xFF) << 8) | (buf[p + 12] & 0xFF));
    }
  }

  /** How many DTLS records (13-byte header + length) the datagram holds, counting a truncated tail as one. */
  private static int recordCount(byte[] d) {
    int n = 0;
    for (int p = 0; p < d.length; n++) {
      if (d.length - p < RECORD_HEADER) {
        return n + 1;
      }
      p += RECORD_HEADER + (((d[p + 11] & 0xFF) << 8) | (d[p + 12] & 0xFF));
    }
    return n;
  }

  private final class Client extends DefaultTlsClient {
    private final JcaTlsCrypto crypto;

    Client(JcaTlsCrypto crypto) {
      super(crypto);
      this.crypto = crypto;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return hooks.cipherSuites != null ? hooks.cipherSuites.clone() : CIPHER_SUITES.clone();
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
      return true;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis());
    }

    @Override
    public int getHandshakeResendTimeMillis() {
      return 1000; // RFC 6347 §4.2.4.1
    }

    @Override
    public int getMaxHandshakeMessageSize() {
      return MAX_HANDSHAKE_MESSAGE;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
      Hashtable ext = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
      int[] profiles = hooks.rawClientSrtpProfiles != null ? hooks.rawClientSrtpProfiles : offeredProfileIds();
      TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(profiles, new byte[0]));
      hooks.clientExtensions.accept(ext);
      return ext;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
      super.processServerExtensions(serverExtensions);
      UseSRTPData srtp = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
      if (srtp == null || srtp.getProtectionProfiles().length != 1) {
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "server did not select one use_srtp profile");
      }
      SrtpProfile chosen = SrtpProfile.byId(srtp.getProtectionProfiles()[0]);
      if (chosen == null || !config.srtpProfiles().contains(chosen)) {
        throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose an SRTP profile we did not offer");
      }
      negotiatedProfile = chosen;
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
          verifyPeer(serverCertificate.getCertificate());
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
          return signer(context, crypto);
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      export(context);
      deriveKeyBlock(context);
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
      if (description == AlertDescription.close_notify) {
        peerClosed = true;
      }
    }
  }

  private final class Server extends DefaultTlsServer {
    private final JcaTlsCrypto crypto;

    Server(JcaTlsCrypto crypto) {
      super(crypto);
      this.crypto = crypto;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return hooks.cipherSuites != null ? hooks.cipherSuites.clone() : CIPHER_SUITES.clone();
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
      return true;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis());
    }

    @Override
    public int getHandshakeResendTimeMillis() {
      return 1000;
    }

    @Override
    public int getMaxHandshakeMessageSize() {
      return MAX_HANDSHAKE_MESSAGE;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
      return signer(context, crypto);
    }

    @Override
    public CertificateRequest getCertificateRequest() {
      if (!hooks.requestClientCertificate) {
        return null; // tests only (FT-1 "without client certificates")
      }
      // WebRTC authenticates both sides by fingerprint, so the client certificate is mandatory.
      Vector<SignatureAndHashAlgorithm> algs = new Vector<>();
      algs.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
      algs.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa));
      return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign}, algs, null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
      verifyPeer(clientCertificate);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
      super.processClientExtensions(clientExtensions);
      UseSRTPData srtp = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
      if (srtp == null) {
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "client offered no use_srtp");
      }
      for (SrtpProfile p : config.srtpProfiles()) {
        for (int offered : srtp.getProtectionProfiles()) {
          if (offered == p.id()) {
            negotiatedProfile = p;
            return;
          }
        }
      }
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP profile");
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getServerExtensions() throws IOException {
      Hashtable ext = TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
      TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {negotiatedProfile.id()}, new byte[0]));
      return ext;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      export(context);
      deriveKeyBlock(context);
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
      if (description == AlertDescription.close_notify) {
        peerClosed = true;
      }
    }
  }
}
