package org.rtc4j.turn.server;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The state every shard ({@link TurnServerCore}, one per event loop) of one TURN server shares:
 * the quota ledger (allocations per user and in total, reserved bandwidth), the secret that makes
 * nonces stateless, and the {@link TurnCounters}.
 *
 * <p>Nonces are {@code expiry || HMAC(secret, expiry || client IP)} with the expiry in Unix
 * seconds: any shard validates a nonce
 * another shard issued, and no per-source state exists before a client has proven its
 * credentials (trust test LD-3).
 *
 * <p>Thread-safe: atomics and a concurrent map; the quota entry of a user disappears when its
 * count returns to zero.
 */
public final class TurnSharedState {

  private final TurnServerConfig config;
  private final byte[] nonceSecret;
  private final TurnCounters counters = new TurnCounters();
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicLong reservedBps = new AtomicLong();
  private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
  /** Port reservations by RESERVATION-TOKEN (hex), consumable by any shard. */
  private final ConcurrentHashMap<String, Reservation> reservations = new ConcurrentHashMap<>();

  /** Shared state with a nonce secret drawn from {@code random} (use a {@link SecureRandom}). */
  public TurnSharedState(TurnServerConfig config, RandomGenerator random) {
    this(config, randomSecret(random));
  }

  /** Shared state with a nonce secret from a new {@link SecureRandom}. */
  public TurnSharedState(TurnServerConfig config) {
    this(config, new SecureRandom());
  }

  /**
   * Shared state with a given nonce secret (at least 16 bytes), for servers whose nonces must
   * survive a restart or be accepted by several nodes (nonce expiry is in Unix seconds, from
   * {@link TurnServerConfig#epochSecondsAt()}, so the nodes' clocks must roughly agree).
   */
  public TurnSharedState(TurnServerConfig config, byte[] nonceSecret) {
    this.config = Objects.requireNonNull(config, "config");
    if (nonceSecret.length < 16) {
      throw new IllegalArgumentException("nonce secret shorter than 16 bytes");
    }
    this.nonceSecret = nonceSecret.clone();
  }

  private static byte[] randomSecret(RandomGenerator random) {
    byte[] s = new byte[32];
    for (int i = 0; i < s.length; i += 8) {
      long v = random.nextLong();
      for (int j = 0; j < 8; j++) {
        s[i + j] = (byte) (v >>> (8 * j));
      }
    }
    return s;
  }

  /** The configuration these shards run with. */
  public TurnServerConfig config() {
    return config;
  }

  /** The metrics all shards add to. */
  public TurnCounters counters() {
    return counters;
  }

  /** Allocations held now, by all shards. */
  public int allocationCount() {
    return total.get();
  }

  /** Allocations held now by {@code user}. */
  public int allocationCount(String user) {
    return perUser.getOrDefault(user, 0);
  }

  /** Number of users holding at least one allocation (the ledger's size). */
  public int usersWithAllocations() {
    return perUser.size();
  }

  /** Bandwidth reserved by allocations now, bytes per second. */
  public long reservedBps() {
    return reservedBps.get();
  }

  /** Port reservations waiting for their RESERVATION-TOKEN, all shards. */
  public int reservationCount() {
    return reservations.size();
  }

  void putReservation(Reservation r) {
    reservations.put(r.token, r);
  }

  /** Removes and returns the reservation for {@code token}, or null (unknown, used or expired). */
  Reservation takeReservation(String token) {
    return reservations.remove(token);
  }

  /** Removes {@code r} if it is still waiting; returns whether it was. */
  boolean removeReservation(Reservation r) {
    return reservations.remove(r.token, r);
  }

  /** A fresh nonce codec for one shard (its Mac is not thread-safe). */
  NonceCodec newNonceCodec() {
    return new NonceCodec(nonceSecret, config.nonceLifetimeSeconds());
  }

  /**
   * Takes one allocation out of the quotas for {@code user}.
   *
   * @return false (nothing taken) if the total, the user's or the bandwidth quota is exhausted
   */
  boolean tryAcquireAllocation(String user) {
    int totalQuota = config.totalQuota();
    if (!tryIncrement(total, totalQuota)) {
      return false;
    }
    long bps = config.bpsCapacity() > 0 ? config.maxBps() : 0;
    if (bps > 0 && reservedBps.addAndGet(bps) > config.bpsCapacity()) {
      reservedBps.addAndGet(-bps);
      total.decrementAndGet();
      return false;
    }
    int userQuota = config.userQuota();
    boolean[] ok = {true};
    perUser.compute(user, (k, v) -> {
      int n = v == null ? 0 : v;
      if (userQuota > 0 && n >= userQuota) {
        ok[0] = false;
        return v;
      }
      return n + 1;
    });
    if (!ok[0]) {
      if (bps > 0) {
        reservedBps.addAndGet(-bps);
      }
      total.decrementAndGet();
    }
    return ok[0];
  }

  /** Gives back what {@link #tryAcquireAllocation} took. */
  void releaseAllocation(String user) {
    total.decrementAndGet();
    if (config.bpsCapacity() > 0 && config.maxBps() > 0) {
      reservedBps.addAndGet(-config.maxBps());
    }
    perUser.computeIfPresent(user, (k, v) -> v <= 1 ? null : v - 1);
  }

  private static boolean tryIncrement(AtomicInteger counter, int limit) {
    while (true) {
      int n = counter.get();
      if (limit > 0 && n >= limit) {
        return false;
      }
      if (counter.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  @Override
  public String toString() {
    return "TurnSharedState[allocations=" + total.get() + ", users=" + perUser.size() + "]";
  }
}
