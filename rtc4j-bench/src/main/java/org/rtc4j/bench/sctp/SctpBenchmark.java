package org.rtc4j.bench.sctp;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.rtc4j.sctp.SctpAssociation;
import org.rtc4j.sctp.SctpConfig;
import org.rtc4j.sctp.SctpEvent;
import org.rtc4j.sctp.SctpPacket;
import org.rtc4j.sctp.SctpParseException;
import org.rtc4j.sctp.SctpState;

/**
 * SCTP data path costs, in memory:
 * <ul>
 *   <li>{@code message}: one message of {@code size} bytes through two established associations:
 *       send, packetize (CRC32c), parse, reassemble, deliver, SACK back — the send and receive
 *       paths together, per message (bytes/s = size / time).
 *   <li>{@code parseDataPacket}: parsing one full-MTU DATA packet with checksum verification.
 * </ul>
 * Run: {@code java -jar rtc4j-bench/target/rtc4j-bench.jar SctpBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SctpBenchmark {

  @Param({"1024", "65536"})
  int size;

  SctpAssociation a;
  SctpAssociation b;
  long now = 1_000_000_000L;
  ByteBuffer payload;
  ByteBuffer dataPacket;

  @Setup(Level.Trial)
  public void setup() {
    a = new SctpAssociation(SctpConfig.defaults(), new SplittableRandom(1));
    b = new SctpAssociation(SctpConfig.defaults(), new SplittableRandom(2));
    a.connect(now);
    for (int i = 0; i < 10 && (a.state() != SctpState.ESTABLISHED || b.state() != SctpState.ESTABLISHED); i++) {
      shuttle(null);
    }
    while (a.pollEvent().isPresent() || b.pollEvent().isPresent()) {
      // Established events
    }
    byte[] p = new byte[size];
    new SplittableRandom(3).nextBytes(p);
    payload = ByteBuffer.wrap(p);
    // One full DATA packet for the parser benchmark.
    a.send(now, 9, 53, ByteBuffer.wrap(new byte[4000]), false, -1, -1);
    dataPacket = a.pollTransmit().orElseThrow();
    b.handleReceive(now, dataPacket.duplicate());
    shuttle(null);
    while (a.pollEvent().isPresent() || b.pollEvent().isPresent()) {
      // drain
    }
  }

  private void shuttle(Blackhole bh) {
    Optional<ByteBuffer> p;
    boolean moved = true;
    while (moved) {
      moved = false;
      while ((p = a.pollTransmit()).isPresent()) {
        b.handleReceive(now, p.get());
        moved = true;
      }
      while ((p = b.pollTransmit()).isPresent()) {
        a.handleReceive(now, p.get());
        moved = true;
      }
      Optional<SctpEvent> e;
      while ((e = b.pollEvent()).isPresent()) {
        if (bh != null) {
          bh.consume(e.get());
        }
      }
      while (a.pollEvent().isPresent()) {
        // buffered-amount events
      }
      now += 1_000;
      if (!moved && a.bufferedAmount() > 0) {
        // Waiting for a delayed SACK: jump virtual time to the next timer.
        now = Math.max(now, Math.min(a.pollTimeout(), b.pollTimeout()));
        moved = true;
      }
      if (b.pollTimeout() <= now) {
        b.handleTimeout(now);
      }
      if (a.pollTimeout() <= now) {
        a.handleTimeout(now);
      }
    }
  }

  @Benchmark
  public void message(Blackhole bh) {
    a.send(now, 0, 53, payload.duplicate(), false, -1, -1);
    shuttle(bh);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public SctpPacket parseDataPacket() throws SctpParseException {
    return SctpPacket.parse(dataPacket.duplicate());
  }
}
