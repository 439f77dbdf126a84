package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.signaling.redis.RedisPeerRegistry;
import org.rtc4j.signaling.redis.RedisProcess;
import org.rtc4j.testkit.Wait;

/**
 * Relay across two nodes through Redis vs one in-memory node, in one run (not a test: surefire
 * only runs it when named, {@code -Dtest=RedisRelayLoadBench}). {@code pairs} senders on node A
 * each keep {@code window} CANDIDATE messages in flight to a receiver on node B (closed loop: each
 * arrival sends the next); the anchor runs the same pairs on one in-memory node. Prints relayed
 * messages/s, p50/p99 latency (send → arrival, same JVM clock), and server-side CPU per message
 * (signaling + Lettuce + dispatcher threads of this JVM, plus the redis-server process), which
 * survives a busy machine better than wall-clock numbers. Bounded: pairs ≤ 500, seconds ≤ 60.
 *
 * <pre>
 * mvn -o -q -pl rtc4j-signaling test -Dtest=RedisRelayLoadBench -Dpairs=50 -Dwindow=4 -Dseconds=8
 * </pre>
 */
@Timeout(300)
class RedisRelayLoadBench {

  record Result(String label, long messages, double seconds, long p50us, long p99us, double serverCpuUsPerMsg,
      double redisCpuUsPerMsg) {
    double rate() {
      return messages / seconds;
    }

    String line() {
      return String.format(Locale.ROOT, "%-22s %9.0f msgs/s  p50 %6.2f ms  p99 %7.2f ms  server CPU %6.1f us/msg"
          + "  redis CPU %6.1f us/msg  (%d msgs)", label, rate(), p50us / 1000.0, p99us / 1000.0, serverCpuUsPerMsg,
          redisCpuUsPerMsg, messages);
    }
  }

  final int pairs = Math.min(500, Integer.getInteger("pairs", 50));
  final int window = Math.min(64, Integer.getInteger("window", 4));
  final int seconds = Math.min(60, Integer.getInteger("seconds", 8));
  final int warmup = Math.min(30, Integer.getInteger("warmup", 2));
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void relayThroughRedisVsInMemory() throws Exception {
    List<Result> results = new ArrayList<>();
    try (RedisProcess redis = RedisProcess.start()) {
      for (int round = 0; round < Integer.getInteger("rounds", 1); round++) {
        SignalingConfig mc = config();
        try (SignalingServer one = SignalingServer.start(mc)) {
          results.add(run("in-memory, 1 node", one, one, null));
        }
        SignalingConfig rc = config();
        try (SignalingServer a = SignalingServer.start(rc, RedisPeerRegistry.connect(redis.uri(), rc));
            SignalingServer b = SignalingServer.start(rc, RedisPeerRegistry.connect(redis.uri(), rc))) {
          results.add(run("redis, 2 nodes", a, b, redis));
        }
        redis.flush();
      }
    }
    System.out.printf(Locale.ROOT, "RedisRelayLoadBench pairs=%d window=%d seconds=%d warmup=%d cores=%d%n", pairs,
        window, seconds, warmup, Runtime.getRuntime().availableProcessors());
    results.forEach(r -> System.out.println(r.line()));
    for (int i = 0; i + 1 < results.size(); i += 2) {
      System.out.printf(Locale.ROOT, "ratio redis/in-memory: msgs/s %.2f, p50 %.2f, p99 %.2f%n",
          results.get(i + 1).rate() / results.get(i).rate(),
          (double) results.get(i + 1).p50us() / Math.max(1, results.get(i).p50us()),
          (double) results.get(i + 1).p99us() / Math.max(1, results.get(i).p99us()));
    }
    assertThat(results).allMatch(r -> r.messages() > 0);
  }

