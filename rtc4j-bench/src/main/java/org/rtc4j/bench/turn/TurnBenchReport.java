package org.rtc4j.bench.turn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Summarises the result files of scripts/turn-bench.sh (one per round, lines
 * {@code server.test.key=value}) as Markdown: per test and figure, each server's median, min and
 * max over the rounds, and the ratio rtc4j/coturn (the median of the per-round ratios, so a
 * machine that drifts between rounds does not skew it).
 */
public final class TurnBenchReport {
    private TurnBenchReport() {}

    private static final String A = "rtc4j";
    private static final String B = "coturn";

    /** The figures worth a row, in order, with a label; higherIsBetter only for reading. */
    private static final String[][] RELAY_ROWS = {
        {"zero_loss_pps", "max zero-loss rate, pkt/s (delivered)"},
        {"saturated_pps", "saturated throughput, pkt/s (delivered, any loss)"},
        {"saturated_loss_pct", "loss at saturation, %"},
        {"zero_loss_p50_us", "p50 latency at max zero-loss rate, us"},
        {"zero_loss_p99_us", "p99 latency at max zero-loss rate, us"},
        {"zero_loss_p999_us", "p99.9 latency at max zero-loss rate, us"},
        {"zero_loss_server_us_per_pkt", "server CPU per relayed packet at max zero-loss rate, us"},
        {"ref_rate_pps", "reference rate, pkt/s"},
        {"ref_loss", "loss at reference rate, packets"},
        {"ref_p50_us", "p50 latency at reference rate, us"},
        {"ref_p99_us", "p99 latency at reference rate, us"},
        {"generator_limited_steps", "steps where the generator could not offer the rate"},
        {"noisy_steps", "steps during which other processes used > 0.2 CPU"},
    };
    private static final String[][] ALLOC_ROWS = {
        {"allocs_per_second", "allocations per second"},
        {"allocs_created", "allocations created"},
        {"allocs_failed", "allocations failed"},
        {"alloc_p50_ms", "p50 time per allocation (2 round trips), ms"},
        {"alloc_p99_ms", "p99 time per allocation, ms"},
        {"rss_per_alloc_bytes", "resident memory per allocation (RSS delta / count), bytes"},
        {"heap_per_alloc_bytes", "live heap per allocation (after full GC), bytes"},
        {"rss_after_kb", "server RSS with all allocations, kB"},
    };

    public static void main(String[] args) throws IOException {
        // round -> "server.test.key" -> value
        List<Map<String, Double>> rounds = new ArrayList<>();
        Set<String> tests = new LinkedHashSet<>();
        for (String arg : args) {
            Map<String, Double> m = new TreeMap<>();
            for (String line : Files.readAllLines(Path.of(arg))) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String k = line.substring(0, eq);
                try {
                    m.put(k, Double.parseDouble(line.substring(eq + 1)));
                } catch (NumberFormatException e) {
                    continue;
                }
                String[] parts = k.split("\\.", 3);
                if (parts.length == 3) {
                    tests.add(parts[1]);
                }
            }
            rounds.add(m);
        }
        StringBuilder sb = new StringBuilder();
        for (String test : tests) {
            boolean allocs = test.equals("allocs");
            sb.append("\n#### ").append(allocs ? "allocations" : "relay " + test).append("\n\n");
            sb.append("| figure | coturn median (min–max) | rtc4j median (min–max) | rtc4j/coturn | per round coturn / rtc4j |\n");
            sb.append("|---|---|---|---|---|\n");
            for (String[] row : allocs ? ALLOC_ROWS : RELAY_ROWS) {
                double[] b = values(rounds, B + "." + test + "." + row[0]);
                double[] a = values(rounds, A + "." + test + "." + row[0]);
                if (b.length == 0 && a.length == 0) {
                    continue;
                }
                sb.append("| ").append(row[1]).append(" | ").append(spread(b)).append(" | ").append(spread(a)).append(" | ")
                        .append(ratio(rounds, test, row[0])).append(" | ").append(perRound(rounds, test, row[0])).append(" |\n");
            }
        }
        System.out.print(sb);
    }

    private static double[] values(List<Map<String, Double>> rounds, String key) {
        return rounds.stream().map(m -> m.get(key)).filter(v -> v != null && v >= 0).mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static String spread(double[] v) {
        if (v.length == 0) {
            return "–";
        }
        double min = Arrays.stream(v).min().orElseThrow();
        double max = Arrays.stream(v).max().orElseThrow();
        return fmt(median(v)) + " (" + fmt(min) + "–" + fmt(max) + ")";
    }

    private static String ratio(List<Map<String, Double>> rounds, String test, String key) {
        List<Double> r = new ArrayList<>();
        for (Map<String, Double> m : rounds) {
            Double a = m.get(A + "." + test + "." + key);
            Double b = m.get(B + "." + test + "." + key);
            if (a != null && b != null && b > 0 && a >= 0) {
                r.add(a / b);
            }
        }
        if (r.isEmpty()) {
            return "–";
        }
        double[] v = r.stream().mapToDouble(Double::doubleValue).toArray();
        return String.format(Locale.ROOT, "%.2f×", median(v));
    }

    private static String perRound(List<Map<String, Double>> rounds, String test, String key) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Double> m : rounds) {
            Double a = m.get(A + "." + test + "." + key);
            Double b = m.get(B + "." + test + "." + key);
            parts.add((b == null ? "–" : fmt(b)) + " / " + (a == null ? "–" : fmt(a)));
        }
        return String.join("; ", parts);
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
