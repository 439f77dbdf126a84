package org.rtc4j.turn.server;

import java.net.InetAddress;

/**
 * Limits unauthenticated error responses per source IP and second (coturn's 401 rate limit),
 * in a fixed-size table: sources that hash to one slot share its budget, so spoofed sources cost
 * nothing and the table never grows (trust tests LD-3, SC-8). The hash is salted per shard so a
 * sender cannot aim at a legitimate client's slot. Not thread-safe.
 */
final class SourceRateLimiter {

  private static final int SLOTS = 4096;
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private final int perSecond;
  private final int salt;
  private final long[] windowStart = new long[SLOTS];
  private final int[] count = new int[SLOTS];

  SourceRateLimiter(int perSecond, int salt) {
    this.perSecond = perSecond;
    this.salt = salt;
  }

  /** Whether one more response to {@code source} fits its budget at {@code now}; counts it if so. */
  boolean tryAcquire(InetAddress source, long now) {
    byte[] a = source.getAddress();
    int h = salt;
    for (byte b : a) {
      h = (h ^ (b & 0xff)) * 0x01000193;
    }
    int slot = (h ^ (h >>> 15)) & (SLOTS - 1);
    if (count[slot] == 0 || now - windowStart[slot] >= WINDOW_NANOS) {
      windowStart[slot] = now;
      count[slot] = 0;
    }
    if (count[slot] >= perSecond) {
      return false;
    }
    count[slot]++;
    return true;
  }
}
