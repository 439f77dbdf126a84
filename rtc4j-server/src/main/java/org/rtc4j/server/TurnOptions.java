package org.rtc4j.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The STUN/TURN options of {@code rtc4j turn} and {@code rtc4j serve}, named as coturn names them
 * so a coturn command line or {@code turnserver.conf} carries over. A picocli mixin: plain
 * mutable fields that picocli fills, read once by {@link TurnSettings#from}.
 */
public final class TurnOptions {

  @Option(names = {"-L", "--listening-ip"}, paramLabel = "IP",
      description = "Address to listen on (repeatable). Default: 0.0.0.0 (every IPv4 address).")
  List<String> listeningIps = new ArrayList<>();

  @Option(names = {"-p", "--listening-port"}, paramLabel = "PORT", defaultValue = "3478",
      description = "STUN/TURN port for UDP and TCP. Default: ${DEFAULT-VALUE}.")
  int listeningPort;

  @Option(names = "--tls-listening-port", paramLabel = "PORT", defaultValue = "5349",
      description = "TURN over TLS port (needs --cert and --pkey). Default: ${DEFAULT-VALUE}.")
  int tlsListeningPort;

  @Option(names = {"-E", "--relay-ip"}, paramLabel = "IP",
      description = "Address relay sockets bind to and advertise (repeatable, one per address family). "
          + "Default: the first listening IP, or the machine's first global address when listening on 0.0.0.0.")
  List<String> relayIps = new ArrayList<>();

  @Option(names = {"-X", "--external-ip"}, paramLabel = "PUBLIC[/PRIVATE]",
      description = "Behind a 1:1 NAT: advertise relay addresses as PUBLIC (repeatable; PUBLIC/PRIVATE maps one "
          + "relay IP). The NAT must keep port numbers.")
  List<String> externalIps = new ArrayList<>();

  @Option(names = "--min-port", paramLabel = "PORT", defaultValue = "49152",
      description = "Lowest relay port. Default: ${DEFAULT-VALUE}.")
  int minPort;

  @Option(names = "--max-port", paramLabel = "PORT", defaultValue = "65535",
      description = "Highest relay port. Default: ${DEFAULT-VALUE}.")
  int maxPort;

  @Option(names = {"-r", "--realm"}, paramLabel = "REALM", defaultValue = "rtc4j",
      description = "Realm of the long-term credentials. Default: ${DEFAULT-VALUE}.")
  String realm;

  @Option(names = {"-u", "--user"}, paramLabel = "USER:PASSWORD",
      description = "A static long-term user (repeatable). Prefer a --config file (mode 0600): "
          + "command lines are visible to other local users.")
  List<String> users = new ArrayList<>();

  @Option(names = "--use-auth-secret",
      description = "TURN REST API credentials (coturn's use-auth-secret): username \"expiry-unix-time[:user]\", "
          + "password base64(HMAC-SHA1(secret, username)). On by default when no --user is given.")
  boolean useAuthSecret;

  @Option(names = "--static-auth-secret", paramLabel = "SECRET",
      description = "Shared secret of the TURN REST API (implies --use-auth-secret). When no user and no secret "
          + "is configured, a random secret is generated at start and written to a 0600 file in --state-dir.")
  String staticAuthSecret;

  @Option(names = "--static-auth-secret-file", paramLabel = "FILE",
      description = "Read the TURN REST API secret from the first line of FILE (keeps it off the command line).")
  Path staticAuthSecretFile;

  @Option(names = "--allow-loopback-peers",
      description = "Allow relaying to loopback peers (127.0.0.0/8, ::1). Refused by default.")
  boolean allowLoopbackPeers;

  @Option(names = "--allowed-peer-ip", paramLabel = "IP|A-B|CIDR",
      description = "Peer addresses to allow even if the default policy refuses them (repeatable): "
          + "an address, a range a-b or a CIDR block.")
  List<String> allowedPeerIps = new ArrayList<>();

  @Option(names = "--denied-peer-ip", paramLabel = "IP|A-B|CIDR",
      description = "Peer addresses to refuse (repeatable), on top of the defaults (loopback, private, link-local, "
          + "CGNAT, ULA, multicast, unspecified and the server's own addresses).")
  List<String> deniedPeerIps = new ArrayList<>();

  @Option(names = "--user-quota", paramLabel = "N", defaultValue = "0",
      description = "Most allocations per user at a time (486 beyond). 0: unlimited. Default: ${DEFAULT-VALUE}.")
  int userQuota;

  @Option(names = "--total-quota", paramLabel = "N", defaultValue = "0",
      description = "Most allocations on the server at a time (486 beyond). 0: unlimited. Default: ${DEFAULT-VALUE}.")
  int totalQuota;

  @Option(names = "--max-bps", paramLabel = "BYTES", defaultValue = "0",
      description = "Bandwidth cap per allocation, bytes per second in each direction. 0: unlimited. "
          + "Default: ${DEFAULT-VALUE}.")
  long maxBps;

  @Option(names = "--bps-capacity", paramLabel = "BYTES", defaultValue = "0",
      description = "Total relay bandwidth the server grants, bytes per second: each allocation reserves --max-bps of it, "
          + "and Allocate beyond it gets 486. 0: unlimited. Default: ${DEFAULT-VALUE}.")
  long bpsCapacity;

  @Option(names = "--legacy-channel-range",
      description = "Accept RFC 5766 channel numbers 0x4000-0x7FFF (coturn's turnutils_uclient uses them) "
          + "instead of RFC 8656's 0x4000-0x4FFF.")
  boolean legacyChannelRange;

  @Option(names = "--unauthenticated-rate-limit", paramLabel = "N", defaultValue = "0",
      description = "Error responses per second answered to one source IP before it authenticates "
          + "(limits reflection, like coturn's 401 rate limit). 0: unlimited. Default: ${DEFAULT-VALUE}.")
  int unauthenticatedRateLimit;

  @Option(names = "--cert", paramLabel = "FILE",
      description = "PEM certificate chain for TURN over TLS.")
  Path cert;

  @Option(names = "--pkey", paramLabel = "FILE",
      description = "PEM private key (PKCS#8) for TURN over TLS.")
  Path pkey;

  @Option(names = "--no-udp", description = "Do not listen on UDP.")
  boolean noUdp;

  @Option(names = "--no-tcp", description = "Do not listen on TCP.")
  boolean noTcp;

  @Option(names = "--no-tls", description = "Do not listen on TLS even if --cert and --pkey are given.")
  boolean noTls;

  @Option(names = "--secure-stun",
      description = "Require authentication for STUN Binding requests too. Off by default.")
  boolean secureStun;

  @Option(names = "--max-allocate-lifetime", paramLabel = "SECONDS", defaultValue = "3600",
      description = "Longest allocation lifetime a client may request. Default: ${DEFAULT-VALUE}.")
  int maxAllocateLifetime;

  @Option(names = "--stale-nonce", paramLabel = "SECONDS", defaultValue = "600", arity = "0..1",
      fallbackValue = "600",
      description = "Nonce lifetime; older nonces get 438 Stale Nonce. Default: ${DEFAULT-VALUE}.")
  int staleNonce;

  @Option(names = "--permission-lifetime", paramLabel = "SECONDS", defaultValue = "300",
      description = "Permission lifetime (RFC 8656: 300). Default: ${DEFAULT-VALUE}.")
  int permissionLifetime;

  @Option(names = "--channel-lifetime", paramLabel = "SECONDS", defaultValue = "600",
      description = "Channel binding lifetime (RFC 8656: 600). Default: ${DEFAULT-VALUE}.")
  int channelLifetime;

  @Option(names = "--relay-threads", paramLabel = "N",
      description = "Event loops (each a single-threaded TURN shard). Default: the number of cores.")
  Integer relayThreads;

  @Option(names = {"--metrics-port", "--prometheus-port"}, paramLabel = "PORT",
      description = "Serve Prometheus metrics at http://<metrics-ip>:PORT/metrics (--prometheus-port is coturn's "
          + "name). Default: off.")
  Integer metricsPort;

  @Option(names = "--prometheus",
      description = "coturn's switch: serve metrics on port 9641 unless --metrics-port says otherwise.")
  boolean prometheus;

  @Option(names = "--metrics-ip", paramLabel = "IP",
      description = "Address of the metrics endpoint. Default: the first listening IP.")
  String metricsIp;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where rtc4j writes the generated TURN REST secret. Default: ~/.rtc4j.")
  Path stateDir;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Read options from FILE: one per line, coturn style \"key=value\" or a bare \"flag\", "
          + "\"#\" starts a comment line. Options given on the command line override the file.")
  Path config;

  @Option(names = {"-v", "--verbose"}, description = "Log at DEBUG level (secrets are never logged).")
  boolean verbose;

  @Option(names = {"-a", "--lt-cred-mech"},
      description = "Accepted for coturn compatibility: long-term credentials are always on.")
  boolean ltCredMech;

  @Option(names = {"-f", "--fingerprint"},
      description = "Accepted for coturn compatibility: responses always carry FINGERPRINT when the request did.")
  boolean fingerprint;
}
