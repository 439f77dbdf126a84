package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Trust tests FT-4, FT-10, FT-14: bulk transfer over the seeded link, byte-exact and in order,
 * under loss, reorder, duplication and delay.
 */
class TransferTest {

  /** Full size (50 MiB) with -Drtc4j.sctp.fullSize=true; 8 MiB in the default build. */
  static final int IMPAIRED_BYTES = Boolean.getBoolean("rtc4j.sctp.fullSize") ? 50 << 20 : 8 << 20;

  /** Streams {@code total} bytes of 64 KiB messages from a to b on stream 0 and checks sha256 and order. */
  static void transfer(Pair p, int total, int msgSize, long maxSimMillis) throws Exception {
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    Random r = new Random(7);
    long[] queued = {0};
    long[] received = {0};
    int[] nextIdx = {0};
    int[] expectIdx = {0};
    List<SctpEvent> evB = p.eventsB;
    p.link.onStep = () -> {
      // Keep about 1 MiB queued, like an application watching bufferedAmount.
      while (queued[0] < total && p.a.bufferedAmount() < (1 << 20)) {
        int n = (int) Math.min(msgSize, total - queued[0]);
        byte[] m = new byte[n];
        r.nextBytes(m);
        ByteBuffer.wrap(m).putInt(0, nextIdx[0]++);
        sent.update(m);
        p.a.send(p.link.now, 0, 53, ByteBuffer.wrap(m), false, -1, -1);
        queued[0] += n;
      }
      p.poll();
      for (SctpEvent e : evB) {
        if (e instanceof SctpEvent.Message m) {
          assertThat(m.data().getInt(0)).as("message order").isEqualTo(expectIdx[0]++);
          received[0] += m.data().remaining();
          got.update(m.data().duplicate());
        } else if (e instanceof SctpEvent.Aborted ab) {
          throw new AssertionError("aborted: " + ab.reason());
        }
      }
      evB.clear();
    };
    p.link.runUntil(() -> received[0] == total, maxSimMillis);
    assertThat(got.digest()).isEqualTo(sent.digest());
  }

  @Test
  void cleanLinkMtuAndLargeMessages() throws Exception {
    SctpConfig big = SctpConfig.builder().maxMessageSize(16 << 20).remoteMaxMessageSize(16 << 20).build();
    Pair p = new Pair(big, big, 11);
    p.link.impair(0, 0, 0, 5, 0);
    p.connect();
    transfer(p, 4 << 20, 256 * 1024, 60_000);
    assertThat(p.link.maxPacket).isLessThanOrEqualTo(1200);
    // One 16 MiB message between rtc4j peers.
    ByteBuffer huge = Pair.bytes(16 << 20, 3);
    p.link.onStep = p::poll;
    p.eventsB.clear();
    p.a.send(p.link.now, 4, 53, huge.duplicate(), false, -1, -1);
    p.link.runUntil(() -> !Pair.messages(p.eventsB).isEmpty(), 120_000);
    assertThat(Pair.messages(p.eventsB).get(0).data()).isEqualTo(huge);
    assertThat(p.link.maxPacket).isLessThanOrEqualTo(1200);
  }

  @Test
  void impairedLinkDeliversEverythingInOrder() throws Exception {
    Pair p = new Pair(21);
    p.link.impair(0.10, 0.05, 0.01, 100, 20);
    p.connect();
    long t0 = System.nanoTime();
    long sim0 = p.link.now;
    transfer(p, IMPAIRED_BYTES, 64 * 1024, 24L * 3600 * 1000);
    double wall = (System.nanoTime() - t0) / 1e9;
    double sim = (p.link.now - sim0) / 1e9;
    SctpStats s = p.a.stats();
    System.out.printf("impaired transfer: %d MiB in %.1f simulated s (%.2f MB/s simulated), %.2f s wall; "
        + "retransmitted %d chunks, fast retransmits %d, T3 %d; receiver duplicates %d%n", IMPAIRED_BYTES >> 20, sim,
        IMPAIRED_BYTES / sim / 1e6, wall, s.retransmittedChunks(), s.fastRetransmits(), s.t3Expirations(),
        p.b.stats().duplicateTsns());
    assertThat(p.eventsA).noneMatch(e -> e instanceof SctpEvent.Aborted);
    assertThat(p.link.maxPacket).isLessThanOrEqualTo(1200);
    assertThat(p.b.stats().duplicateTsns()).isPositive();
  }

  @Test
  void duplicationIsDeliveredOnceAndReported() throws Exception {
    Pair p = new Pair(31);
    p.link.impair(0, 0, 0.10, 10, 0);
    p.connect();
    transfer(p, 2 << 20, 1000, 600_000);
    assertThat(p.b.stats().duplicateTsns()).isPositive();
  }

  @Test
  void throughputInMemory() {
    double mbps = ThroughputMain.run(64, 64 * 1024);
    System.out.printf("in-memory throughput (two associations, 64 KiB messages): %.1f MB/s%n", mbps);
    assertThat(mbps).isPositive();
  }
}
