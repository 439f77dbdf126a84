package org.rtc4j.signaling.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rtc4j.signaling.PeerRegistry;
import org.rtc4j.signaling.PeerSink;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.Tenant;
import org.rtc4j.signaling.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PeerRegistry} shared by several signaling nodes through one Redis server: the id
 * registry, the queues for ids not connected yet and the expiry of those queues live in Redis;
 * frames for a peer connected to another node are published on that node's channel. The design
 * (keys, channels, expiry, failure semantics) is in the package documentation.
 *
 * <p>Threading: any thread, never blocking the caller. Each call that needs Redis is one Lua
 * script sent with Lettuce's asynchronous API (pipelined on one connection, so calls made one
 * after another run in Redis in that order); its stage completes on a Lettuce I/O thread, or
 * fails after the command timeout (the URI's {@code timeout}, else {@value #DEFAULT_TIMEOUT_MS} ms)
 * and at once while the connection is down. A frame for a peer connected to this node is handed to
 * its sink at once, without Redis. Frames from other nodes are handed to local sinks on the
 * pub/sub I/O thread, in the order Redis delivered them. A stripe lock per id keeps "register and
 * drain" and "deliver locally" from interleaving, as in {@code InMemoryPeerRegistry}; frames that
 * arrive for an id whose registration script is still in flight wait and follow its queue.
 */
public final class RedisPeerRegistry implements PeerRegistry {

  private static final Logger log = LoggerFactory.getLogger(RedisPeerRegistry.class);
  private static final int STRIPES = 64;
  private static final String CHANNEL_PREFIX = "rtc4j:node:";
  static final long DEFAULT_TIMEOUT_MS = 2000;
  static final long RETRY_MS = 500;

  /** A Lua script and its SHA-1 (what EVALSHA names; computed here, so no SCRIPT LOAD round trip first). */
  private record Script(String text, String sha) {
    static Script of(String text) {
      try {
        return new Script(text, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
            .digest(text.getBytes(StandardCharsets.UTF_8))));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // KEYS: id, peers, queue, pending, per-sender, counter, taken. ARGV: token digest, node, ttl, limit,
  // id, reclaim ('1': take the id back only if nobody holds it; no limit check — the peer was
  // admitted), backstop ttl. The queue is not deleted but renamed to the taken key: the node
  // confirms with DRAINED once the frames reached the socket, or puts them back with UNDO when
  // the reply never came (a timed-out call that ran late must not lose them).
  // Returns {"OPENED"|"REATTACHED"|"TAKEN"|"LIMIT", previousNode, queued frames...}
  private static final Script REGISTER = Script.of("""
      local cur = redis.call('GET', KEYS[1])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local ttl = tonumber(ARGV[3])
      local out
      if cur then
        if ARGV[6] == '1' and cur ~= ARGV[2] .. ' ' .. ARGV[1] then return {'TAKEN', ''} end
        local sp = string.find(cur, ' ', 1, true)
        if string.sub(cur, sp + 1) ~= ARGV[1] then return {'TAKEN', ''} end
        out = {'REATTACHED', string.sub(cur, 1, sp - 1)}
      else
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        if ARGV[6] ~= '1' and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {'LIMIT', ''} end
        out = {'OPENED', ''}
      end
      redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. ARGV[1], 'PX', ttl)
      redis.call('ZADD', KEYS[2], now + ttl, ARGV[5])
      local q = redis.call('LRANGE', KEYS[3], 0, -1)
      if #q > 0 then
        redis.call('RENAME', KEYS[3], KEYS[7])
        redis.call('PEXPIRE', KEYS[7], ARGV[7])
        for _, e in ipairs(q) do
          local c = string.find(e, ':', 1, true)
          local n = tonumber(string.sub(e, 1, c - 1))
          table.insert(out, string.sub(e, c + n + 1))
        end
      end
      return out
      """);

  // After a registration's frames reached the socket. KEYS: taken, pending, per-sender, counter; ARGV: id.
  private static final Script DRAINED = Script.of("""
      local q = redis.call('LRANGE', KEYS[1], 0, -1)
      if #q == 0 then return 0 end
      redis.call('DEL', KEYS[1])
      local done = {}
      for _, e in ipairs(q) do
        local c = string.find(e, ':', 1, true)
        local n = tonumber(string.sub(e, 1, c - 1))
        local src = string.sub(e, c + 1, c + n)
        redis.call('HINCRBY', KEYS[3], src, -1)
        if not done[src] then
          done[src] = true
          redis.call('ZREM', KEYS[2], string.len(ARGV[1]) .. ':' .. ARGV[1] .. src)
        end
      end
      redis.call('DECRBY', KEYS[4], #q)
      return #q
      """);

  // A registration that failed here (timed out, or its socket closed meanwhile): remove the id if
  // the script ran and it is still ours, and put the taken frames back in front of the queue
  // (their counters were left alone). Their pending entries are added back if an expiry sweep
  // dropped them meanwhile (EXPIRE forgets entries whose frames are not in the queue), so the
  // frames still expire with EXPIRE.
  // KEYS: id, peers, taken, queue, pending; ARGV: owner value ('' to leave the id), id, backstop ttl.
  private static final Script UNDO = Script.of("""
      if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[2], ARGV[2])
      end
      local t = redis.call('LRANGE', KEYS[3], 0, -1)
      if #t == 0 then return 0 end
      local q = redis.call('LRANGE', KEYS[4], 0, -1)
      redis.call('DEL', KEYS[3], KEYS[4])
      for i = 1, #t, 1000 do redis.call('RPUSH', KEYS[4], unpack(t, i, math.min(i + 999, #t))) end
      for i = 1, #q, 1000 do redis.call('RPUSH', KEYS[4], unpack(q, i, math.min(i + 999, #q))) end
      redis.call('PEXPIRE', KEYS[4], ARGV[3])
      local tm = redis.call('TIME')
      local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
      local seen = {}
      for _, e in ipairs(t) do
        local c = string.find(e, ':', 1, true)
        local src = string.sub(e, c + 1, c + tonumber(string.sub(e, 1, c - 1)))
        if not seen[src] then
          seen[src] = true
          redis.call('ZADD', KEYS[5], 'NX', now, string.len(ARGV[2]) .. ':' .. ARGV[2] .. src)
        end
      end
      redis.call('PEXPIRE', KEYS[5], ARGV[3])
      return #t
      """);

  // KEYS: id, queue, pending, per-sender, counter. ARGV: src, frame, queue?, 3 bounds, lp(dst),
  // backstop ttl, this node, node-message header, channel prefix.
  // Returns {0} queued, {1} registered at this node, {2} offline, {3} queue full,
  // {4, receivers} published to the node holding dst (one round trip for a cross-node frame).
  private static final Script RELAY = Script.of("""
      local cur = redis.call('GET', KEYS[1])
      if cur then
        local at = string.sub(cur, 1, string.find(cur, ' ', 1, true) - 1)
        if at == ARGV[9] then return {1} end
        return {4, redis.call('PUBLISH', ARGV[11] .. at, ARGV[10] .. ARGV[2])}
      end
      if ARGV[3] == '0' then return {2} end
      if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[4]) then return {3} end
      if tonumber(redis.call('GET', KEYS[5]) or '0') >= tonumber(ARGV[6]) then return {3} end
      if tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0') >= tonumber(ARGV[5]) then return {3} end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      redis.call('RPUSH', KEYS[2], string.len(ARGV[1]) .. ':' .. ARGV[1] .. ARGV[2])
      redis.call('ZADD', KEYS[3], 'NX', now, ARGV[7] .. ARGV[1])
      redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
      redis.call('INCR', KEYS[5])
      for i = 2, 5 do redis.call('PEXPIRE', KEYS[i], ARGV[8]) end
      return {0}
      """);

  // KEYS: pending, counter, per-sender; ARGV: timeoutMs, key prefix of queues. Returns {dropped, src, dst, ...}
  // with a pair only when frames were dropped: a due entry whose frames are not in the queue belongs to a
  // registration that took them (they are being delivered, or UNDO puts them back with a new entry).
  private static final Script EXPIRE = Script.of("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, 1000)
      local out = {0}
      local dropped = 0
      for _, m in ipairs(due) do
        redis.call('ZREM', KEYS[1], m)
        local c = string.find(m, ':', 1, true)
        local n = tonumber(string.sub(m, 1, c - 1))
        local dst = string.sub(m, c + 1, c + n)
        local src = string.sub(m, c + n + 1)
        local qk = ARGV[2] .. dst
        local q = redis.call('LRANGE', qk, 0, -1)
        local keep = {}
        local gone = 0
        local prefix = string.len(src) .. ':' .. src
        for _, e in ipairs(q) do
          local ec = string.find(e, ':', 1, true)
          local en = tonumber(string.sub(e, 1, ec - 1))
          if string.sub(e, ec + 1, ec + en) == src then gone = gone + 1 else table.insert(keep, e) end
        end
        if gone > 0 then
          local ttl = redis.call('PTTL', qk)
          redis.call('DEL', qk)
          for i = 1, #keep, 1000 do
            redis.call('RPUSH', qk, unpack(keep, i, math.min(i + 999, #keep)))
          end
          if #keep > 0 and ttl > 0 then redis.call('PEXPIRE', qk, ttl) end
          redis.call('HINCRBY', KEYS[3], src, -gone)
          redis.call('DECRBY', KEYS[2], gone)
          dropped = dropped + gone
          table.insert(out, src)
          table.insert(out, dst)
        end
      end
      out[1] = dropped
      return out
      """);

  // KEYS[1]: id key; ARGV: value. Deletes the id only if this node (and token) still owns it.
  private static final Script UNREGISTER = Script.of("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[2], ARGV[2])
        return 1
      end
      return 0
      """);

  // KEYS: id keys..., peers zset last; ARGV: node prefix ("node "), ttl, ids...
  // Returns {ids another node holds now, ids nobody holds (expired or Redis restarted empty)}.
  private static final Script REFRESH = Script.of("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local ttl = tonumber(ARGV[2])
      local lost = {}
      local missing = {}
      local z = KEYS[#KEYS]
      for i = 1, #KEYS - 1 do
        local cur = redis.call('GET', KEYS[i])
        if cur and string.sub(cur, 1, string.len(ARGV[1])) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[i], ttl)
          redis.call('ZADD', z, now + ttl, ARGV[i + 2])
        elseif cur then
          table.insert(lost, ARGV[i + 2])
        else
          table.insert(missing, ARGV[i + 2])
        end
      end
      return {lost, missing}
      """);

  // KEYS[1] peers zset; ARGV[1] '1' to list ids, else count
  private static final Script LIVE = Script.of("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      if ARGV[1] == '1' then return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf') end
      return {redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')}
      """);


  /** A peer connected to this node. */
  private record Local(String id, String tokenHash, String ownerValue, PeerSink sink) {}

  /** Registration scripts in flight for one id; frames routed here meanwhile wait and follow the queue. */
  private static final class Pending {
    int count;
    final ArrayDeque<String[]> frames = new ArrayDeque<>(); // {src, frame}
  }

  /** One tenant's peers on this node; touched under the id's stripe lock. */
  private static final class Realm {
    final Map<String, Local> locals = new ConcurrentHashMap<>();
    final Map<String, Pending> pending = new ConcurrentHashMap<>();
  }

  private final String node;
  private final RedisURI uri;
  private final Duration timeout;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final RedisAsyncCommands<String, String> async;
  private final RedisCommands<String, String> redis;
  private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
  /** tenant key → this node's peers and registrations in flight. */
  private final Map<String, Realm> realms = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[STRIPES];
  private final ScheduledExecutorService refresher;
  private final long aliveMillis;
  private final long backstopMillis;
  /** Completed stages per outcome (ordinal): a frame delivered on this node allocates no future. */
  private final CompletableFuture<Delivery>[] deliveries;
  private final CompletableFuture<Boolean> removed = CompletableFuture.completedFuture(true);
  private final CompletableFuture<Boolean> notRemoved = CompletableFuture.completedFuture(false);
  /** Redis failed since the last success: warn once per outage, not once per call. */
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicBoolean retryScheduled = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicLong takenSeq = new java.util.concurrent.atomic.AtomicLong();
  /** Redis knows our scripts (false after a reconnect: it may have restarted empty). */
  private final AtomicBoolean scriptsLoaded = new AtomicBoolean();
  private volatile boolean closed;

  @SuppressWarnings("unchecked")
  private RedisPeerRegistry(RedisURI uri, Duration aliveTimeout, Duration expireTimeout, Collection<Tenant> tenants)
      throws IOException {
    this.uri = uri;
    // Lettuce's default is 60 s; a registration waiting that long is a hang to the client.
    this.timeout = uri.getTimeout().equals(RedisURI.DEFAULT_TIMEOUT_DURATION)
        ? Duration.ofMillis(DEFAULT_TIMEOUT_MS) : uri.getTimeout();
    this.aliveMillis = Math.max(1, aliveTimeout.toMillis());
    // Queue keys outlive any expiry sweep: they only vanish by TTL when every node is gone.
    this.backstopMillis = Math.max(60_000, expireTimeout.toMillis() * 10);
    byte[] rnd = new byte[8];
    new SecureRandom().nextBytes(rnd);
    this.node = HexFormat.of().formatHex(rnd);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    Delivery[] ds = Delivery.values();
    this.deliveries = new CompletableFuture[ds.length];
    for (Delivery d : ds) {
      deliveries[d.ordinal()] = CompletableFuture.completedFuture(d);
    }
    tenants.forEach(t -> this.tenants.put(t.key(), t));
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
        // Lettuce backs off to 30 s between attempts; a node should be back within a second of Redis.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(3)).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        // While the connection is down, calls fail at once (a clear ERROR) instead of waiting for it.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rtc4j-redis-refresh"));
    try {
      this.connection = client.connect();
      this.async = connection.async();
      this.redis = connection.sync();
      this.pubsub = client.connectPubSub();
    } catch (RedisException e) {
      shutdownQuietly();
      throw new IOException("cannot connect to Redis at " + describe(uri) + ": " + rootMessage(e), e);
    }
    pubsub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        if (!closed) {
          onNodeMessage(message); // never blocks: local sinks and asynchronous commands only
        }
      }
    });
    try {
      loadScripts();
      pubsub.sync().subscribe(CHANNEL_PREFIX + node);
    } catch (RuntimeException e) {
      close();
      throw new IOException("cannot subscribe on Redis at " + describe(uri) + ": " + rootMessage(e), e);
    }
    // After a reconnect (Redis restarted or the network came back) re-register this node's peers at
    // once rather than at the next tick. Lettuce re-subscribes the channel by itself.
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
        if (!closed) {
          scriptsLoaded.set(false);
          try {
            refresher.execute(RedisPeerRegistry.this::refresh);
          } catch (RejectedExecutionException e) {
            // closing
          }
        }
      }
    });
    long every = Math.max(50, aliveMillis / 3);
    refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    log.info("signaling registry on Redis {} as node {}", describe(uri), node);
  }

  /**
   * Connects to Redis at {@code uri} ({@code redis://HOST:PORT[/DB][?timeout=2s]}, {@code rediss://}
   * for TLS) for the tenants, alive timeout and expire timeout of {@code config}.
   *
   * @throws IOException naming the URI and the cause when Redis cannot be reached
   */
  public static RedisPeerRegistry connect(URI uri, SignalingConfig config) throws IOException {
    return connect(uri, config.aliveTimeout(), config.expireTimeout(), config.tenants());
  }

  /** As {@link #connect(URI, SignalingConfig)} with explicit timeouts and tenants. */
  public static RedisPeerRegistry connect(URI uri, Duration aliveTimeout, Duration expireTimeout,
      Collection<Tenant> tenants) throws IOException {
    Objects.requireNonNull(uri, "uri");
    RedisURI r;
    try {
      r = RedisURI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IOException("not a Redis URI (redis://HOST:PORT): " + uri + ": " + e.getMessage(), e);
    }
    return new RedisPeerRegistry(r, aliveTimeout, expireTimeout, tenants);
  }

  /** This node's id (random per registry; the suffix of its channel {@code rtc4j:node:<id>}). */
  public String nodeId() {
    return node;
  }

  /** How long a call waits for Redis before its stage completes as unavailable. */
  public Duration commandTimeout() {
    return timeout;
  }

  // ---- keys ----

  private static String prefix(Tenant t) {
    return "rtc4j:{" + t.key() + "}:"; // one hash tag per tenant: a script's keys share a slot
  }

  private static String idKey(Tenant t, String id) {
    return prefix(t) + "id:" + id;
  }

  private static String peersKey(Tenant t) {
    return prefix(t) + "peers";
  }

  private static String queuePrefix(Tenant t) {
    return prefix(t) + "q:";
  }

  private static String pendingKey(Tenant t) {
    return prefix(t) + "pending";
  }

  private static String countKey(Tenant t) {
    return prefix(t) + "qn";
  }

  private static String senderKey(Tenant t) {
    return prefix(t) + "qs";
  }

  /** Length-prefixed, the length in UTF-8 bytes (as Lua's string.len counts). */
  private static String lp(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length + ":" + s;
  }

  /** Length-prefixed in UTF-16 units: node-to-node messages are built and read by Java. */
  private static String lpj(String s) {
    return s.length() + ":" + s;
  }

  private Object lock(String key, String id) {
    return stripes[((key.hashCode() * 31 + id.hashCode()) & 0x7fffffff) % STRIPES];
  }

  private Realm realm(Tenant t) {
    Realm r = realms.get(t.key());
    if (r == null) {
      tenants.putIfAbsent(t.key(), t);
      r = realms.computeIfAbsent(t.key(), k -> new Realm());
    }
    return r;
  }

  // ---- PeerRegistry ----

  @Override
  public CompletionStage<Registration> register(Tenant tenant, String id, String token, PeerSink sink,
      String greeting, long nowNanos) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(sink, "sink");
    if (closed) {
      return CompletableFuture.completedFuture(new Registration(Outcome.UNAVAILABLE, null, 0));
    }
    Realm realm = realm(tenant);
    // Redis keeps and compares only the token's digest (Tokens): the script's string comparison
    // then takes no time that depends on the token.
    String tokenHash = Tokens.hexDigest(token);
    synchronized (lock(tenant.key(), id)) {
      realm.pending.computeIfAbsent(id, k -> new Pending()).count++;
    }
    String taken = takenKey(tenant, id);
    return eval(REGISTER, new String[] {idKey(tenant, id), peersKey(tenant), queuePrefix(tenant) + id,
        pendingKey(tenant), senderKey(tenant), countKey(tenant), taken},
        tokenHash, node, Long.toString(aliveMillis), Integer.toString(tenant.concurrentLimit()), id, "0",
        Long.toString(backstopMillis))
        .handle((r, e) -> registered(tenant, realm, id, tokenHash, sink, greeting, taken, r, e));
  }

  /** A key of its own per registration call for the frames it took from the queue. */
  private String takenKey(Tenant t, String id) {
    return prefix(t) + "taken:" + node + ":" + takenSeq.incrementAndGet() + ":" + id;
  }

  /** The frames of a registration reached the socket: forget them in Redis (counters, pending entries). */
  private void drained(Tenant t, String id, String taken) {
    eval(DRAINED, new String[] {taken, pendingKey(t), senderKey(t), countKey(t)}, id);
  }

  /** A registration that did not take effect here: its id out of Redis (unless {@code value} is ""), its frames back. */
  private CompletableFuture<List<Object>> undo(Tenant t, String id, String value, String taken) {
    return eval(UNDO, new String[] {idKey(t, id), peersKey(t), taken, queuePrefix(t) + id, pendingKey(t)}, value, id,
        Long.toString(backstopMillis));
  }

  /** On a Lettuce thread: the outcome of the registration script. */
  private Registration registered(Tenant tenant, Realm realm, String id, String tokenHash, PeerSink sink,
      String greeting, String taken, List<Object> r, Throwable error) {
    String value = node + " " + tokenHash;
    List<String[]> undeliverable = new ArrayList<>();
    Registration result;
    synchronized (lock(tenant.key(), id)) {
      Pending p = realm.pending.get(id);
      if (--p.count == 0) {
        realm.pending.remove(id);
      }
      Local previous = realm.locals.get(id);
      if (error != null) {
        failed("registering " + id, error);
        // The script may still run when Redis answers late: then take the id back out (unless an
        // earlier socket here holds it with the same token) and put its queue back.
        undo(tenant, id, previous != null && previous.ownerValue().equals(value) ? "" : value, taken);
        result = new Registration(Outcome.UNAVAILABLE, null, 0);
      } else {
        recovered();
        String outcome = (String) r.get(0);
        if ("TAKEN".equals(outcome)) {
          result = new Registration(Outcome.ID_TAKEN, null, 0);
        } else if ("LIMIT".equals(outcome)) {
          result = new Registration(Outcome.LIMIT_REACHED, null, 0);
        } else if (!sink.isOpen()) {
          // The client left while the script ran: keep its queue for a later connection.
          undo(tenant, id, previous != null && previous.ownerValue().equals(value) ? "" : value, taken);
          result = new Registration(Outcome.OPENED, null, 0);
        } else {
          realm.locals.put(id, new Local(id, tokenHash, value, sink));
          PeerSink replaced = null;
          Outcome o = Outcome.OPENED;
          if ("REATTACHED".equals(outcome)) {
            o = Outcome.REATTACHED;
            String was = (String) r.get(1);
            if (was.equals(node)) {
              replaced = previous == null ? null : previous.sink();
            } else {
              // The old socket is on another node: tell it to close it (without touching the registration).
              publish(was, "C" + lpj(tenant.key()) + id);
            }
          } else if (previous != null && previous.sink() != sink) {
            previous.sink().close(); // stale: our key had expired (Redis outage) while the socket lived
          }
          if (greeting != null) {
            sink.send(greeting);
          }
          int delivered = 0;
          for (int i = 2; i < r.size(); i++) {
            sink.send((String) r.get(i));
            delivered++;
          }
          if (delivered > 0) {
            drained(tenant, id, taken);
          }
          result = new Registration(o, replaced, delivered);
        }
      }
      // Frames routed here while the script ran follow the queue, to whoever holds the id now.
      for (String[] f; (f = p.frames.poll()) != null; ) {
        if (deliverLocked(realm, id, f[0], f[1]) == Delivery.CLOSED) {
          undeliverable.add(f);
        }
      }
    }
    for (String[] f : undeliverable) {
      leaveNotice(tenant, id, f[0]);
    }
    return result;
  }

  @Override
  public CompletionStage<Boolean> unregister(Tenant tenant, String id, PeerSink sink) {
    Realm realm = realm(tenant);
    Local l;
    synchronized (lock(tenant.key(), id)) {
      l = realm.locals.get(id);
      if (l == null || l.sink() != sink) {
        return notRemoved;
      }
      realm.locals.remove(id);
    }
    if (!closed) {
      // Not waited for: the id is gone here at once; if Redis does not hear of it, it frees after alive_timeout.
      eval(UNREGISTER, new String[] {idKey(tenant, id), peersKey(tenant)}, l.ownerValue(), id)
          .whenComplete((r, e) -> {
            if (e != null) {
              failed("removing " + id + " (it frees after alive_timeout)", e);
            }
          });
    }
    return removed;
  }

  @Override
  public CompletionStage<Delivery> relay(Tenant tenant, String src, String dst, String frame, boolean queueIfAbsent,
      long nowNanos) {
    if (closed) {
      return deliveries[Delivery.CLOSED.ordinal()];
    }
    Realm realm = realm(tenant);
    if (realm.locals.containsKey(dst)) {
      // Connected to this node: no Redis round trip (and local peers keep talking while Redis is down).
      synchronized (lock(tenant.key(), dst)) {
        if (realm.locals.containsKey(dst) && !realm.pending.containsKey(dst)) {
          return deliveries[deliverLocked(realm, dst, src, frame).ordinal()];
        }
      }
    }
    String header = "F" + lpj(tenant.key()) + lpj(dst) + lpj(src);
    return eval(RELAY, new String[] {idKey(tenant, dst), queuePrefix(tenant) + dst, pendingKey(tenant),
        senderKey(tenant), countKey(tenant)}, src, frame, queueIfAbsent ? "1" : "0",
        Integer.toString(tenant.maxQueuedPerDestination()), Integer.toString(tenant.maxQueuedPerSender()),
        Integer.toString(tenant.maxQueuedTotal()), lp(dst), Long.toString(backstopMillis), node, header,
        CHANNEL_PREFIX)
        .handle((r, e) -> {
          if (e != null) {
            failed("relaying " + src + " → " + dst, e);
            return Delivery.UNAVAILABLE;
          }
          recovered();
          return switch (((Long) r.get(0)).intValue()) {
            case 0 -> Delivery.QUEUED;
            case 1 -> deliverLocally(tenant, dst, src, frame);
            case 2 -> Delivery.OFFLINE;
            case 3 -> Delivery.QUEUE_FULL;
            // No subscriber: that node is gone (its id has not expired yet); the sender hears LEAVE.
            default -> (Long) r.get(1) > 0 ? Delivery.DELIVERED : Delivery.CLOSED;
          };
        });
  }

  private Delivery deliverLocally(Tenant tenant, String dst, String src, String frame) {
    synchronized (lock(tenant.key(), dst)) {
      return deliverLocked(realm(tenant), dst, src, frame);
    }
  }

  /** Under dst's stripe lock: to its sink, or behind its registration when that is in flight. */
  private static Delivery deliverLocked(Realm realm, String dst, String src, String frame) {
    Pending p = realm.pending.get(dst);
    if (p != null) {
      p.frames.add(new String[] {src, frame});
      return Delivery.DELIVERED;
    }
    Local l = realm.locals.get(dst);
    if (l == null) {
      return Delivery.CLOSED;
    }
    if (l.sink().send(frame)) {
      return Delivery.DELIVERED;
    }
    return l.sink().isOpen() ? Delivery.BACKLOGGED : Delivery.CLOSED;
  }

  /** On the pub/sub I/O thread: a frame or a close order from another node. */
  private void onNodeMessage(String m) {
    try {
      int[] pos = {1};
      String key = take(m, pos);
      Tenant tenant = tenants.getOrDefault(key, Tenant.withDefaults(key));
      Realm realm = realm(tenant);
      if (m.charAt(0) == 'C') {
        String id = m.substring(pos[0]);
        Local l;
        synchronized (lock(key, id)) {
          l = realm.locals.remove(id);
        }
        if (l != null) {
          l.sink().close(); // re-attached on another node: this socket can never be used again
        }
        return;
      }
      String dst = take(m, pos);
      String src = take(m, pos);
      String frame = m.substring(pos[0]);
      if (deliverLocally(tenant, dst, src, frame) == Delivery.CLOSED) {
        leaveNotice(tenant, dst, src);
      }
    } catch (RuntimeException e) {
      log.warn("bad message from another node dropped: {}", e.toString());
    }
  }

  /** As upstream when forwarding fails: {@code src} hears that {@code gone} left. */
  private void leaveNotice(Tenant tenant, String gone, String src) {
    String leave = "{\"type\":\"LEAVE\",\"src\":" + jsonString(gone) + ",\"dst\":" + jsonString(src) + "}";
    relay(tenant, gone, src, leave, false, 0);
  }

  private static String take(String m, int[] pos) {
    int c = m.indexOf(':', pos[0]);
    int n = Integer.parseInt(m, pos[0], c, 10);
    String s = m.substring(c + 1, c + 1 + n);
    pos[0] = c + 1 + n;
    return s;
  }

  @Override
  public CompletionStage<Integer> expire(long nowNanos, long timeoutNanos, ExpiryListener listener) {
    if (closed) {
      return CompletableFuture.completedFuture(0);
    }
    CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
    for (Tenant t : tenants.values()) {
      CompletableFuture<Integer> one = eval(EXPIRE, new String[] {pendingKey(t), countKey(t), senderKey(t)},
          Long.toString(Math.max(1, timeoutNanos / 1_000_000)), queuePrefix(t))
          .handle((r, e) -> {
            if (e != null) {
              failed("the expiry sweep", e);
              return 0;
            }
            // Only the node whose script popped a pair reports it: one EXPIRE per pair in the cluster.
            for (int i = 1; i + 1 < r.size(); i += 2) {
              listener.expired(t, (String) r.get(i), (String) r.get(i + 1));
            }
            return ((Long) r.get(0)).intValue();
          });
      total = total.thenCombine(one, Integer::sum);
    }
    return total;
  }

  @Override
  public boolean isRegistered(Tenant tenant, String id) {
    checkOpen();
    return redis.exists(idKey(tenant, id)) > 0;
  }

  @Override
  public boolean isRegisteredLocally(Tenant tenant, String id) {
    Realm r = realms.get(tenant.key());
    return r != null && r.locals.containsKey(id);
  }

  @Override
  public CompletionStage<List<String>> ids(Tenant tenant) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the Redis registry is closed"));
    }
    return eval(LIVE, new String[] {peersKey(tenant)}, "1").thenApply(r -> {
      List<String> out = new ArrayList<>(r.size());
      r.forEach(o -> out.add((String) o));
      return out;
    });
  }

  @Override
  public int peers(Tenant tenant) {
    if (closed) {
      return 0;
    }
    return ((Long) await(eval(LIVE, new String[] {peersKey(tenant)}, "0")).get(0)).intValue();
  }

  @Override
  public int queued(Tenant tenant) {
    if (closed) {
      return 0;
    }
    String v = redis.get(countKey(tenant));
    return v == null ? 0 : Math.max(0, Integer.parseInt(v));
  }

  /** Peers connected to this node (all tenants). */
  public int localPeers() {
    return realms.values().stream().mapToInt(r -> r.locals.size()).sum();
  }

  /**
   * On the refresher thread (blocking is fine there): keeps this node's ids alive (PEXPIRE
   * alive_timeout); ids another node took are closed here; ids nobody holds any more (their key
   * expired during an outage, or Redis restarted empty) are registered again, with what was
   * queued for them meanwhile.
   */
  private void refresh() {
    if (closed) {
      return;
    }
    retryScheduled.set(false);
    if (!scriptsLoaded.get()) {
      try {
        loadScripts();
      } catch (RuntimeException ex) {
        failed("loading the scripts", ex);
        retrySoon();
        return;
      }
    }
    for (Map.Entry<String, Realm> e : realms.entrySet()) {
      Tenant t = tenants.get(e.getKey());
      Realm realm = e.getValue();
      Map<String, Local> snapshot = Map.copyOf(realm.locals);
      List<String> ids = new ArrayList<>(snapshot.keySet());
      for (int from = 0; from < ids.size() && !closed; from += 500) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
        String[] keys = new String[chunk.size() + 1];
        String[] args = new String[chunk.size() + 2];
        args[0] = node + " ";
        args[1] = Long.toString(aliveMillis);
        for (int i = 0; i < chunk.size(); i++) {
          keys[i] = idKey(t, chunk.get(i));
          args[i + 2] = chunk.get(i);
        }
        keys[chunk.size()] = peersKey(t);
        try {
          List<Object> r = await(eval(REFRESH, keys, args));
          recovered();
          for (Object lost : (List<?>) r.get(0)) {
            drop(t, realm, snapshot.get((String) lost), "is held by another node now");
          }
          List<CompletableFuture<Void>> reclaims = new ArrayList<>();
          for (Object missing : (List<?>) r.get(1)) {
            reclaims.add(reclaim(t, realm, snapshot.get((String) missing)));
          }
          await(CompletableFuture.allOf(reclaims.toArray(CompletableFuture[]::new)));
        } catch (RuntimeException ex) {
          failed("refreshing this node's ids (they expire after alive_timeout)", ex);
          retrySoon();
        }
      }
    }
  }

  /** After a failed refresh: again in {@value #RETRY_MS} ms rather than at the next tick (once at a time). */
  private void retrySoon() {
    if (!closed && retryScheduled.compareAndSet(false, true)) {
      try {
        refresher.schedule(this::refresh, RETRY_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** Registers {@code l}'s id again after Redis lost it; its queue (frames sent meanwhile) follows. */
  private CompletableFuture<Void> reclaim(Tenant t, Realm realm, Local l) {
    if (l == null) {
      return CompletableFuture.completedFuture(null);
    }
    String id = l.id();
    String taken = takenKey(t, id);
    return eval(REGISTER, new String[] {idKey(t, id), peersKey(t), queuePrefix(t) + id, pendingKey(t),
        senderKey(t), countKey(t), taken}, l.tokenHash(), node, Long.toString(aliveMillis), "0", id, "1",
        Long.toString(backstopMillis))
        .handle((r, e) -> {
          if (e != null) {
            undo(t, id, l.ownerValue(), taken);
            throw e instanceof CompletionException ce ? ce : new CompletionException(e);
          }
          if ("TAKEN".equals(r.get(0))) {
            drop(t, realm, l, "was taken by another node while Redis had lost it");
            return null;
          }
          boolean current;
          synchronized (lock(t.key(), id)) {
            current = realm.locals.get(id) == l && l.sink().isOpen();
            if (current) {
              for (int i = 2; i < r.size(); i++) {
                l.sink().send((String) r.get(i));
              }
            }
          }
          if (current) {
            if (r.size() > 2) {
              drained(t, id, taken);
            }
            log.info("id {} registered again in Redis ({} queued frames delivered)", id, r.size() - 2);
          } else {
            undo(t, id, l.ownerValue(), taken); // it left meanwhile: do not keep the id we just took
          }
          return null;
        });
  }

  private void drop(Tenant t, Realm realm, Local l, String why) {
    if (l == null) {
      return;
    }
    boolean gone;
    synchronized (lock(t.key(), l.id())) {
      // only the registration we asked about: the id may have left and come back meanwhile
      gone = realm.locals.remove(l.id(), l);
    }
    if (gone) {
      log.info("id {} {}; closing its socket here", l.id(), why);
      l.sink().close();
    }
  }

  private <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new CompletionException(e.getCause());
    } catch (TimeoutException e) {
      throw new CompletionException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the Redis registry is closed");
    }
  }

  /**
   * Closes this node's registrations in Redis (its ids free at once, waiting at most a few command
   * timeouts), then the connections. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    refresher.shutdownNow();
    List<CompletableFuture<List<Object>>> removals = new ArrayList<>();
    for (Map.Entry<String, Realm> e : realms.entrySet()) {
      Tenant t = tenants.get(e.getKey());
      for (Local l : e.getValue().locals.values()) {
        removals.add(eval(UNREGISTER, new String[] {idKey(t, l.id()), peersKey(t)}, l.ownerValue(), l.id()));
      }
    }
    try {
      await(CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)));
    } catch (RuntimeException ex) {
      log.debug("could not remove every id on close (they free after alive_timeout)", ex);
    }
    closed = true;
    realms.clear();
    shutdownQuietly();
  }

  /**
   * Drops the connections to Redis without removing anything, as a node that crashed: its ids stay
   * registered until {@code alive_timeout} passes without refresh. For failure tests.
   */
  public void abandon() {
    closed = true;
    refresher.shutdownNow();
    realms.clear();
    shutdownQuietly();
  }

  private void shutdownQuietly() {
    refresher.shutdownNow();
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      log.debug("Redis client shutdown", e);
    }
    try {
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.debug("Redis resources shutdown", e);
    }
  }

  // ---- helpers ----

  private void publish(String toNode, String message) {
    async.publish(CHANNEL_PREFIX + toNode, message).whenComplete((n, e) -> {
      if (e != null) {
        failed("publishing to node " + toNode, e);
      }
    });
  }

  /**
   * SCRIPT LOAD of every script (at start, and after each reconnect, off the event loops): a call
   * that times out during an outage must still run as sent when Redis answers, not fail NOSCRIPT.
   */
  private void loadScripts() {
    for (Script sc : List.of(REGISTER, DRAINED, UNDO, RELAY, EXPIRE, UNREGISTER, REFRESH, LIVE)) {
      await(async.scriptLoad(sc.text()).toCompletableFuture());
    }
    scriptsLoaded.set(true);
  }

  /** EVALSHA, loading the script once when Redis does not know it (first use, or Redis restarted). */
  private CompletableFuture<List<Object>> eval(Script script, String[] keys, String... args) {
    CompletableFuture<List<Object>> f;
    try {
      f = async.<List<Object>>evalsha(script.sha(), ScriptOutputType.MULTI, keys, args).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return f.exceptionallyCompose(e -> {
      if (unwrap(e) instanceof RedisNoScriptException) {
        return async.scriptLoad(script.text()).toCompletableFuture().thenCompose(sha ->
            async.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args));
      }
      return CompletableFuture.failedFuture(e);
    });
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Logs the first failure of an outage as a warning, the rest at debug. */
  private void failed(String what, Throwable e) {
    if (closed) {
      return;
    }
    if (failing.compareAndSet(false, true)) {
      log.warn("Redis at {} failed {}: {} (calls fail until it answers again)", describe(uri), what,
          rootMessage(unwrap(e)));
    } else {
      log.debug("Redis failed {}: {}", what, rootMessage(unwrap(e)));
    }
  }

  private void recovered() {
    if (failing.get() && failing.compareAndSet(true, false)) {
      log.info("Redis at {} answers again", describe(uri));
    }
  }

  static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static String describe(RedisURI uri) {
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort()
        + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public String toString() {
    return "RedisPeerRegistry[" + describe(uri) + ", node " + node + (closed ? ", closed" : "") + "]";
  }
}
