package org.rtc4j.dtls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which bytes of the peer's plaintext (epoch 0) handshake messages the engine has handed to Bouncy
 * Castle, parsed from the record and fragment headers (RFC 6347 §4.1 and §4.2.2):
 *
 * <pre>
 * record:    type(1) version(2) epoch(2) sequence_number(6) length(2) fragment
 * handshake: msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3) body
 * </pre>
 *
 * <p>It exists for one decision: whether a ChangeCipherSpec in a datagram comes before the
 * handshake messages that precede it in the peer's flight are complete. Bouncy Castle switches its
 * read epoch on a ChangeCipherSpec only when it already processed the key exchange; one that
 * arrives earlier (a multi-datagram flight whose first datagrams were lost) is used up and every
 * later copy is dropped as a replay, so the handshake could only finish after Bouncy Castle's own
 * fresh retransmission. Bounded: 64 messages, 256 fragments each; malformed headers end the parse.
 * Owner thread only.
 */
final class HandshakeCoverage {

  private static final int MAX_MESSAGES = 64;
  private static final int MAX_FRAGMENTS = 256;

  /** Per message_seq: total length and the received [offset, end) ranges; null when never seen. */
  private final int[] lengths = new int[MAX_MESSAGES];
  private final List<List<int[]>> ranges = new ArrayList<>();

  HandshakeCoverage() {
    Arrays.fill(lengths, -1);
    for (int i = 0; i < MAX_MESSAGES; i++) {
      ranges.add(null);
    }
  }

  /**
   * How many leading bytes of {@code d} to hand over: all of it, or the bytes before an epoch-0
   * ChangeCipherSpec record when a message up to the last one this datagram (or any earlier one)
   * carries before it is still incomplete.
   */
  int deliverableLength(byte[] d) {
    int highest = highestSeen();
    List<int[]> pending = new ArrayList<>();
    for (int p = 0; p + 13 <= d.length; ) {
      int type = d[p] & 0xFF;
      int epoch = ((d[p + 3] & 0xFF) << 8) | (d[p + 4] & 0xFF);
      int len = ((d[p + 11] & 0xFF) << 8) | (d[p + 12] & 0xFF);
      if (p + 13 + len > d.length) {
        break;
      }
      if (epoch == 0 && type == 22) {
        for (int q = p + 13; q + 12 <= p + 13 + len; ) {
          int seq = ((d[q + 4] & 0xFF) << 8) | (d[q + 5] & 0xFF);
          int fragLen = uint24(d, q + 9);
          highest = Math.max(highest, seq);
          pending.add(new int[] {seq, uint24(d, q + 1), uint24(d, q + 6), fragLen});
          q += 12 + fragLen;
        }
      } else if (epoch == 0 && type == 20) {
        if (!completeUpTo(highest, pending)) {
          return p;
        }
      }
      p += 13 + len;
    }
    return d.length;
  }

  /** Adds the epoch-0 handshake fragments of {@code d} (as handed over). */
  void record(byte[] d) {
    for (int p = 0; p + 13 <= d.length; ) {
      int type = d[p] & 0xFF;
      int epoch = ((d[p + 3] & 0xFF) << 8) | (d[p + 4] & 0xFF);
      int len = ((d[p + 11] & 0xFF) << 8) | (d[p + 12] & 0xFF);
      if (p + 13 + len > d.length) {
        return;
      }
      if (epoch == 0 && type == 22) {
        for (int q = p + 13; q + 12 <= p + 13 + len; ) {
          int fragLen = uint24(d, q + 9);
          add(((d[q + 4] & 0xFF) << 8) | (d[q + 5] & 0xFF), uint24(d, q + 1), uint24(d, q + 6), fragLen);
          q += 12 + fragLen;
        }
      }
      p += 13 + len;
    }
  }

  private void add(int seq, int length, int offset, int fragLen) {
    if (seq >= MAX_MESSAGES || offset + fragLen > length) {
      return;
    }
    if (ranges.get(seq) == null) {
      ranges.set(seq, new ArrayList<>());
      lengths[seq] = length;
    }
    List<int[]> r = ranges.get(seq);
    if (lengths[seq] == length && r.size() < MAX_FRAGMENTS) {
      r.add(new int[] {offset, offset + fragLen});
    }
  }

  private int highestSeen() {
    for (int s = MAX_MESSAGES - 1; s >= 0; s--) {
      if (ranges.get(s) != null) {
        return s;
      }
    }
    return -1;
  }

  /** Whether messages 0..highest are complete, counting {@code extra} fragments [seq, length, offset, fragLen] too. */
  private boolean completeUpTo(int highest, List<int[]> extra) {
    for (int s = 0; s <= Math.min(highest, MAX_MESSAGES - 1); s++) {
      List<int[]> r = new ArrayList<>();
      int length = lengths[s];
      if (ranges.get(s) != null) {
        r.addAll(ranges.get(s));
      }
      for (int[] e : extra) {
        if (e[0] == s && e[2] + e[3] <= e[1]) {
          r.add(new int[] {e[2], e[2] + e[3]});
          length = length < 0 ? e[1] : length;
        }
      }
      if (length < 0 || !covers(r, length)) {
        return false;
      }
    }
    return true;
  }

  private static boolean covers(List<int[]> r, int length) {
    r.sort((a, b) -> Integer.compare(a[0], b[0]));
    int reached = 0;
    for (int[] x : r) {
      if (x[0] > reached) {
        return false;
      }
      reached = Math.max(reached, x[1]);
    }
    return reached >= length;
  }

  private static int uint24(byte[] d, int at) {
    return ((d[at] & 0xFF) << 16) | ((d[at + 1] & 0xFF) << 8) | (d[at + 2] & 0xFF);
  }
}
