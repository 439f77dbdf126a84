package org.rtc4j.turn.server;

/**
 * Something with a lifetime that the {@link ExpiryQueue} watches: an allocation, a permission or
 * a channel binding.
 */
abstract class Expiring {
  /** When it expires (nanoTime scale). */
  long expiresAt;
  /** The deadline of its newest queue entry; older entries for it are stale. */
  long scheduledAt;
  /** Whether it is queued at all. */
  boolean queued;
  /** Deleted: queue entries for it are skipped. */
  boolean dead;
}
