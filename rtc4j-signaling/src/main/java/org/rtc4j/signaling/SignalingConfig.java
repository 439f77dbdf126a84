package org.rtc4j.signaling;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable configuration of a {@link SignalingServer}; build it with {@link #builder()}. The
 * defaults are peerjs-server's command-line defaults (port 9000, path "/", key "peerjs",
 * expire_timeout 5000 ms, alive_timeout 60000 ms, concurrent_limit 5000, discovery off, not
 * proxied), plus rtc4j's own limits (frame size, rate, queue bounds) which upstream does not have.
 *
 * @param host address to bind ("0.0.0.0" by default; "::" for dual stack)
 * @param port TCP port (0 picks a free one)
 * @param path mount path, normalised to begin and end with '/'
 * @param tenants the keys served, in order; the first is the default key
 * @param expireTimeout how long a message for an id that is not connected is kept before EXPIRE
 * @param aliveTimeout a client that sent no HEARTBEAT for this long is disconnected
 * @param allowDiscovery whether {@code GET {path}{key}/peers} lists the connected ids
 * @param proxied behind a reverse proxy: the client address is taken from X-Forwarded-For
 * @param sslKey PEM private key (PKCS#8) for HTTPS/WSS, with {@code sslCert}
 * @param sslCert PEM certificate chain for HTTPS/WSS
 * @param maxMessageBytes largest WebSocket message accepted; a bigger frame closes the socket (1009)
 * @param allowedOrigins browser origins allowed (HTTP CORS and WebSocket upgrade); empty = any
 * @param turnSecret the TURN REST API secret shared with the TURN server (coturn
 *     {@code static-auth-secret}); null disables {@code GET {path}{key}/ice-servers}
 * @param turnUrls the STUN/TURN URLs handed out with minted credentials; {@code {host}} in a URL is
 *     replaced by the host name of the request's Host header
 * @param turnCredentialTtl validity of minted TURN credentials
 * @param expireSweepInterval how often queues are checked for expired messages (upstream cleanup_out_msgs)
 * @param aliveSweepInterval how often clients are checked for liveness (upstream: 300 ms)
 * @param ioThreads Netty I/O threads; 0 = one per available processor
 * @param writeBufferHighWaterMark bytes buffered for one slow client before messages to it are dropped
 * @param clock wall clock for credential expiry
 * @param random CSPRNG for peer ids
 * @param webRoot classpath prefix of a static web app served for GET paths the API does not claim
 *     (null: none, as upstream)
 */
public record SignalingConfig(
    String host, int port, String path, List<Tenant> tenants, Duration expireTimeout, Duration aliveTimeout,
    boolean allowDiscovery, boolean proxied, Path sslKey, Path sslCert, int maxMessageBytes,
    Set<String> allowedOrigins, String turnSecret, List<String> turnUrls, Duration turnCredentialTtl,
    Duration expireSweepInterval, Duration aliveSweepInterval, int ioThreads, int writeBufferHighWaterMark,
    Clock clock, SecureRandom random, String webRoot) {

  public static final String DEFAULT_KEY = "peerjs";

  public SignalingConfig {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    path = normalizePath(path);
    tenants = List.copyOf(tenants);
    if (tenants.isEmpty()) {
      throw new IllegalArgumentException("at least one key is needed");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (Tenant t : tenants) {
      if (!seen.add(t.key())) {
        throw new IllegalArgumentException("key configured twice: " + t.key());
      }
    }
    positive("expireTimeout", expireTimeout);
    positive("aliveTimeout", aliveTimeout);
    positive("turnCredentialTtl", turnCredentialTtl);
    positive("expireSweepInterval", expireSweepInterval);
    positive("aliveSweepInterval", aliveSweepInterval);
    if ((sslKey == null) != (sslCert == null)) {
      throw new IllegalArgumentException("TLS needs both sslkey and sslcert");
    }
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException("maxMessageBytes must be at least 1024: " + maxMessageBytes);
    }
    allowedOrigins = Set.copyOf(allowedOrigins);
    turnUrls = List.copyOf(turnUrls);
    if (turnSecret != null && turnSecret.isEmpty()) {
      throw new IllegalArgumentException("the TURN secret is empty");
    }
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads must be >= 0: " + ioThreads);
    }
    if (writeBufferHighWaterMark < 1024) {
      throw new IllegalArgumentException("writeBufferHighWaterMark must be at least 1024");
    }
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(random, "random");
    if (webRoot != null) {
      webRoot = webRoot.startsWith("/") ? webRoot.substring(1) : webRoot;
      if (!webRoot.isEmpty() && !webRoot.endsWith("/")) {
        webRoot = webRoot + "/";
      }
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The tenant of {@code key}, if it is served. */
  public Optional<Tenant> tenant(String key) {
    for (Tenant t : tenants) {
      if (t.key().equals(key)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The first (default) key. */
  public String key() {
    return tenants.get(0).key();
  }

  /** Whether TLS is configured. */
  public boolean tls() {
    return sslKey != null;
  }

  /** The WebSocket path: {@code {path}peerjs}. */
  public String webSocketPath() {
    return path + "peerjs";
  }

  /** "/" → "/"; "myapp" → "/myapp/". */
  static String normalizePath(String path) {
    String p = path == null || path.isEmpty() ? "/" : path;
    if (!p.startsWith("/")) {
      p = "/" + p;
    }
    if (!p.endsWith("/")) {
      p = p + "/";
    }
    if (p.contains("?") || p.contains("#")) {
      throw new IllegalArgumentException("path must not contain '?' or '#': " + path);
    }
    return p;
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  /** Builds a {@link SignalingConfig}; every setter has peerjs-server's default. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 9000;
    private String path = "/";
    private Tenant defaultTenant = Tenant.withDefaults(DEFAULT_KEY);
    private final Map<String, Tenant> extraTenants = new LinkedHashMap<>();
    private Duration expireTimeout = Duration.ofMillis(5000);
    private Duration aliveTimeout = Duration.ofMillis(60000);
    private boolean allowDiscovery;
    private boolean proxied;
    private Path sslKey;
    private Path sslCert;
    private int maxMessageBytes = 64 * 1024;
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private String turnSecret;
    private final List<String> turnUrls = new ArrayList<>();
    private Duration turnCredentialTtl = Duration.ofHours(24);
    private Duration expireSweepInterval = Duration.ofMillis(1000);
    private Duration aliveSweepInterval = Duration.ofMillis(300);
    private int ioThreads;
    private int writeBufferHighWaterMark = 1024 * 1024;
    private Clock clock = Clock.systemUTC();
    private SecureRandom random;
    private String webRoot;

    private Builder() {}

    /**
     * Serves a static web app from classpath resources under {@code classpathPrefix} (e.g.
     * {@code "web/"}) for GET/HEAD paths the signaling API does not claim; {@code /} and
     * {@code …/} map to {@code index.html}. Null (default): off.
     */
    public Builder webRoot(String classpathPrefix) {
      this.webRoot = classpathPrefix;
      return this;
    }

    /** Bind address. Default 0.0.0.0. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** TCP port; 0 picks one. Default 9000. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Mount path. Default "/". */
    public Builder path(String path) {
      this.path = path;
      return this;
    }

    /** The default key (upstream {@code key}). Default "peerjs". */
    public Builder key(String key) {
      Tenant t = defaultTenant;
      this.defaultTenant = new Tenant(key, t.concurrentLimit(), t.messagesPerSecond(), t.messageBurst(),
          t.maxQueuedPerDestination(), t.maxQueuedPerSender(), t.maxQueuedTotal());
      return this;
    }

    /** The default key's concurrent limit (upstream {@code concurrent_limit}). Default 5000. */
    public Builder concurrentLimit(int limit) {
      this.defaultTenant = defaultTenant.withConcurrentLimit(limit);
      return this;
    }

    /** The default key's per-client rate limit. Default 100 frames/s, bursts of 500. */
    public Builder rateLimit(int perSecond, int burst) {
      this.defaultTenant = defaultTenant.withRate(perSecond, burst);
      return this;
    }

    /** The default key's queue bounds. Default 256 per destination, 1024 per sender, 100000 in all. */
    public Builder queueLimits(int perDestination, int perSender, int total) {
      this.defaultTenant = defaultTenant.withQueues(perDestination, perSender, total);
      return this;
    }

    /** Replaces the default tenant (its key becomes the default key). */
    public Builder defaultTenant(Tenant tenant) {
      this.defaultTenant = Objects.requireNonNull(tenant);
      return this;
    }

    /**
     * Serves one more key with its own limits. Each key once: a second tenant with the same key, or
     * one with the default key (set its limits with {@link #concurrentLimit}, {@link #rateLimit},
     * {@link #queueLimits} or {@link #defaultTenant}), is an error rather than silently replacing or
     * being dropped.
     */
    public Builder tenant(Tenant tenant) {
      if (extraTenants.putIfAbsent(tenant.key(), tenant) != null) {
        throw new IllegalArgumentException("tenant key '" + tenant.key() + "' given twice; give each key once");
      }
      return this;
    }

    /** Default 5000 ms (upstream {@code expire_timeout}). */
    public Builder expireTimeout(Duration d) {
      this.expireTimeout = d;
      return this;
    }

    /** Default 60000 ms (upstream CLI {@code alive_timeout}). */
    public Builder aliveTimeout(Duration d) {
      this.aliveTimeout = d;
      return this;
    }

    /** Default false (upstream {@code allow_discovery}). */
    public Builder allowDiscovery(boolean on) {
      this.allowDiscovery = on;
      return this;
    }

    /** Default false (upstream {@code proxied}). */
    public Builder proxied(boolean on) {
      this.proxied = on;
      return this;
    }

    /** PEM key and certificate chain: serve HTTPS and WSS. */
    public Builder tls(Path key, Path cert) {
      this.sslKey = key;
      this.sslCert = cert;
      return this;
    }

    /** Largest WebSocket message. Default 65536 bytes. */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      return this;
    }

    /** Allows a browser origin such as {@code https://app.example.org} (none given: any origin). */
    public Builder allowOrigin(String origin) {
      this.allowedOrigins.add(origin);
      return this;
    }

    /** TURN REST secret and the URLs to hand out with minted credentials. */
    public Builder turn(String secret, List<String> urls) {
      this.turnSecret = secret;
      this.turnUrls.clear();
      this.turnUrls.addAll(urls);
      return this;
    }

    /** Validity of minted TURN credentials. Default 24 h. */
    public Builder turnCredentialTtl(Duration ttl) {
      this.turnCredentialTtl = ttl;
      return this;
    }

    /** How often queued messages are checked for expiry. Default 1000 ms. */
    public Builder expireSweepInterval(Duration d) {
      this.expireSweepInterval = d;
      return this;
    }

    /** How often clients are checked for liveness. Default 300 ms. */
    public Builder aliveSweepInterval(Duration d) {
      this.aliveSweepInterval = d;
      return this;
    }

    /** Netty I/O threads; 0 (default) = available processors. */
    public Builder ioThreads(int n) {
      this.ioThreads = n;
      return this;
    }

    /** Outbound bytes buffered per client before messages to it are dropped. Default 1 MiB. */
    public Builder writeBufferHighWaterMark(int bytes) {
      this.writeBufferHighWaterMark = bytes;
      return this;
    }

    /** Wall clock (credential expiry). Default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** CSPRNG for ids. Default a new {@link SecureRandom}. */
    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    public SignalingConfig build() {
      List<Tenant> all = new ArrayList<>();
      all.add(defaultTenant);
      // Checked here, not in tenant(): key() may come after tenant().
      if (extraTenants.containsKey(defaultTenant.key())) {
        throw new IllegalArgumentException("tenant key '" + defaultTenant.key() + "' is the default key; set its "
            + "limits with concurrentLimit, rateLimit, queueLimits or defaultTenant, not as one more tenant");
      }
      all.addAll(extraTenants.values());
      return new SignalingConfig(host, port, path, all, expireTimeout, aliveTimeout, allowDiscovery, proxied,
          sslKey, sslCert, maxMessageBytes, allowedOrigins, turnSecret, turnUrls, turnCredentialTtl,
          expireSweepInterval, aliveSweepInterval, ioThreads, writeBufferHighWaterMark, clock,
          random != null ? random : new SecureRandom(), webRoot);
    }
  }
}
