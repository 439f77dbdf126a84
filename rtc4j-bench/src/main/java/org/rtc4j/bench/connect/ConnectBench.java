package org.rtc4j.bench.connect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Connection set-up benchmark (issue 3, "Performance"). Subcommands:
 * <ul>
 *   <li>{@code connect}: time from {@code createOffer} to connectionState 'connected' (of the
 *       offerer) on loopback, for rtc4j↔rtc4j (two PeerConnections in this JVM), Chromium→rtc4j
 *       (the page offers, an in-process rtc4j PeerConnection answers over a same-origin
 *       {@code POST /offer}) and Chromium↔Chromium (two RTCPeerConnections in one page, measured
 *       in the page), in one run, N rounds, the order of the variants rotating every round; prints
 *       medians, min–max and the ratios to Chromium↔Chromium.</li>
 *   <li>{@code dtls}: DTLS handshakes per second, two engines in memory (run it under
 *       {@code taskset -c 0} for "one core").</li>
 *   <li>{@code memory}: N connected rtc4j pairs in this JVM; heap used after GC, per connection.</li>
 * </ul>
 * scripts/connect-bench.sh runs all three in a loopback-only network namespace.
 */
@Command(name = "connect-bench", mixinStandardHelpOptions = true,
    description = "WebRTC connection set-up: connect time (rtc4j vs Chromium), DTLS handshakes/s, memory per connection.",
    subcommands = {ConnectBench.Connect.class, ConnectBench.Dtls.class, ConnectBench.Memory.class})
public final class ConnectBench implements Callable<Integer> {

  public static void main(String[] args) {
    int code = new CommandLine(new ConnectBench()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 2;
  }

  /** One way of connecting two peers; {@link #connectOnce()} returns milliseconds. */
  interface Variant extends AutoCloseable {
    String name();

    double connectOnce() throws Exception;

    @Override
    default void close() {}
  }

  @Command(name = "connect", mixinStandardHelpOptions = true, description = "createOffer -> 'connected' times, alternating variants.")
  static final class Connect implements Callable<Integer> {
    @Option(names = "--rounds", defaultValue = "20", description = "measured rounds per variant (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup", defaultValue = "5", description = "unmeasured rounds per variant first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--variants", split = ",", defaultValue = "rtc4j-rtc4j,chromium-rtc4j,chromium-chromium",
        description = "variants to run (default ${DEFAULT-VALUE}); also chromium-chromium-trickle, rtc4j-rtc4j-trickle")
    List<String> variants;

    @Option(names = "--timeout-ms", defaultValue = "20000", description = "per connection (default ${DEFAULT-VALUE})")
    long timeoutMs;

    @Override
    public Integer call() throws Exception {
      boolean needBrowser = variants.stream().anyMatch(v -> v.startsWith("chromium"));
      StaticHttpServer web = null;
      Browser browser = null;
      List<Variant> vs = new ArrayList<>();
      try {
        if (needBrowser) {
          web = StaticHttpServer.start().classpath("/connect/", "connect/");
          browser = Browser.launch(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false).build());
          browser.open(web.uri("/connect/bench.html"));
          browser.awaitJs(Duration.ofSeconds(15), "return await window.pageReady;");
          System.out.println("Chromium " + browser.version());
        }
        for (String v : variants) {
          vs.add(variant(v, browser, web));
        }
        Map<String, double[]> times = new LinkedHashMap<>();
        for (Variant v : vs) {
          times.put(v.name(), new double[rounds]);
        }
        System.out.printf(Locale.ROOT, "warm-up: %d rounds per variant%n", warmup);
        for (int i = 0; i < warmup; i++) {
          for (Variant v : vs) {
            v.connectOnce();
          }
        }
        for (int round = 0; round < rounds; round++) {
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d:", round + 1));
          for (int k = 0; k < vs.size(); k++) {
            Variant v = vs.get((round + k) % vs.size()); // rotate the order every round
            double ms = v.connectOnce();
            times.get(v.name())[round] = ms;
            line.append(String.format(Locale.ROOT, "  %s %.1f ms", v.name(), ms));
          }
          System.out.println(line);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-26s %10s %10s %10s %10s%n", "variant (createOffer->connected)", "median ms",
            "min", "max", "mean");
        Map<String, Double> medians = new LinkedHashMap<>();
        for (var e : times.entrySet()) {
          double[] t = e.getValue().clone();
          Arrays.sort(t);
          double med = median(t);
          medians.put(e.getKey(), med);
          System.out.printf(Locale.ROOT, "%-26s %10.1f %10.1f %10.1f %10.1f%n", e.getKey(), med, t[0], t[t.length - 1],
              Arrays.stream(t).average().orElse(0));
          System.out.printf(Locale.ROOT, "result.%s.median_ms=%.2f%nresult.%s.min_ms=%.2f%nresult.%s.max_ms=%.2f%n",
              e.getKey(), med, e.getKey(), t[0], e.getKey(), t[t.length - 1]);
        }
        // each variant against Chromium<->Chromium with the same signaling (trickle or not)
        for (var e : medians.entrySet()) {
          String anchorName = e.getKey().endsWith("-trickle") ? "chromium-chromium-trickle" : "chromium-chromium";
          Double anchor = medians.get(anchorName);
          if (anchor != null && !e.getKey().equals(anchorName)) {
            System.out.printf(Locale.ROOT, "ratio %s / %s = %.2f%nresult.%s.ratio=%.3f%n", e.getKey(), anchorName,
                e.getValue() / anchor, e.getKey(), e.getValue() / anchor);
          }
        }
        return 0;
      } finally {
        for (Variant v : vs) {
          v.close();
        }
        if (browser != null) {
          browser.close();
        }
        if (web != null) {
          web.close();
        }
      }
    }

    private Variant variant(String name, Browser browser, StaticHttpServer web) {
      return switch (name) {
        case "chromium-chromium", "chromium-chromium-trickle" -> new Variant() {
          final boolean trickle = name.endsWith("trickle");

          @Override
          public String name() {
            return name;
          }

          @Override
          public double connectOnce() {
            Map<?, ?> r = browser.awaitJs(Map.class, Duration.ofMillis(timeoutMs + 5000),
                "return await window.benchChromiumPair(args[0], args[1]);", trickle, timeoutMs);
            return ((Number) r.get("offererMs")).doubleValue();
          }
        };
        default -> Rtc4jVariants.create(name, browser, web, Duration.ofMillis(timeoutMs));
      };
    }
  }

