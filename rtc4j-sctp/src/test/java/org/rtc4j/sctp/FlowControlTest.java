package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FT-6: a reader that stops for 10 s keeps memory bounded; the transfer then completes intact. */
class FlowControlTest {

  @Test
  void slowReaderKeepsMemoryBounded() throws Exception {
    SctpConfig cfg = SctpConfig.builder().receiveBufferSize(1 << 20).build();
    Pair p = new Pair(cfg, cfg, 5);
    p.link.impair(0.01, 0, 0, 20, 0);
    p.connect();
    int rbuf = p.b.config().receiveBufferSize();
    int total = 16 << 20;
    int sendBuffer = 1 << 20;
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    Random r = new Random(1);
    long[] queued = {0};
    long[] received = {0};
    long[] maxHeld = {0};
    long[] maxSenderBuffered = {0};
    boolean[] reading = {false};
    p.readB = false;
    p.link.onStep = () -> {
      while (queued[0] < total && p.a.bufferedAmount() < sendBuffer) {
        byte[] m = new byte[64 * 1024];
        r.nextBytes(m);
        sent.update(m);
        p.a.send(p.link.now, 0, 53, ByteBuffer.wrap(m), false, -1, -1);
        queued[0] += m.length;
      }
      maxSenderBuffered[0] = Math.max(maxSenderBuffered[0], p.a.bufferedAmount());
      maxHeld[0] = Math.max(maxHeld[0], p.b.stats().receiveBufferedBytes());
      p.poll();
      if (reading[0]) {
        Optional<SctpEvent> e;
        while ((e = p.b.pollEvent()).isPresent()) {
          if (e.get() instanceof SctpEvent.Message m) {
            received[0] += m.data().remaining();
            got.update(m.data());
          }
        }
      }
    };
    p.link.runFor(10_000);
    assertThat(received[0]).isZero();
    long held = p.b.stats().receiveBufferedBytes();
    System.out.printf("slow reader: after 10 s unread the receiver holds %d bytes (buffer %d), sender %d%n", held,
        rbuf, p.a.bufferedAmount());
    assertThat(held).isLessThanOrEqualTo(rbuf);
    assertThat(maxHeld[0]).isLessThanOrEqualTo(rbuf);
    assertThat(maxSenderBuffered[0]).isLessThanOrEqualTo(sendBuffer + 64 * 1024);
    assertThat(p.b.stats().localRwnd()).isLessThan(rbuf / 4);
    reading[0] = true;
    p.link.runUntil(() -> received[0] == total, 600_000);
    assertThat(got.digest()).isEqualTo(sent.digest());
    assertThat(maxHeld[0]).isLessThanOrEqualTo(rbuf);
  }
}
