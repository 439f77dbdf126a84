package org.rtc4j.sctp;

import java.nio.ByteBuffer;

public final class LinkThroughputMain {
  public static void main(String[] args) {
    Pair p = new Pair(41);
    p.connect();
    int total = 32 << 20;
    byte[] m = new byte[65536];
    long[] q = {0}, r = {0};
    long[] steps = {0};
    p.link.onStep = () -> {
      steps[0]++;
      while (q[0] < total && p.a.bufferedAmount() < (1 << 20)) {
        p.a.send(p.link.now, 0, 53, ByteBuffer.wrap(m), false, -1, -1);
        q[0] += m.length;
      }
      p.poll();
      for (SctpEvent e : p.eventsB) {
        if (e instanceof SctpEvent.Message mm) r[0] += mm.data().remaining();
      }
      p.eventsB.clear();
      p.eventsA.clear();
    };
    long t0 = System.nanoTime();
    long s0 = p.link.now;
    p.link.runUntil(() -> r[0] == total, 3_600_000);
    System.out.printf("%.1f MB/s wall, steps %d, sim %.3f s, packets %d, %s%n", total / ((System.nanoTime() - t0) / 1e9) / 1e6,
        steps[0], (p.link.now - s0) / 1e9, p.link.packets, p.a.stats());
  }
}
