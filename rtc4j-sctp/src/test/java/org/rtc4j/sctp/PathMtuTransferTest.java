package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * PLPMTUD end to end on the seeded link, with a path that silently drops every packet above a
 * size (a router with a smaller MTU and no ICMP): the search settles at that size, data uses it,
 * and when the path's limit drops under a running transfer (a black hole) the association falls
 * back to BASE, loses nothing and finds the new size.
 */
class PathMtuTransferTest {

  private static final int BASE = 1150;
  private static final int MAX = 1408;

  private static final class Path {
    int limit;
    int largestDelivered;
    long droppedTooBig;
  }

  /** A connected pair on a 1500-byte path whose discovery has settled at MAX. */
  private static Pair settledAtMax(Path path, long seed) throws Exception {
    path.limit = 1500;
    Pair p = pair(path, seed);
    p.connect();
    p.link.runUntil(() -> p.a.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE, 60_000);
    assertThat(p.a.pathMtu().current()).isEqualTo(MAX);
    return p;
  }

  private static Pair pair(Path path, long seed) {
    Pair p = new Pair(SctpConfig.builder().mtu(BASE).build(), SctpConfig.builder().mtu(BASE).build(), seed);
    p.a.setMaxPacketSize(MAX);
    p.b.setMaxPacketSize(MAX);
    p.link.impair(0, 0, 0, 10, 0);
    java.util.function.Predicate<java.nio.ByteBuffer> tooBig = b -> {
      if (b.remaining() > path.limit) {
        path.droppedTooBig++;
        return true;
      }
      path.largestDelivered = Math.max(path.largestDelivered, b.remaining());
      return false;
    };
    p.link.dropAtoB = tooBig;
    p.link.dropBtoA = tooBig;
    return p;
  }

  @Test
  void settlesAtThePathLimitAndSendsDataAtIt() throws Exception {
    Path path = new Path();
    path.limit = 1300;
    Pair p = pair(path, 11);
    p.connect();
    p.link.runUntil(() -> p.a.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE
        && p.b.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE, 60_000);
    assertThat(p.a.pathMtu().current()).isEqualTo(1300);
    assertThat(p.b.pathMtu().current()).isEqualTo(1300);
    assertThat(path.droppedTooBig).as("only probes were too big").isPositive();
    long dataDropsBefore = path.droppedTooBig;
    long packetsBefore = p.a.stats().dataPacketsSent();
    TransferTest.transfer(p, 4 << 20, 65536, 120_000);
    long packets = p.a.stats().dataPacketsSent() - packetsBefore;
    assertThat(path.droppedTooBig).as("no DATA packet above the path limit").isEqualTo(dataDropsBefore);
    assertThat(path.largestDelivered).isEqualTo(1300);
    // BASE-size packets need at least 4 MiB / 1122 = 3,739 packets; at 1300 bytes ~3,340 (plus one
    // part-filled packet per 64 KiB message).
    assertThat(packets).isBetween((4L << 20) / (1300 - 12 - 2 * 16), 3450L);
    assertThat(p.a.stats().t3Expirations()).isZero();
  }

  @Test
  void blackHoleUnderATransferFallsBackLosesNothingAndFindsTheNewSize() throws Exception {
    Path path = new Path();
    Pair p = settledAtMax(path, 12);
    long[] sentAtMax = {0};
    Runnable[] shrink = {null};
    // After ~1 MiB, the path's MTU drops to 1260: everything in flight at 1408 is lost.
    java.util.function.Predicate<java.nio.ByteBuffer> before = p.link.dropAtoB;
    p.link.dropAtoB = b -> {
      if (path.limit == 1500 && ++sentAtMax[0] > 1000) {
        path.limit = 1260;
      }
      return before.test(b);
    };
    TransferTest.transfer(p, 8 << 20, 65536, 600_000);
    assertThat(path.limit).isEqualTo(1260);
    assertThat(p.a.pathMtu().counters()[2]).as("black holes detected").isEqualTo(1);
    p.link.runUntil(() -> p.a.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE, 60_000);
    assertThat(p.a.pathMtu().current()).isEqualTo(1260);
    assertThat(p.a.state()).isEqualTo(SctpState.ESTABLISHED);
  }

  @Test
  void anOutageIsNotABlackHole() throws Exception {
    Path path = new Path();
    Pair p = settledAtMax(path, 13);
    // After 500 packets nothing passes either way for 20 s of link time.
    long[] seen = {0};
    long[] outageEnd = {Long.MAX_VALUE};
    java.util.function.Predicate<java.nio.ByteBuffer> ab = p.link.dropAtoB;
    java.util.function.Predicate<java.nio.ByteBuffer> ba = p.link.dropBtoA;
    java.util.function.BooleanSupplier down = () -> {
      if (++seen[0] == 500) {
        outageEnd[0] = p.link.now + 20_000_000_000L;
      }
      return p.link.now < outageEnd[0] && outageEnd[0] != Long.MAX_VALUE;
    };
    p.link.dropAtoB = b -> down.getAsBoolean() || ab.test(b);
    p.link.dropBtoA = b -> (p.link.now < outageEnd[0] && outageEnd[0] != Long.MAX_VALUE) || ba.test(b);
    TransferTest.transfer(p, 4 << 20, 65536, 600_000);
    assertThat(outageEnd[0]).as("the outage happened").isNotEqualTo(Long.MAX_VALUE);
    p.link.runUntil(() -> p.link.now > outageEnd[0] + 5_000_000_000L
        || p.a.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE && p.link.now > outageEnd[0], 600_000);
    assertThat(p.link.now - outageEnd[0]).as("settled within 5 s of the path's return").isLessThan(5_000_000_000L);
    assertThat(p.a.pathMtu().current()).as("the size the path carries, not BASE").isEqualTo(MAX);
  }

  @Test
  void aNewPathStartsFromBaseWithoutTimeouts() throws Exception {
    Path path = new Path();
    Pair p = settledAtMax(path, 14);
    TransferTest.transfer(p, 2 << 20, 65536, 120_000);
    assertThat(p.a.pathMtu().current()).isEqualTo(MAX);
    // The packets move to a path that carries less (an ICE pair change): PeerEngine says so.
    path.limit = 1300;
    p.a.pathChanged(p.link.now);
    p.b.pathChanged(p.link.now);
    assertThat(p.a.pathMtu().current()).isEqualTo(BASE);
    long dropsBefore = path.droppedTooBig;
    long probesBefore = p.a.pathMtu().counters()[0] + p.b.pathMtu().counters()[0];
    TransferTest.transfer(p, 2 << 20, 65536, 120_000);
    p.link.runUntil(() -> p.a.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE
        && p.b.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE, 60_000);
    long probes = p.a.pathMtu().counters()[0] + p.b.pathMtu().counters()[0] - probesBefore;
    assertThat(path.droppedTooBig - dropsBefore).as("only probes were too big").isLessThanOrEqualTo(probes);
    assertThat(p.a.stats().t3Expirations()).isZero();
    assertThat(p.a.pathMtu().current()).isEqualTo(1300);
  }
}
