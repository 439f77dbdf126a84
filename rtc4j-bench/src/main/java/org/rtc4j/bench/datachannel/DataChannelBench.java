package org.rtc4j.bench.datachannel;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.DataChannelInit;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Data-channel benchmark, every variant in one run, rounds alternating (the order rotates every
 * round), a fresh connection per round:
 * <ul>
 *   <li>throughput: {@code --mib} MiB in 64 KiB binary messages through a reliable ordered channel,
 *       the sender keeping {@code bufferedAmount} between 1 and 4 MiB ({@code bufferedamountlow});
 *       the rate is measured at the receiver, from the first to the last bulk message (bytes after
 *       the first message / elapsed);</li>
 *   <li>1 KiB messages per second ({@code --small} messages, rtc4j↔rtc4j and Chromium↔Chromium),
 *       measured at the receiver the same way;</li>
 *   <li>offer→first message: from {@code createOffer} (non-trickle, every candidate in the SDP) to
 *       the receiver's first message (rtc4j↔rtc4j, Chromium↔Chromium, rtc4j→Chromium where the
 *       page both offers and receives).</li>
 * </ul>
 * Chromium↔rtc4j: the page offers and POSTs the offer to this process ({@code /offer?role=sink|source}),
 * an in-process rtc4j PeerConnection answers; whoever receives measures (rtc4j reports its
 * figures to the page over the channel). Every transfer is bounded by {@code --timeout-ms}.
 */
@Command(name = "datachannel-bench", mixinStandardHelpOptions = true,
    description = "WebRTC data-channel throughput on loopback: rtc4j vs Chromium, one run.")
public final class DataChannelBench implements Callable<Integer> {

  static final int CHUNK = 64 * 1024;
  static final int SMALL = 1024;
  static final long HIGH = 4L << 20;
  static final long LOW = 1L << 20;

  @Option(names = "--mib", defaultValue = "64", description = "MiB per throughput run (default ${DEFAULT-VALUE})")
  int mib;

  @Option(names = "--small", defaultValue = "20000", description = "1 KiB messages per msgs/s run (default ${DEFAULT-VALUE})")
  int small;

  @Option(names = "--rounds", defaultValue = "5", description = "measured rounds per variant (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--warmup", defaultValue = "1", description = "unmeasured rounds per variant first (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--variants", split = ",", defaultValue = "rtc4j-rtc4j,rtc4j-chromium,chromium-rtc4j,chromium-chromium",
      description = "variants (default ${DEFAULT-VALUE}); sender-receiver")
  List<String> variants;

  @Option(names = "--trace", description = "append a 20 ms time series of the rtc4j sender's SCTP counters "
      + "(rtc4j-chromium) to this file")
  java.io.File traceFile;

