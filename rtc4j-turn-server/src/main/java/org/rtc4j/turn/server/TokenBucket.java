package org.rtc4j.turn.server;

/**
 * Bandwidth cap for one direction of one allocation (coturn {@code max-bps}): a token bucket
 * refilled at {@code rate} bytes per second up to a burst of a tenth of a second (at least one
 * 1500-byte packet). A packet passes while the bucket is not empty and may take it into debt, so
 * packets larger than the burst are never starved; over any interval T the bytes passed stay below
 * {@code rate × T + burst + one packet}.
 *
 * <p>Tokens are kept in byte-nanoseconds so that slow refills between close packets are not
 * rounded away. Not thread-safe.
 */
final class TokenBucket {

  private static final long NANOS = 1_000_000_000L;
  /** Rates above this are treated as unlimited (and keep the arithmetic within 63 bits). */
  static final long MAX_RATE = 1L << 32;

  private final long rate;
  private final long burstScaled;
  private long tokensScaled;
  private long last;

  TokenBucket(long bytesPerSecond, long nowNanos) {
    if (bytesPerSecond <= 0 || bytesPerSecond > MAX_RATE) {
      throw new IllegalArgumentException("rate out of range: " + bytesPerSecond);
    }
    this.rate = bytesPerSecond;
    this.burstScaled = Math.max(bytesPerSecond / 10, 1500) * NANOS;
    this.tokensScaled = burstScaled;
    this.last = nowNanos;
  }

  /** Whether a packet of {@code bytes} may pass at {@code now}; if so its bytes are taken. */
  boolean tryConsume(int bytes, long now) {
    long elapsed = now - last;
    if (elapsed > 0) {
      last = now;
      // Refill by elapsed × rate, capped at the burst; the division keeps the product in range.
      long missing = burstScaled - tokensScaled;
      tokensScaled = elapsed >= missing / rate ? burstScaled : tokensScaled + elapsed * rate;
    }
    if (tokensScaled <= 0) {
      return false;
    }
    tokensScaled -= bytes * NANOS;
    return true;
  }
}
