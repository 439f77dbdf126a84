package org.rtc4j.dtls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

@EnabledIfSystemProperty(named = "rtc4j.explore", matches = "true")
/**
 * The sweep behind the default retransmission timers (docs/ARCHITECTURE.md, DTLS): many seeds of
 * {@link SimulatedPair} per timer setting, failures and simulated-time percentiles. Not a test:
 * {@code mvn -o -q -pl rtc4j-dtls test -Dtest=RetransmitTimerSweep#sweep -Drtc4j.explore=true
 * -Dseeds=1000 -Dloss=0.5 -Dtimers=100:1000,200:1000,1000:60000}; {@code -DtraceSeed=N} prints one run.
 */
class RetransmitTimerSweep {
  @Test
  void traceSeed() throws Exception {
    String seed = System.getProperty("traceSeed");
    if (seed == null) return;
    String[] a = System.getProperty("timers", "200:2000").split(":");
    DtlsCertificate cc = DtlsCertificate.generate(), sc = DtlsCertificate.generate();
    try (SimulatedPair p = new SimulatedPair(SimulatedPair.Setup.of(cc, sc, 1200, Double.parseDouble(System.getProperty("loss", "0.5")), Long.parseLong(seed), true)
        .timers(Duration.ofMillis(Long.parseLong(a[0])), Duration.ofMillis(Long.parseLong(a[1]))))) {
      p.trace = true;
      System.out.println(p.run());
      System.out.println("client timer " + p.client.timerReplays() + " dup " + p.client.duplicateReplays() + " dupsIn " + p.client.duplicatesReceived()
         + "; server timer " + p.server.timerReplays() + " dup " + p.server.duplicateReplays() + " dupsIn " + p.server.duplicatesReceived());
    }
  }

  @Test
  void sweep() throws Exception {
    DtlsCertificate cc = DtlsCertificate.generate(), sc = DtlsCertificate.generate();
    int seeds = Integer.getInteger("seeds", 100);
    double lossRate = Double.parseDouble(System.getProperty("loss", "0.5"));
    String[] timers = System.getProperty("timers", "200:2000").split(",");
    ExecutorService ex = Executors.newFixedThreadPool(4);
    for (String t : timers) {
      String[] a = t.split(":");
      long t0 = System.nanoTime();
      List<Future<SimulatedPair.Result>> fs = new ArrayList<>();
      for (int s = 0; s < seeds; s++) {
        long seed = s;
        fs.add(ex.submit(() -> {
          try (SimulatedPair p = new SimulatedPair(SimulatedPair.Setup.of(cc, sc, 1200, lossRate, seed, true)
              .timers(Duration.ofMillis(Long.parseLong(a[0])), Duration.ofMillis(Long.parseLong(a[1]))))) {
            return p.run();
          }
        }));
      }
      int fail = 0; long[] el = new long[seeds]; int i = 0; long repl = 0, sent = 0;
      for (var f : fs) { var r = f.get(); if (!r.bothComplete()) { fail++; System.out.println("FAIL seed " + (i) + " " + r); } el[i++] = r.elapsedNanos() / 1_000_000; repl += r.replays(); sent += r.datagramsSent(); }
      Arrays.sort(el);
      System.out.printf("SWEEP timers %s loss %.2f: %d/%d failed; simulated ms p50 %d p90 %d p99 %d max %d; replays/run %.1f sent/run %.1f; real %d ms%n",
          t, lossRate, fail, seeds, el[seeds / 2], el[seeds * 9 / 10], el[seeds * 99 / 100], el[seeds - 1], repl / (double) seeds, sent / (double) seeds,
          (System.nanoTime() - t0) / 1_000_000);
    }
    ex.shutdown();
  }
}
