package org.rtc4j.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.rtc4j.turn.server.IpRange;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.netty.TurnServerOptions;

/**
 * The validated result of {@link TurnOptions}: the TURN protocol configuration, the listener
 * options, and what the command line needs to report (metrics address, whether the REST secret
 * must be generated). Pure: reading the secret file is its only I/O.
 *
 * @param config protocol configuration, with the REST secret when one was given
 * @param listeners socket options
 * @param metricsAddress where to serve /metrics, if enabled
 * @param generateSecret no user and no secret were configured: the caller generates a REST secret
 * @param secretProvided a REST secret was configured by the operator
 * @param stateDir where generated files go
 * @param verbose debug logging
 */
public record TurnSettings(
    TurnServerConfig config,
    TurnServerOptions listeners,
    Optional<java.net.InetSocketAddress> metricsAddress,
    boolean generateSecret,
    boolean secretProvided,
    Path stateDir,
    boolean verbose) {

  /**
   * Validates and converts parsed options.
   *
   * @param authSecretOverride a generated secret to use when {@code generateSecret} would be true,
   *     or null to only report that one is needed
   * @throws IllegalArgumentException naming the option at fault
   */
  public static TurnSettings from(TurnOptions o, String authSecretOverride) throws IOException {
    TurnServerConfig.Builder cfg = TurnServerConfig.builder();
    cfg.realm(o.realm);
    for (String u : o.users) {
      int colon = u.indexOf(':');
      if (colon <= 0 || colon == u.length() - 1) {
        throw new IllegalArgumentException("--user must be USER:PASSWORD (both non-empty), got '"
            + (colon > 0 ? u.substring(0, colon) + ":..." : "...") + "'");
      }
      cfg.user(u.substring(0, colon), u.substring(colon + 1));
    }
    String secret = o.staticAuthSecret;
    if (secret != null && o.staticAuthSecretFile != null) {
      throw new IllegalArgumentException("give --static-auth-secret or --static-auth-secret-file, not both");
    }
    if (o.staticAuthSecretFile != null) {
      secret = readSecret(o.staticAuthSecretFile);
    }
    if (secret != null && secret.isEmpty()) {
      throw new IllegalArgumentException("the static auth secret is empty");
    }
    boolean provided = secret != null;
    boolean generate = secret == null && (o.useAuthSecret || o.users.isEmpty());
    if (generate && authSecretOverride != null) {
      secret = authSecretOverride;
    }
    cfg.authSecret(secret);

    PeerAddressPolicy.Builder policy = PeerAddressPolicy.builder().allowLoopback(o.allowLoopbackPeers);
    for (String r : o.allowedPeerIps) {
      policy.allow(range("--allowed-peer-ip", r));
    }
    for (String r : o.deniedPeerIps) {
      policy.deny(range("--denied-peer-ip", r));
    }
    cfg.peerPolicy(policy.build());
    cfg.userQuota(nonNegative("--user-quota", o.userQuota));
    cfg.totalQuota(nonNegative("--total-quota", o.totalQuota));
    if (o.maxBps < 0) {
      throw new IllegalArgumentException("--max-bps must be >= 0");
    }
    cfg.maxBps(o.maxBps);
    if (o.bpsCapacity < 0) {
      throw new IllegalArgumentException("--bps-capacity must be >= 0");
    }
    cfg.bpsCapacity(o.bpsCapacity);
    cfg.legacyChannelRange(o.legacyChannelRange);
    cfg.unauthenticatedRateLimit(nonNegative("--unauthenticated-rate-limit", o.unauthenticatedRateLimit));
    cfg.secureStun(o.secureStun);
    if (o.maxAllocateLifetime < 600) {
      throw new IllegalArgumentException("--max-allocate-lifetime must be >= 600 (the RFC 8656 default lifetime)");
    }
    cfg.maxLifetimeSeconds(o.maxAllocateLifetime);
    if (o.staleNonce <= 0) {
      throw new IllegalArgumentException("--stale-nonce must be > 0");
    }
    cfg.nonceLifetimeSeconds(o.staleNonce);
    if (o.permissionLifetime <= 0 || o.channelLifetime <= 0) {
      throw new IllegalArgumentException("--permission-lifetime and --channel-lifetime must be > 0");
    }
    cfg.permissionLifetimeSeconds(o.permissionLifetime);
    cfg.channelLifetimeSeconds(o.channelLifetime);

    TurnServerOptions.Builder net = TurnServerOptions.builder();
    for (String ip : o.listeningIps) {
      net.listeningIp(ip("--listening-ip", ip));
    }
    for (String ip : o.relayIps) {
      InetAddress a = ip("--relay-ip", ip);
      if (a.isAnyLocalAddress()) {
        throw new IllegalArgumentException("--relay-ip must be a concrete address, not " + ip);
      }
      net.relayIp(a);
    }
    for (String x : o.externalIps) {
      int slash = x.indexOf('/');
      InetAddress pub = ip("--external-ip", slash < 0 ? x : x.substring(0, slash));
      InetAddress priv = slash < 0 ? null : ip("--external-ip", x.substring(slash + 1));
      net.externalIp(pub, priv);
    }
    net.listeningPort(o.listeningPort).tlsListeningPort(o.tlsListeningPort).portRange(o.minPort, o.maxPort);
    net.udp(!o.noUdp).tcp(!o.noTcp).tls(!o.noTls);
    if ((o.cert == null) != (o.pkey == null)) {
      throw new IllegalArgumentException("TLS needs both --cert and --pkey");
    }
    if (o.cert != null) {
      requireReadable("--cert", o.cert);
      requireReadable("--pkey", o.pkey);
      net.certificate(o.cert, o.pkey);
    }
    if (o.relayThreads != null) {
      net.eventLoops(o.relayThreads);
    }
    TurnServerOptions listeners = net.build();

    Optional<java.net.InetSocketAddress> metrics = Optional.empty();
    Integer metricsPort = o.metricsPort != null ? o.metricsPort : o.prometheus ? Integer.valueOf(9641) : null;
    if (metricsPort != null && metricsPort != 0) {
      if (metricsPort < 0 || metricsPort > 65535) {
        throw new IllegalArgumentException("--metrics-port must be in 1..65535");
      }
      InetAddress mip = o.metricsIp != null ? ip("--metrics-ip", o.metricsIp) : listeners.listeningIps().get(0);
      metrics = Optional.of(new java.net.InetSocketAddress(mip, metricsPort));
    }
    Path stateDir = o.stateDir != null ? o.stateDir : Path.of(System.getProperty("user.home"), ".rtc4j");
    return new TurnSettings(cfg.build(), listeners, metrics, generate, provided, stateDir, o.verbose);
  }

  private static String readSecret(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return lines.isEmpty() ? "" : lines.get(0).strip();
  }

  private static void requireReadable(String option, Path p) {
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(option + ": cannot read " + p);
    }
  }

  private static int nonNegative(String option, int v) {
    if (v < 0) {
      throw new IllegalArgumentException(option + " must be >= 0");
    }
    return v;
  }

  private static IpRange range(String option, String text) {
    try {
      return IpRange.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  /** An IP literal (never a DNS lookup). */
  static InetAddress ip(String option, String text) {
    String t = text.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    boolean literal = t.indexOf(':') >= 0 || t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (!literal) {
      throw new IllegalArgumentException(option + ": not an IP address: " + text);
    }
    try {
      return InetAddress.getByName(t);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(option + ": not an IP address: " + text, e);
    }
  }
}
