package org.rtc4j.dtls;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link DtlsEngine} needs, built with {@link #builder(DtlsRole, DtlsCertificate)}.
 *
 * @param role client or server, from {@code a=setup}
 * @param certificate the local identity
 * @param remoteFingerprints the peer's {@code a=fingerprint} values; the peer certificate must match one
 * @param local the local address put in {@link org.rtc4j.net.Datagram#source()} of transmitted datagrams
 * @param remote the only address accepted as the peer (trust-tests SC-6); others are dropped
 * @param mtu the largest datagram payload sent (default 1200, trust-tests FT-14)
 * @param handshakeTimeout the whole-handshake deadline (default 30 s, trust-tests FT-1)
 * @param srtpProfiles offered/accepted SRTP profiles in preference order
 * @param random the randomness for the handshake
 * @param wakeup called on the handshake thread when a datagram or event was queued; must not block
 * @param retransmitInitial the first handshake retransmission timeout on the owner clock (default
 *     100 ms; RFC 6347 §4.2.4.1 suggests 1 s, WebRTC stacks start lower: a lost flight of a
 *     real-time call should not cost a second)
 * @param retransmitMax the cap of the doubling retransmission timeout (default 1 s: under heavy loss a
 *     handshake keeps trying every second instead of backing off to 60 s, trust-tests FT-1; see
 *     docs/ARCHITECTURE.md for the measurement behind both values)
 */
public record DtlsConfig(
    DtlsRole role,
    DtlsCertificate certificate,
    List<Fingerprint> remoteFingerprints,
    InetSocketAddress local,
    InetSocketAddress remote,
    int mtu,
    Duration handshakeTimeout,
    List<SrtpProfile> srtpProfiles,
    SecureRandom random,
    Runnable wakeup,
    Duration retransmitInitial,
    Duration retransmitMax) {

  /** Default first retransmission timeout. */
  public static final Duration DEFAULT_RETRANSMIT_INITIAL = Duration.ofMillis(100);
  /** Default retransmission timeout cap. */
  public static final Duration DEFAULT_RETRANSMIT_MAX = Duration.ofSeconds(1);

  /** Smallest MTU accepted: IPv4's minimum reassembly size less IP/UDP headers, rounded down. */
  public static final int MIN_MTU = 512;

  public DtlsConfig {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(certificate, "certificate");
    remoteFingerprints = List.copyOf(remoteFingerprints);
    if (remoteFingerprints.isEmpty()) {
      // RFC 8122 / SC-1: without an expected fingerprint there is nothing to authenticate against.
      throw new IllegalArgumentException("a remote fingerprint is required");
    }
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(remote, "remote");
    if (mtu < MIN_MTU || mtu > 65507) {
      throw new IllegalArgumentException("mtu out of range " + MIN_MTU + "..65507: " + mtu);
    }
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    srtpProfiles = List.copyOf(srtpProfiles);
    if (srtpProfiles.isEmpty()) {
      throw new IllegalArgumentException("at least one SRTP profile is required");
    }
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(wakeup, "wakeup");
    Objects.requireNonNull(retransmitInitial, "retransmitInitial");
    Objects.requireNonNull(retransmitMax, "retransmitMax");
    if (retransmitInitial.toMillis() < 10 || retransmitMax.compareTo(retransmitInitial) < 0) {
      throw new IllegalArgumentException("retransmit timeouts must satisfy 10 ms <= initial <= max: "
          + retransmitInitial + ", " + retransmitMax);
    }
  }

  /** The configuration without explicit retransmission timeouts (the defaults), as before they existed. */
  public DtlsConfig(DtlsRole role, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints,
      InetSocketAddress local, InetSocketAddress remote, int mtu, Duration handshakeTimeout,
      List<SrtpProfile> srtpProfiles, SecureRandom random, Runnable wakeup) {
    this(role, certificate, remoteFingerprints, local, remote, mtu, handshakeTimeout, srtpProfiles, random, wakeup,
        DEFAULT_RETRANSMIT_INITIAL, DEFAULT_RETRANSMIT_MAX);
  }

  /** A builder with the defaults above. */
  public static Builder builder(DtlsRole role, DtlsCertificate certificate) {
    return new Builder(role, certificate);
  }

  /** Builder for {@link DtlsConfig}. */
  public static final class Builder {
    private final DtlsRole role;
    private final DtlsCertificate certificate;
    private List<Fingerprint> remoteFingerprints = List.of();
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private int mtu = 1200;
    private Duration handshakeTimeout = Duration.ofSeconds(30);
    private List<SrtpProfile> srtpProfiles = List.of(
        SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AEAD_AES_256_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80);
    private SecureRandom random;
    private Runnable wakeup = () -> { };
    private Duration retransmitInitial = DEFAULT_RETRANSMIT_INITIAL;
    private Duration retransmitMax = DEFAULT_RETRANSMIT_MAX;

    private Builder(DtlsRole role, DtlsCertificate certificate) {
      this.role = role;
      this.certificate = certificate;
    }

    public Builder remoteFingerprint(Fingerprint... fingerprints) {
      this.remoteFingerprints = List.of(fingerprints);
      return this;
    }

    public Builder addresses(InetSocketAddress local, InetSocketAddress remote) {
      this.local = local;
      this.remote = remote;
      return this;
    }

    public Builder mtu(int mtu) {
      this.mtu = mtu;
      return this;
    }

    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = timeout;
      return this;
    }

    public Builder srtpProfiles(SrtpProfile... profiles) {
      this.srtpProfiles = List.of(profiles);
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    public Builder wakeup(Runnable wakeup) {
      this.wakeup = wakeup;
      return this;
    }

    /**
     * The handshake retransmission timer: first timeout {@code initial}, doubling up to {@code max}.
     * A caller that knows the path's round-trip time (ICE measured it) may start at about 2×RTT.
     */
    public Builder retransmitTimeouts(Duration initial, Duration max) {
      this.retransmitInitial = initial;
      this.retransmitMax = max;
      return this;
    }

    public DtlsConfig build() {
      return new DtlsConfig(role, certificate, remoteFingerprints, local, remote, mtu, handshakeTimeout, srtpProfiles,
          random != null ? random : new SecureRandom(), wakeup, retransmitInitial, retransmitMax);
    }
  }
}
