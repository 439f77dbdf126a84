package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.testkit.Wait;

/**
 * Trust tests BI-18, FT-13 (also in {@link SignalingServerTest}), LD-6, LD-7, SC-10, SC-11, SC-12
 * and the flooding client: the server stays up and other clients are unaffected.
 */
@Timeout(120)
class SignalingTrustTest {

  final HttpClient http = HttpClient.newHttpClient();
  SignalingServer server;

  SignalingServer start(Consumer<SignalingConfig.Builder> custom) throws Exception {
    SignalingConfig.Builder b = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(2)
        .expireSweepInterval(Duration.ofMillis(50)).aliveSweepInterval(Duration.ofMillis(100));
    custom.accept(b);
    server = SignalingServer.start(b.build());
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  Tenant tenant() {
    return server.config().tenants().get(0);
  }

  WsClient open(String id) {
    return WsClient.open(http, server.port(), "peerjs", id, "tok-" + id);
  }

  /** A pair that must keep working while something bad happens next to it. */
  static void assertPairWorks(WsClient from, WsClient to, int n) {
    from.offer(to.id, "{\"n\":" + n + "}");
    assertThat(to.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"" + from.id + "\",\"dst\":\"" + to.id
        + "\",\"payload\":{\"n\":" + n + "}}");
  }

  @Test
  void bi18MalformedFramesGetAnErrorThenACloseAndOthersAreUnaffected() throws Exception {
    start(b -> {});
    try (WsClient a = open("a"); WsClient bb = open("b"); WsClient bad = open("bad")) {
      String deep = "[".repeat(5000) + "]".repeat(5000);
      List<String> frames = List.of("not json", "[1,2]", "\"just a string\"", "{}", "{\"type\":5}",
          "{\"type\":\"OFFER\",\"dst\":7}", "{\"type\":\"OFFER\",\"dst\":{\"x\":1}}", "{\"type\":\"OFFER\"}", deep);
      for (String f : frames) {
        bad.send(f);
        assertThat(bad.next()).as("answer to %s", f.length() > 40 ? f.substring(0, 40) : f)
            .startsWith("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid message: ");
        assertPairWorks(a, bb, frames.indexOf(f));
      }
      // unknown types are ignored, as upstream
      bad.send("{\"type\":\"SOMETHING-NEW\",\"dst\":\"b\"}");
      Wait.until(Duration.ofSeconds(5), "unknown type counted",
          () -> server.stats().drops(SignalingStats.Drop.UNKNOWN_TYPE) == 1);
      assertThat(bb.received).isEmpty();
      // the tenth malformed frame (binary) closes the sender
      bad.sendBinary(new byte[] {1, 2, 3});
      assertThat(bad.next()).contains("binary frames are not supported");
      assertThat(bad.awaitClose()).isEqualTo(1008);
      assertThat(server.stats().rejections(SignalingStats.Rejection.TOO_MANY_ERRORS)).isEqualTo(1);
      assertThat(server.registry().isRegistered(tenant(), "bad")).isFalse();
      assertPairWorks(a, bb, 100);
    }
  }

  @Test
  void bi18HugeFrameClosesTheSenderWith1009() throws Exception {
    start(b -> {});
    try (WsClient a = open("a"); WsClient bb = open("b"); WsClient big = open("big")) {
      char[] mb = new char[1024 * 1024];
      Arrays.fill(mb, 'x');
      big.sendAsync("{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":\"" + new String(mb) + "\"}");
      // The server sends close 1009 and closes while the client is still writing its megabyte: the
      // kernel then answers with a reset and the client may lose the close frame (1006).
      assertThat(big.awaitClose()).isIn(1009, 1006);
      assertThat(server.stats().rejections(SignalingStats.Rejection.FRAME_TOO_LARGE)).isEqualTo(1);
      Wait.until(Duration.ofSeconds(5), "big unregistered", () -> !server.registry().isRegistered(tenant(), "big"));
      assertPairWorks(a, bb, 1);
      // just under the 64 KiB cap passes
      char[] ok = new char[60 * 1024];
      Arrays.fill(ok, 'y');
      a.offer("b", "\"" + new String(ok) + "\"");
      assertThat(bb.next()).hasSizeGreaterThan(60 * 1024);
    }
  }

  @Test
  void floodingClientIsCutOffOthersUnaffected() throws Exception {
    start(b -> b.rateLimit(100, 200));
    try (WsClient a = open("a"); WsClient bb = open("b"); WsClient flood = open("flood")) {
      int sent = 0;
      long t0 = System.nanoTime();
      try {
        for (; sent < 5000 && !flood.isClosed(); sent++) {
          flood.send("{\"type\":\"CANDIDATE\",\"dst\":\"b\",\"payload\":" + sent + "}");
        }
      } catch (RuntimeException e) {
        // the server closed the socket under us: that is the point
      }
      // 1008 from our close frame, or 1006 when the client's own sends failed first on the closing socket
      assertThat(flood.awaitClose()).isIn(1008, 1006);
      double elapsed = (System.nanoTime() - t0) / 1e9;
      assertThat(flood.received).contains("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Rate limit exceeded\"}}");
      assertThat(server.stats().rejections(SignalingStats.Rejection.RATE_LIMIT)).isEqualTo(1);
      assertThat(server.registry().isRegistered(tenant(), "flood")).isFalse();
      // b got at most the burst (plus the refill) of the flooder's frames, then nothing more
      Wait.until(Duration.ofSeconds(5), "flood relayed frames arrive", () -> bb.received.size() >= 200);
      int got = bb.received.size();
      // the bucket: 200 at once, then 100/s for as long as the sending took
      assertThat(got).isBetween(200, 200 + (int) Math.ceil(100 * elapsed) + 1);
      bb.received.clear();
      assertPairWorks(a, bb, 7);
    }
  }

  /** A raw client: WebSocket upgrade, then masked pings (tiny receive buffer, never reads after the upgrade). */
  static java.net.Socket rawUpgrade(int port, String id) throws Exception {
    java.net.Socket s = new java.net.Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(10_000);
    String req = "GET /peerjs?key=peerjs&id=" + id + "&token=t&version=1.5.4 HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    s.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    java.io.InputStream in = s.getInputStream();
    int state = 0;
    while (state < 4) { // read up to the end of the 101 response headers
      int c = in.read();
      if (c < 0) {
        throw new java.io.EOFException("closed during the upgrade");
      }
      state = (c == (state % 2 == 0 ? '\r' : '\n')) ? state + 1 : (c == '\r' ? 1 : 0);
    }
    return s;
  }

  /** {@code n} masked (all-zero key) ping frames with a 125-byte payload, in one buffer. */
  static byte[] pings(int n) {
    byte[] one = new byte[2 + 4 + 125];
    one[0] = (byte) 0x89;
    one[1] = (byte) (0x80 | 125);
    byte[] all = new byte[one.length * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(one, 0, all, i * one.length, one.length);
    }
    return all;
  }

  @Test
  void pingFloodWithoutReadingStaysBoundedOthersUnaffected() throws Exception {
    int highWater = 64 * 1024;
    start(b -> b.rateLimit(1_000_000, 1_000_000).writeBufferHighWaterMark(highWater));
    try (WsClient a = open("a"); WsClient bb = open("b"); java.net.Socket flood = rawUpgrade(server.port(), "pinger")) {
      Wait.until(Duration.ofSeconds(10), "pinger registered", () -> server.registry().isRegistered(tenant(), "pinger"));
      byte[] batch = pings(1000);
      long maxPending = 0;
      // 100k pings = 13 MB of pongs: far more than the kernel buffers on loopback hold
      for (int i = 0; i < 100; i++) {
        flood.getOutputStream().write(batch);
        maxPending = Math.max(maxPending, server.maxPendingOutboundBytes());
        if (i % 20 == 19) {
          assertPairWorks(a, bb, i);
        }
      }
      Wait.until(Duration.ofSeconds(30), "pongs dropped", () -> server.stats().drops(SignalingStats.Drop.PONG_BACKLOGGED) > 0);
      maxPending = Math.max(maxPending, server.maxPendingOutboundBytes());
      System.out.printf("ping flood: max pending outbound %d bytes, %d pongs dropped%n", maxPending,
          server.stats().drops(SignalingStats.Drop.PONG_BACKLOGGED));
      assertThat(maxPending).as("bytes buffered for the client that never reads").isLessThanOrEqualTo(highWater + 4096);
      assertPairWorks(a, bb, -1);
    }
  }

  @Test
  void pingFloodIsRateLimited() throws Exception {
    start(b -> { });
    try (WsClient a = open("a"); WsClient bb = open("b"); java.net.Socket flood = rawUpgrade(server.port(), "pinger")) {
      Wait.until(Duration.ofSeconds(10), "pinger registered", () -> server.registry().isRegistered(tenant(), "pinger"));
      try {
        flood.getOutputStream().write(pings(2000)); // well over the burst of 500
      } catch (java.io.IOException closedMidway) {
        // the server may already have cut it off
      }
      Wait.until(Duration.ofSeconds(10), "pinger cut off",
          () -> server.stats().rejections(SignalingStats.Rejection.RATE_LIMIT) == 1);
      assertThat(server.registry().isRegistered(tenant(), "pinger")).isFalse();
      assertPairWorks(a, bb, 1);
    }
  }

  @Test
  void sc10IdHijackGetsIdTakenOwnerKeepsWorkingSameTokenReattaches() throws Exception {
    start(b -> {});
    try (WsClient owner = open("victim"); WsClient friend = open("friend")) {
      for (String guess : List.of("", "tok-victi", "tok-victim2", "TOK-VICTIM", "tok-victin")) {
        if (guess.isEmpty()) {
          continue;
        }
        try (WsClient thief = WsClient.connect(http, server.port(), "peerjs", "victim", guess)) {
          assertThat(thief.next()).isEqualTo("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
          thief.awaitClose();
        }
      }
      assertPairWorks(friend, owner, 1);
      assertThat(server.stats().rejections(SignalingStats.Rejection.ID_TAKEN)).isEqualTo(4);
      try (WsClient again = WsClient.connect(http, server.port(), "peerjs", "victim", "tok-victim")) {
        assertThat(again.next()).isEqualTo("{\"type\":\"OPEN\"}");
        assertPairWorks(friend, again, 2);
      }
    }
  }

  @Test
  void sc10IdsComeFromTheConfiguredCsprngAndAreUnique() throws Exception {
    // The id source is the configured SecureRandom: a seeded SHA1PRNG (deterministic) gives the same
    // sequence twice, proving no other (weaker) source is mixed in; the default is a fresh SecureRandom.
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    for (List<String> out : List.of(first, second)) {
      SecureRandom seeded = SecureRandom.getInstance("SHA1PRNG");
      seeded.setSeed(42L);
      start(b -> b.random(seeded));
      for (int i = 0; i < 5; i++) {
        out.add(SignalingHttp.get(http, server.port(), "/peerjs/id").body());
      }
      server.close();
      server = null;
    }
    assertThat(first).isEqualTo(second);
    start(b -> {});
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      String id = SignalingHttp.get(http, server.port(), "/peerjs/id").body();
      assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      ids.add(id);
    }
    assertThat(ids).hasSize(2000).doesNotContainAnyElementsOf(first);
    assertThat(server.config().random()).isInstanceOf(SecureRandom.class);
  }

  @Test
  void sc11SrcCannotBeSpoofed() throws Exception {
    start(b -> {});
    try (WsClient mallory = open("mallory"); WsClient x = open("x"); WsClient victim = open("victim")) {
      mallory.send("{\"type\":\"OFFER\",\"src\":\"victim\",\"dst\":\"x\",\"payload\":{}}");
      assertThat(x.nextJson().get("src").asText()).isEqualTo("mallory");
      mallory.send("{\"type\":\"LEAVE\",\"src\":\"victim\",\"dst\":\"x\"}");
      assertThat(x.nextJson().get("src").asText()).isEqualTo("mallory");
      assertThat(server.registry().isRegistered(tenant(), "victim")).isTrue();
    }
  }

  @Test
  void sc12WrongKeyClosesDiscoveryOffByDefault() throws Exception {
    start(b -> {});
    try (WsClient c = WsClient.connect(http, server.port(), "guess", "a", "t")) {
      assertThat(c.next()).isEqualTo("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}");
      assertThat(c.awaitClose()).isEqualTo(1000);
    }
    try (WsClient a = open("a")) {
      assertThat(SignalingHttp.get(http, server.port(), "/peerjs/peers").statusCode()).isEqualTo(401);
      assertThat(SignalingHttp.get(http, server.port(), "/peerjs/peers").body()).doesNotContain("\"a\"");
    }
  }

  /**
   * The row's latency targets hold on an idle machine; on a shared, overloaded one (load average
   * above the core count, e.g. other builds running) only a sanity bound is asserted and the number
   * is printed. BENCHMARKS.md has the measured figures.
   */
  static double latencyBudgetMs(double target) {
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    if (load > cores && !Boolean.getBoolean("rtc4j.signaling.strictLatency")) {
      System.out.printf("load average %.1f on %d cores: latency target %.0f ms relaxed to 2000 ms%n", load, cores, target);
      return 2000;
    }
    return target;
  }

  @Test
  void ld6FiveThousandPeersLimitLatencyAndFullRelease() throws Exception {
    int n = Integer.getInteger("rtc4j.signaling.ld6.peers", 5000);
    start(b -> b.concurrentLimit(n).ioThreads(2));
    int pairs = 100;
    int total = 2000;
    long[] arrived = new long[total];
    java.util.concurrent.atomic.AtomicInteger arrivals = new java.util.concurrent.atomic.AtomicInteger();
    List<NettyPeers.Peer> peers = new ArrayList<>(n);
    try (NettyPeers net = new NettyPeers(2, (peer, text, at) -> {
      int i = text.lastIndexOf("\"payload\":");
      if (i >= 0 && text.startsWith("{\"type\":\"CANDIDATE\"")) {
        arrived[Integer.parseInt(text.substring(i + 10, text.length() - 1))] = at;
        arrivals.incrementAndGet();
      }
    })) {
      long t0 = System.nanoTime();
      int batch = 500;
      for (int i = 0; i < n; i += batch) {
        List<NettyPeers.Peer> wave = new ArrayList<>();
        for (int j = i; j < Math.min(n, i + batch); j++) {
          wave.add(net.connect(java.net.URI.create(WsClient.url(server.port(), "/", "peerjs", "p" + j, "t" + j)), "p" + j));
        }
        for (NettyPeers.Peer p : wave) {
          assertThat(p.first.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(p.id).isEqualTo("{\"type\":\"OPEN\"}");
        }
        peers.addAll(wave);
      }
      double connectSeconds = (System.nanoTime() - t0) / 1e9;
      assertThat(server.registry().peers(tenant())).isEqualTo(n);
      try (WsClient over = WsClient.connect(http, server.port(), "peerjs", "one-too-many", "t")) {
        assertThat(over.next()).isEqualTo(
            "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Server has reached its concurrent user limit\"}}");
      }
      // 1000 msgs/s for 2 s over 100 pairs; latency from the send call to arrival at the other client
      long[] sentAt = new long[total];
      long start = System.nanoTime();
      for (int k = 0; k < total; k++) {
        long due = start + k * 1_000_000L;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        int p = k % pairs;
        sentAt[k] = System.nanoTime();
        peers.get(2 * p).send("{\"type\":\"CANDIDATE\",\"dst\":\"p" + (2 * p + 1) + "\",\"payload\":" + k + "}");
      }
      Wait.until(Duration.ofSeconds(30), "all relayed messages arrive", () -> arrivals.get() == total,
          () -> arrivals.get() + " of " + total);
      long[] lat = new long[total];
      for (int k = 0; k < total; k++) {
        lat[k] = arrived[k] - sentAt[k];
      }
      Arrays.sort(lat);
      double p50 = lat[total / 2] / 1e6;
      double p99 = lat[total * 99 / 100] / 1e6;
      System.out.printf("LD-6: %d peers connected in %.2f s; relay at 1000 msg/s: p50 %.2f ms, p99 %.2f ms%n", n,
          connectSeconds, p50, p99);
      assertThat(p99).as("p99 relay latency (ms)").isLessThan(latencyBudgetMs(50));
      for (NettyPeers.Peer p : peers) {
        p.close();
      }
      Wait.until(Duration.ofSeconds(60), "every client released",
          () -> server.registry().peers(tenant()) == 0 && server.openConnections() == 0, () -> "peers "
              + server.registry().peers(tenant()) + ", connections " + server.openConnections());
      assertThat(server.registry().queued(tenant())).isZero();
    }
  }

  @Test
  void ld7QueueAbuseStaysBoundedExpiresOnTimeOthersUnaffected() throws Exception {
    start(b -> b.rateLimit(1_000_000, 1_000_000).queueLimits(256, 1024, 100_000).expireTimeout(Duration.ofMillis(500)));
    try (WsClient a = open("a"); WsClient bb = open("b"); NettyPeers net = new NettyPeers(1, (p, text, at) -> { })) {
      // the abuser pipelines its frames (a java.net.http client waits for each send: far too slow for 100k)
      NettyPeers.Peer abuser = net.connect(java.net.URI.create(WsClient.url(server.port(), "/", "peerjs", "abuser", "t")),
          "abuser");
      assertThat(abuser.first.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("{\"type\":\"OPEN\"}");
      int total = 100_000;
      int maxQueued = 0;
      long[] lat = new long[60];
      int probes = 0;
      for (int i = 0; i < total; i++) {
        abuser.channel.write(new io.netty.handler.codec.http.websocketx.TextWebSocketFrame(
            "{\"type\":\"OFFER\",\"dst\":\"nobody-" + i + "\",\"payload\":{\"sdp\":\"v=0\"}}"));
        if (i % 2000 == 1999) {
          abuser.channel.flush();
          maxQueued = Math.max(maxQueued, server.registry().queued(tenant()));
          long t = System.nanoTime();
          assertPairWorks(a, bb, i);
          lat[probes++] = System.nanoTime() - t;
        }
      }
      abuser.channel.flush();
      Wait.until(Duration.ofSeconds(60), "all 100k frames handled", () -> server.stats().drops(SignalingStats.Drop.QUEUE_FULL)
          + server.stats().queuedTotal() >= total, () -> server.stats().queuedTotal() + " queued, "
          + server.stats().drops(SignalingStats.Drop.QUEUE_FULL) + " refused");
      maxQueued = Math.max(maxQueued, server.registry().queued(tenant()));
      assertThat(maxQueued).as("messages queued at any time").isLessThanOrEqualTo(1024);
      Wait.until(Duration.ofSeconds(10), "all queued messages expired", () -> server.registry().queued(tenant()) == 0);
      // every message was either refused at once (QUEUE_FULL, with an immediate EXPIRE) or queued and expired
      Wait.until(Duration.ofSeconds(10), "QUEUE_FULL + EXPIRED == " + total, () -> server.stats().drops(
          SignalingStats.Drop.QUEUE_FULL) + server.stats().drops(SignalingStats.Drop.EXPIRED) == total);
      Arrays.sort(lat, 0, probes);
      System.out.printf("LD-7: max queued %d; round trip of a normal pair during the flood: p50 %.2f ms, max %.2f ms%n",
          maxQueued, lat[probes / 2] / 1e6, lat[probes - 1] / 1e6);
      assertThat(lat[probes / 2] / 1e6).as("median round trip during the flood (ms)").isLessThan(latencyBudgetMs(50));
      assertPairWorks(a, bb, -1);
    }
  }
}
