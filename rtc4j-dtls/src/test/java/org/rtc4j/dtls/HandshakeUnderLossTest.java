package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.testkit.ThreadLeakCheck;

/**
 * trust-tests FT-1: with random loss of 0, 10, 20 and 50 % in both directions, with and without
 * client certificates, at MTU 1200 and 1500, every handshake completes within 30 s, no datagram
 * exceeds the MTU, both sides export the same keys, and no thread is left behind.
 *
 * <p>Runs on {@link SimulatedPair}: simulated time, 25 ms one-way delay, seeded loss; several pairs
 * at once. With Bouncy Castle's own schedule (1 s, doubling to 60 s) 9 of 50 seeds failed at 50 %
 * loss; see docs/ARCHITECTURE.md (DTLS) for the owner-clock retransmission that fixed it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HandshakeUnderLossTest {

  private static DtlsCertificate clientCert;
  private static DtlsCertificate serverCert;

  @BeforeAll
  static void certificates() {
    clientCert = DtlsCertificate.generate();
    serverCert = DtlsCertificate.generate();
  }

  @ParameterizedTest(name = "{0} loss")
  @ValueSource(doubles = {0.0, 0.1, 0.2, 0.5})
  void everyHandshakeCompletesWithin30SimulatedSeconds(double loss) throws Exception {
    int seeds = loss == 0 ? 2 : loss < 0.5 ? 10 : 40;
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    List<Future<Outcome>> runs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int mtu : new int[] {1200, 1500}) {
        for (boolean clientCertificates : new boolean[] {true, false}) {
          for (int seed = 0; seed < seeds; seed++) {
            var setup = SimulatedPair.Setup.of(clientCert, serverCert, mtu, loss, 1000L * mtu + seed, clientCertificates);
            runs.add(pool.submit(() -> run(setup)));
          }
        }
      }
      long worst = 0;
      for (Future<Outcome> f : runs) {
        Outcome o = f.get(60, TimeUnit.SECONDS);
        SimulatedPair.Result r = o.result;
        String what = "mtu " + o.setup.mtu() + ", client certificates " + o.setup.clientCertificates() + ", seed "
            + o.setup.seed() + ": " + r;
        assertThat(r.bothComplete()).as(what).isTrue();
        assertThat(r.elapsedNanos()).as(what).isLessThan(Duration.ofSeconds(30).toNanos());
        assertThat(r.largestDatagram()).as(what).isLessThanOrEqualTo(o.setup.mtu());
        var c = EnginePair.first(r.clientEvents(), DtlsEvent.HandshakeComplete.class);
        var s = EnginePair.first(r.serverEvents(), DtlsEvent.HandshakeComplete.class);
        assertThat(c.keyingMaterial()).as(what).isEqualTo(s.keyingMaterial());
        assertThat(s.peerFingerprint() != null).as(what).isEqualTo(o.setup.clientCertificates());
        worst = Math.max(worst, r.elapsedNanos());
      }
      System.out.printf("FT-1 %.0f %% loss: %d handshakes, slowest %d ms simulated%n", loss * 100, runs.size(),
          worst / 1_000_000);
    } finally {
      pool.shutdownNow();
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
  }

  private record Outcome(SimulatedPair.Setup setup, SimulatedPair.Result result) {}

  private static Outcome run(SimulatedPair.Setup setup) {
    try (SimulatedPair p = new SimulatedPair(setup)) {
      return new Outcome(setup, p.run());
    }
  }

  @Test
  void bouncyCastlesScheduleIsNotEnoughAtHalfLoss() throws Exception {
    // The control experiment: the same harness with the owner timer set to Bouncy Castle's schedule
    // (1 s doubling to 60 s). Some seeds must fail, or the test above proves nothing about the timer.
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Outcome>> runs = new ArrayList<>();
      for (int seed = 0; seed < 40; seed++) {
        var setup = SimulatedPair.Setup.of(clientCert, serverCert, 1200, 0.5, seed, true)
            .timers(Duration.ofSeconds(1), Duration.ofSeconds(60));
        runs.add(pool.submit(() -> run(setup)));
      }
      int failed = 0;
      for (Future<Outcome> f : runs) {
        if (!f.get(60, TimeUnit.SECONDS).result.bothComplete()) {
          failed++;
        }
      }
      assertThat(failed).isPositive();
    } finally {
      pool.shutdownNow();
    }
  }
}
