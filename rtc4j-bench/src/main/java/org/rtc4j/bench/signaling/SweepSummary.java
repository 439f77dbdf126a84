package org.rtc4j.bench.signaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the {@code STEP}/{@code RESULT} lines {@link SignalingSweep} printed over several repeats
 * (one file, lines tagged {@code repeat=R} by the script) and prints one table: per peer count and
 * server, the median and [min–max] over repeats of connections/s, capacity, RSS, and per offered
 * rate the achieved rate and latencies; then the ratios rtc4j / peerjs-server.
 *
 * <p>Usage: {@code java -cp rtc4j-bench.jar org.rtc4j.bench.signaling.SweepSummary RESULTS_FILE}
 */
public final class SweepSummary {

  private SweepSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: SweepSummary RESULTS_FILE");
      System.exit(2);
    }
    List<Map<String, String>> results = new ArrayList<>();
    List<Map<String, String>> stepsList = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (line.startsWith("RESULT ")) {
        results.add(kv(line));
      } else if (line.startsWith("STEP ")) {
        stepsList.add(kv(line));
      }
    }
    TreeSet<Integer> ns = new TreeSet<>();
    TreeSet<String> servers = new TreeSet<>();
    for (Map<String, String> r : results) {
      ns.add(Integer.parseInt(r.get("peers")));
      servers.add(r.get("server"));
    }
    System.out.println();
    System.out.println("== per server (median [min-max] over repeats) ==");
    System.out.printf(Locale.ROOT, "%-7s %-14s %-4s %-20s %-24s %-24s %-24s %-20s %-20s%n", "peers", "server", "runs",
        "conn/s", "capacity msgs/s", "max achieved msgs/s", "relayed/server CPU-s", "RSS connected MB", "RSS end MB");
    Map<String, double[]> perCpuBy = new LinkedHashMap<>();
    Map<String, double[]> capacityBy = new LinkedHashMap<>();
    for (int n : ns) {
      for (String s : servers) {
        List<Map<String, String>> rs = results.stream()
            .filter(r -> r.get("server").equals(s) && Integer.parseInt(r.get("peers")) == n).toList();
        if (rs.isEmpty()) {
          continue;
        }
        double[] cap = col(rs, "capacity");
        capacityBy.put(n + "/" + s, cap);
        double[] perCpu = col(rs, "relayed_per_server_cpu_s");
        perCpuBy.put(n + "/" + s, perCpu);
        System.out.printf(Locale.ROOT, "%-7d %-14s %-4d %-20s %-24s %-24s %-24s %-20s %-20s%n", n, s, rs.size(),
            mmm(col(rs, "conn_per_s"), 0), mmm(cap, 0), mmm(col(rs, "max_achieved"), 0), mmm(perCpu, 0),
            mmm(col(rs, "rss_connected_mb"), 0), mmm(col(rs, "rss_end_mb"), 0));
      }
    }
    System.out.println();
    System.out.println("== per offered rate (median over the repeats that reached the rate; n = such runs; lat in ms) ==");
    System.out.println("(gen lag p99: the generator's own send lag at the 99th percentile, already inside p99)");
    System.out.printf(Locale.ROOT, "%-7s %-14s %-9s %-3s %-11s %-9s %-9s %-9s %-12s %-9s %-10s %-12s %-9s%n", "peers",
        "server", "target", "n", "achieved", "p50", "p99", "p999", "gen lag p99", "lost", "cpu ms/1k", "relayed/cpu-s", "pass");
    // key: peers/server/target -> rows
    Map<String, List<Map<String, String>>> byRate = new TreeMap<>((a, b) -> {
      String[] x = a.split("/");
      String[] y = b.split("/");
      int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
      if (c != 0) {
        return c;
      }
      c = x[1].compareTo(y[1]);
      return c != 0 ? c : Long.compare(Long.parseLong(x[2]), Long.parseLong(y[2]));
    });
    for (Map<String, String> st : stepsList) {
      byRate.computeIfAbsent(st.get("peers") + "/" + st.get("server") + "/" + st.get("target"), k -> new ArrayList<>())
          .add(st);
    }
    for (Map.Entry<String, List<Map<String, String>>> e : byRate.entrySet()) {
      String[] k = e.getKey().split("/");
      List<Map<String, String>> rows = e.getValue();
      long pass = rows.stream().filter(r -> "true".equals(r.get("ok"))).count();
      System.out.printf(Locale.ROOT, "%-7s %-14s %-9s %-3d %-11s %-9s %-9s %-9s %-12s %-9s %-10s %-12s %d/%d%n", k[0], k[1],
          k[2], rows.size(), fmt(median(col(rows, "achieved")), 0), fmt(median(col(rows, "p50_ms")), 2),
          fmt(median(col(rows, "p99_ms")), 2), fmt(median(col(rows, "p999_ms")), 2),
          fmt(median(col(rows, "gen_lag_p99_ms")), 2), fmt(median(col(rows, "lost")), 0),
          fmt(median(col(rows, "server_cpu_ms_per_1k")), 1), fmt(median(col(rows, "relayed_per_server_cpu_s")), 0),
          pass, rows.size());
    }
    System.out.println();
    System.out.println("== ratios rtc4j / peerjs-server ==");
    for (int n : ns) {
      for (String s : servers) {
        if (s.equals("peerjs") || !s.startsWith("rtc4j")) {
          continue;
        }
        double[] a = capacityBy.get(n + "/" + s);
        double[] b = capacityBy.get(n + "/peerjs");
        if (a == null || b == null) {
          continue;
        }
        double ma = median(a);
        double mb = median(b);
        // the p99 of both at the peerjs-server capacity rate (same offered load)
        long at = (long) mb;
        double pa = median(col(rowsAt(byRate, n, s, at), "p99_ms"));
        double pb = median(col(rowsAt(byRate, n, "peerjs", at), "p99_ms"));
        double ca = median(col(rowsAt(byRate, n, s, at), "server_cpu_ms_per_1k"));
        double cb = median(col(rowsAt(byRate, n, "peerjs", at), "server_cpu_ms_per_1k"));
        System.out.printf(Locale.ROOT, "%d peers: %s capacity %s vs peerjs %s msgs/s = %sx; at %d msgs/s p99 %s vs %s ms;"
                + " server CPU per 1k relayed %s vs %s ms (%sx less)%n",
            n, s, fmt(ma, 0), fmt(mb, 0), mb > 0 ? fmt(ma / mb, 2) : "n/a", at, fmt(pa, 2), fmt(pb, 2),
            fmt(ca, 2), fmt(cb, 2), ca > 0 ? fmt(cb / ca, 2) : "n/a");
        double ea = median(perCpuBy.getOrDefault(n + "/" + s, new double[0]));
        double eb = median(perCpuBy.getOrDefault(n + "/peerjs", new double[0]));
        System.out.printf(Locale.ROOT, "%d peers: %s relays %s vs peerjs %s msgs per server CPU-second (best step) = %sx%n",
            n, s, fmt(ea, 0), fmt(eb, 0), eb > 0 ? fmt(ea / eb, 2) : "n/a");
      }
    }
  }

  private static List<Map<String, String>> rowsAt(Map<String, List<Map<String, String>>> byRate, int n, String s, long rate) {
    return byRate.getOrDefault(n + "/" + s + "/" + rate, List.of());
  }

  private static Map<String, String> kv(String line) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String tok : line.trim().split("\\s+")) {
      int eq = tok.indexOf('=');
      if (eq > 0) {
        m.put(tok.substring(0, eq), tok.substring(eq + 1));
      }
    }
    return m;
  }

  private static double[] col(List<Map<String, String>> rows, String key) {
    return rows.stream().map(r -> r.get(key)).filter(v -> v != null && !v.equals("n/a"))
        .mapToDouble(v -> v.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v)).toArray();
  }

  private static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String mmm(double[] v, int decimals) {
    if (v.length == 0) {
      return "n/a";
    }
    double[] s = v.clone();
    Arrays.sort(s);
    return fmt(median(s), decimals) + " [" + fmt(s[0], decimals) + "-" + fmt(s[s.length - 1], decimals) + "]";
  }

  private static String fmt(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Double.isInfinite(v)) {
      return "inf";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
