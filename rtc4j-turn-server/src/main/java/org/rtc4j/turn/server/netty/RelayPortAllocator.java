package org.rtc4j.turn.server.netty;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.random.RandomGenerator;

/**
 * The relay port range {@code [min, max]} shared by every shard: which ports this server holds.
 *
 * <p>Ports are chosen at random (RFC 8656 §7.2 asks for unpredictable relay ports, so an off-path
 * attacker cannot guess an allocation), starting from a random point and scanning to the next
 * free port, so reservation stays fast when the range is nearly full. A reserved port may still
 * fail to bind (another process holds it); the driver then releases it and tries again.
 *
 * <p>Threading: lock-free, safe from every event loop (a bitmap of {@code AtomicLongArray} words).
 */
final class RelayPortAllocator {

  private final int min;
  private final int max;
  private final AtomicLongArray used;
  private final AtomicInteger inUse = new AtomicInteger();

  RelayPortAllocator(int min, int max) {
    if (min < 1 || max > 65535 || min > max) {
      throw new IllegalArgumentException("relay port range must satisfy 1 <= min <= max <= 65535: " + min + "-" + max);
    }
    this.min = min;
    this.max = max;
    this.used = new AtomicLongArray(((max - min) >> 6) + 1);
  }

  /**
   * Reserves a free port, or returns -1 when none is free.
   *
   * @param even whether the port must be even (EVEN-PORT, RFC 8656 §14.6)
   */
  int reserve(RandomGenerator random, boolean even) {
    int size = max - min + 1;
    int start = random.nextInt(size);
    for (int i = 0; i < size; i++) {
      int port = min + (start + i) % size;
      if (even && (port & 1) != 0) {
        continue;
      }
      if (tryMark(port)) {
        return port;
      }
    }
    return -1;
  }

  /**
   * Reserves an even port N and N + 1 together (EVEN-PORT with the R bit, RFC 8656 §7.2: N for
   * the allocation, N + 1 held for a later Allocate quoting the RESERVATION-TOKEN); returns N or -1.
   */
  int reservePair(RandomGenerator random) {
    int size = max - min + 1;
    int start = random.nextInt(size);
    for (int i = 0; i < size; i++) {
      int port = min + (start + i) % size;
      if ((port & 1) != 0 || port + 1 > max) {
        continue;
      }
      if (tryMark(port)) {
        if (tryMark(port + 1)) {
          return port;
        }
        release(port);
      }
    }
    return -1;
  }

  /** Marks one specific port taken; false if it already was (or is outside the range). */
  boolean tryMark(int port) {
    if (port < min || port > max) {
      return false;
    }
    int bit = port - min;
    int word = bit >> 6;
    long mask = 1L << (bit & 63);
    long current = used.get(word);
    while ((current & mask) == 0) {
      if (used.compareAndSet(word, current, current | mask)) {
        inUse.incrementAndGet();
        return true;
      }
      current = used.get(word);
    }
    return false;
  }

  /** Returns a port obtained from {@link #reserve}, {@link #reservePair} or {@link #tryMark}. */
  void release(int port) {
    if (port < min || port > max) {
      return;
    }
    int bit = port - min;
    int word = bit >> 6;
    long mask = 1L << (bit & 63);
    long current = used.get(word);
    while ((current & mask) != 0) {
      if (used.compareAndSet(word, current, current & ~mask)) {
        inUse.decrementAndGet();
        return;
      }
      current = used.get(word);
    }
  }

  /** Number of ports currently reserved. */
  int inUse() {
    return inUse.get();
  }

  int min() {
    return min;
  }

  int max() {
    return max;
  }
}