  @Option(names = "--timeout-ms", defaultValue = "120000", description = "per round (default ${DEFAULT-VALUE})")
  long timeoutMs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DataChannelBench()).execute(args));
  }

  /**
   * One round's figures; NaN where a variant does not measure it. The cost figures (rtc4j-rtc4j:
   * both peers are this process) are CPU seconds and MB allocated per GB received in the bulk
   * transfer, and CPU microseconds per 1 KiB message.
   */
  record Round(double mbps, double msgsPerSec, double firstMsgMs, double cpuSPerGb, double allocMbPerGb,
      double cpuUsPerSmallMsg, double threadCpuSPerGb) {
    Round(double mbps, double msgsPerSec, double firstMsgMs) {
      this(mbps, msgsPerSec, firstMsgMs, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
  }

  interface Variant {
    String name();

    Round run() throws Exception;
  }

  private RtcRuntime runtime;
  private final ConcurrentLinkedQueue<PeerConnection> open = new ConcurrentLinkedQueue<>();
  private byte[] payload;
  /** The rtc4j PeerConnection of the last rtc4j→Chromium round (its counters are printed). */
  private volatile PeerConnection lastSource;

  @Override
  public Integer call() throws Exception {
    payload = new byte[CHUNK];
    new SplittableRandom(1).nextBytes(payload);
    long bytes = (long) mib << 20;
    boolean needBrowser = variants.stream().anyMatch(v -> v.contains("chromium"));
    StaticHttpServer web = null;
    Browser browser = null;
    runtime = RtcRuntime.create(2);
    try {
      if (needBrowser) {
        web = StaticHttpServer.start().classpath("/datachannel/", "datachannel/");
        web.handler("/offer", this::answerOffer);
        browser = Browser.launch(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false).build());
        browser.open(web.uri("/datachannel/bench.html"));
        browser.awaitJs(Duration.ofSeconds(15), "return await window.pageReady;");
        System.out.println("Chromium " + browser.version());
      }
      System.out.printf(Locale.ROOT, "%d MiB per throughput run, 64 KiB messages; %d x 1 KiB messages; %d rounds (+%d warm-up)"
          + "; cpus %d%n", mib, small, rounds, warmup, Runtime.getRuntime().availableProcessors());
      List<Variant> vs = new ArrayList<>();
      for (String v : variants) {
        vs.add(variant(v, browser, bytes));
      }
      Map<String, List<Round>> results = new LinkedHashMap<>();
      vs.forEach(v -> results.put(v.name(), new ArrayList<>()));
      for (int round = -warmup; round < rounds; round++) {
        StringBuilder line = new StringBuilder(round < 0 ? "warm-up :" : String.format(Locale.ROOT, "round %2d:", round + 1));
        for (int k = 0; k < vs.size(); k++) {
          Variant v = vs.get(Math.floorMod(round + k, vs.size()));
          Round r;
          try {
            r = v.run();
          } catch (Exception e) {
            System.out.println("  " + v.name() + " FAILED: " + e);
            r = new Round(Double.NaN, Double.NaN, Double.NaN);
          } finally {
            for (PeerConnection pc = open.poll(); pc != null; pc = open.poll()) {
              pc.close();
            }
          }
          if (round >= 0) {
            results.get(v.name()).add(r);
          }
          line.append(String.format(Locale.ROOT, "  %s %.1f MB/s", v.name(), r.mbps()));
          if (!Double.isNaN(r.msgsPerSec())) {
            line.append(String.format(Locale.ROOT, " %.0f msg/s", r.msgsPerSec()));
          }
          if (!Double.isNaN(r.firstMsgMs())) {
            line.append(String.format(Locale.ROOT, " first %.0f ms", r.firstMsgMs()));
          }
          if (!Double.isNaN(r.cpuSPerGb())) {
            line.append(String.format(Locale.ROOT, " (cpu %.2f s/GB, java threads %.2f s/GB, alloc %.0f MB/GB, %.1f cpu-us/small msg)",
                r.cpuSPerGb(), r.threadCpuSPerGb(), r.allocMbPerGb(), r.cpuUsPerSmallMsg()));
          }
        }
        System.out.println(line);
      }
      summary(results);
      return 0;
    } finally {
      if (browser != null) {
        browser.close();
      }
      if (web != null) {
        web.close();
      }
      runtime.close();
    }
  }

  private void summary(Map<String, List<Round>> results) throws java.io.IOException {
    System.out.println();
    System.out.println("== summary (median [min-max] over measured rounds; failed rounds excluded) ==");
    System.out.printf(Locale.ROOT, "%-18s %-26s %-26s %-24s%n", "variant (send-recv)", "64 KiB MB/s", "1 KiB msgs/s",
        "offer->1st msg ms");
    Map<String, Double> mbps = new LinkedHashMap<>();
    Map<String, Double> msgs = new LinkedHashMap<>();
    for (var e : results.entrySet()) {
      String n = e.getKey();
      double[] a = stat(e.getValue(), Round::mbps);
      double[] b = stat(e.getValue(), Round::msgsPerSec);
      double[] c = stat(e.getValue(), Round::firstMsgMs);
      mbps.put(n, a[0]);
      msgs.put(n, b[0]);
      System.out.printf(Locale.ROOT, "%-18s %-26s %-26s %-24s%n", n, fmt(a, "%.1f"), fmt(b, "%.0f"), fmt(c, "%.0f"));
      printResult(n, "mbps", a);
      printResult(n, "msgs_per_s", b);
      printResult(n, "first_msg_ms", c);
      double[] cpu = stat(e.getValue(), Round::cpuSPerGb);
      double[] alloc = stat(e.getValue(), Round::allocMbPerGb);
      double[] smallCpu = stat(e.getValue(), Round::cpuUsPerSmallMsg);
      double[] threadCpu = stat(e.getValue(), Round::threadCpuSPerGb);
      if (!Double.isNaN(cpu[0])) {
        System.out.printf(Locale.ROOT, "%-18s cost: cpu_s_per_GB %s, java_thread_cpu_s_per_GB %s, alloc_MB_per_GB %s, "
            + "cpu_us_per_1KiB_msg %s%n", n, fmt(cpu, "%.2f"), fmt(threadCpu, "%.2f"), fmt(alloc, "%.0f"), fmt(smallCpu, "%.1f"));
      }
      printResult(n, "java_thread_cpu_s_per_GB", threadCpu);
      printResult(n, "cpu_s_per_GB", cpu);
      printResult(n, "alloc_MB_per_GB", alloc);
      printResult(n, "cpu_us_per_1KiB_msg", smallCpu);
    }
    Double anchor = mbps.get("chromium-chromium");
    Double anchorMsgs = msgs.get("chromium-chromium");
    if (anchor != null && !anchor.isNaN()) {
      for (var e : mbps.entrySet()) {
        if (!e.getKey().equals("chromium-chromium") && !e.getValue().isNaN()) {
          System.out.printf(Locale.ROOT, "ratio %s / chromium-chromium (64 KiB MB/s) = %.2f%n", e.getKey(),
              e.getValue() / anchor);
          resultLines.append(String.format(Locale.ROOT, "result.%s.ratio=%.3f%n", e.getKey(), e.getValue() / anchor));
        }
      }
    }
    Double r = msgs.get("rtc4j-rtc4j");
    if (anchorMsgs != null && r != null && !anchorMsgs.isNaN() && !r.isNaN()) {
      System.out.printf(Locale.ROOT, "ratio rtc4j-rtc4j / chromium-chromium (1 KiB msgs/s) = %.2f%n", r / anchorMsgs);
    }
    System.out.println();
    System.out.print(resultLines);
  }

  /** Machine-readable lines, printed after the table. */
  private final StringBuilder resultLines = new StringBuilder();

  private void printResult(String n, String what, double[] s) {
    if (!Double.isNaN(s[0])) {
      resultLines.append(String.format(Locale.ROOT, "result.%s.%s.median=%.3f%nresult.%s.%s.min=%.3f%nresult.%s.%s.max=%.3f%n",
          n, what, s[0], n, what, s[1], n, what, s[2]));
    }
  }

  private static String fmt(double[] s, String f) {
    if (Double.isNaN(s[0])) {
      return "-";
    }
    return String.format(Locale.ROOT, f + " [" + f + "-" + f + "] n=%d", s[0], s[1], s[2], (int) s[3]);
  }

  /** {median, min, max, n} of the finite values. */
  private static double[] stat(List<Round> rs, java.util.function.ToDoubleFunction<Round> f) {
    double[] v = rs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN, 0};
    }
    int n = v.length;
    double med = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return new double[] {med, v[0], v[n - 1], n};
  }

  private Variant variant(String name, Browser browser, long bytes) {
    return switch (name) {
      case "rtc4j-rtc4j" -> named(name, () -> rtc4jPair(bytes));
      case "chromium-chromium" -> named(name, () -> {
        long[] udp0 = udpCounters();
        Map<?, ?> r = browser.awaitJs(Map.class, Duration.ofMillis(timeoutMs + 10000),
            "return await window.chromiumPair(args[0], args[1], args[2]);", bytes, small, timeoutMs);
        printSenderCounters(name, udp0);
        return new Round(num(r, "mbps"), num(r, "msgsPerSec"), num(r, "firstMsgMs"));
      });
      case "chromium-rtc4j" -> named(name, () -> {
        Map<?, ?> r = browser.awaitJs(Map.class, Duration.ofMillis(timeoutMs + 10000),
            "return await window.toRtc4j(args[0], args[1]);", bytes, timeoutMs);
        return new Round(num(r, "mbps"), Double.NaN, Double.NaN);
      });
      case "rtc4j-chromium" -> named(name, () -> {
        long[] udp0 = udpCounters();
        Thread tracer = null;
        if (traceFile != null) {
          tracer = new Thread(this::traceSender, "sctp-trace");
          tracer.setDaemon(true);
          tracer.start();
        }
        Map<?, ?> r;
        Cost c0 = Cost.now();
        long wall0 = System.nanoTime();
        try {
          r = browser.awaitJs(Map.class, Duration.ofMillis(timeoutMs + 10000),
              "return await window.fromRtc4j(args[0], args[1]);", bytes, timeoutMs);
        } finally {
          if (tracer != null) {
            tracer.interrupt();
            tracer.join();
          }
        }
        Cost c1 = Cost.now();
        printSenderCounters(name, udp0);
        // The sender's JVM shares the 2 cores with Chromium's receive path: its CPU is Chromium's loss.
        System.out.printf(Locale.ROOT, "  [%s sender] jvm cpu %.2f s (java threads %.2f s) in %.2f s of the round%n", name,
            c1.cpuSecondsSince(c0), c1.threadCpuSecondsSince(c0), (System.nanoTime() - wall0) / 1e9);
        return new Round(num(r, "mbps"), Double.NaN, num(r, "firstMsgMs"));
      });
      default -> throw new IllegalArgumentException("unknown variant " + name);
    };
  }

  /**
   * The rtc4j sender's SCTP counters (getStats transport members {@code rtc4jSctp*}) and the
   * namespace's UDP counters over the round: these survive machine load, the MB/s do not.
   * RcvbufErrors counts datagrams the kernel dropped because a receiver's socket buffer was full
   * (on loopback the only way to lose a packet).
   */
  private void printSenderCounters(String name, long[] udp0) {
    PeerConnection pc = lastSource;
    lastSource = null;
    StringBuilder b = new StringBuilder("  [" + name + " sender]");
    if (pc != null) {
      try {
        for (org.rtc4j.webrtc.RtcStats st : get(pc.getStats()).ofType("transport")) {
          st.members().forEach((k, v) -> {
            if (k.startsWith("rtc4jSctp")) {
              b.append(' ').append(k.substring("rtc4jSctp".length())).append('=').append(v);
            }
          });
        }
      } catch (Exception e) {
        b.append(" stats failed: ").append(e);
      }
    }
    long[] udp1 = udpCounters();
    if (udp0 != null && udp1 != null) {
      b.append(String.format(Locale.ROOT, " | udp in=%d out=%d rcvbufErrors=%d sndbufErrors=%d",
          udp1[0] - udp0[0], udp1[1] - udp0[1], udp1[2] - udp0[2], udp1[3] - udp0[3]));
    }
    System.out.println(b);
  }

  /**
   * {@code --trace FILE}: every 20 ms of an rtc4j→Chromium round, one line of the sender's SCTP
   * counters and the namespace's UDP drops (time series of cwnd, srtt, losses).
   */
  private void traceSender() {
    long t0 = System.nanoTime();
    try (java.io.PrintWriter w = new java.io.PrintWriter(new java.io.FileWriter(traceFile, true))) {
      w.println("# round start");
      while (!Thread.currentThread().isInterrupted()) {
        PeerConnection pc = lastSource;
        if (pc != null) {
          StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "t=%.0f", (System.nanoTime() - t0) / 1e6));
          for (org.rtc4j.webrtc.RtcStats st : pc.getStats().get(1, TimeUnit.SECONDS).ofType("transport")) {
            st.members().forEach((k, v) -> {
              if (k.startsWith("rtc4jSctp")) {
                b.append(' ').append(k.substring("rtc4jSctp".length())).append('=').append(v);
              }
            });
          }
          long[] u = udpCounters();
          if (u != null) {
            b.append(" rcvbufErrors=").append(u[2]);
          }
          w.println(b);
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.out.println("  trace failed: " + e);
    }
  }

  /** {InDatagrams, OutDatagrams, RcvbufErrors, SndbufErrors} of /proc/net/snmp (this namespace), or null. */
  static long[] udpCounters() {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
          List<String> names = Arrays.asList(lines.get(i).trim().split("\\s+"));
          String[] vals = lines.get(i + 1).trim().split("\\s+");
          String[] want = {"InDatagrams", "OutDatagrams", "RcvbufErrors", "SndbufErrors"};
          long[] out = new long[want.length];
          for (int k = 0; k < want.length; k++) {
            int at = names.indexOf(want[k]);
            out[k] = at < 0 ? 0 : Long.parseLong(vals[at]);
          }
          return out;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no UDP counters
    }
    return null;
  }

  private static double num(Map<?, ?> m, String k) {
    Object o = m.get(k);
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static Variant named(String name, Callable<Round> body) {
    return new Variant() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Round run() throws Exception {
        return body.call();
      }
    };
  }

  static RtcConfiguration config() {
    return RtcConfiguration.builder().hostAddress(InetAddress.getLoopbackAddress()).build();
  }

  private PeerConnection newPc() {
    PeerConnection pc = new PeerConnection(config(), runtime);
    open.add(pc);
    return pc;
  }

  private static CompletableFuture<Void> gathered(PeerConnection pc) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    pc.onIceGatheringStateChange(s -> {
      if (s == RtcIceGatheringState.COMPLETE) {
        f.complete(null);
      }
    });
    return f;
  }

  private <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Two PeerConnections in this JVM: offer→first message, bulk, then 1 KiB messages on the same channel. */
  private Round rtc4jPair(long bytes) throws Exception {
    PeerConnection a = newPc();
    PeerConnection b = newPc();
    CompletableFuture<Void> ga = gathered(a);
    CompletableFuture<Void> gb = gathered(b);
    DataChannel ch = a.createDataChannel("bench", DataChannelInit.defaults());
    Sink sink = new Sink(bytes, small);
    b.onDataChannel(c -> c.onMessage(sink::accept));
    Pump pump = new Pump(ch, payload);
    long t0 = System.nanoTime();
    sink.t0 = t0;
    ch.onOpen(() -> {
      ch.send("hello");
      pump.start(bytes, CHUNK);
    });
    a.setLocalDescription(get(a.createOffer())).get();
    get(ga);
    get(b.setRemoteDescription(a.localDescription()));
    get(b.setLocalDescription(get(b.createAnswer())));
    get(gb);
    get(a.setRemoteDescription(b.localDescription()));
    double mbps = get(sink.bulk);
    pump.start((long) small * SMALL, SMALL);
    double msgs = get(sink.small);
    return new Round(mbps, msgs, sink.firstMsgMs, sink.cpuSPerGb, sink.allocMbPerGb, sink.cpuUsPerSmallMsg,
        sink.threadCpuSPerGb);
  }

  /** Counts what arrives: text (the first message), 64 KiB bulk and 1 KiB messages. Callback thread only. */
  static final class Sink {
    final long bulkBytes;
    final int smallCount;
    final CompletableFuture<Double> bulk = new CompletableFuture<>(); // MB/s
    final CompletableFuture<Double> small = new CompletableFuture<>(); // msgs/s
    volatile long t0;
    volatile double firstMsgMs = Double.NaN;
    private long got;
    private long bulkFirst;
    private long firstSize;
    private int smallGot;
    private long smallFirst;
    private Cost bulkCost;
    private Cost smallCost;
    volatile double cpuSPerGb = Double.NaN;
    volatile double allocMbPerGb = Double.NaN;
    volatile double cpuUsPerSmallMsg = Double.NaN;
    volatile double threadCpuSPerGb = Double.NaN;

    Sink(long bulkBytes, int smallCount) {
      this.bulkBytes = bulkBytes;
      this.smallCount = smallCount;
    }

    void accept(org.rtc4j.webrtc.DataChannelMessage m) {
      long now = System.nanoTime();
      if (Double.isNaN(firstMsgMs)) {
        firstMsgMs = (now - t0) / 1e6;
      }
      if (m.isText()) {
        return;
      }
      int n = m.size();
      if (n == SMALL && got >= bulkBytes) {
        if (smallGot++ == 0) {
          smallFirst = now;
          smallCost = Cost.now();
        }
        if (smallGot == smallCount) {
          cpuUsPerSmallMsg = Cost.now().cpuSecondsSince(smallCost) * 1e6 / (smallCount - 1);
          small.complete((smallCount - 1) / ((now - smallFirst) / 1e9));
        }
        return;
      }
      if (got == 0) {
        bulkFirst = now;
        firstSize = n;
        bulkCost = Cost.now();
      }
      got += n;
      if (got >= bulkBytes && !bulk.isDone()) {
        Cost end = Cost.now();
        double gb = (got - firstSize) / 1e9;
        cpuSPerGb = end.cpuSecondsSince(bulkCost) / gb;
        threadCpuSPerGb = end.threadCpuSecondsSince(bulkCost) / gb;
        allocMbPerGb = end.allocatedSince(bulkCost) / 1e6 / gb;
        bulk.complete((got - firstSize) / 1e6 / ((now - bulkFirst) / 1e9));
      }
    }
  }

  /** Sends {@code total} bytes in messages of {@code size} keeping bufferedAmount between LOW and HIGH. */
  static final class Pump {
    private final DataChannel ch;
    private final byte[] payload;
    private long left;
    private int size;

    Pump(DataChannel ch, byte[] payload) {
      this.ch = ch;
      this.payload = payload;
      ch.setBufferedAmountLowThreshold(LOW);
      ch.onBufferedAmountLow(this::pump);
    }

    synchronized void start(long total, int size) {
      this.left = total;
      this.size = size;
      pump();
    }

    private synchronized void pump() {
      while (left > 0 && ch.bufferedAmount() < HIGH) {
        int n = (int) Math.min(size, left);
        ch.send(ByteBuffer.wrap(payload, 0, n));
        left -= n;
      }
    }
  }

  /** POST /offer?role=sink&bytes=N | role=source&bytes=N: an rtc4j PeerConnection answers the page's offer. */
  private void answerOffer(HttpExchange ex) throws IOException {
    int status;
    byte[] body;
    try {
      Map<String, String> q = new LinkedHashMap<>();
      String query = ex.getRequestURI().getRawQuery();
      for (String kv : query == null ? new String[0] : query.split("&")) {
        int eq = kv.indexOf('=');
        q.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
      String role = q.getOrDefault("role", "sink");
      long bytes = Long.parseLong(q.getOrDefault("bytes", "0"));
      String offer = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      PeerConnection pc = newPc();
      CompletableFuture<Void> g = gathered(pc);
      if (role.equals("source")) {
        lastSource = pc;
      }
      pc.onDataChannel(c -> {
        if (role.equals("source")) {
          Pump pump = new Pump(c, payload);
          c.onOpen(() -> {
            c.send("hello");
            pump.start(bytes, CHUNK);
          });
        } else {
          Sink sink = new Sink(bytes, 0);
          sink.t0 = System.nanoTime();
          c.onMessage(sink::accept);
          sink.bulk.thenAccept(mbps -> c.send(String.format(Locale.ROOT, "{\"mbps\":%.4f}", mbps)));
        }
      });
      get(pc.setRemoteDescription(RtcSessionDescription.offer(offer)));
      get(pc.setLocalDescription(get(pc.createAnswer())));
      get(g);
      body = pc.localDescription().sdp().getBytes(StandardCharsets.UTF_8);
      status = 201;
      ex.getResponseHeaders().set("Content-Type", "application/sdp");
    } catch (Exception e) {
      body = ("answer failed: " + e).getBytes(StandardCharsets.UTF_8);
      status = 500;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  static double[] sorted(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c;
  }
}
