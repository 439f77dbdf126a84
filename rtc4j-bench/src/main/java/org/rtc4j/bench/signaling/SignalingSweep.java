package org.rtc4j.bench.signaling;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * An open-loop, fixed-rate load generator for PeerJS signaling servers, cheap enough per message
 * that the server, not the generator, saturates first.
 *
 * <ul>
 *   <li><b>Connect:</b> {@code --peers} raw NIO WebSocket clients ({@code ?key&id&token&version}),
 *       {@code --connect-concurrency} handshakes in flight; connections/s = peers / time until the
 *       last OPEN. Server RSS is read from {@code /proc/PID/status} afterwards.</li>
 *   <li><b>Sweep:</b> for each rate in {@code --rates} (relayed messages/s), {@code --step-seconds}
 *       of bursts scheduled at fixed times regardless of replies (open loop). A burst is what a peerjs
 *       client sends when it connects to another: one OFFER (≈600-byte SDP) and
 *       {@code --burst - 1} CANDIDATEs, from the first peer of a pair to the second, pairs taken
 *       round-robin. Every peer also sends a HEARTBEAT every 5 s. After the step the generator waits up
 *       to {@code --drain-ms} for stragglers.</li>
 *   <li><b>Latency</b> runs from a frame's <i>scheduled</i> send time (embedded in the payload as 16
 *       digits) to the read that returned it, so a generator or server that falls behind is charged
 *       for the queue it built (no coordinated omission). Frames that never arrive count as infinitely
 *       late in the percentiles.</li>
 *   <li><b>Per step:</b> sent, received, achieved rate (received / step time), p50/p99/p999,
 *       lost, errors (ERROR/EXPIRE/LEAVE/close frames), generator-side drops (the socket stayed full),
 *       the CPU seconds of the server ({@code /proc/PID/stat}, all its threads) and of this generator,
 *       and the frames relayed per server CPU-second (every relayed frame that came back during the
 *       step and its drain, late ones included). Near saturation the last one is the server's
 *       capacity per core, and it survives a busy machine far better than rates do: a server that gets
 *       a fifth of its core still relays as many frames per CPU-second. RESULT reports its best step. A step passes when
 *       achieved ≥ {@code --min-achieved} × target and p99 ≤ {@code --p99-bound-ms}; the sweep stops
 *       after {@code --stop-after-fails} failed steps; capacity = the highest passing rate.</li>
 * </ul>
 *
 * <p>Cheap per message: one thread, one {@link Selector}; frames are pre-encoded and pre-masked
 * (one random mask per connection), only the 16 timestamp digits are patched (masked) per frame; a
 * burst goes out in one write; replies are not parsed beyond their frame header and the last 22
 * bytes (every relayed frame ends in {@code "t":"DDDDDDDDDDDDDDDD"}} whichever server re-serialized
 * it). Bounded: peers ≤ 50,000, ≤ 20 rates, step ≤ 30 s, every wait has a deadline.
 *
 * <p>Output: {@code CONNECT}, {@code STEP} and {@code RESULT} lines of {@code key=value} on stdout
 * (read by {@link SweepSummary}).
 */
@Command(name = "signaling-sweep", mixinStandardHelpOptions = true,
    description = "Open-loop PeerJS signaling load: N peers, OFFER/CANDIDATE bursts at fixed rates, latency from the schedule.")
