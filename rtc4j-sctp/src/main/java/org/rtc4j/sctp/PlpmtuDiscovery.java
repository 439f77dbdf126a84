package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * Packetization Layer Path MTU Discovery for SCTP over DTLS (RFC 8899; §6.2.1.2 for SCTP, RFC 8261
 * §5 recommends it for SCTP over DTLS), as a sans-IO state machine of sizes and timers. The
 * association sends the probes (a HEARTBEAT bundled with a PAD chunk, RFC 4820, padding the
 * packet to the probed size) and reports their HEARTBEAT-ACKs and its T3 expirations here.
 *
 * <p>Sizes are SCTP packet sizes (what one DTLS record carries). {@link #current()} starts at
 * BASE_PLPMTU, the size that is safe on any path (the configured MTU), and only a size confirmed
 * by a probe's HEARTBEAT-ACK ever replaces it. The search probes MAX_PLPMTU first (on most paths
 * the Ethernet MTU holds, so one round trip settles it), then halves the interval between the
 * largest confirmed and the smallest failed size down to 4 bytes (packets are multiples of 4). A
 * size fails after {@link #MAX_PROBES} unanswered probes, one per {@link #probeTimerNanos}; an
 * unanswered probe counts only if the peer was heard from after it left, otherwise a BASE-size
 * probe checks the path first (an outage is not a small MTU, §5.2). A new path
 * ({@link #restart}) starts from BASE again. Probes are not data: their loss says nothing about
 * congestion and is not reported as such.
 *
 * <p>Black holes (RFC 8899 §4.3): the path's MTU may shrink after a size was confirmed, and then
 * every packet above it is lost. Two consecutive T3 expirations with no cumulative-ack progress in
 * between, while packets above BASE were allowed, declare a black hole: {@link #current()} falls
 * back to BASE at once and the search starts again (it finds the new size, or the old one again
 * after a false alarm at the cost of one probe). The association keeps every DATA chunk small
 * enough for a BASE-size packet, so what was sent before the fall-back can always be resent.
 *
 * <p>After a search that ended below MAX_PLPMTU, the PMTU_RAISE_TIMER starts a new search (a route
 * may have grown). Not thread-safe: the association's thread.
 */
public final class PlpmtuDiscovery {

  /** RFC 8899 §5.1.2 MAX_PROBES: unanswered probes of one size before that size fails. */
  public static final int MAX_PROBES = 3;
  /** Probes are multiples of 4 bytes (SCTP packets are); the search stops at this resolution. */
  static final int STEP = 4;

  /** RFC 8899 §5.2 states (DISABLED when MAX_PLPMTU is not above BASE_PLPMTU). */
  public enum State { DISABLED, BASE, SEARCHING, SEARCH_COMPLETE }

  private final int base;
  private final int max;
  private final long probeTimerNanos;
  private final long raiseTimerNanos;

  private State state;
  private int current;
  /** Smallest size known to fail in this search (max + STEP when none failed). */
  private int failedAbove;
  /** The size being searched for, 0 when none. */
  private int probing;
  /** Probes of {@link #probing} that went unanswered while the peer was heard from. */
  private int probeCount;
  /** Size of the probe in flight (the target, or BASE to check connectivity first). */
  private int sentSize;
  private long probeSentAt;
  /** When the peer was last heard from (any valid SCTP packet), Long.MIN_VALUE: never. */
  private long lastHeard = Long.MIN_VALUE;
  /** A probe went unanswered and nothing else came either: probe BASE before counting failures. */
  private boolean checkConnectivity;
  private boolean probeDue;
  private long probeDeadline = Long.MAX_VALUE;
  private long raiseDeadline = Long.MAX_VALUE;
  private long lastT3CumAck = Long.MIN_VALUE;
  private int t3Strikes;
  private long probesSent;
  private long probesAcked;
  private long blackHoles;

  /**
   * @param base BASE_PLPMTU: the packet size every path carries (the configured MTU)
   * @param max MAX_PLPMTU: the largest packet worth trying (from the link MTU and the DTLS and
   *     UDP/IP overheads); at most {@code base}: discovery is off
   * @param probeTimerNanos PROBE_TIMER: how long an unanswered probe waits before the next one
   * @param raiseTimerNanos PMTU_RAISE_TIMER: how long after a search that stopped below max the
   *     next one starts
   */
  public PlpmtuDiscovery(int base, int max, long probeTimerNanos, long raiseTimerNanos) {
    if (base < 256) {
      throw new IllegalArgumentException("base " + base);
    }
    this.base = base;
    this.max = Math.max(base, max & ~(STEP - 1));
    this.probeTimerNanos = probeTimerNanos;
    this.raiseTimerNanos = raiseTimerNanos;
    this.current = base;
    this.state = this.max > base ? State.BASE : State.DISABLED;
  }

  /** The confirmed PLPMTU: the largest SCTP packet to send. */
  public int current() {
    return current;
  }

  public int base() {
    return base;
  }

  public int max() {
    return max;
  }

  public State state() {
    return state;
  }

  /** Probes sent, probes acknowledged, black holes detected. */
  public long[] counters() {
    return new long[] {probesSent, probesAcked, blackHoles};
  }

  /** The association is established: the search starts with the next {@link #pollProbe}. */
  public void start(long nowNanos) {
    if (state == State.DISABLED) {
      return;
    }
    search(nowNanos);
  }

  /**
   * The path changed (a new ICE pair, an ICE restart): what was confirmed on the old one says
   * nothing about it (RFC 8899 §3, §5.2), so back to BASE and search again.
   */
  public void restart(long nowNanos) {
    if (state == State.DISABLED) {
      return;
    }
    current = base;
    t3Strikes = 0;
    search(nowNanos);
  }

  /** A valid packet from the peer arrived: probes lost since then were lost for their size. */
  public void onPeerHeard(long nowNanos) {
    lastHeard = nowNanos;
  }

  private void search(long now) {
    state = State.SEARCHING;
    failedAbove = max + STEP;
    raiseDeadline = Long.MAX_VALUE;
    nextProbe(now, max);
  }

  private void nextProbe(long now, int size) {
    probing = size;
    probeCount = 0;
    checkConnectivity = false;
    probeDue = true;
    probeDeadline = now;
  }

  /**
   * The size of a probe to send now (and counts it as sent), or 0. Called whenever the
   * association builds packets; at most one probe is outstanding.
   */
  public int pollProbe(long nowNanos) {
    if (!probeDue || state != State.SEARCHING) {
      return 0;
    }
    probeDue = false;
    probesSent++;
    probeDeadline = nowNanos + probeTimerNanos;
    probeSentAt = nowNanos;
    sentSize = checkConnectivity ? base & ~(STEP - 1) : probing;
    return sentSize;
  }

  /** A HEARTBEAT-ACK answered the probe of {@code size}: the path carries it. */
  public void onProbeAcked(long nowNanos, int size) {
    if (state != State.SEARCHING || size != sentSize) {
      return; // a late answer to an earlier probe: ignored, its size is decided already
    }
    probesAcked++;
    lastHeard = nowNanos;
    if (checkConnectivity && size != probing) {
      // The path carries BASE, so the probe before this one was lost for its size (on an idle
      // association nothing else tells us): count it, and go on at once.
      checkConnectivity = false;
      probeCount++;
      nextAttempt(nowNanos);
      return;
    }
    current = Math.max(current, size);
    int lo = current;
    int hi = failedAbove;
    if (lo >= max || hi - lo <= STEP) {
      finish(nowNanos);
    } else {
      nextProbe(nowNanos, mid(lo, hi));
    }
  }

  private static int mid(int lo, int hi) {
    return (lo + (hi - lo) / 2) & ~(STEP - 1);
  }

  private void finish(long now) {
    state = State.SEARCH_COMPLETE;
    probing = 0;
    probeDue = false;
    probeDeadline = Long.MAX_VALUE;
    raiseDeadline = current < max ? now + raiseTimerNanos : Long.MAX_VALUE;
  }

  /**
   * A T3-rtx expiry. {@code cumAck} is the cumulative TSN ack point at that moment: the second
   * expiry in a row without progress while packets above BASE may be sent is a black hole.
   */
  public void onT3(long nowNanos, long cumAck) {
    if (current <= base) {
      t3Strikes = 0;
      return;
    }
    t3Strikes = cumAck == lastT3CumAck ? t3Strikes + 1 : 1;
    lastT3CumAck = cumAck;
    if (t3Strikes >= 2) {
      blackHoles++;
      t3Strikes = 0;
      current = base;
      search(nowNanos);
    }
  }

  /** When {@link #handleTimeout} should run, or Long.MAX_VALUE. */
  public long pollTimeout() {
    if (probeDue) {
      return probeDeadline;
    }
    return Math.min(probeDeadline, raiseDeadline);
  }

  private void nextAttempt(long now) {
    if (probeCount >= MAX_PROBES) {
      failedAbove = probing;
      if (failedAbove - current <= STEP) {
        finish(now);
      } else {
        nextProbe(now, mid(current, failedAbove));
      }
    } else {
      probeDue = true; // the same size again (or BASE first, to check the path)
      probeDeadline = Math.min(probeDeadline, now);
    }
  }

  /** Runs the probe and raise timers. */
  public void handleTimeout(long nowNanos) {
    if (state == State.SEARCHING && !probeDue && nowNanos >= probeDeadline) {
      // A probe counts as failed only if the peer was heard from after it left (RFC 8899 §5.2:
      // a loss of connectivity is not a small MTU); otherwise check the path with a BASE probe.
      boolean heard = lastHeard != Long.MIN_VALUE && lastHeard - probeSentAt > 0;
      if (heard && sentSize == probing) {
        probeCount++;
      }
      checkConnectivity = !heard;
      nextAttempt(nowNanos);
    }
    if (state == State.SEARCH_COMPLETE && nowNanos >= raiseDeadline) {
      search(nowNanos);
    }
  }

  /** Length of the HEARTBEAT chunk in a probe: header, Heartbeat Info TLV (nonce, size). */
  static final int PROBE_HEARTBEAT_LENGTH = 4 + 4 + 8 + 4;
  /** Value length of a probe's Heartbeat Info TLV, which tells its ACK from a plain heartbeat's. */
  static final int PROBE_INFO_LENGTH = 4 + 8 + 4;
  /** PAD chunk type (RFC 4820): high bits 10, so a receiver that does not know it skips it. */
  static final int PAD = 0x84;

  /**
   * Writes a probe packet of exactly {@code size} bytes into {@code out} (position 0, checksum
   * included): the common header, a HEARTBEAT whose Heartbeat Info carries {@code nonce} and
   * {@code size} (echoed by the HEARTBEAT-ACK), and a PAD chunk filling the rest with zeros.
   *
   * <pre>
   *  HEARTBEAT (RFC 9260 §3.3.5)                PAD (RFC 4820 §3)
   * +---------------+---------------+---------------+---------------+
   * |   Type = 4    | Flags = 0     |        Length = 20            |
   * +---------------+---------------+---------------+---------------+
   * | Heartbeat Info Type = 1       |   HB Info Length = 16         |
   * +---------------+---------------+---------------+---------------+
   * |                     nonce (64 bits)                           |
   * +---------------+---------------+---------------+---------------+
   * |                     probed size (32 bits)                     |
   * +---------------+---------------+---------------+---------------+
   * |  Type = 0x84  | Flags = 0     |   Length = size - 32          |
   * +---------------+---------------+---------------+---------------+
   * \                    Padding Data (zeros)                          * +---------------+---------------+---------------+---------------+
   * </pre>
   */
  static ByteBuffer writeProbe(ByteBuffer out, int srcPort, int dstPort, long peerTag, long nonce, int size) {
    int padLength = size - SctpPacket.HEADER_LENGTH - PROBE_HEARTBEAT_LENGTH;
    if (padLength < 4 || (size & (STEP - 1)) != 0 || out.capacity() < size) {
      throw new IllegalArgumentException("probe size " + size);
    }
    out.clear().limit(size);
    out.putShort((short) srcPort).putShort((short) dstPort).putInt((int) peerTag).putInt(0);
    out.put((byte) Chunk.HEARTBEAT).put((byte) 0).putShort((short) PROBE_HEARTBEAT_LENGTH)
        .putShort((short) Parameter.HEARTBEAT_INFO).putShort((short) PROBE_INFO_LENGTH).putLong(nonce).putInt(size);
    out.put((byte) PAD).put((byte) 0).putShort((short) padLength);
    while (out.hasRemaining()) {
      out.put((byte) 0);
    }
    Crc32c.writeField(out, 0, size);
    return out.flip();
  }

  /** The probed size if {@code info} (a HEARTBEAT-ACK's value) answers a probe carrying {@code nonce}, else 0. */
  static int probeSize(ByteBuffer info, long nonce) {
    int p = info.position();
    if (info.remaining() != PROBE_INFO_LENGTH || (info.getShort(p) & 0xFFFF) != Parameter.HEARTBEAT_INFO
        || info.getLong(p + 4) != nonce) {
      return 0;
    }
    return info.getInt(p + 12);
  }
}
