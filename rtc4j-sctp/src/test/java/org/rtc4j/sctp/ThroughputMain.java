package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Random;

/**
 * Quick in-memory throughput of two associations (64 KiB messages, no impairment):
 * {@code java -cp target/classes:target/test-classes:<slf4j> org.rtc4j.sctp.ThroughputMain [MiB]}.
 */
public final class ThroughputMain {
  public static void main(String[] args) {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
    System.out.printf("%.1f MB/s%n", run(mib, 64 * 1024));
  }

  /** Returns MB/s of wall time for {@code mib} MiB of {@code msg}-byte messages from a to b. */
  public static double run(int mib, int msg) {
    SctpAssociation a = new SctpAssociation(SctpConfig.defaults(), new Random(1));
    SctpAssociation b = new SctpAssociation(SctpConfig.defaults(), new Random(2));
    long now = 1_000_000_000L;
    a.connect(now);
    while (b.state() != SctpState.ESTABLISHED || a.state() != SctpState.ESTABLISHED) {
      shuttle(a, b, now);
      now += 1_000_000;
    }
    while (a.pollEvent().isPresent() || b.pollEvent().isPresent()) {
      // drain Established
    }
    long total = (long) mib << 20;
    byte[] payload = new byte[msg];
    new Random(3).nextBytes(payload);
    long queued = 0;
    long received = 0;
    long t0 = System.nanoTime();
    while (received < total) {
      while (queued < total && a.bufferedAmount() < (4 << 20)) {
        a.send(now, 0, 53, ByteBuffer.wrap(payload), false, -1, -1);
        queued += msg;
      }
      shuttle(a, b, now);
      Optional<SctpEvent> e;
      while ((e = b.pollEvent()).isPresent()) {
        if (e.get() instanceof SctpEvent.Message m) {
          received += m.data().remaining();
        }
      }
      while (a.pollEvent().isPresent()) {
        // buffered-amount events
      }
      now += 10_000; // 10 µs per round
      if (a.pollTimeout() <= now) {
        a.handleTimeout(now);
      }
      if (b.pollTimeout() <= now) {
        b.handleTimeout(now);
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    return total / s / 1e6;
  }

  private static void shuttle(SctpAssociation a, SctpAssociation b, long now) {
    Optional<ByteBuffer> p;
    while ((p = a.pollTransmit()).isPresent()) {
      b.handleReceive(now, p.get());
    }
    while ((p = b.pollTransmit()).isPresent()) {
      a.handleReceive(now, p.get());
    }
  }
}