public final class SignalingSweep implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "ws://127.0.0.1:9000/peerjs", description = "WebSocket endpoint ({path}peerjs).")
  String url;

  @Option(names = "--key", defaultValue = "peerjs")
  String key;

  @Option(names = "--peers", defaultValue = "1000")
  int peers;

  @Option(names = "--rates", split = ",", defaultValue = "10000,20000,40000,80000,160000,320000",
      description = "Target relayed messages/s per step.")
  long[] rates;

  @Option(names = "--step-seconds", defaultValue = "2")
  double stepSeconds;

  @Option(names = "--warmup-seconds", defaultValue = "3", description = "At --warmup-rate, not reported.")
  double warmupSeconds;

  @Option(names = "--warmup-rate", defaultValue = "0", description = "Warm-up msgs/s; 0: half the first rate.")
  long warmupRate;

  @Option(names = "--drain-ms", defaultValue = "1000")
  long drainMs;

  @Option(names = "--burst", defaultValue = "4", description = "Frames per burst: 1 OFFER + (burst-1) CANDIDATEs.")
  int burst;

  @Option(names = "--p99-bound-ms", defaultValue = "50")
  double p99BoundMs;

  @Option(names = "--min-achieved", defaultValue = "0.95")
  double minAchieved;

  @Option(names = "--stop-after-fails", defaultValue = "1")
  int stopAfterFails;

  @Option(names = "--connect-concurrency", defaultValue = "256", description = "Handshakes in flight.")
  int connectConcurrency;

  @Option(names = "--connect-timeout-seconds", defaultValue = "120")
  int connectTimeoutSeconds;

  @Option(names = "--server-pid", description = "PID of the server, for its RSS and CPU time.")
  Long serverPid;

  @Option(names = "--debug", description = "Print byte and frame counters per step on stderr.")
  boolean debug;

  @Option(names = "--label", defaultValue = "server")
  String label;

  private static final int TS_DIGITS = 16;
  /** Shortest wait between wake-ups of the send loop (bursts due meanwhile go out together). */
  private static final long WAKE_NANOS = 100_000;
  /** Outgoing bytes a connection may hold before a burst is dropped here (and counted). */
  private static final int OUT_CAPACITY = 16 * 1024;
  /** The one read buffer all connections share; a partial frame left at the end moves to its connection. */
  private static final int IN_CAPACITY = 256 * 1024;

  private static final String SDP = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
      + "a=group:BUNDLE 0\\r\\na=extmap-allow-mixed\\r\\na=msid-semantic: WMS\\r\\nm=application 9 UDP/DTLS/SCTP "
      + "webrtc-datachannel\\r\\nc=IN IP4 0.0.0.0\\r\\na=ice-ufrag:abcd\\r\\na=ice-pwd:abcdefghijklmnopqrstuvwx\\r\\n"
      + "a=ice-options:trickle\\r\\na=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:"
      + "33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\\r\\na=setup:actpass\\r\\na=mid:0\\r\\na=sctp-port:5000\\r\\n"
      + "a=max-message-size:262144\\r\\n";

  private enum State { CONNECTING, UPGRADING, AWAIT_OPEN, OPEN, CLOSED }

  /** One peer: its socket, buffers, and its pre-masked frames. */
  private final class Conn {
    final int index;
    final String id;
    final byte[] mask = new byte[4];
    SocketChannel ch;
    SelectionKey key;
    State state = State.CONNECTING;
    byte[] leftover; // an incomplete frame (or HTTP head) from the previous read, or null
    ByteBuffer out; // direct, what the kernel has not taken yet
    boolean dirty;
    /** The burst this peer sends to its partner: frames back to back, masked; timestamp digit offsets. */
    byte[] burstBytes;
    int[] tsOffsets;
    byte[] heartbeat;

    Conn(int index) {
      this.index = index;
      this.id = String.format(Locale.ROOT, "b%06d", index);
    }
  }

  /** Per-step accounting; arrivals are attributed by their scheduled time. */
  private static final class Step {
    final long rate;
    final long startNanos;
    long endNanos = Long.MAX_VALUE; // scheduled times in [start, end)
    long sent;
    long genDropped;
    long received;
    long[] lat; // null once reported
    int nLat;
    long lateAfterReport;
    /** Time spent spinning while waiting (for the next burst, or for stragglers): in gen_cpu_s, not work. */
    long spinNanos;
    /**
     * The delay between each burst's scheduled time and the end of the write that sent it (each frame
     * of a burst has its burst's).
     */
    long[] lags;
    int nLags;

    void recordLag(long lag) {
      if (nLags == lags.length) {
        lags = Arrays.copyOf(lags, lags.length * 2);
      }
      lags[nLags++] = lag;
    }

    /** The generator's own share of the latency percentile {@code q} (1 for the longest): its send lag at that rank, in ms. */
    double lagPct(double q) {
      if (nLags == 0) {
        return Double.NaN;
      }
      Arrays.sort(lags, 0, nLags);
      return lags[(int) Math.max(0, Math.ceil(q * nLags) - 1)] / 1e6;
    }

    Step(long rate, long startNanos, int expected) {
      this.rate = rate;
      this.startNanos = startNanos;
      this.lat = new long[Math.max(1024, expected)];
      this.lags = new long[Math.max(1024, expected)]; // a burst per entry: never grown in the send loop
    }

    void record(long latency) {
      if (lat == null) {
        lateAfterReport++; // arrived after the step was reported (it counted as lost there)
        return;
      }
      received++;
      if (nLat == lat.length) {
        lat = Arrays.copyOf(lat, lat.length * 2);
      }
      lat[nLat++] = latency;
    }
  }

  private Conn[] conns;
  private Selector selector;
  private final ByteBuffer in = ByteBuffer.allocateDirect(IN_CAPACITY);
  private final List<Conn> dirtyList = new ArrayList<>();
  private final List<Step> steps = new ArrayList<>();
  private long epoch;
  private int opened;
  private int failed;
  private long errors;
  private long otherFrames;
  private long bytesWritten;
  private long bytesRead;
  private long textFrames;
  /** Every relayed frame that came back, whichever step scheduled it. */
  private long arrivals;
  private String firstError;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SignalingSweep()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (peers < 2 || peers > 50_000 || peers % 2 != 0) {
      throw new IllegalArgumentException("--peers must be even, 2..50000");
    }
    if (rates.length < 1 || rates.length > 20 || Arrays.stream(rates).anyMatch(r -> r < 1 || r > 2_000_000)) {
      throw new IllegalArgumentException("--rates: 1..20 rates of 1..2,000,000 msgs/s");
    }
    if (!(stepSeconds > 0 && stepSeconds <= 30) || !(warmupSeconds >= 0 && warmupSeconds <= 30)
        || drainMs < 0 || drainMs > 30_000 || burst < 1 || burst > 32) {
      throw new IllegalArgumentException("--step-seconds 0..30, --warmup-seconds 0..30, --drain-ms 0..30000, --burst 1..32");
    }
    URI base = URI.create(url);
    InetSocketAddress addr = new InetSocketAddress(base.getHost(), base.getPort());
    selector = Selector.open();
    conns = new Conn[peers];
    SplittableRandom rnd = new SplittableRandom(42);
    for (int i = 0; i < peers; i++) {
      conns[i] = new Conn(i);
      for (int b = 0; b < 4; b++) {
        conns[i].mask[b] = (byte) (1 + rnd.nextInt(255)); // never zero: the server really unmasks
      }
    }
    ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
    try {
      // ---- connect
      long t0 = System.nanoTime();
      long lastConnectHeartbeat = t0;
      long deadline = t0 + connectTimeoutSeconds * 1_000_000_000L;
      int next = 0;
      int inFlight = 0;
      while (opened + failed < peers) {
        while (inFlight < connectConcurrency && next < peers) {
          startConnect(conns[next++], addr, base);
          inFlight++;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + opened + " of " + peers + " peers opened in "
              + connectTimeoutSeconds + " s (" + failed + " failed" + (firstError == null ? "" : ": " + firstError) + ")");
        }
        selector.select(10);
        int before = opened + failed;
        processSelected(null);
        inFlight -= (opened + failed) - before;
        // a slow connect phase must not outlast alive_timeout for the first peers: heartbeat every 5 s
        long now = System.nanoTime();
        if (now - lastConnectHeartbeat > 5_000_000_000L) {
          lastConnectHeartbeat = now;
          for (int i = 0; i < next; i++) {
            Conn c = conns[i];
            if (c.state == State.OPEN) {
              enqueue(c, c.heartbeat);
            }
          }
          flushDirty();
        }
      }
      double connectSeconds = (System.nanoTime() - t0) / 1e9;
      long rssConnected = procStatusKb("VmRSS");
      System.out.printf(Locale.ROOT, "CONNECT server=%s peers=%d opened=%d failed=%d connect_s=%.3f conn_per_s=%.0f rss_mb=%.1f%n",
          label, peers, opened, failed, connectSeconds, opened / connectSeconds, rssConnected / 1024.0);
      if (failed > 0) {
        System.err.println(failed + " peers failed to open: " + firstError);
      }
      for (Conn c : conns) {
        if (c.state == State.OPEN) {
          prepareFrames(c);
        }
      }
      // the connect phase's garbage goes now, not as a generator pause inside the first step
      System.gc();
      // ---- sweep
      epoch = System.nanoTime();
      long hbNanosPerPeer = 5_000_000_000L;
      long hbDone = 0;
      int fails = 0;
      long capacity = 0;
      double maxAchieved = 0;
      double bestPerCpu = 0;
      Step capStep = null;
      int pairCursor = 0;
      for (int s = -1; s < rates.length; s++) {
        boolean warm = s < 0;
        long rate = warm ? (warmupRate > 0 ? warmupRate : Math.max(1, rates[0] / 2)) : rates[s];
        double secs = warm ? warmupSeconds : stepSeconds;
        if (secs <= 0) {
          continue;
        }
        long stepStart = System.nanoTime();
        long stepLen = (long) (secs * 1e9);
        long burstInterval = Math.max(1, (long) (1e9 * burst / rate));
        long bursts = stepLen / burstInterval;
        Step st = new Step(rate, stepStart, (int) Math.min(50_000_000, bursts * burst + 1024));
        st.endNanos = stepStart + bursts * burstInterval;
        steps.add(st);
        long serverCpu0 = procCpuTicks();
        long arrivals0 = arrivals;
        long genCpu0 = tmx.getCurrentThreadCpuTime();
        long genGc0 = gcMillis();
        long b = 0;
        long now = stepStart;
        while (b < bursts) {
          long firstDue = b;
          now = System.nanoTime();
          long due = Math.min(bursts, (now - stepStart) / burstInterval + 1);
          for (; b < due; b++) {
            long sched = stepStart + b * burstInterval;
            Conn from = null;
            for (int tries = 0; tries < peers / 2 && from == null; tries++) {
              Conn c = conns[2 * pairCursor];
              pairCursor = (pairCursor + 1) % (peers / 2);
              if (c.state == State.OPEN && conns[c.index + 1].state == State.OPEN) {
                from = c;
              }
            }
            if (from == null) {
              throw new IllegalStateException("no open pair left");
            }
            if (enqueueBurst(from, sched)) {
              st.sent += burst;
            } else {
              st.genDropped += burst;
            }
          }
          // heartbeats, spread evenly: peers per 5 s
          long hbDue = (now - epoch) * peers / hbNanosPerPeer;
          for (int k = 0; hbDone < hbDue && k < 1000; hbDone++, k++) {
            Conn c = conns[(int) (hbDone % peers)];
            if (c.state == State.OPEN) {
              enqueue(c, c.heartbeat);
            }
          }
          flushDirty();
          long sent = System.nanoTime();
          // how late each burst went out: the generator's own lag, charged to latency anyway
          for (long k = firstDue; k < b; k++) {
            st.recordLag(sent - (stepStart + k * burstInterval));
          }
          selector.selectNow();
          processSelected(st);
          // Wait for the next burst, but at least WAKE_NANOS, so at high rates one wake-up sends several
          // due bursts (one epoll_wait per wake-up, not one per burst); that wait counts in the latency,
          // which runs from the schedule. The wait spins without system calls instead of sleeping: on
          // this VM a thread woken from a sleep ran up to tens of ms late once or more per step, and that
          // lag (gen_lag_p99_ms) was inside every p99 (BENCHMARKS.md: "The generator spins between bursts").
          // At most 1 ms per wait: at a low rate the loop comes round to read what came meanwhile.
          now = System.nanoTime();
          if (b < bursts && stepStart + b * burstInterval > now) {
            long until = Math.min(stepStart + b * burstInterval, now + 1_000_000);
            st.spinNanos += spinUntil(Math.max(until, now + WAKE_NANOS));
          }
        }
        // drain: until all arrived or drainMs
        long drainEnd = System.nanoTime() + drainMs * 1_000_000L;
        while (st.received < st.sent && System.nanoTime() < drainEnd) {
          flushDirty();
          selector.selectNow();
          processSelected(st);
          st.spinNanos += spinUntil(System.nanoTime() + WAKE_NANOS); // no sleep here either: stragglers count in the p99
        }
        double cpuServer = (procCpuTicks() - serverCpu0) / 100.0;
        long window = arrivals - arrivals0; // relayed during the step and its drain, late ones included
        double cpuGen = (tmx.getCurrentThreadCpuTime() - genCpu0) / 1e9;
        long genGcMs = gcMillis() - genGc0;
        if (warm) {
          st.lat = null;
          st.lags = null;
          continue;
        }
        Arrays.sort(st.lat, 0, st.nLat);
        long total = st.sent + st.genDropped;
        double achieved = st.received / (stepLen / 1e9);
        double p50 = pct(st, total, 0.50);
        double p99 = pct(st, total, 0.99);
        double p999 = pct(st, total, 0.999);
        boolean ok = achieved >= minAchieved * rate && p99 <= p99BoundMs;
        long lost = st.sent - st.received;
        System.out.printf(Locale.ROOT, "STEP server=%s peers=%d target=%d sent=%d received=%d achieved=%.0f "
                + "p50_ms=%s p99_ms=%s p999_ms=%s lost=%d gen_dropped=%d errors=%d server_cpu_s=%s "
                + "server_cpu_ms_per_1k=%s relayed_in_window=%d relayed_per_server_cpu_s=%s gen_cpu_s=%.2f gen_spin_s=%.2f "
                + "gen_lag_max_ms=%.2f gen_lag_p99_ms=%.2f gen_gc_ms=%d ok=%b%n",
            label, peers, rate, st.sent, st.received, achieved, ms(p50), ms(p99), ms(p999), lost, st.genDropped, errors,
            serverCpu0 < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", cpuServer),
            serverCpu0 < 0 || window == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", cpuServer * 1e6 / window),
            window, serverCpu0 < 0 || cpuServer <= 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", window / cpuServer),
            cpuGen, st.spinNanos / 1e9, st.lagPct(1), st.lagPct(0.99), genGcMs, ok);
        if (debug) {
          System.err.printf("debug: written %d read %d text %d other %d%n", bytesWritten, bytesRead, textFrames, otherFrames);
        }
        maxAchieved = Math.max(maxAchieved, achieved);
        if (serverCpu0 >= 0 && cpuServer >= 0.2) { // at least 20 ticks: the 10 ms clock is too coarse below
          bestPerCpu = Math.max(bestPerCpu, window / cpuServer);
        }
        if (ok) {
          if (rate > capacity) {
            capacity = rate;
            capStep = st;
          }
        } else if (++fails >= stopAfterFails) {
          break;
        }
        st.lat = null; // free
        st.lags = null;
      }
      steps.forEach(x -> x.lat = null);
      long rssEnd = procStatusKb("VmRSS");
      long hwm = procStatusKb("VmHWM");
      System.out.printf(Locale.ROOT, "RESULT server=%s peers=%d opened=%d conn_per_s=%.0f capacity=%d max_achieved=%.0f "
              + "p99_bound_ms=%s relayed_per_server_cpu_s=%.0f rss_connected_mb=%.1f rss_end_mb=%.1f rss_hwm_mb=%.1f errors=%d%n",
          label, peers, opened, opened / connectSeconds, capacity, maxAchieved, ms(p99BoundMs), bestPerCpu,
          rssConnected / 1024.0, rssEnd / 1024.0, hwm / 1024.0, errors);
      if (firstError != null) {
        System.err.println("first error frame: " + firstError);
      }
      return opened == peers ? 0 : 1;
    } finally {
      for (Conn c : conns) {
        if (c != null && c.ch != null) {
          try {
            c.ch.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
      }
      selector.close();
    }
  }

  /** Collection time of this JVM so far (the generator's own pauses show up in its latency). */
  private static long gcMillis() {
    long t = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      t += Math.max(0, gc.getCollectionTime());
    }
    return t;
  }

  /** Percentile in ms over every frame of the step: the ones that never arrived count as infinitely late. */
  private static double pct(Step st, long total, double q) {
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total) - 1;
    if (rank >= st.nLat) {
      return Double.POSITIVE_INFINITY;
    }
    return st.lat[(int) Math.max(0, rank)] / 1e6;
  }

  private static String ms(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.2f", v);
  }

  // ---- connection set-up

  private void startConnect(Conn c, InetSocketAddress addr, URI base) throws IOException {
    c.ch = SocketChannel.open();
    c.ch.configureBlocking(false);
    c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    String path = base.getRawPath() + "?key=" + key + "&id=" + c.id + "&token=t" + c.index + "&version=1.5.4";
    byte[] nonce = new byte[16];
    new SplittableRandom(c.index).nextBytes(nonce);
    String req = "GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
        + java.util.Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    c.out = ByteBuffer.allocateDirect(OUT_CAPACITY);
    c.out.put(req.getBytes(StandardCharsets.US_ASCII));
    if (c.ch.connect(addr)) {
      c.state = State.UPGRADING;
      c.key = c.ch.register(selector, SelectionKey.OP_READ, c);
      writeOut(c);
    } else {
      c.key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
    }
  }

  private void fail(Conn c, String why) {
    if (c.state == State.CLOSED) {
      return;
    }
    if (c.state != State.OPEN) {
      failed++;
    } else {
      errors++;
    }
    if (firstError == null) {
      firstError = c.id + ": " + why;
    }
    c.state = State.CLOSED;
    if (c.key != null) {
      c.key.cancel();
    }
    try {
      c.ch.close();
    } catch (IOException ignored) {
      // already failing
    }
  }

  /** Busy-waits until {@code deadline} (System.nanoTime()) without a system call; returns the time spent. */
  private static long spinUntil(long deadline) {
    long t0 = System.nanoTime();
    long now = t0;
    while (now < deadline) {
      Thread.onSpinWait();
      now = System.nanoTime();
    }
    return now - t0;
  }

  /** Handles the selected keys; each read is timestamped when it returns, not when the pass began. */
  private void processSelected(Step st) {
    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
    while (it.hasNext()) {
      SelectionKey k = it.next();
      it.remove();
      Conn c = (Conn) k.attachment();
      if (!k.isValid()) {
        continue;
      }
      try {
        if (k.isConnectable()) {
          c.ch.finishConnect();
          c.state = State.UPGRADING;
          k.interestOps(SelectionKey.OP_READ);
          writeOut(c);
          continue;
        }
        if (k.isWritable()) {
          writeOut(c);
        }
        if (k.isReadable()) {
          in.clear();
          if (c.leftover != null) {
            in.put(c.leftover);
            c.leftover = null;
          }
          int n = c.ch.read(in);
          if (n < 0) {
            fail(c, "closed by the server");
            continue;
          }
          bytesRead += n;
          parse(c, System.nanoTime(), st);
        }
      } catch (IOException | RuntimeException e) {
        fail(c, e.toString());
      }
    }
  }

  private void parse(Conn c, long now, Step st) {
    in.flip();
    if (c.state == State.UPGRADING) {
      int end = indexOfCrlfCrlf(in);
      if (end < 0) {
        keepLeftover(c);
        return;
      }
      byte[] head = new byte[Math.min(end, 12)];
      in.get(in.position(), head);
      if (!new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
        fail(c, "upgrade refused");
        return;
      }
      in.position(end + 4);
      c.state = State.AWAIT_OPEN;
    }
    while (in.remaining() >= 2) {
      int p = in.position();
      int b0 = in.get(p) & 0xFF;
      int b1 = in.get(p + 1) & 0x7F;
      int hdr = 2;
      long len = b1;
      if (b1 == 126) {
        if (in.remaining() < 4) {
          break;
        }
        len = in.getShort(p + 2) & 0xFFFF;
        hdr = 4;
      } else if (b1 == 127) {
        if (in.remaining() < 10) {
          break;
        }
        len = in.getLong(p + 2);
        hdr = 10;
      }
      if (len > IN_CAPACITY - 16) {
        fail(c, "frame too large: " + len);
        return;
      }
      if (in.remaining() < hdr + len) {
        break;
      }
      int ps = p + hdr;
      int pe = ps + (int) len;
      onFrame(c, b0 & 0x0F, in, ps, pe, now, st);
      if (c.state == State.CLOSED) {
        return;
      }
      in.position(pe);
    }
    keepLeftover(c);
  }

  private void keepLeftover(Conn c) {
    if (in.hasRemaining()) {
      c.leftover = new byte[in.remaining()];
      in.get(c.leftover);
    }
  }

  private void onFrame(Conn c, int opcode, ByteBuffer in, int ps, int pe, long now, Step st) {
    if (opcode == 8) {
      fail(c, "close frame");
      return;
    }
    if (opcode != 1) {
      otherFrames++;
      return;
    }
    textFrames++;
    if (c.state == State.AWAIT_OPEN) {
      if (startsWith(in, ps, pe, "{\"type\":\"OPEN\"")) {
        c.state = State.OPEN;
        c.heartbeat = maskedFrame(c, "{\"type\":\"HEARTBEAT\"}", null);
        opened++;
      } else {
        fail(c, text(in, ps, pe));
      }
      return;
    }
    // every relayed frame of ours ends in "t":"DDDDDDDDDDDDDDDD"}}
    int d = pe - 2 - 1 - TS_DIGITS;
    if (pe - ps > 24 && in.get(pe - 1) == '}' && in.get(pe - 3) == '"' && in.get(d - 1) == '"'
        && in.get(d - 2) == ':' && in.get(d - 4) == 't') {
      long v = 0;
      for (int i = 0; i < TS_DIGITS; i++) {
        v = v * 10 + (in.get(d + i) - '0');
      }
      long sched = epoch + v;
      arrivals++;
      Step target = st;
      if (target == null || sched < target.startNanos) {
        target = null;
        for (int i = steps.size() - 1; i >= 0; i--) {
          if (sched >= steps.get(i).startNanos) {
            target = steps.get(i);
            break;
          }
        }
      }
      if (target != null) {
        target.record(now - sched);
      }
      return;
    }
    errors++;
    if (firstError == null) {
      firstError = c.id + ": " + text(in, ps, pe);
    }
  }

  private static boolean startsWith(ByteBuffer in, int ps, int pe, String prefix) {
    if (pe - ps < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (in.get(ps + i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static String text(ByteBuffer in, int ps, int pe) {
    byte[] b = new byte[Math.min(200, pe - ps)];
    in.get(ps, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static int indexOfCrlfCrlf(ByteBuffer in) {
    for (int i = in.position(); i + 3 < in.limit(); i++) {
      if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
        return i;
      }
    }
    return -1;
  }

  // ---- frames

  private void prepareFrames(Conn c) {
    if ((c.index & 1) != 0) {
      return; // the second peer of a pair only receives
    }
    String dst = conns[c.index + 1].id;
    String zeros = "0".repeat(TS_DIGITS);
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    int[] offs = new int[burst];
    for (int i = 0; i < burst; i++) {
      String conn = "dc_" + c.id;
      String text = i == 0
          ? "{\"type\":\"OFFER\",\"dst\":\"" + dst + "\",\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"" + SDP
              + "\"},\"type\":\"data\",\"connectionId\":\"" + conn + "\",\"t\":\"" + zeros + "\"}}"
          : "{\"type\":\"CANDIDATE\",\"dst\":\"" + dst + "\",\"payload\":{\"candidate\":{\"candidate\":\"candidate:"
              + i + " 1 udp 2122260223 127.0.0.1 " + (50000 + i) + " typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},"
              + "\"type\":\"data\",\"connectionId\":\"" + conn + "\",\"t\":\"" + zeros + "\"}}";
      int[] off = new int[1];
      byte[] f = maskedFrame(c, text, off);
      offs[i] = all.size() + off[0];
      all.writeBytes(f);
    }
    c.burstBytes = all.toByteArray();
    c.tsOffsets = offs;
  }

  /**
   * A client frame (FIN, text, masked with the connection's mask). When {@code tsOff} is given,
   * {@code tsOff[0]} is set to the offset of the timestamp digits (the last 16 before {@code "}}}).
   */
  private static byte[] maskedFrame(Conn c, String text, int[] tsOff) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int hdr = payload.length < 126 ? 6 : 8;
    byte[] f = new byte[hdr + payload.length];
    f[0] = (byte) 0x81;
    if (payload.length < 126) {
      f[1] = (byte) (0x80 | payload.length);
    } else {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (payload.length >> 8);
      f[3] = (byte) payload.length;
    }
    System.arraycopy(c.mask, 0, f, hdr - 4, 4);
    for (int i = 0; i < payload.length; i++) {
      f[hdr + i] = (byte) (payload[i] ^ c.mask[i & 3]);
    }
    if (tsOff != null) {
      // payload ends with "DDDD…"}} : digits end 3 bytes before the end; mask phase is relative to the payload start
      tsOff[0] = hdr + payload.length - 3 - TS_DIGITS;
    }
    return f;
  }

  /** Appends the connection's burst with the scheduled time patched in; false when its buffer is full. */
  private boolean enqueueBurst(Conn c, long sched) {
    ByteBuffer out = c.out;
    if (out.remaining() < c.burstBytes.length) {
      return false;
    }
    int base = out.position();
    out.put(c.burstBytes);
    long v = sched - epoch;
    // mask phase: (offset - payloadStart) & 3 for each frame; compute per frame from its own header
    int frameStart = 0;
    for (int f = 0; f < burst; f++) {
      int hdr = (c.burstBytes[frameStart + 1] & 0x7F) == 126 ? 8 : 6;
      int plen = hdr == 8 ? ((c.burstBytes[frameStart + 2] & 0xFF) << 8) | (c.burstBytes[frameStart + 3] & 0xFF)
          : c.burstBytes[frameStart + 1] & 0x7F;
      int payloadStart = frameStart + hdr;
      int off = c.tsOffsets[f];
      long x = v;
      for (int i = TS_DIGITS - 1; i >= 0; i--) {
        int pos = off + i;
        out.put(base + pos, (byte) (('0' + (int) (x % 10)) ^ c.mask[(pos - payloadStart) & 3]));
        x /= 10;
      }
      frameStart = payloadStart + plen;
    }
    markDirty(c);
    return true;
  }

  private void enqueue(Conn c, byte[] frame) {
    if (c.out.remaining() >= frame.length) {
      c.out.put(frame);
      markDirty(c);
    }
  }

  private void markDirty(Conn c) {
    if (!c.dirty) {
      c.dirty = true;
      dirtyList.add(c);
    }
  }

  private void flushDirty() {
    for (int i = 0; i < dirtyList.size(); i++) {
      Conn c = dirtyList.get(i);
      c.dirty = false;
      try {
        writeOut(c);
      } catch (IOException | RuntimeException e) {
        fail(c, e.toString());
      }
    }
    dirtyList.clear();
  }

  private void writeOut(Conn c) throws IOException {
    if (c.state == State.CLOSED || c.state == State.CONNECTING) {
      return;
    }
    ByteBuffer out = c.out;
    out.flip();
    if (out.hasRemaining()) {
      bytesWritten += c.ch.write(out);
    }
    boolean left = out.hasRemaining();
    out.compact();
    int ops = left ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
    if (c.key.interestOps() != ops) {
      c.key.interestOps(ops);
    }
  }

  // ---- the server's process

  private long procStatusKb(String field) {
    if (serverPid == null) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** utime + stime of the server in clock ticks (100 Hz), or -1. */
  private long procCpuTicks() {
    if (serverPid == null) {
      return -1;
    }
    try {
      String s = Files.readString(Path.of("/proc/" + serverPid + "/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
