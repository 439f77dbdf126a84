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

  @Option(names = "--sslkey", paramLabel = "FILE",
      description = "PEM private key, unencrypted: PKCS#8 (BEGIN PRIVATE KEY), RSA (BEGIN RSA PRIVATE KEY) "
          + "or EC (BEGIN EC PRIVATE KEY). Serve HTTPS/WSS.")
  Path sslKey;

  @Option(names = "--sslcert", paramLabel = "FILE", description = "PEM certificate chain: serve HTTPS/WSS.")
  Path sslCert;

  // arity 1..*: a yargs array, so "--cors A B" as well as "--cors A --cors B"
  @Option(names = "--cors", paramLabel = "ORIGIN", arity = "1..*",
      description = "Allowed browser origins (several after one flag, or repeated); HTTP and WebSocket upgrades "
          + "from other origins get 403. Default: any origin.")
  List<String> cors = new ArrayList<>();

  @Option(names = "--tenant", paramLabel = "KEY[:LIMITS]",
      description = {"Serve one more key with its own id namespace and limits (repeatable). LIMITS is a number "
          + "(its concurrent limit) or NAME=VALUE pairs separated by commas, named as the global flags: "
          + "concurrent_limit, rate-limit, rate-burst, max-queued (PER_DST,PER_SENDER,TOTAL); a limit not "
          + "given is the global one. Each KEY once, and not the --key (its limits are the global flags).",
          "e.g. --tenant app2:concurrent_limit=100,rate-limit=50,rate-burst=100,max-queued=64,256,10000"})
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
    int[] maxQueued = queueBounds("--max-queued", maxQueuedSpec);
    if ((sslKey == null) != (sslCert == null)) {
      throw new IllegalArgumentException("give both --sslkey and --sslcert, or neither");
    }
    SignalingConfig.Builder b = SignalingConfig.builder()
        .host(host).port(port).path(path).key(key).concurrentLimit(concurrentLimit)
        .expireTimeout(Duration.ofMillis(expireTimeout)).aliveTimeout(Duration.ofMillis(aliveTimeout))
        .allowDiscovery(allowDiscovery).proxied(proxied).maxMessageBytes(maxMessageSize).ioThreads(ioThreads)
        .rateLimit(rateLimit, rateBurst).queueLimits(maxQueued[0], maxQueued[1], maxQueued[2]);
    if (sslKey != null) {
      b.tls(sslKey, sslCert);
    }
    cors.forEach(b::allowOrigin);
    Tenant base = new Tenant(key, concurrentLimit, rateLimit, rateBurst, maxQueued[0], maxQueued[1], maxQueued[2]);
    for (String spec : tenants) {
      Tenant t = tenant(spec, base);
      if (t.key().equals(key)) {
        throw new IllegalArgumentException("--tenant " + spec + ": '" + key + "' is the default key (--key); set its "
            + "limits with the global flags --concurrent_limit, --rate-limit, --rate-burst, --max-queued");
      }
      try {
        b.tenant(t);
      } catch (IllegalArgumentException e) { // the same key twice
        throw new IllegalArgumentException("--tenant " + spec + ": " + e.getMessage()
            + ", with all its limits: KEY:NAME=VALUE,...", e);
      }
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

  /**
   * One {@code --tenant} value: {@code KEY}, {@code KEY:LIMIT} (its concurrent limit) or
   * {@code KEY:NAME=VALUE,...} with the global flags' names; what it does not name comes from {@code base}.
   */
  static Tenant tenant(String spec, Tenant base) {
    int colon = spec.lastIndexOf(':');
    String key = colon < 0 ? spec : spec.substring(0, colon);
    Tenant t = new Tenant(key, base.concurrentLimit(), base.messagesPerSecond(), base.messageBurst(),
        base.maxQueuedPerDestination(), base.maxQueuedPerSender(), base.maxQueuedTotal());
    if (colon < 0) {
      return t;
    }
    String limits = spec.substring(colon + 1);
    if (!limits.contains("=")) {
      try {
        return t.withConcurrentLimit(Integer.parseInt(limits.strip()));
      } catch (NumberFormatException e) {
        // e.g. "a:b": the key is "a" and "b" is neither a limit nor limits
        throw new IllegalArgumentException("--tenant " + spec + ": '" + limits + "' after the last ':' is neither a "
            + "number nor NAME=VALUE limits; the forms are KEY, KEY:LIMIT and KEY:NAME=VALUE,... (a KEY that "
            + "contains ':' needs limits after it)");
      }
    }
    // Split at commas, but a part without '=' continues the value before it: max-queued=1,2,3.
    List<String> pairs = new ArrayList<>();
    for (String part : limits.split(",", -1)) {
      if (part.contains("=") || pairs.isEmpty()) {
        pairs.add(part);
      } else {
        pairs.set(pairs.size() - 1, pairs.get(pairs.size() - 1) + "," + part);
      }
    }
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq).strip();
      String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
      String what = "--tenant " + key + ":" + name;
      t = switch (name) {
        case "concurrent_limit" -> t.withConcurrentLimit(number(what, value));
        case "rate-limit" -> t.withRate(number(what, value), t.messageBurst());
        case "rate-burst" -> t.withRate(t.messagesPerSecond(), number(what, value));
        case "max-queued" -> {
          int[] q = queueBounds(what, value);
          yield t.withQueues(q[0], q[1], q[2]);
        }
        default -> throw new IllegalArgumentException("--tenant " + spec + ": unknown limit '" + name
            + "'; the limits are concurrent_limit, rate-limit, rate-burst, max-queued");
      };
    }
    return t;
  }

  /** PER_DST,PER_SENDER,TOTAL. */
  private static int[] queueBounds(String what, String spec) {
    String[] q = spec.split(",");
    if (q.length != 3) {
      throw new IllegalArgumentException(what + " takes three numbers: PER_DST,PER_SENDER,TOTAL, not '" + spec + "'");
    }
    int[] n = new int[3];
    for (int i = 0; i < 3; i++) {
      n[i] = number(what, q[i]);
    }
    return n;
  }

  private static int number(String what, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " takes a number, not '" + value + "'");
    }
  }
}
