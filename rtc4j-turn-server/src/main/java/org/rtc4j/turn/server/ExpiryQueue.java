package org.rtc4j.turn.server;

import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A timer queue of {@link Expiring}s with lazy deletion: refreshing an item to a later time
 * costs nothing (its entry is re-queued when it comes due), deleting it costs nothing (its entry
 * is skipped), and only a refresh to an earlier time adds an entry. A rebuild drops dead entries
 * when they outnumber the live ones, so churn cannot grow the queue without bound.
 *
 * <p>Times are {@code System.nanoTime()}-style values compared by signed difference.
 * Not thread-safe.
 */
final class ExpiryQueue {

  private record Entry(long deadline, Expiring item) {
  }

  private PriorityQueue<Entry> queue = newQueue(16);
  private int deadEntries;

  private static PriorityQueue<Entry> newQueue(int capacity) {
    return new PriorityQueue<>(Math.max(1, capacity), (a, b) -> Long.compare(a.deadline - b.deadline, 0));
  }

  /** Sets {@code item}'s expiry to {@code expiresAt}, queuing an entry only when needed. */
  void schedule(Expiring item, long expiresAt) {
    item.expiresAt = expiresAt;
    if (!item.queued || expiresAt - item.scheduledAt < 0) {
      if (item.queued) {
        deadEntries++; // the old, later entry becomes stale
        maybeCompact();
      }
      item.queued = true;
      item.scheduledAt = expiresAt;
      queue.add(new Entry(expiresAt, item));
    }
  }

  /** Marks {@code item} deleted; its entry is skipped when it comes due. */
  void cancel(Expiring item) {
    if (!item.dead) {
      item.dead = true;
      if (item.queued) {
        deadEntries++;
        maybeCompact();
      }
    }
  }

  /** The earliest queued deadline, or {@link Long#MAX_VALUE}. */
  long nextDeadline() {
    // Drop stale entries at the head so that a driver is not woken for nothing.
    for (Entry e; (e = queue.peek()) != null; ) {
      if (!e.item.dead && e.item.scheduledAt == e.deadline) {
        return e.deadline;
      }
      queue.poll();
      deadEntries--;
    }
    return Long.MAX_VALUE;
  }

  /** Hands every item whose expiry is at or before {@code now} to {@code onExpired} (which must cancel it). */
  void expire(long now, Consumer<Expiring> onExpired) {
    while (true) {
      Entry e = queue.peek();
      if (e == null || e.deadline - now > 0) {
        return;
      }
      queue.poll();
      Expiring item = e.item;
      if (item.dead || item.scheduledAt != e.deadline) {
        deadEntries--;
        continue;
      }
      if (item.expiresAt - now > 0) {
        // Refreshed since it was queued: queue again at its current expiry.
        item.scheduledAt = item.expiresAt;
        queue.add(new Entry(item.expiresAt, item));
        continue;
      }
      item.queued = false;
      onExpired.accept(item);
      if (!item.dead) {
        throw new IllegalStateException("expired item was not cancelled: " + item);
      }
    }
  }

  /** Entries held, live and stale (for tests of boundedness). */
  int size() {
    return queue.size();
  }

  private void maybeCompact() {
    if (deadEntries > 1024 && deadEntries > queue.size() / 2) {
      PriorityQueue<Entry> fresh = newQueue(queue.size() - deadEntries);
      for (Entry e : queue) {
        if (!e.item.dead && e.item.scheduledAt == e.deadline) {
          fresh.add(e);
        }
      }
      queue = fresh;
      deadEntries = 0;
    }
  }
}
