package org.rtc4j.signaling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link PeerRegistry} in this process: one realm per key, a concurrent map of registered ids, and
 * per-destination FIFO queues with three bounds (per destination, per sender, per tenant).
 *
 * <p>Threading: any thread. Registration, relay and expiry of one id run under one of 64 stripe
 * locks chosen by the id's hash, so "deliver or queue" and "register and drain" never interleave:
 * a message is either queued before the id registers (and drained to it) or delivered after.
 * Frames are handed to {@link PeerSink#send}, which does not block, under that lock; listeners
 * are called after the locks are released. Every stage it returns is already complete (the relay
 * outcomes and unregister results are shared instances, so the hot path allocates nothing for them).
 */
public final class InMemoryPeerRegistry implements PeerRegistry {

  private static final int STRIPES = 64;

  private record Queued(String src, String frame, long atNanos) {}

  private static final class Entry {
    final byte[] tokenDigest; // only the digest is kept: each check hashes just the token it is given
    volatile PeerSink sink;

    Entry(String token, PeerSink sink) {
      this.tokenDigest = Tokens.digest(token);
      this.sink = sink;
    }
  }

  private static final class Realm {
    final Map<String, Entry> clients = new ConcurrentHashMap<>();
    final Map<String, ArrayDeque<Queued>> queues = new ConcurrentHashMap<>();
    final Map<String, Integer> queuedBySender = new ConcurrentHashMap<>();
    final AtomicInteger registered = new AtomicInteger();
    final AtomicInteger queued = new AtomicInteger();
    final Object[] stripes = new Object[STRIPES];

    Realm() {
      for (int i = 0; i < STRIPES; i++) {
        stripes[i] = new Object();
      }
    }

    Object lock(String id) {
      return stripes[(id.hashCode() & 0x7fffffff) % STRIPES];
    }

    void senderDone(String src, int n) {
      queuedBySender.compute(src, (k, v) -> v == null || v - n <= 0 ? null : v - n);
      queued.addAndGet(-n);
    }

    /** Counts one more queued message of {@code src} unless that passes {@code max}; atomic per sender. */
    boolean senderAdd(String src, int max) {
      boolean[] ok = {false};
      queuedBySender.compute(src, (k, v) -> {
        int n = v == null ? 0 : v;
        if (n >= max) {
          return v;
        }
        ok[0] = true;
        return n + 1;
      });
      return ok[0];
    }
  }

  private final Map<String, Realm> realms = new ConcurrentHashMap<>();
  /** One completed stage per outcome, indexed by ordinal: relay allocates no future. */
  private final CompletableFuture<Delivery>[] deliveries = completed(Delivery.values());
  private final CompletableFuture<Boolean> removed = CompletableFuture.completedFuture(true);
  private final CompletableFuture<Boolean> notRemoved = CompletableFuture.completedFuture(false);

  @SuppressWarnings("unchecked")
  private static <T> CompletableFuture<T>[] completed(T[] values) {
    CompletableFuture<T>[] out = new CompletableFuture[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = CompletableFuture.completedFuture(values[i]);
    }
    return out;
  }

  private Realm realm(Tenant tenant) {
    return realms.computeIfAbsent(tenant.key(), k -> new Realm());
  }

  @Override
  public CompletionStage<Registration> register(Tenant tenant, String id, String token, PeerSink sink,
      String greeting, long nowNanos) {
    return CompletableFuture.completedFuture(registerNow(tenant, id, token, sink, greeting));
  }

  private Registration registerNow(Tenant tenant, String id, String token, PeerSink sink, String greeting) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(sink, "sink");
    Realm r = realm(tenant);
    synchronized (r.lock(id)) {
      Entry e = r.clients.get(id);
      PeerSink replaced = null;
      Outcome outcome;
      if (e != null) {
        // Constant time (Tokens): a timing probe learns nothing about the owner's token.
        if (!Tokens.matchesDigest(e.tokenDigest, token)) {
          return new Registration(Outcome.ID_TAKEN, null, 0);
        }
        replaced = e.sink;
        e.sink = sink;
        outcome = Outcome.REATTACHED;
      } else {
        if (r.registered.incrementAndGet() > tenant.concurrentLimit()) {
          r.registered.decrementAndGet();
          return new Registration(Outcome.LIMIT_REACHED, null, 0);
        }
        r.clients.put(id, new Entry(token, sink));
        outcome = Outcome.OPENED;
      }
      if (greeting != null) {
        sink.send(greeting);
      }
      int delivered = 0;
      ArrayDeque<Queued> q = r.queues.remove(id);
      if (q != null) {
        for (Queued m : q) {
          sink.send(m.frame());
          r.senderDone(m.src(), 1);
          delivered++;
        }
      }
      return new Registration(outcome, replaced, delivered);
    }
  }

  @Override
  public CompletionStage<Boolean> unregister(Tenant tenant, String id, PeerSink sink) {
    Realm r = realm(tenant);
    synchronized (r.lock(id)) {
      Entry e = r.clients.get(id);
      if (e == null || e.sink != sink) {
        return notRemoved;
      }
      r.clients.remove(id);
      r.registered.decrementAndGet();
      return removed;
    }
  }

  @Override
  public CompletionStage<Delivery> relay(Tenant tenant, String src, String dst, String frame, boolean queueIfAbsent,
      long nowNanos) {
    return deliveries[relayNow(tenant, src, dst, frame, queueIfAbsent, nowNanos).ordinal()];
  }

  @Override
  public CompletionStage<Delivery> relay(Tenant tenant, String src, String dst, io.netty.buffer.ByteBuf wsFrame,
      boolean queueIfAbsent, long nowNanos) {
    Realm r = realm(tenant);
    synchronized (r.lock(dst)) {
      Entry e = r.clients.get(dst);
      if (e != null) {
        return deliveries[outcome(e.sink, e.sink.sendEncoded(wsFrame)).ordinal()];
      }
    }
    // Not connected (rare on the hot path): queue the text; relayNow checks again under the lock.
    return relay(tenant, src, dst, WsText.decode(wsFrame), queueIfAbsent, nowNanos);
  }

  /** A frame handed to a connected peer's sink: taken, or refused for back-pressure or because it closed. */
  private static Delivery outcome(PeerSink s, boolean sent) {
    return sent ? Delivery.DELIVERED : s.isOpen() ? Delivery.BACKLOGGED : Delivery.CLOSED;
  }

  private Delivery relayNow(Tenant tenant, String src, String dst, String frame, boolean queueIfAbsent,
      long nowNanos) {
    Realm r = realm(tenant);
    synchronized (r.lock(dst)) {
      Entry e = r.clients.get(dst);
      if (e != null) {
        return outcome(e.sink, e.sink.send(frame));
      }
      if (!queueIfAbsent) {
        return Delivery.OFFLINE;
      }
      ArrayDeque<Queued> q = r.queues.get(dst);
      if (q != null && q.size() >= tenant.maxQueuedPerDestination()) {
        return Delivery.QUEUE_FULL;
      }
      if (r.queued.get() >= tenant.maxQueuedTotal() || !r.senderAdd(src, tenant.maxQueuedPerSender())) {
        return Delivery.QUEUE_FULL;
      }
      r.queued.incrementAndGet();
      if (q == null) {
        q = new ArrayDeque<>();
        r.queues.put(dst, q);
      }
      q.addLast(new Queued(src, frame, nowNanos));
      return Delivery.QUEUED;
    }
  }

  @Override
  public CompletionStage<Integer> expire(long nowNanos, long timeoutNanos, ExpiryListener listener) {
    return CompletableFuture.completedFuture(expireNow(nowNanos, timeoutNanos, listener));
  }

  private int expireNow(long nowNanos, long timeoutNanos, ExpiryListener listener) {
    int dropped = 0;
    for (Map.Entry<String, Realm> re : realms.entrySet()) {
      Realm r = re.getValue();
      List<String[]> pairs = new ArrayList<>();
      for (String dst : r.queues.keySet()) {
        Set<String> sources = new LinkedHashSet<>();
        synchronized (r.lock(dst)) {
          ArrayDeque<Queued> q = r.queues.get(dst);
          if (q == null) {
            continue;
          }
          // Senders whose oldest message to dst is too old: their connection attempt failed, so
          // all their messages to dst go (and they hear EXPIRE once), not one message per sweep.
          for (Queued m : q) {
            if (nowNanos - m.atNanos() < timeoutNanos) {
              break; // FIFO: the rest are younger
            }
            sources.add(m.src());
          }
          if (!sources.isEmpty()) {
            Iterator<Queued> it = q.iterator();
            while (it.hasNext()) {
              Queued m = it.next();
              if (sources.contains(m.src())) {
                it.remove();
                r.senderDone(m.src(), 1);
                dropped++;
              }
            }
          }
          if (q.isEmpty()) {
            r.queues.remove(dst, q);
          }
        }
        for (String src : sources) {
          pairs.add(new String[] {src, dst});
        }
      }
      if (!pairs.isEmpty()) {
        Tenant t = tenantFor(re.getKey());
        for (String[] p : pairs) {
          listener.expired(t, p[0], p[1]);
        }
      }
    }
    return dropped;
  }

  /** Tenants are passed in by callers; expiry only knows the key, so the listener gets a stand-in. */
  private final Map<String, Tenant> knownTenants = new ConcurrentHashMap<>();

  private Tenant tenantFor(String key) {
    return knownTenants.getOrDefault(key, Tenant.withDefaults(key));
  }

  /** Makes {@link #expire} report {@code tenant} itself (not a default stand-in) for its key. */
  public void addTenant(Tenant tenant) {
    knownTenants.put(tenant.key(), tenant);
    realm(tenant);
  }

  @Override
  public boolean isRegistered(Tenant tenant, String id) {
    return realm(tenant).clients.containsKey(id);
  }

  @Override
  public boolean isRegisteredLocally(Tenant tenant, String id) {
    return isRegistered(tenant, id);
  }

  @Override
  public CompletionStage<List<String>> ids(Tenant tenant) {
    return CompletableFuture.completedFuture(List.copyOf(realm(tenant).clients.keySet()));
  }

  @Override
  public int peers(Tenant tenant) {
    return realm(tenant).registered.get();
  }

  @Override
  public int queued(Tenant tenant) {
    return realm(tenant).queued.get();
  }

  /**
   * Map entries kept for {@code tenant}: registered ids, destinations with a queue, senders with
   * queued messages. 0 once every client has left and every queue was drained or expired (tests).
   */
  int retainedEntries(Tenant tenant) {
    Realm r = realm(tenant);
    return r.clients.size() + r.queues.size() + r.queuedBySender.size();
  }

  @Override
  public void close() {
    realms.clear();
  }
}
