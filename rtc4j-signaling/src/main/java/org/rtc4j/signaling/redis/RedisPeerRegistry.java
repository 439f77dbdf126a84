package org.rtc4j.signaling.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rtc4j.signaling.PeerRegistry;
import org.rtc4j.signaling.PeerSink;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.Tenant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PeerRegistry} shared by several signaling nodes through one Redis server: the id
 * registry, the queues for ids not connected yet and the expiry of those queues live in Redis;
 * frames for a peer connected to another node are published on that node's channel. The design
 * (keys, channels, expiry, failure semantics) is in the package documentation.
 *
 * <p>Threading: any thread. Each call that needs Redis makes one synchronous round trip (a Lua
 * script, atomic on the server) with the command timeout of the URI (default 2 s); on loopback that
 * is ~0.1 ms, but it is a blocking call on the caller's thread (a Netty event loop), which the
 * in-memory registry never makes. Frames from other nodes are handed to local sinks on one
 * dispatcher thread, in the order Redis delivered them; a stripe lock per id keeps "register and
 * drain" and "deliver locally" from interleaving, as in {@code InMemoryPeerRegistry}.
 */
public final class RedisPeerRegistry implements PeerRegistry {

  private static final Logger log = LoggerFactory.getLogger(RedisPeerRegistry.class);
  private static final int STRIPES = 64;
  private static final String CHANNEL_PREFIX = "rtc4j:node:";

  // Returns {"OPENED"|"REATTACHED"|"TAKEN"|"LIMIT", previousNode, queued frames...}
  private static final String REGISTER = """
      local cur = redis.call('GET', KEYS[1])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local ttl = tonumber(ARGV[3])
      local out
      if cur then
        local sp = string.find(cur, ' ', 1, true)
        if string.sub(cur, sp + 1) ~= ARGV[1] then return {'TAKEN', ''} end
        out = {'REATTACHED', string.sub(cur, 1, sp - 1)}
      else
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {'LIMIT', ''} end
        out = {'OPENED', ''}
      end
      redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. ARGV[1], 'PX', ttl)
      redis.call('ZADD', KEYS[2], now + ttl, ARGV[5])
      local q = redis.call('LRANGE', KEYS[3], 0, -1)
      if #q > 0 then
        redis.call('DEL', KEYS[3])
        local done = {}
        for _, e in ipairs(q) do
          local c = string.find(e, ':', 1, true)
          local n = tonumber(string.sub(e, 1, c - 1))
          local src = string.sub(e, c + 1, c + n)
          table.insert(out, string.sub(e, c + n + 1))
          redis.call('HINCRBY', KEYS[5], src, -1)
          if not done[src] then
            done[src] = true
            redis.call('ZREM', KEYS[4], string.len(ARGV[5]) .. ':' .. ARGV[5] .. src)
          end
        end
        redis.call('DECRBY', KEYS[6], #q)
      end
      return out
      """;

  // Returns {0} queued, {1, node} registered at node, {2} offline, {3} queue full
  private static final String RELAY = """
      local cur = redis.call('GET', KEYS[1])
      if cur then return {1, string.sub(cur, 1, string.find(cur, ' ', 1, true) - 1)} end
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
      """;

  // KEYS: pending, counter, per-sender; ARGV: timeoutMs, key prefix of queues. Returns {dropped, src, dst, ...}
  private static final String EXPIRE = """
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
        end
        table.insert(out, src)
        table.insert(out, dst)
      end
      out[1] = dropped
      return out
      """;