  SignalingConfig config() {
    return SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).rateLimit(1_000_000, 1_000_000)
        .aliveTimeout(Duration.ofSeconds(60)).build();
  }

  /** One sender → receiver pair: the sender's writes are chained (java.net.http allows one send at a time). */
  final class Pair {
    final int index;
    WebSocket sender;
    CompletableFuture<WebSocket> tail;
    final long[] latencies = new long[1 << 20];
    int n;

    Pair(int index) {
      this.index = index;
    }

    synchronized void sendNext() {
      String frame = "{\"type\":\"CANDIDATE\",\"dst\":\"r" + index + "\",\"payload\":{\"t\":" + System.nanoTime()
          + ",\"candidate\":{\"candidate\":\"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host\","
          + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0},\"type\":\"data\",\"connectionId\":\"dc_x\"}}";
      tail = tail.thenCompose(ws -> ws.sendText(frame, true));
    }

    synchronized void record(long micros) {
      if (n < latencies.length) {
        latencies[n++] = micros;
      }
    }
  }

  Result run(String label, SignalingServer a, SignalingServer b, RedisProcess redis) throws Exception {
    List<Pair> ps = new ArrayList<>();
    AtomicLong counted = new AtomicLong();
    long[] phase = new long[2]; // [0] measure from (nanoTime), [1] stop at
    phase[0] = Long.MAX_VALUE;
    phase[1] = Long.MAX_VALUE;
    List<CompletableFuture<?>> opens = new ArrayList<>();
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      Pair p = new Pair(i);
      ps.add(p);
      CompletableFuture<Void> senderOpen = new CompletableFuture<>();
      CompletableFuture<Void> receiverOpen = new CompletableFuture<>();
      WebSocket s = http.newWebSocketBuilder().buildAsync(URI.create(WsClient.url(a.port(), "/", "peerjs", "s" + i,
          "t")), new Listener(frame -> senderOpen.complete(null))).get(30, TimeUnit.SECONDS);
      WebSocket r = http.newWebSocketBuilder().buildAsync(URI.create(WsClient.url(b.port(), "/", "peerjs", "r" + i,
          "t")), new Listener(frame -> {
            if (frame.startsWith("{\"type\":\"OPEN\"")) {
              receiverOpen.complete(null);
              return;
            }
            long now = System.nanoTime();
            int at = frame.indexOf("\"t\":") + 4;
            long sent = Long.parseLong(frame, at, frame.indexOf(',', at), 10);
            if (sent >= phase[0] && now < phase[1]) {
              p.record((now - sent) / 1000);
              counted.incrementAndGet();
            }
            if (now < phase[1]) {
              p.sendNext();
            }
          })).get(30, TimeUnit.SECONDS);
      p.sender = s;
      p.tail = CompletableFuture.completedFuture(s);
      sockets.add(s);
      sockets.add(r);
      opens.add(senderOpen);
      opens.add(receiverOpen);
    }
    CompletableFuture.allOf(opens.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long start = System.nanoTime();
    phase[0] = start + TimeUnit.SECONDS.toNanos(warmup);
    phase[1] = phase[0] + TimeUnit.SECONDS.toNanos(seconds);
    for (Pair p : ps) {
      for (int w = 0; w < window; w++) {
        p.sendNext();
      }
    }
    Wait.until(Duration.ofSeconds(warmup + 5), "warm-up", () -> System.nanoTime() >= phase[0]);
    long cpu0 = serverCpuNanos(mx);
    double redis0 = redis == null ? 0 : redis.cpuSeconds();
    Wait.until(Duration.ofSeconds(seconds + 5), "measurement", () -> System.nanoTime() >= phase[1]);
    long cpu1 = serverCpuNanos(mx);
    double redis1 = redis == null ? 0 : redis.cpuSeconds();
    sockets.forEach(WebSocket::abort);

    long[] all = ps.stream().flatMapToLong(p -> {
      synchronized (p) {
        return Arrays.stream(p.latencies, 0, p.n);
      }
    }).sorted().toArray();
    long msgs = counted.get();
    return new Result(label, msgs, seconds, pct(all, 0.50), pct(all, 0.99), (cpu1 - cpu0) / 1000.0 / Math.max(1, msgs),
        (redis1 - redis0) * 1e6 / Math.max(1, msgs));
  }

  static long pct(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
  }

  /** CPU of the server side in this JVM: Netty loops, Lettuce I/O and the registry's own threads. */
  static long serverCpuNanos(ThreadMXBean mx) {
    long sum = 0;
    for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (ti == null) {
        continue;
      }
      String n = ti.getThreadName();
      if (n.startsWith("rtc4j-signaling") || n.startsWith("lettuce") || n.startsWith("rtc4j-redis")) {
        long c = mx.getThreadCpuTime(ti.getThreadId());
        if (c > 0) {
          sum += c;
        }
      }
    }
    return sum;
  }

  static final class Listener implements WebSocket.Listener {
    private final java.util.function.Consumer<String> onFrame;
    private final StringBuilder partial = new StringBuilder();

    Listener(java.util.function.Consumer<String> onFrame) {
      this.onFrame = onFrame;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String s = partial.toString();
        partial.setLength(0);
        onFrame.accept(s);
      }
      webSocket.request(1);
      return null;
    }
  }
}
