package org.rtc4j.bench.connect;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.StaticHttpServer;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.runtime.RtcRuntime;

/** The variants with an rtc4j PeerConnection on at least one side, and the memory measurement. */
final class Rtc4jVariants {
  private Rtc4jVariants() {}

  /** Loopback host candidates only (the namespace has nothing else; outside it, keep it to 127.0.0.1 too). */
  static RtcConfiguration config() {
    return RtcConfiguration.builder().hostAddress(java.net.InetAddress.getLoopbackAddress()).build();
  }

  /** A PeerConnection with futures for gathering complete and connected/failed. */
  static final class Peer {
    final PeerConnection pc;
    final CompletableFuture<Void> gathered = new CompletableFuture<>();
    final CompletableFuture<RtcPeerConnectionState> connected = new CompletableFuture<>();
    volatile long connectedAt;

    private final java.util.List<org.rtc4j.webrtc.RtcIceCandidate> pending = new ArrayList<>();
    private boolean remoteSet;

    /** A remote candidate (null = the remote's gathering completed): added now, or once the remote description is set. */
    synchronized void trickle(org.rtc4j.webrtc.RtcIceCandidate c) {
      if (c == null) {
        return;
      }
      if (remoteSet) {
        pc.addIceCandidate(c);
      } else {
        pending.add(c);
      }
    }

    synchronized void remoteSet() {
      remoteSet = true;
      pending.forEach(pc::addIceCandidate);
      pending.clear();
    }

    Peer(RtcRuntime runtime, RtcConfiguration cfg) {
      pc = new PeerConnection(cfg, runtime);
      pc.onIceGatheringStateChange(s -> {
        if (s == RtcIceGatheringState.COMPLETE) {
          gathered.complete(null);
        }
      });
      pc.onConnectionStateChange(s -> {
        if (s == RtcPeerConnectionState.CONNECTED || s == RtcPeerConnectionState.FAILED) {
          connectedAt = System.nanoTime();
          connected.complete(s);
        }
      });
    }
  }

