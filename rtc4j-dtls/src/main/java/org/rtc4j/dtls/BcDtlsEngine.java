package org.rtc4j.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Hashtable;
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
  /** Handshake messages larger than this are refused before any buffer is sized from them. */
  static final int MAX_HANDSHAKE_MESSAGE = 64 * 1024;
  private static final int MAX_QUEUED_OUT = 512;

  /** Where the post-handshake record path runs; OWNER is the production choice, HANDSHAKE_THREAD exists to measure. */
  enum RecordPath { OWNER, HANDSHAKE_THREAD }

  private final DtlsConfig config;
  private final RecordPath recordPath;
  private final LinkedBlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>(MAX_QUEUED_DATAGRAMS);
  private final AtomicInteger inboundBytes = new AtomicInteger();
  private final Queue<Datagram> outbound = new ConcurrentLinkedQueue<>();
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
  private volatile Thread thread;
  private volatile boolean peerClosed;
  private long deadlineNanos = Long.MAX_VALUE;
  private byte[] recordBuffer;
  private boolean terminalReported;

  // Written on the handshake thread inside Bouncy Castle callbacks, read after connect/accept returns.
  private SrtpProfile negotiatedProfile;
  private byte[] keyingMaterial;
  private Fingerprint peerFingerprint;

  BcDtlsEngine(DtlsConfig config) {
    this(config, RecordPath.OWNER);
  }

  BcDtlsEngine(DtlsConfig config, RecordPath recordPath) {
    this.config = config;
    this.recordPath = recordPath;
  }

  @Override
  public void start(long nowNanos) {
    if (started) {
      throw new IllegalStateException("DtlsEngine already started");
    }
    started = true;
    deadlineNanos = nowNanos + config.handshakeTimeout().toNanos();
    Thread t = new Thread(this::runHandshake, "rtc4j-dtls-handshake-" + config.role().name().toLowerCase());
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  @Override
  public void handleReceive(long nowNanos, Datagram in) {
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
    byte[] bytes = in.bytes();
    inboundBytes.addAndGet(len);
    if (!inbound.offer(bytes)) {
      inboundBytes.addAndGet(-len);
      dropped.incrementAndGet();
      return;
    }
    if (dtls != null && recordPath == RecordPath.OWNER) {
      drainRecords();
    }
  }

  @Override
  public void handleTimeout(long nowNanos) {
    if (!ended && dtls == null && started && nowNanos - deadlineNanos >= 0) {
      fail("handshake did not complete within " + config.handshakeTimeout().toMillis() + " ms");
    }
  }

  @Override
  public Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(outbound.poll());
  }

  @Override
  public Optional<DtlsEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  @Override
  public long pollTimeout() {
    return ended || dtls != null || !started ? Long.MAX_VALUE : deadlineNanos;
  }

  @Override
  public void send(ByteBuffer appData) {
    DTLSTransport t = dtls;
    if (t == null || ended) {
      throw new IllegalStateException("DTLS is not connected");
    }
    int max = maxApplicationDataSize();
    if (appData.remaining() > max) {
      throw new IllegalArgumentException("application data of " + appData.remaining() + " bytes exceeds " + max);
    }
    byte[] bytes = new byte[appData.remaining()];
    appData.get(bytes);
    recordLock.lock();
    try {
      t.send(bytes, 0, bytes.length);
    } catch (IOException | RuntimeException e) {
      fail("send failed: " + describe(e));
    } finally {
      recordLock.unlock();
    }
  }

  @Override
  public int maxApplicationDataSize() {
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
  public boolean isConnected() {
    return dtls != null && !ended;
  }

  @Override
  public void close() {
    if (ended) {
      return;
    }
    DTLSTransport t = dtls;
    if (t != null) {
      recordLock.lock();
      try {
        t.close(); // queues close_notify
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
        events.add(new DtlsEvent.HandshakeComplete(negotiatedProfile, keyingMaterial, peerFingerprint,
            config.role() == DtlsRole.CLIENT));
        keyingMaterial = null;
        dtls = t;
        recordBuffer = new byte[Math.max(t.getReceiveLimit(), 1)];
        if (recordPath == RecordPath.OWNER) {
          // Records that arrived while the owner still saw us handshaking are ours to decrypt.
          drainRecordsLocked();
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
      if (!ended) {
        fail(describe(e));
      }
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
    DTLSTransport t = dtls;
    // One datagram holds at most a few dozen records; the bound makes a record layer that keeps
    // returning "nothing" (e.g. after close_notify) unable to spin the owner thread.
    for (int guard = 0; guard < 4 * MAX_QUEUED_DATAGRAMS && !ended; guard++) {
      int n;
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
        events.add(new DtlsEvent.ApplicationData(copy));
      } else if (inbound.isEmpty()) {
        break;
      }
    }
    if (peerClosed) {
      end(new DtlsEvent.Closed("close_notify received"));
    }
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
      events.add(terminal);
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
    TlsCertificate cert = crypto.createCertificate(config.certificate().der());
    return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
        config.certificate().privateKey(), new Certificate(new TlsCertificate[] {cert}),
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
    @Override
    public int getReceiveLimit() {
      return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
      return config.mtu();
    }

    /**
     * Records the handshake thread wrote since it last read: one flight. Bouncy Castle gives every
     * record its own datagram; packing a flight into as few MTU-sized datagrams as possible (RFC
     * 6347 §4.1.1 allows several records per datagram) means fewer datagrams that can be lost: a
     * client's Certificate..Finished flight shrinks from five datagrams to one or two, which is what
     * lets a handshake finish under heavy loss with Bouncy Castle's fixed 1 s doubling timer.
     * Touched by the handshake thread only.
     */
    private final byte[] pending = new byte[65536];
    private int pendingLength;

    void flush() {
      if (Thread.currentThread() != thread || pendingLength == 0) {
        return;
      }
      byte[] copy = new byte[pendingLength];
      System.arraycopy(pending, 0, copy, 0, pendingLength);
      pendingLength = 0;
      enqueue(copy);
      config.wakeup().run();
    }

    private void enqueue(byte[] datagram) {
      if (outbound.size() >= MAX_QUEUED_OUT) {
        dropped.incrementAndGet(); // the owner stopped polling; losing a datagram is what UDP does anyway
        return;
      }
      largestSent.accumulateAndGet(datagram.length, Math::max);
      outbound.add(Datagram.udp(config.local(), config.remote(), datagram));
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
      flush(); // about to wait for the peer: the flight is complete
      byte[] d = inbound.poll();
      if (d == null) {
        if (ended) {
          throw new InterruptedIOException("DTLS engine ended");
        }
        if (dtls != null && recordPath == RecordPath.OWNER) {
          throw drained;
        }
        try {
          d = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("DTLS engine closed");
        }
        if (d == null) {
          return -1;
        }
      }
      inboundBytes.addAndGet(-d.length);
      int n = Math.min(len, d.length);
      System.arraycopy(d, 0, buf, off, n);
      return d.length; // larger than len makes Bouncy Castle drop it, as an oversized datagram should be
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
      if (Thread.currentThread() == thread) {
        if (pendingLength > 0 && pendingLength + len > config.mtu()) {
          flush();
        }
        if (len <= config.mtu() && len <= pending.length) {
          System.arraycopy(buf, off, pending, pendingLength, len);
          pendingLength += len;
          return;
        }
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
      return CIPHER_SUITES.clone();
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
      TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(offeredProfileIds(), new byte[0]));
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
      return CIPHER_SUITES.clone();
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
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
      if (description == AlertDescription.close_notify) {
        peerClosed = true;
      }
    }
  }
}
