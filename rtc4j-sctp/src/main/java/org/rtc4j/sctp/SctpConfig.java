package org.rtc4j.sctp;

import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of one {@link SctpAssociation}. Immutable; build with {@link #builder()}.
 *
 * @param localPort SCTP source port (the local {@code a=sctp-port}, 5000 by default)
 * @param remotePort SCTP destination port (the remote {@code a=sctp-port})
 * @param mtu largest SCTP packet handed to DTLS, in bytes (1200: safe for any path with DTLS,
 *     UDP and IPv6 overhead)
 * @param maxMessageSize largest message this side accepts (the local {@code a=max-message-size});
 *     larger incoming messages abort the association as a protocol violation
 * @param remoteMaxMessageSize largest message the peer accepts (its {@code a=max-message-size},
 *     RFC 8841; 65536 when it sends none); {@code send} refuses larger messages
 * @param receiveBufferSize bytes this side buffers for reassembly and undelivered messages; the
 *     advertised a_rwnd is this minus what is buffered. Raised to at least maxMessageSize + 64 KiB
 *     (at most to 64 MiB + 64 KiB) so that one maximal message always fits: messages are delivered
 *     whole, so a message larger than this buffer can never be received
 * @param outboundStreams number of outbound streams requested in INIT
 * @param inboundStreams maximum inbound streams accepted in INIT
 * @param cookieSecret HMAC-SHA256 key for state cookies; null: 32 bytes from the association's
 *     random generator
 * @param cookieLifetime how long a state cookie is valid (RFC 9260 Valid.Cookie.Life, 60 s)
 * @param rtoInitial RTO before the first RTT measurement (RFC 9260: 1 s)
 * @param rtoMin lower bound of the RTO (RFC 9260 says 1 s; 200 ms is common for WebRTC)
 * @param rtoMax upper bound of the RTO after back-off
 * @param maxInitRetransmits INIT/COOKIE-ECHO retransmissions before the handshake fails
 * @param maxAssociationRetransmits consecutive timeouts without progress before the association
 *     fails (Association.Max.Retrans)
 * @param heartbeatInterval idle time between HEARTBEATs
 * @param delayedAckTime upper bound of the delayed SACK timer (RFC 9260: 200 ms)
 * @param maxCwnd ceiling of the congestion window (default 1 MiB: enough for loopback at full
 *     speed, while a bigger burst overflows the receiver's UDP socket buffer and costs a T3 timeout)
 * @param verifyChecksum false only in fuzz tests, so mutated packets reach the chunk parsers
 */
public record SctpConfig(int localPort, int remotePort, int mtu, long maxMessageSize, long remoteMaxMessageSize,
    int receiveBufferSize, int outboundStreams, int inboundStreams, byte[] cookieSecret, Duration cookieLifetime,
    Duration rtoInitial, Duration rtoMin, Duration rtoMax, int maxInitRetransmits, int maxAssociationRetransmits,
    Duration heartbeatInterval, Duration delayedAckTime, int maxCwnd, boolean verifyChecksum) {

  public static final int DEFAULT_PORT = 5000;
  public static final int DEFAULT_MTU = 1200;
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;
  public static final int DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;
  /** Upper bound of the automatic receive-buffer raise for large max message sizes. */
  public static final long MAX_AUTO_RECEIVE_BUFFER = 64L * 1024 * 1024 + 64 * 1024;

  public SctpConfig {
    if (localPort < 1 || localPort > 65535 || remotePort < 1 || remotePort > 65535) {
      throw new IllegalArgumentException("ports must be 1..65535");
    }
    if (mtu < 256 || mtu > 65535) {
      throw new IllegalArgumentException("mtu must be 256..65535, was " + mtu);
    }
    if (maxMessageSize < 1 || remoteMaxMessageSize < 0) {
      throw new IllegalArgumentException("message sizes must be positive");
    }
    if (outboundStreams < 1 || outboundStreams > 65535 || inboundStreams < 1 || inboundStreams > 65535) {
      throw new IllegalArgumentException("stream counts must be 1..65535");
    }
    Objects.requireNonNull(cookieLifetime, "cookieLifetime");
    Objects.requireNonNull(rtoInitial, "rtoInitial");
    Objects.requireNonNull(rtoMin, "rtoMin");
    Objects.requireNonNull(rtoMax, "rtoMax");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(delayedAckTime, "delayedAckTime");
    // One maximal message must fit (no partial delivery), but an "unlimited" max message size
    // must not turn into an unbounded window: the automatic raise stops at 64 MiB.
    long minBuffer = Math.min(MAX_AUTO_RECEIVE_BUFFER, maxMessageSize + 64 * 1024);
    receiveBufferSize = (int) Math.max(Math.max(receiveBufferSize, 64 * 1024), minBuffer);
    cookieSecret = cookieSecret == null ? null : cookieSecret.clone();
    if (maxCwnd < 4 * mtu) {
      throw new IllegalArgumentException("maxCwnd must be at least 4 * mtu");
    }
  }

  @Override
  public byte[] cookieSecret() {
    return cookieSecret == null ? null : cookieSecret.clone();
  }

  /** The defaults: port 5000 both sides, MTU 1200, 256 KiB messages, 4 MiB receive buffer. */
  public static SctpConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.localPort = localPort;
    b.remotePort = remotePort;
    b.mtu = mtu;
    b.maxMessageSize = maxMessageSize;
    b.remoteMaxMessageSize = remoteMaxMessageSize;
    b.receiveBufferSize = receiveBufferSize;
    b.outboundStreams = outboundStreams;
    b.inboundStreams = inboundStreams;
    b.cookieSecret = cookieSecret;
    b.cookieLifetime = cookieLifetime;
    b.rtoInitial = rtoInitial;
    b.rtoMin = rtoMin;
    b.rtoMax = rtoMax;
    b.maxInitRetransmits = maxInitRetransmits;
    b.maxAssociationRetransmits = maxAssociationRetransmits;
    b.heartbeatInterval = heartbeatInterval;
    b.delayedAckTime = delayedAckTime;
    b.maxCwnd = maxCwnd;
    b.verifyChecksum = verifyChecksum;
    return b;
  }

  /** Builder for {@link SctpConfig}. */
  public static final class Builder {
    private int localPort = DEFAULT_PORT;
    private int remotePort = DEFAULT_PORT;
    private int mtu = DEFAULT_MTU;
    private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private long remoteMaxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private int receiveBufferSize = DEFAULT_RECEIVE_BUFFER;
    private int outboundStreams = 65535;
    private int inboundStreams = 65535;
    private byte[] cookieSecret;
    private Duration cookieLifetime = Duration.ofSeconds(60);
    private Duration rtoInitial = Duration.ofSeconds(1);
    private Duration rtoMin = Duration.ofMillis(200);
    private Duration rtoMax = Duration.ofSeconds(10);
    private int maxInitRetransmits = 8;
    private int maxAssociationRetransmits = 10;
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private Duration delayedAckTime = Duration.ofMillis(200);
    private int maxCwnd = 1024 * 1024;
    private boolean verifyChecksum = true;

    private Builder() {}

    public Builder localPort(int v) { localPort = v; return this; }
    public Builder remotePort(int v) { remotePort = v; return this; }
    public Builder mtu(int v) { mtu = v; return this; }
    public Builder maxMessageSize(long v) { maxMessageSize = v; return this; }
    public Builder remoteMaxMessageSize(long v) { remoteMaxMessageSize = v; return this; }
    public Builder receiveBufferSize(int v) { receiveBufferSize = v; return this; }
    public Builder outboundStreams(int v) { outboundStreams = v; return this; }
    public Builder inboundStreams(int v) { inboundStreams = v; return this; }
    public Builder cookieSecret(byte[] v) { cookieSecret = v == null ? null : v.clone(); return this; }
    public Builder cookieLifetime(Duration v) { cookieLifetime = v; return this; }
    public Builder rtoInitial(Duration v) { rtoInitial = v; return this; }
    public Builder rtoMin(Duration v) { rtoMin = v; return this; }
    public Builder rtoMax(Duration v) { rtoMax = v; return this; }
    public Builder maxInitRetransmits(int v) { maxInitRetransmits = v; return this; }
    public Builder maxAssociationRetransmits(int v) { maxAssociationRetransmits = v; return this; }
    public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
    public Builder delayedAckTime(Duration v) { delayedAckTime = v; return this; }
    public Builder maxCwnd(int v) { maxCwnd = v; return this; }
    /** Test-only: false skips the CRC32c check so a fuzzer reaches the chunk parsers. */
    public Builder verifyChecksum(boolean v) { verifyChecksum = v; return this; }

    public SctpConfig build() {
      return new SctpConfig(localPort, remotePort, mtu, maxMessageSize, remoteMaxMessageSize, receiveBufferSize,
          outboundStreams, inboundStreams, cookieSecret, cookieLifetime, rtoInitial, rtoMin, rtoMax,
          maxInitRetransmits, maxAssociationRetransmits, heartbeatInterval, delayedAckTime, maxCwnd, verifyChecksum);
    }
  }
}