  @Command(name = "dtls", mixinStandardHelpOptions = true, description = "DTLS handshakes per second (two engines in memory).")
  static final class Dtls implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "20", description = "measured seconds (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "5", description = "unmeasured seconds first (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Override
    public Integer call() {
      System.out.printf(Locale.ROOT, "available processors: %d%n", Runtime.getRuntime().availableProcessors());
      DtlsHandshakeBench.Result r = new DtlsHandshakeBench().run(Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(seconds));
      System.out.printf(Locale.ROOT, "DTLS 1.2 handshakes (ECDSA P-256, both sides in this process): %d in %.1f s = %.1f/s, "
          + "%.2f ms CPU per handshake (both sides); certificate generation %.0f/s%n", r.handshakes(), r.seconds(),
          r.perSecond(), r.cpuMsPerHandshake(), r.certsPerSecond());
      // CPU time is the steadier figure on a shared machine: other processes on the core lower the
      // wall-clock rate, much less the CPU each handshake costs
      System.out.printf(Locale.ROOT, "handshakes per CPU-second (1000 / CPU ms): %.1f%n", 1000 / r.cpuMsPerHandshake());
      System.out.printf(Locale.ROOT, "result.dtls.handshakes_per_s=%.2f%nresult.dtls.cpu_ms_per_handshake=%.3f%n"
          + "result.dtls.handshakes_per_cpu_s=%.1f%nresult.dtls.certs_per_s=%.1f%n", r.perSecond(), r.cpuMsPerHandshake(),
          1000 / r.cpuMsPerHandshake(), r.certsPerSecond());
      return 0;
    }
  }

  @Command(name = "memory", mixinStandardHelpOptions = true, description = "Heap per idle connected rtc4j PeerConnection.")
  static final class Memory implements Callable<Integer> {
    @Option(names = "--pairs", defaultValue = "100", description = "connected pairs (default ${DEFAULT-VALUE})")
    int pairs;

    @Override
    public Integer call() throws Exception {
      return Rtc4jVariants.memory(pairs);
    }
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