  // KEYS[1]: id key; ARGV: value. Deletes the id only if this node (and token) still owns it.
  private static final String UNREGISTER = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[2], ARGV[2])
        return 1
      end
      return 0
      """;

  // KEYS: id keys..., peers zset last; ARGV: node prefix ("node "), ttl, ids...
  // Returns the ids this node no longer owns.
  private static final String REFRESH = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local ttl = tonumber(ARGV[2])
      local lost = {}
      local z = KEYS[#KEYS]
      for i = 1, #KEYS - 1 do
        local cur = redis.call('GET', KEYS[i])
        if cur and string.sub(cur, 1, string.len(ARGV[1])) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[i], ttl)
          redis.call('ZADD', z, now + ttl, ARGV[i + 2])
        else
          table.insert(lost, ARGV[i + 2])
        end
      end
      return lost
      """;

  // KEYS[1] peers zset; ARGV[1] '1' to list ids, else count
  private static final String LIVE = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      if ARGV[1] == '1' then return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf') end
      return {redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')}
      """;

  private record Local(String id, String token, String ownerValue, PeerSink sink) {}

  private final String node;
  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final RedisCommands<String, String> redis;
  private final Map<String, String> digests = new ConcurrentHashMap<>();
  private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
  /** tenant key → id → local registration. */
  private final Map<String, Map<String, Local>> locals = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[STRIPES];
  private final ExecutorService dispatcher;
  private final ScheduledExecutorService refresher;
  private final long aliveMillis;
  private final long backstopMillis;
  private volatile boolean closed;

  private RedisPeerRegistry(RedisURI uri, Duration aliveTimeout, Duration expireTimeout, Collection<Tenant> tenants)
      throws IOException {
    this.uri = uri;
    this.aliveMillis = Math.max(1, aliveTimeout.toMillis());
    // Queue keys outlive any expiry sweep: they only vanish by TTL when every node is gone.
    this.backstopMillis = Math.max(60_000, expireTimeout.toMillis() * 10);
    byte[] rnd = new byte[8];
    new SecureRandom().nextBytes(rnd);
    this.node = HexFormat.of().formatHex(rnd);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    tenants.forEach(t -> this.tenants.put(t.key(), t));
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1).build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(3)).build())
        .timeoutOptions(TimeoutOptions.enabled(uri.getTimeout()))
        .build());
    this.dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, "rtc4j-redis-dispatch"));
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rtc4j-redis-refresh"));
    try {
      this.connection = client.connect();
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
          dispatcher.execute(() -> onNodeMessage(message));
        }
      }
    });
    try {
      pubsub.sync().subscribe(CHANNEL_PREFIX + node);
    } catch (RedisException e) {
      close();
      throw new IOException("cannot subscribe on Redis at " + describe(uri) + ": " + rootMessage(e), e);
    }
    long every = Math.max(50, aliveMillis / 3);
    refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    log.info("signaling registry on Redis {} as node {}", describe(uri), node);
  }

  /**
   * Connects to Redis at {@code uri} ({@code redis://HOST:PORT[/DB]}, {@code rediss://} for TLS) for
   * the tenants, alive timeout and expire timeout of {@code config}.
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

  private Map<String, Local> locals(Tenant t) {
    tenants.putIfAbsent(t.key(), t);
    return locals.computeIfAbsent(t.key(), k -> new ConcurrentHashMap<>());
  }

  // ---- PeerRegistry ----

  @Override
  public Registration register(Tenant tenant, String id, String token, PeerSink sink, String greeting, long nowNanos) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(sink, "sink");
    checkOpen();
    Map<String, Local> mine = locals(tenant);
    String tokenHash = sha256(token);
    synchronized (lock(tenant.key(), id)) {
      List<Object> r = eval(REGISTER, new String[] {idKey(tenant, id), peersKey(tenant),
          queuePrefix(tenant) + id, pendingKey(tenant), senderKey(tenant), countKey(tenant)},
          tokenHash, node, Long.toString(aliveMillis), Integer.toString(tenant.concurrentLimit()), id);
      String outcome = (String) r.get(0);
      if ("TAKEN".equals(outcome)) {
        return new Registration(Outcome.ID_TAKEN, null, 0);
      }
      if ("LIMIT".equals(outcome)) {
        return new Registration(Outcome.LIMIT_REACHED, null, 0);
      }
      Local previous = mine.put(id, new Local(id, token, node + " " + tokenHash, sink));
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
      return new Registration(o, replaced, delivered);
    }
  }

  @Override
  public boolean unregister(Tenant tenant, String id, PeerSink sink) {
    Map<String, Local> mine = locals(tenant);
    Local l;
    synchronized (lock(tenant.key(), id)) {
      l = mine.get(id);
      if (l == null || l.sink() != sink) {
        return false;
      }
      mine.remove(id);
      if (closed) {
        return true;
      }
      try {
        eval(UNREGISTER, new String[] {idKey(tenant, id), peersKey(tenant)}, l.ownerValue(), id);
      } catch (RedisException e) {
        log.warn("could not remove {} from Redis (it frees after alive_timeout): {}", id, rootMessage(e));
      }
    }
    return true;
  }

  @Override
  public Delivery relay(Tenant tenant, String src, String dst, String frame, boolean queueIfAbsent, long nowNanos) {
    if (closed) {
      return Delivery.CLOSED;
    }
    tenants.putIfAbsent(tenant.key(), tenant);
    List<Object> r;
    try {
      r = eval(RELAY, new String[] {idKey(tenant, dst), queuePrefix(tenant) + dst, pendingKey(tenant),
          senderKey(tenant), countKey(tenant)}, src, frame, queueIfAbsent ? "1" : "0",
          Integer.toString(tenant.maxQueuedPerDestination()), Integer.toString(tenant.maxQueuedPerSender()),
          Integer.toString(tenant.maxQueuedTotal()), lp(dst), Long.toString(backstopMillis));
    } catch (RedisException e) {
      log.warn("relay {} → {} failed on Redis: {}", src, dst, rootMessage(e));
      return Delivery.QUEUE_FULL; // the sender hears EXPIRE at once: the message will not arrive
    }
    long code = (Long) r.get(0);
    if (code == 0) {
      return Delivery.QUEUED;
    }
    if (code == 2) {
      return Delivery.OFFLINE;
    }
    if (code == 3) {
      return Delivery.QUEUE_FULL;
    }
    String at = (String) r.get(1);
    if (at.equals(node)) {
      return deliverLocally(tenant, dst, frame);
    }
    // Another node holds dst. No subscriber means that node is gone (its id has not expired yet).
    long receivers = publish(at, "F" + lpj(tenant.key()) + lpj(dst) + lpj(src) + frame);
    return receivers > 0 ? Delivery.DELIVERED : Delivery.CLOSED;
  }

  private Delivery deliverLocally(Tenant tenant, String dst, String frame) {
    synchronized (lock(tenant.key(), dst)) {
      Local l = locals(tenant).get(dst);
      if (l == null) {
        return Delivery.CLOSED;
      }
      if (l.sink().send(frame)) {
        return Delivery.DELIVERED;
      }
      return l.sink().isOpen() ? Delivery.BACKLOGGED : Delivery.CLOSED;
    }
  }

  /** On the dispatcher thread: a frame or a close order from another node. */
  private void onNodeMessage(String m) {
    try {
      int[] pos = {1};
      String key = take(m, pos);
      Tenant tenant = tenants.getOrDefault(key, Tenant.withDefaults(key));
      if (m.charAt(0) == 'C') {
        String id = m.substring(pos[0]);
        Local l;
        synchronized (lock(key, id)) {
          l = locals(tenant).remove(id);
        }
        if (l != null) {
          l.sink().close(); // re-attached on another node: this socket can never be used again
        }
        return;
      }
      String dst = take(m, pos);
      String src = take(m, pos);
      String frame = m.substring(pos[0]);
      if (deliverLocally(tenant, dst, frame) == Delivery.CLOSED) {
        // As upstream when forwarding fails: the sender hears that dst left.
        String leave = "{\"type\":\"LEAVE\",\"src\":" + jsonString(dst) + ",\"dst\":" + jsonString(src) + "}";
        relay(tenant, dst, src, leave, false, 0);
      }
    } catch (RuntimeException e) {
      log.warn("bad message from another node dropped: {}", e.toString());
    }
  }

  private static String take(String m, int[] pos) {
    int c = m.indexOf(':', pos[0]);
    int n = Integer.parseInt(m, pos[0], c, 10);
    String s = m.substring(c + 1, c + 1 + n);
    pos[0] = c + 1 + n;
    return s;
  }

  @Override
  public int expire(long nowNanos, long timeoutNanos, ExpiryListener listener) {
    if (closed) {
      return 0;
    }
    int dropped = 0;
    for (Tenant t : tenants.values()) {
      List<Object> r;
      try {
        r = eval(EXPIRE, new String[] {pendingKey(t), countKey(t), senderKey(t)},
            Long.toString(Math.max(1, timeoutNanos / 1_000_000)), queuePrefix(t));
      } catch (RedisException e) {
        log.warn("expiry sweep on Redis failed: {}", rootMessage(e));
        continue;
      }
      dropped += ((Long) r.get(0)).intValue();
      // Only the node whose script popped a pair reports it: one EXPIRE per pair in the cluster.
      for (int i = 1; i + 1 < r.size(); i += 2) {
        listener.expired(t, (String) r.get(i), (String) r.get(i + 1));
      }
    }
    return dropped;
  }

  @Override
  public boolean isRegistered(Tenant tenant, String id) {
    checkOpen();
    return redis.exists(idKey(tenant, id)) > 0;
  }

  @Override
  public List<String> ids(Tenant tenant) {
    checkOpen();
    List<Object> r = eval(LIVE, new String[] {peersKey(tenant)}, "1");
    List<String> out = new ArrayList<>(r.size());
    r.forEach(o -> out.add((String) o));
    return out;
  }

  @Override
  public int peers(Tenant tenant) {
    if (closed) {
      return 0;
    }
    return ((Long) eval(LIVE, new String[] {peersKey(tenant)}, "0").get(0)).intValue();
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
    return locals.values().stream().mapToInt(Map::size).sum();
  }

  /** Keeps this node's ids alive: PEXPIRE alive_timeout on each; ids another node took are closed here. */
  private void refresh() {
    if (closed) {
      return;
    }
    for (Map.Entry<String, Map<String, Local>> e : locals.entrySet()) {
      Tenant t = tenants.get(e.getKey());
      Map<String, Local> snapshot = Map.copyOf(e.getValue());
      List<String> ids = new ArrayList<>(snapshot.keySet());
      for (int from = 0; from < ids.size(); from += 500) {
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
          for (Object lost : eval(REFRESH, keys, args)) {
            String id = (String) lost;
            Local l = snapshot.get(id);
            boolean removed;
            synchronized (lock(t.key(), id)) {
              // only the registration we asked about: the id may have left and come back meanwhile
              removed = l != null && e.getValue().remove(id, l);
            }
            if (removed) {
              log.info("id {} is no longer held by this node in Redis; closing its socket", id);
              l.sink().close();
            }
          }
        } catch (RedisException ex) {
          log.warn("refreshing ids on Redis failed (they expire after alive_timeout): {}", rootMessage(ex));
        } catch (RuntimeException ex) {
          log.warn("refreshing ids failed", ex);
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the Redis registry is closed");
    }
  }

  /**
   * Closes this node's registrations in Redis (its ids free at once), then the connections.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    refresher.shutdownNow();
    for (Map.Entry<String, Map<String, Local>> e : locals.entrySet()) {
      Tenant t = tenants.get(e.getKey());
      for (Local l : e.getValue().values()) {
        try {
          eval(UNREGISTER, new String[] {idKey(t, l.id()), peersKey(t)}, l.ownerValue(), l.id());
        } catch (RuntimeException ex) {
          log.debug("could not remove {} on close", l.id(), ex);
        }
      }
    }
    closed = true;
    locals.clear();
    shutdownQuietly();
  }

  /**
   * Drops the connections to Redis without removing anything, as a node that crashed: its ids stay
   * registered until {@code alive_timeout} passes without refresh. For failure tests.
   */
  public void abandon() {
    closed = true;
    refresher.shutdownNow();
    locals.clear();
    shutdownQuietly();
  }

  private void shutdownQuietly() {
    dispatcher.shutdownNow();
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

  private long publish(String toNode, String message) {
    try {
      return redis.publish(CHANNEL_PREFIX + toNode, message);
    } catch (RedisException e) {
      log.warn("publish to node {} failed: {}", toNode, rootMessage(e));
      return 0;
    }
  }

  private List<Object> eval(String script, String[] keys, String... args) {
    String sha = digests.get(script);
    if (sha != null) {
      try {
        return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
      } catch (RedisNoScriptException e) {
        // Redis restarted or flushed its script cache: load again below
      }
    }
    digests.put(script, redis.scriptLoad(script));
    return redis.evalsha(digests.get(script), ScriptOutputType.MULTI, keys, args);
  }

  private static String sha256(String token) {
    try {
      // Redis compares digests, not tokens: a timing difference there tells nothing usable about the token.
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
