package org.rtc4j.webrtc;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.rtc4j.dtls.DtlsCertificate;

/**
 * W3C {@code RTCConfiguration} plus the few rtc4j options a Java process needs, built with
 * {@link #builder()}. Immutable.
 *
 * <pre>{@code
 * RtcConfiguration cfg = RtcConfiguration.builder()
 *     .iceServer(RtcIceServer.of("stun:stun.example.org"))
 *     .iceServer(RtcIceServer.of("turn:turn.example.org?transport=tcp", "alice", "secret"))
 *     .iceTransportPolicy(RtcIceTransportPolicy.RELAY)
 *     .build();
 * }</pre>
 *
 * @param iceServers STUN and TURN servers (W3C {@code iceServers})
 * @param iceTransportPolicy {@code all} or {@code relay} (only relayed candidates are used)
 * @param bundlePolicy accepted for compatibility; rtc4j always uses one bundled transport
 * @param certificates the DTLS identity to use (the first one); empty = a fresh ECDSA P-256
 *     certificate per connection (RFC 8827 §6.5)
 * @param hostAddresses rtc4j option: the local addresses to bind one UDP socket on each; empty =
 *     every usable interface address (IPv4 and IPv6, no link-local), loopback only when
 *     {@code includeLoopback} or when nothing else exists
 * @param includeLoopback rtc4j option: also bind loopback addresses when enumerating interfaces
 * @param maxMessageSize rtc4j option: the largest data-channel message this side accepts,
 *     advertised as {@code a=max-message-size} (RFC 8841 §6); default 256 KiB (as Chromium),
 *     1..64 MiB; set 16 MiB on both rtc4j peers for 16 MiB messages
 * @param tlsContext rtc4j option: the SSLContext for {@code turns:} connections; null = the JDK default
 * @param iceDisconnectedTimeout rtc4j option: no response for this long → ICE disconnected (default 5 s)
 * @param iceFailedTimeout rtc4j option: consent lost this long → ICE failed (default 30 s, RFC 7675)
 * @param mdns rtc4j option: resolve remote {@code .local} candidates with mDNS (default true); with
 *     explicit {@code hostAddresses} the queries stay on those addresses' interfaces
 */
