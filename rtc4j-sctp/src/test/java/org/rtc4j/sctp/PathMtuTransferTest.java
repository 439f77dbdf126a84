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
    path.limit = 1500;
    Pair p = pair(path, 12);
    p.connect();
    p.link.runUntil(() -> p.a.pathMtu().state() == PlpmtuDiscovery.State.SEARCH_COMPLETE, 60_000);
    assertThat(p.a.pathMtu().current()).isEqualTo(MAX);
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
}
