package org.rtc4j.bench.dtls;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.dtls.DtlsEvent;
import org.rtc4j.net.Datagram;

/**
 * The DTLS record path after the handshake (DESIGN.md: "measure the post-handshake record path
 * before choosing how it runs"), AES-128-GCM (the suite rtc4j and browsers pick first), JCA crypto:
 *
 * <ul>
 *   <li>{@code protect}: {@code send} + {@code pollTransmit} of one record: always on the caller.</li>
 *   <li>{@code roundTrip}: protect, hand the datagram to the server engine, spin until its
 *       ApplicationData event is polled: one record's protect + unprotect latency, with the
 *       unprotect on the caller ({@code OWNER}, rtc4j's choice) or on the handshake thread with a
 *       hand-off back ({@code HANDSHAKE_THREAD}). Unprotect alone is roundTrip minus protect.</li>
 *   <li>{@code burst}: 32 records protected and handed over back to back, then all 32 events
 *       collected: per-record throughput when a second thread could overlap with the caller.</li>
 * </ul>
 * Payloads 64 B (a small SCTP chunk), 1024 B and 1200 B (a full datagram at the default MTU, less
 * the record overhead: the engine's {@code maxApplicationDataSize()}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DtlsRecordBenchmark {

  private static final int BURST = 32;

  @Param({"64", "1024", "1200"})
  public int size;

  @Param({"OWNER", "HANDSHAKE_THREAD"})
  public String path;

  private DtlsPair pair;
  private ByteBuffer payload;

  @Setup(Level.Trial)
  public void connect() {
    pair = new DtlsPair(DtlsCertificate.generate(), DtlsCertificate.generate(), path.equals("HANDSHAKE_THREAD"))
        .connect();
    int n = Math.min(size, pair.client.maxApplicationDataSize());
    payload = ByteBuffer.allocate(n);
  }

  @TearDown(Level.Trial)
  public void close() {
    pair.close();
  }

  @Benchmark
  public Datagram protect() {
    payload.clear();
    pair.client.send(payload);
    return pair.client.pollTransmit().orElseThrow();
  }

  @Benchmark
  public DtlsEvent roundTrip() {
    payload.clear();
    pair.client.send(payload);
    pair.server.handleReceive(0, pair.client.pollTransmit().orElseThrow());
    Optional<DtlsEvent> e;
    while ((e = pair.server.pollEvent()).isEmpty()) {
      Thread.onSpinWait();
    }
    return e.get();
  }

  @Benchmark
  @OperationsPerInvocation(BURST)
  public void burst(Blackhole bh) {
    for (int i = 0; i < BURST; i++) {
      payload.clear();
      pair.client.send(payload);
      pair.server.handleReceive(0, pair.client.pollTransmit().orElseThrow());
    }
    for (int got = 0; got < BURST; ) {
      Optional<DtlsEvent> e = pair.server.pollEvent();
      if (e.isPresent()) {
        bh.consume(e.get());
        got++;
      } else {
        Thread.onSpinWait();
      }
    }
  }
}