  static <T> T get(CompletableFuture<T> f, Duration timeout) throws Exception {
    return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Connects a new pair on {@code runtime}; returns ms from createOffer to the offerer's 'connected'. */
  static double connectPair(RtcRuntime runtime, boolean trickle, Duration timeout, List<Peer> keep) throws Exception {
    Peer a = new Peer(runtime, config());
    Peer b = new Peer(runtime, config());
    keep.add(a);
    keep.add(b);
    if (trickle) {
      // a candidate may only be added once the remote description is set (W3C addIceCandidate):
      // queued until then, as a signaling app does
      a.pc.onIceCandidate(c -> b.trickle(c));
      b.pc.onIceCandidate(c -> a.trickle(c));
    }
    long t0 = System.nanoTime();
    RtcSessionDescription offer = get(a.pc.createOffer(), timeout);
    get(a.pc.setLocalDescription(offer), timeout);
    if (!trickle) {
      get(a.gathered, timeout);
    }
    get(b.pc.setRemoteDescription(a.pc.localDescription()), timeout);
    b.remoteSet();
    RtcSessionDescription answer = get(b.pc.createAnswer(), timeout);
    get(b.pc.setLocalDescription(answer), timeout);
    if (!trickle) {
      get(b.gathered, timeout);
    }
    get(a.pc.setRemoteDescription(b.pc.localDescription()), timeout);
    a.remoteSet();
    RtcPeerConnectionState s = get(a.connected, timeout);
    double ms = (a.connectedAt - t0) / 1e6;
    RtcPeerConnectionState sb = get(b.connected, timeout);
    if (s != RtcPeerConnectionState.CONNECTED || sb != RtcPeerConnectionState.CONNECTED) {
      throw new IllegalStateException("rtc4j pair ended " + s + " / " + sb);
    }
    return ms;
  }

  static ConnectBench.Variant create(String name, Browser browser, StaticHttpServer web, Duration timeout) {
    RtcRuntime runtime = RtcRuntime.create();
    return switch (name) {
      case "rtc4j-rtc4j", "rtc4j-rtc4j-trickle" -> new ConnectBench.Variant() {
        final boolean trickle = name.endsWith("trickle");

        @Override
        public String name() {
          return name;
        }

        @Override
        public double connectOnce() throws Exception {
          List<Peer> peers = new ArrayList<>();
          try {
            return connectPair(runtime, trickle, timeout, peers);
          } finally {
            peers.forEach(p -> p.pc.close());
          }
        }

        @Override
        public void close() {
          runtime.close();
        }
      };
      case "chromium-rtc4j" -> {
        ConcurrentLinkedQueue<Peer> open = new ConcurrentLinkedQueue<>();
        web.handler("/offer", ex -> answerOffer(ex, runtime, timeout, open));
        yield new ConnectBench.Variant() {
          @Override
          public String name() {
            return name;
          }

          @Override
          public double connectOnce() throws Exception {
            try {
              Map<?, ?> r = browser.awaitJs(Map.class, timeout.plusSeconds(5),
                  "return await window.benchChromiumToRtc4j(args[0]);", timeout.toMillis());
              Peer p = open.peek();
              if (p == null || get(p.connected, timeout) != RtcPeerConnectionState.CONNECTED) {
                throw new IllegalStateException("the rtc4j side did not connect");
              }
              return ((Number) r.get("offererMs")).doubleValue();
            } finally {
              for (Peer p = open.poll(); p != null; p = open.poll()) {
                p.pc.close();
              }
            }
          }

          @Override
          public void close() {
            runtime.close();
          }
        };
      }
      default -> {
        runtime.close();
        throw new IllegalArgumentException("unknown variant: " + name);
      }
    };
  }

  /** POST /offer: answer with every candidate, 201. */
  private static void answerOffer(HttpExchange ex, RtcRuntime runtime, Duration timeout, ConcurrentLinkedQueue<Peer> open)
      throws IOException {
    int status;
    byte[] body;
    try {
      String offer = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Peer p = new Peer(runtime, config());
      open.add(p);
      get(p.pc.setRemoteDescription(RtcSessionDescription.offer(offer)), timeout);
      get(p.pc.setLocalDescription(get(p.pc.createAnswer(), timeout)), timeout);
      get(p.gathered, timeout);
      body = p.pc.localDescription().sdp().getBytes(StandardCharsets.UTF_8);
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

  /** N connected idle pairs; heap used after GC per connection. */
  static int memory(int pairs) throws Exception {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    Duration timeout = Duration.ofSeconds(20);
    try (RtcRuntime runtime = RtcRuntime.create()) {
      List<Peer> warm = new ArrayList<>();
      connectPair(runtime, true, timeout, warm); // load classes, start the loops
      long before = heapAfterGc(mem);
      int threadsBefore = Thread.activeCount();
      List<Peer> peers = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < pairs; i++) {
        connectPair(runtime, true, timeout, peers);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      // idle for a moment: consent checks run, the handshake threads have ended
      long idleEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < idleEnd) {
        Thread.onSpinWait();
        TimeUnit.MILLISECONDS.sleep(100);
      }
      long after = heapAfterGc(mem);
      long connected = peers.stream().filter(p -> p.pc.connectionState() == RtcPeerConnectionState.CONNECTED).count();
      int threadsAfter = Thread.activeCount();
      double perConn = (after - before) / (double) (2 * pairs);
      System.out.printf(Locale.ROOT, "%d pairs (%d connections, %d still connected after idling) set up in %.1f s; heap after GC "
          + "%.1f MiB -> %.1f MiB: %.1f KiB per connection; threads %d -> %d%n", pairs, 2 * pairs, connected, secs,
          before / 1048576.0, after / 1048576.0, perConn / 1024, threadsBefore, threadsAfter);
      System.out.printf(Locale.ROOT, "result.memory.kib_per_connection=%.2f%nresult.memory.connected=%d%n"
          + "result.memory.threads_delta=%d%n", perConn / 1024, connected, threadsAfter - threadsBefore);
      peers.forEach(p -> p.pc.close());
      warm.forEach(p -> p.pc.close());
    }
    return 0;
  }

  private static long heapAfterGc(MemoryMXBean mem) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return mem.getHeapMemoryUsage().getUsed();
  }
}
