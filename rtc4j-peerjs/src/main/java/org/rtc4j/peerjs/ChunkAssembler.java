package org.rtc4j.peerjs;

import java.util.HashMap;
import java.util.Map;

/**
 * Reassembles peerjs's chunked binary messages ({@code {__peerData: id, n, total, data}}) for one
 * connection, with limits peerjs does not have: nothing is sized from the remote's {@code total}
 * (a 40-byte chunk claiming a million parts would otherwise cost megabytes), at most
 * {@link #MAX_INCOMPLETE_MESSAGES} messages and {@link #MAX_INCOMPLETE_BYTES} bytes are held
 * incomplete, and a message over the limit is dropped whole, never delivered cut. Not thread-safe:
 * one connection's receive path.
 */
final class ChunkAssembler {
  /** Bytes of incomplete messages one connection holds. */
  static final long MAX_INCOMPLETE_BYTES = 512L << 20;
  /** Incomplete messages one connection holds at once (a peerjs sender finishes one before the next). */
  static final int MAX_INCOMPLETE_MESSAGES = 64;
  /** The largest {@code total} accepted (peerjs's 16300-byte chunks: ~16 GB). */
  static final long MAX_TOTAL = 1_000_000;

  private static final class Parts {
    final int total;
    final Map<Integer, byte[]> byIndex = new HashMap<>();
    long bytes;

    Parts(int total) {
      this.total = total;
    }
  }

  private final Map<Long, Parts> incomplete = new HashMap<>();
  private long incompleteBytes;
  private long dropped;

  /**
   * Takes chunk {@code n} of {@code total} of message {@code msgId}; returns the whole message when
   * this chunk completed it, else null. Invalid, duplicate and over-limit chunks are ignored.
   */
  byte[] accept(long msgId, long n, long total, byte[] data) {
    if (total <= 0 || total > MAX_TOTAL || n < 0 || n >= total) {
      dropped++;
      return null;
    }
    Parts p = incomplete.get(msgId);
    if (p == null) {
      if (incomplete.size() >= MAX_INCOMPLETE_MESSAGES) {
        dropped++;
        return null;
      }
      p = new Parts((int) total);
      incomplete.put(msgId, p);
    }
    if (p.total != total || p.byIndex.containsKey((int) n)) {
      dropped++;
      return null;
    }
    if (p.bytes + data.length > Integer.MAX_VALUE - 16 || incompleteBytes + data.length > MAX_INCOMPLETE_BYTES) {
      incomplete.remove(msgId);
      incompleteBytes -= p.bytes;
      dropped++;
      return null;
    }
    p.byIndex.put((int) n, data);
    p.bytes += data.length;
    incompleteBytes += data.length;
    if (p.byIndex.size() < p.total) {
      return null;
    }
    incomplete.remove(msgId);
    incompleteBytes -= p.bytes;
    byte[] all = new byte[(int) p.bytes];
    int off = 0;
    for (int i = 0; i < p.total; i++) {
      byte[] part = p.byIndex.get(i);
      System.arraycopy(part, 0, all, off, part.length);
      off += part.length;
    }
    return all;
  }

  /** Bytes held in incomplete messages. */
  long incompleteBytes() {
    return incompleteBytes;
  }

  /** Incomplete messages held. */
  int incompleteMessages() {
    return incomplete.size();
  }

  /** Chunks ignored: invalid, duplicate or over a limit. */
  long dropped() {
    return dropped;
  }
}
