package org.rtc4j.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.Tenant;
import picocli.CommandLine.Option;

/**
 * The options of {@code rtc4j signaling}, named as peerjs-server's {@code peerjs} command names them
 * ({@code --port}, {@code --path}, {@code --key}, {@code --expire_timeout}, {@code --alive_timeout},
 * {@code --concurrent_limit}, {@code --allow_discovery}, {@code --proxied}, {@code --sslkey},
 * {@code --sslcert}, {@code --host}, {@code --cors}, with the same short aliases and the same
 * {@code PORT}/{@code PEERSERVER_PATH} environment defaults), plus rtc4j's own limits. They take
 * the forms peerjs-server's yargs takes: booleans as {@code --x}, {@code --x true|false},
 * {@code --x=false} or {@code --no-x}; {@code --cors A B} as well as repeated. No camelCase aliases
 * ({@code --expireTimeout}): yargs only camel-cases hyphenated names, so peerjs-server ignores those
 * spellings, and here they are an error rather than silently without effect.
 */
final class SignalingOptions {

  @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "${env:PORT:-9000}",
      description = "Port (default: $PORT, else ${DEFAULT-VALUE}).")
  int port;

  @Option(names = {"-H", "--host"}, paramLabel = "HOST", defaultValue = "0.0.0.0",
      description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--path", paramLabel = "PATH", defaultValue = "${env:PEERSERVER_PATH:-/}",
      description = "Mount path: ids at {path}{key}/id, the socket at {path}peerjs. Default: ${DEFAULT-VALUE}.")
  String path;

  @Option(names = {"-k", "--key"}, paramLabel = "KEY", defaultValue = "peerjs",
      description = "Connection key clients must give. Default: ${DEFAULT-VALUE}.")
  String key;

  @Option(names = {"-t", "--expire_timeout"}, paramLabel = "MS", defaultValue = "5000",
      description = "How long a message for an id that is not connected waits before EXPIRE (ms). Default: ${DEFAULT-VALUE}.")
  long expireTimeout;

  @Option(names = "--alive_timeout", paramLabel = "MS", defaultValue = "60000",
      description = "A client with no HEARTBEAT for this long is disconnected (ms). Default: ${DEFAULT-VALUE}.")
  long aliveTimeout;

  @Option(names = {"-c", "--concurrent_limit"}, paramLabel = "N", defaultValue = "5000",
      description = "Most clients connected at a time (per key). Default: ${DEFAULT-VALUE}.")
  int concurrentLimit;

  // The booleans read as yargs reads peerjs-server's: "--x", "--x true|false", "--x=false", "--no-x".
  @Option(names = "--allow_discovery", arity = "0..1", fallbackValue = "true", negatable = true,
      paramLabel = "true|false",
      description = "Let GET {path}{key}/peers list connected ids.")
  boolean allowDiscovery;

  @Option(names = "--proxied", arity = "0..1", fallbackValue = "true", negatable = true,
      paramLabel = "true|false",
      description = "Behind a reverse proxy: take client addresses from X-Forwarded-For.")
  boolean proxied;

  @Option(names = "--sslkey", paramLabel = "FILE", description = "PEM private key (PKCS#8): serve HTTPS/WSS.")
  Path sslKey;

  @Option(names = "--sslcert", paramLabel = "FILE", description = "PEM certificate chain: serve HTTPS/WSS.")
  Path sslCert;

  // arity 1..*: a yargs array, so "--cors A B" as well as "--cors A --cors B"
  @Option(names = "--cors", paramLabel = "ORIGIN", arity = "1..*",
      description = "Allowed browser origins (several after one flag, or repeated); HTTP and WebSocket upgrades "
          + "from other origins get 403. Default: any origin.")
  List<String> cors = new ArrayList<>();

  @Option(names = "--tenant", paramLabel = "KEY[:LIMIT]",
      description = "Serve one more key with its own id namespace and concurrent limit (repeatable).")
  List<String> tenants = new ArrayList<>();

  @Option(names = "--rate-limit", paramLabel = "PER_SECOND", defaultValue = "100",
      description = "Frames one client may send per second; a faster client is cut off. Default: ${DEFAULT-VALUE}.")
  int rateLimit;

  @Option(names = "--rate-burst", paramLabel = "N", defaultValue = "500",
      description = "Frames a client may send at once before --rate-limit applies. Default: ${DEFAULT-VALUE}.")
  int rateBurst;

  @Option(names = "--max-message-size", paramLabel = "BYTES", defaultValue = "65536",
      description = "Largest WebSocket message; a bigger one closes the socket (1009). Default: ${DEFAULT-VALUE}.")
  int maxMessageSize;

  @Option(names = "--max-queued", paramLabel = "PER_DST,PER_SENDER,TOTAL", defaultValue = "256,1024,100000",
      description = "Queue bounds for ids not connected yet: per destination, per sender, in all. Default: ${DEFAULT-VALUE}.")
  String maxQueuedSpec;

  @Option(names = "--static-auth-secret-file", paramLabel = "FILE",
      description = "TURN REST secret (first line of FILE) shared with a TURN server: enables "
          + "GET {path}{key}/ice-servers with minted credentials.")
  Path turnSecretFile;

  @Option(names = "--turn-url", paramLabel = "URL",
      description = "STUN/TURN URL handed out by /ice-servers (repeatable); {host} = the request's host name.")
  List<String> turnUrls = new ArrayList<>();

  @Option(names = "--redis", paramLabel = "URI",
      description = "redis://HOST:PORT: share ids and queues with other nodes over Redis (default: in memory).")
  String redis;

  @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
      description = "Netty I/O threads; 0 = one per core. Default: ${DEFAULT-VALUE}.")
  int ioThreads;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus metrics at http://<host>:PORT/metrics. Default: off.")
  Integer metricsPort;

  @Option(names = {"-v", "--verbose"}, description = "Log at DEBUG level.")
  boolean verbose;

  /** The registry: in memory, or shared over Redis with {@code --redis}. */
  static org.rtc4j.signaling.PeerRegistry registry(String redis, SignalingConfig config) throws IOException {
    return redis == null ? new org.rtc4j.signaling.InMemoryPeerRegistry()
        : org.rtc4j.signaling.redis.RedisPeerRegistry.connect(java.net.URI.create(redis), config);
  }

  /** The configuration these options describe. */
  SignalingConfig.Builder toBuilder() throws IOException {
    String[] q = maxQueuedSpec.split(",");
    if (q.length != 3) {
      throw new IllegalArgumentException("--max-queued takes three numbers: PER_DST,PER_SENDER,TOTAL");
    }
    List<Integer> maxQueued = new ArrayList<>();
    for (String n : q) {
      maxQueued.add(Integer.parseInt(n.strip()));
    }
    if ((sslKey == null) != (sslCert == null)) {
      throw new IllegalArgumentException("give both --sslkey and --sslcert, or neither");
    }
    SignalingConfig.Builder b = SignalingConfig.builder()
        .host(host).port(port).path(path).key(key).concurrentLimit(concurrentLimit)
        .expireTimeout(Duration.ofMillis(expireTimeout)).aliveTimeout(Duration.ofMillis(aliveTimeout))
        .allowDiscovery(allowDiscovery).proxied(proxied).maxMessageBytes(maxMessageSize).ioThreads(ioThreads)
        .rateLimit(rateLimit, rateBurst).queueLimits(maxQueued.get(0), maxQueued.get(1), maxQueued.get(2));
    if (sslKey != null) {
      b.tls(sslKey, sslCert);
    }
    cors.forEach(b::allowOrigin);
    Tenant base = Tenant.withDefaults(key).withRate(rateLimit, rateBurst)
        .withQueues(maxQueued.get(0), maxQueued.get(1), maxQueued.get(2));
    for (String t : tenants) {
      int colon = t.lastIndexOf(':');
      String k = colon < 0 ? t : t.substring(0, colon);
      int limit = colon < 0 ? concurrentLimit : Integer.parseInt(t.substring(colon + 1));
      b.tenant(new Tenant(k, limit, base.messagesPerSecond(), base.messageBurst(), base.maxQueuedPerDestination(),
          base.maxQueuedPerSender(), base.maxQueuedTotal()));
    }
    if (turnSecretFile != null) {
      List<String> lines = Files.readAllLines(turnSecretFile, StandardCharsets.UTF_8);
      String secret = lines.isEmpty() ? "" : lines.get(0).strip();
      if (secret.isEmpty()) {
        throw new IllegalArgumentException("the TURN secret file " + turnSecretFile + " is empty");
      }
      if (turnUrls.isEmpty()) {
        throw new IllegalArgumentException("--static-auth-secret-file needs at least one --turn-url");
      }
      b.turn(secret, turnUrls);
    }
    return b;
  }
}