public record RtcConfiguration(
    List<RtcIceServer> iceServers,
    RtcIceTransportPolicy iceTransportPolicy,
    RtcBundlePolicy bundlePolicy,
    List<DtlsCertificate> certificates,
    List<InetAddress> hostAddresses,
    boolean includeLoopback,
    long maxMessageSize,
    SSLContext tlsContext,
    Duration iceDisconnectedTimeout,
    Duration iceFailedTimeout,
    boolean mdns) {

  /** The default {@code a=max-message-size}: what Chromium advertises. */
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;
  /** The largest {@code maxMessageSize} accepted: 64 MiB (the receive buffer grows to hold one message). */
  public static final long MAX_MAX_MESSAGE_SIZE = 64L * 1024 * 1024;

  public RtcConfiguration {
    iceServers = List.copyOf(iceServers);
    Objects.requireNonNull(iceTransportPolicy, "iceTransportPolicy");
    Objects.requireNonNull(bundlePolicy, "bundlePolicy");
    certificates = List.copyOf(certificates);
    hostAddresses = List.copyOf(hostAddresses);
    if (maxMessageSize < 1 || maxMessageSize > MAX_MAX_MESSAGE_SIZE) {
      // A concrete limit: SCTP reassembles whole messages, so "unlimited" cannot be honoured (RFC 8841 §6).
      throw new TypeException("maxMessageSize must be 1.." + MAX_MAX_MESSAGE_SIZE + ": " + maxMessageSize);
    }
    Objects.requireNonNull(iceDisconnectedTimeout, "iceDisconnectedTimeout");
    Objects.requireNonNull(iceFailedTimeout, "iceFailedTimeout");
  }

  /** The defaults: no servers, policy all, max-bundle, a generated certificate, every interface. */
  public static RtcConfiguration defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.iceServers.addAll(iceServers);
    b.iceTransportPolicy = iceTransportPolicy;
    b.bundlePolicy = bundlePolicy;
    b.certificates.addAll(certificates);
    b.hostAddresses.addAll(hostAddresses);
    b.includeLoopback = includeLoopback;
    b.maxMessageSize = maxMessageSize;
    b.tlsContext = tlsContext;
    b.iceDisconnectedTimeout = iceDisconnectedTimeout;
    b.iceFailedTimeout = iceFailedTimeout;
    b.mdns = mdns;
    return b;
  }

  @Override
  public String toString() {
    return "RtcConfiguration[iceServers=" + iceServers + ", iceTransportPolicy=" + iceTransportPolicy
        + ", bundlePolicy=" + bundlePolicy + ", certificates=" + certificates.size() + ", hostAddresses="
        + hostAddresses + ", includeLoopback=" + includeLoopback + ", maxMessageSize=" + maxMessageSize + "]";
  }

  /** Builder for {@link RtcConfiguration}. */
  public static final class Builder {
    private final List<RtcIceServer> iceServers = new ArrayList<>();
    private RtcIceTransportPolicy iceTransportPolicy = RtcIceTransportPolicy.ALL;
    private RtcBundlePolicy bundlePolicy = RtcBundlePolicy.MAX_BUNDLE;
    private final List<DtlsCertificate> certificates = new ArrayList<>();
    private final List<InetAddress> hostAddresses = new ArrayList<>();
    private boolean includeLoopback;
    private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private SSLContext tlsContext;
    private Duration iceDisconnectedTimeout = Duration.ofSeconds(5);
    private Duration iceFailedTimeout = Duration.ofSeconds(30);
    private boolean mdns = true;

    private Builder() {}

    /** Whether remote {@code .local} candidates are resolved with mDNS (default true). */
    public Builder mdns(boolean enabled) {
      this.mdns = enabled;
      return this;
    }

    /** Adds one ICE server. */
    public Builder iceServer(RtcIceServer server) {
      iceServers.add(Objects.requireNonNull(server));
      return this;
    }

    /** Replaces the ICE servers. */
    public Builder iceServers(List<RtcIceServer> servers) {
      iceServers.clear();
      iceServers.addAll(servers);
      return this;
    }

    /** {@code all} (default) or {@code relay}: use only TURN-relayed candidates. */
    public Builder iceTransportPolicy(RtcIceTransportPolicy policy) {
      this.iceTransportPolicy = policy;
      return this;
    }

    /** Accepted for compatibility; rtc4j always bundles. */
    public Builder bundlePolicy(RtcBundlePolicy policy) {
      this.bundlePolicy = policy;
      return this;
    }

    /** The DTLS certificate to use (W3C {@code certificates}; only the first is used). */
    public Builder certificate(DtlsCertificate certificate) {
      certificates.add(Objects.requireNonNull(certificate));
      return this;
    }

    /** Binds exactly these local addresses (e.g. {@code 127.0.0.1} in tests) instead of enumerating interfaces. */
    public Builder hostAddresses(List<InetAddress> addresses) {
      hostAddresses.clear();
      hostAddresses.addAll(addresses);
      return this;
    }

    /** Binds exactly these local addresses. */
    public Builder hostAddress(InetAddress... addresses) {
      return hostAddresses(List.of(addresses));
    }

    /** Also binds loopback addresses when enumerating interfaces. */
    public Builder includeLoopback(boolean include) {
      this.includeLoopback = include;
      return this;
    }

    /** The largest message this side accepts, advertised as {@code a=max-message-size} (1..64 MiB). */
    public Builder maxMessageSize(long bytes) {
      this.maxMessageSize = bytes;
      return this;
    }

    /** The SSLContext for {@code turns:} servers (e.g. one trusting a private CA); null = the JDK default. */
    public Builder tlsContext(SSLContext context) {
      this.tlsContext = context;
      return this;
    }

    /** ICE reports disconnected after this long without a response (default 5 s). */
    public Builder iceDisconnectedTimeout(Duration timeout) {
      this.iceDisconnectedTimeout = timeout;
      return this;
    }

    /** ICE fails after this long without consent (default 30 s, RFC 7675). */
    public Builder iceFailedTimeout(Duration timeout) {
      this.iceFailedTimeout = timeout;
      return this;
    }

    /** The configuration. */
    public RtcConfiguration build() {
      return new RtcConfiguration(iceServers, iceTransportPolicy, bundlePolicy, certificates, hostAddresses,
          includeLoopback, maxMessageSize, tlsContext, iceDisconnectedTimeout, iceFailedTimeout, mdns);
    }
  }
}
