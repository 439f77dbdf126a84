package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;

/** The PeerJS wire protocol, row by row of the reference (peerjs-protocol.md §2–§5), over real sockets. */
@Timeout(60)
class SignalingServerTest {

  static final String OPEN = "{\"type\":\"OPEN\"}";
  final HttpClient http = HttpClient.newHttpClient();
  SignalingServer server;

  SignalingServer start(Consumer<SignalingConfig.Builder> custom) throws IOException {
    SignalingConfig.Builder b = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(2)
        .expireSweepInterval(Duration.ofMillis(50)).aliveSweepInterval(Duration.ofMillis(50));
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

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  WsClient open(String id) {
    return WsClient.open(http, server.port(), "peerjs", id, "tok-" + id);
  }

  @Test
  void httpApiAsUpstream() throws Exception {
    start(b -> {});
    HttpResponse<String> root = get("/");
    assertThat(root.statusCode()).isEqualTo(200);
    assertThat(WsClient.JSON.readTree(root.body()).get("name").asText()).isEqualTo("PeerJS Server");

    HttpResponse<String> id = get("/peerjs/id?ts=17000000000000.123&version=1.5.4");
    assertThat(id.statusCode()).isEqualTo(200);
    assertThat(id.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
    assertThat(id.body()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    // upstream does not check the key on HTTP
    assertThat(get("/anykey/id").statusCode()).isEqualTo(200);
    assertThat(get("/peerjs/peers").statusCode()).isEqualTo(401);
    assertThat(get("/peerjs/nothing").statusCode()).isEqualTo(404);
    assertThat(get("/elsewhere").statusCode()).isEqualTo(404);
  }

  @Test
  void pathOptionMovesEverything() throws Exception {
    start(b -> b.path("/myapp").key("k1"));
    assertThat(get("/myapp/k1/id").statusCode()).isEqualTo(200);
    assertThat(get("/peerjs/id").statusCode()).isEqualTo(404);
    try (WsClient c = WsClient.connect(http, WsClient.url(server.port(), "/myapp/", "k1", "a", "t"), "a", "t")) {
      assertThat(c.next()).isEqualTo(OPEN);
    }
  }

  @Test
  void corsEchoesTheOriginAndAnswersPreflight() throws Exception {
    start(b -> {});
    HttpResponse<String> r = get("/peerjs/id", "Origin", "http://app.example");
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("http://app.example");
    HttpResponse<String> pre = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/peerjs/id"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://app.example")
        .header("Access-Control-Request-Headers", "x-thing").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("access-control-allow-origin")).hasValue("http://app.example");
    assertThat(pre.headers().firstValue("access-control-allow-headers")).hasValue("x-thing");
  }

  @Test
  void originAllowListRefusesOthersOnHttpAndWebSocket() throws Exception {
    start(b -> b.allowOrigin("http://good.example"));
    assertThat(get("/peerjs/id", "Origin", "http://good.example").statusCode()).isEqualTo(200);
    assertThat(get("/peerjs/id", "Origin", "http://evil.example").statusCode()).isEqualTo(403);
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> http.newWebSocketBuilder()
        .header("Origin", "http://evil.example")
        .buildAsync(URI.create(WsClient.url(server.port(), "/", "peerjs", "x", "y")), new java.net.http.WebSocket.Listener() {})
        .join());
    assertThat(t).isNotNull();
    assertThat(server.stats().rejections(SignalingStats.Rejection.ORIGIN)).isEqualTo(2);
  }

  @Test
  void discoveryListsPeersWhenOn() throws Exception {
    start(b -> b.allowDiscovery(true));
    try (WsClient a = open("a"); WsClient bb = open("b")) {
      JsonNode peers = WsClient.JSON.readTree(get("/peerjs/peers").body());
      Set<String> ids = new HashSet<>();
      peers.forEach(n -> ids.add(n.asText()));
      assertThat(ids).containsExactlyInAnyOrder("a", "b");
    }
  }

  @Test
  void openIsExactlyTypeOpen() throws Exception {
    start(b -> {});
    try (WsClient c = WsClient.connect(http, server.port(), "peerjs", "alice", "t1")) {
      assertThat(c.next()).isEqualTo(OPEN);
      assertThat(server.registry().isRegistered(server.config().tenants().get(0), "alice")).isTrue();
    }
  }

  @Test
  void missingParametersGetUpstreamsErrorAndClose() throws Exception {
    start(b -> {});
    for (String[] p : new String[][] {{null, "i", "t"}, {"peerjs", null, "t"}, {"peerjs", "i", null}, {"peerjs", "", "t"}}) {
      try (WsClient c = WsClient.connect(http, WsClient.url(server.port(), "/", p[0], p[1], p[2]), p[1], p[2])) {
        assertThat(c.next()).isEqualTo(
            "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"No id, token, or key supplied to websocket server\"}}");
        c.awaitClose();
      }
    }
  }

  @Test
  void invalidKeyGetsUpstreamsErrorAndClose() throws Exception {
    start(b -> {});
    try (WsClient c = WsClient.connect(http, server.port(), "wrong", "a", "t")) {
      assertThat(c.next()).isEqualTo("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}");
      c.awaitClose();
    }
    assertThat(server.stats().rejections(SignalingStats.Rejection.INVALID_KEY)).isEqualTo(1);
  }

  @Test
  void idTakenWithAnotherTokenAndTheOwnerKeepsWorking() throws Exception {
    start(b -> {});
    try (WsClient owner = open("bob"); WsClient other = open("carol")) {
      try (WsClient thief = WsClient.connect(http, server.port(), "peerjs", "bob", "guess")) {
        assertThat(thief.next()).isEqualTo("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
        thief.awaitClose();
      }
      other.offer("bob", "{\"x\":1}");
      assertThat(owner.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"carol\",\"dst\":\"bob\",\"payload\":{\"x\":1}}");
    }
  }

  @Test
  void relayRewritesSrcAndForwardsOnlyTheEnvelope() throws Exception {
    start(b -> {});
    try (WsClient a = open("a"); WsClient bb = open("b")) {
      for (String type : List.of("OFFER", "ANSWER", "CANDIDATE")) {
        a.send("{\"type\":\"" + type + "\",\"src\":\"victim\",\"dst\":\"b\",\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"},"
            + "\"connectionId\":\"dc_1\"},\"extra\":\"dropped\"}");
        assertThat(bb.next()).isEqualTo("{\"type\":\"" + type + "\",\"src\":\"a\",\"dst\":\"b\",\"payload\":{\"sdp\":{\"type\":"
            + "\"offer\",\"sdp\":\"v=0\"},\"connectionId\":\"dc_1\"}}");
      }
      a.send("{\"type\":\"OFFER\",\"dst\":\"b\"}"); // payload is optional
      assertThat(bb.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"a\",\"dst\":\"b\"}");
      Wait.until(Duration.ofSeconds(5), "4 relays counted", () -> server.stats().relayed() == 4);
    }
  }

  @Test
  void queuedMessagesAreDeliveredInOrderAfterOpen() throws Exception {
    start(b -> b.expireTimeout(Duration.ofSeconds(5)));
    try (WsClient a = open("a")) {
      a.offer("late", "1");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"late\",\"payload\":2}");
      Wait.until(Duration.ofSeconds(5), "2 queued", () -> server.registry().queued(server.config().tenants().get(0)) == 2);
      try (WsClient late = WsClient.connect(http, server.port(), "peerjs", "late", "t")) {
        assertThat(late.next()).isEqualTo(OPEN);
        assertThat(late.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"a\",\"dst\":\"late\",\"payload\":1}");
        assertThat(late.next()).isEqualTo("{\"type\":\"CANDIDATE\",\"src\":\"a\",\"dst\":\"late\",\"payload\":2}");
      }
      assertThat(server.stats().deliveredFromQueue()).isEqualTo(2);
      assertThat(server.registry().queued(server.config().tenants().get(0))).isZero();
    }
  }

  @Test
  void expireOncePerPairAfterExpireTimeout() throws Exception {
    // Both messages must be queued before the first expires (they then expire together): with 1.5 s
    // between them a stalled CI machine still queues the second in time.
    start(b -> b.expireTimeout(Duration.ofMillis(1500)));
    try (WsClient a = open("a")) {
      long t0 = System.nanoTime();
      a.offer("ghost", "1");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"ghost\",\"payload\":2}");
      assertThat(a.next(Duration.ofSeconds(20))).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"ghost\",\"dst\":\"a\"}");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
      Wait.during(Duration.ofMillis(300), "no second EXPIRE", a.received::isEmpty);
      // the sweep counts its drops after it has sent the EXPIRE
      Wait.until(Duration.ofSeconds(5), "2 expired", () -> server.stats().drops(SignalingStats.Drop.EXPIRED) == 2);
      assertThat(server.stats().drops(SignalingStats.Drop.EXPIRED)).isEqualTo(2);
    }
  }

  @Test
  void leaveIsRelayedNeverQueuedAndWithoutDstUnregisters() throws Exception {
    start(b -> {});
    try (WsClient a = open("a"); WsClient bb = open("b")) {
      a.send("{\"type\":\"LEAVE\",\"dst\":\"b\"}");
      assertThat(bb.next()).isEqualTo("{\"type\":\"LEAVE\",\"src\":\"a\",\"dst\":\"b\"}");
      a.send("{\"type\":\"LEAVE\",\"dst\":\"nobody\"}");
      Wait.until(Duration.ofSeconds(5), "offline LEAVE dropped", () -> server.stats().drops(SignalingStats.Drop.OFFLINE) == 1);
      assertThat(server.registry().queued(server.config().tenants().get(0))).isZero();
      bb.send("{\"type\":\"LEAVE\"}");
      bb.awaitClose();
      Wait.until(Duration.ofSeconds(5), "b unregistered", () -> !server.registry().isRegistered(server.config().tenants().get(0), "b"));
      // the id is free again, for any token
      try (WsClient b2 = WsClient.open(http, server.port(), "peerjs", "b", "other-token")) {
        assertThat(b2.isClosed()).isFalse();
      }
    }
  }

  @Test
  void heartbeatKeepsAliveAndSilenceTimesOut() throws Exception {
    // 100 ms heartbeats against a 2 s alive_timeout: a 20x margin for a loaded machine; the loop ends
    // as soon as the silent client is cut off (after about 2 s), bounded at 20 s.
    start(b -> b.aliveTimeout(Duration.ofMillis(2000)));
    try (WsClient silent = open("silent"); WsClient beating = open("beating")) {
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!silent.isClosed() && System.nanoTime() < end) {
        beating.heartbeat();
        Wait.pause(Duration.ofMillis(100));
      }
      assertThat(silent.awaitClose()).isPositive();
      assertThat(beating.isClosed()).isFalse();
      Tenant t = server.config().tenants().get(0);
      assertThat(server.registry().isRegistered(t, "silent")).isFalse();
      assertThat(server.registry().isRegistered(t, "beating")).isTrue();
      assertThat(server.stats().aliveTimeouts()).isEqualTo(1);
    }
  }

  @Test
  void reconnectWithTheSameTokenGetsOpenAndTheQueue() throws Exception {
    // FT-13: drop the socket, messages sent in the gap are queued, a reconnect with id+token gets them.
    start(b -> b.expireTimeout(Duration.ofSeconds(5)));
    Tenant t = server.config().tenants().get(0);
    try (WsClient sender = open("s")) {
      WsClient first = WsClient.open(http, server.port(), "peerjs", "r", "secret");
      first.abort();
      Wait.until(Duration.ofSeconds(5), "r unregistered after the drop", () -> !server.registry().isRegistered(t, "r"));
      sender.offer("r", "\"during-gap\"");
      try (WsClient again = WsClient.connect(http, server.port(), "peerjs", "r", "secret")) {
        assertThat(again.next()).isEqualTo(OPEN);
        assertThat(again.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"s\",\"dst\":\"r\",\"payload\":\"during-gap\"}");
      }
    }
  }

  @Test
  void reattachWhileTheOldSocketIsStillRegisteredGetsOpenAndClosesTheOld() throws Exception {
    start(b -> {});
    try (WsClient sender = open("s"); WsClient old = WsClient.open(http, server.port(), "peerjs", "r", "secret");
         WsClient fresh = WsClient.connect(http, server.port(), "peerjs", "r", "secret")) {
      assertThat(fresh.next()).isEqualTo(OPEN); // upstream sends nothing here
      old.awaitClose();
      sender.offer("r", "2");
      assertThat(fresh.next()).isEqualTo("{\"type\":\"OFFER\",\"src\":\"s\",\"dst\":\"r\",\"payload\":2}");
      assertThat(server.registry().isRegistered(server.config().tenants().get(0), "r")).isTrue();
    }
  }

  @Test
  void concurrentLimitGivesUpstreamsError() throws Exception {
    start(b -> b.concurrentLimit(2));
    try (WsClient a = open("a"); WsClient bb = open("b");
         WsClient c = WsClient.connect(http, server.port(), "peerjs", "c", "t")) {
      assertThat(c.next()).isEqualTo(
          "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Server has reached its concurrent user limit\"}}");
      c.awaitClose();
      // re-attaching an existing id is not a new client
      try (WsClient a2 = WsClient.connect(http, server.port(), "peerjs", "a", "tok-a")) {
        assertThat(a2.next()).isEqualTo(OPEN);
      }
    }
  }

  @Test
  void tenantsHaveSeparateNamespacesAndLimits() throws Exception {
    start(b -> b.tenant(Tenant.withDefaults("other").withConcurrentLimit(1)));
    try (WsClient a = open("same"); WsClient o = WsClient.open(http, server.port(), "other", "same", "x");
         WsClient a2 = open("a2")) {
      try (WsClient over = WsClient.connect(http, server.port(), "other", "o2", "x")) {
        assertThat(over.next()).contains("concurrent user limit");
      }
      a2.offer("same", "1");
      assertThat(a.next()).contains("\"src\":\"a2\"");
      Wait.during(Duration.ofMillis(200), "nothing crosses keys", o.received::isEmpty);
    }
  }

  @Test
  void iceServersMintsCoturnRestCredentials() throws Exception {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    start(b -> b.clock(clock).turnCredentialTtl(Duration.ofHours(1))
        .turn("s3cret", List.of("stun:{host}:3478", "turn:{host}:3478?transport=udp", "turn:192.0.2.1:3478?transport=tcp")));
    HttpResponse<String> r = get("/peerjs/ice-servers?id=alice", "Origin", "http://app.example");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("http://app.example");
    JsonNode j = WsClient.JSON.readTree(r.body());
    assertThat(j.get("ttl").asLong()).isEqualTo(3600);
    assertThat(j.at("/iceServers/0/urls/0").asText()).isEqualTo("stun:127.0.0.1:3478");
    JsonNode turn = j.at("/iceServers/1");
    assertThat(turn.at("/urls/0").asText()).isEqualTo("turn:127.0.0.1:3478?transport=udp");
    assertThat(turn.at("/urls/1").asText()).isEqualTo("turn:192.0.2.1:3478?transport=tcp");
    String username = turn.get("username").asText();
    assertThat(username).isEqualTo((1_800_000_000L + 3600) + ":alice");
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    assertThat(turn.get("credential").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))));
    assertThat(get("/peerjs/ice-servers").statusCode()).isEqualTo(200); // a random user part
    assertThat(get("/wrongkey/ice-servers").statusCode()).isEqualTo(401);
    assertThat(get("/peerjs/ice-servers?id=%3Cscript%3E").statusCode()).isEqualTo(400);
  }

  @Test
  void iceServersIsAbsentWithoutASecret() throws Exception {
    start(b -> {});
    assertThat(get("/peerjs/ice-servers").statusCode()).isEqualTo(404);
  }

  @Test
  void staticWebRootServesTheAppWhenConfigured() throws Exception {
    start(b -> b.webRoot("webroot-test/"));
    HttpResponse<String> index = get("/", "Accept", "text/html");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("test page");
    assertThat(index.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(get("/", "Accept", "application/json").body()).contains("PeerJS Server");
    assertThat(get("/app.js").headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
    assertThat(get("/peerjs/id").body()).hasSize(36);
    assertThat(get("/%2e%2e/secret").statusCode()).isEqualTo(404);
    assertThat(get("/missing.html").statusCode()).isEqualTo(404);
  }

  @Test
  void prometheusMetrics() throws Exception {
    start(b -> b.expireTimeout(Duration.ofMillis(600)));
    PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new SignalingMetrics(server).bindTo(prom);
    try (WsClient a = open("a"); WsClient bb = open("b")) {
      a.offer("b", "1");
      bb.next();
      a.offer("ghost", "1");
      assertThat(a.next(Duration.ofSeconds(20))).contains("EXPIRE");
      // the sweep counts its drops after it has sent the EXPIRE
      Wait.until(Duration.ofSeconds(5), "1 expired", () -> server.stats().drops(SignalingStats.Drop.EXPIRED) == 1);
      try (WsClient x = WsClient.connect(http, server.port(), "nope", "x", "y")) {
        x.next();
      }
      String scrape = prom.scrape();
      assertThat(scrape).contains("rtc4j_signaling_peers{key=\"peerjs\"} 2.0");
      assertThat(scrape).contains("rtc4j_signaling_messages_relayed_total 1.0");
      assertThat(scrape).contains("rtc4j_signaling_messages_dropped_total{reason=\"expired\"} 1.0");
      assertThat(scrape).contains("rtc4j_signaling_connections_rejected_total{reason=\"invalid_key\"} 1.0");
      assertThat(scrape).contains("rtc4j_signaling_queued_messages{key=\"peerjs\"} 0.0");
    }
  }

  @Test
  void closeLeavesNoThreadAndFreesThePort() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot().ignoringNamePrefixes("HttpClient-");
    start(b -> {});
    int port = server.port();
    WsClient a = open("a");
    server.close();
    assertThat(a.awaitClose()).as("close status: going away").isEqualTo(1001);
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
    }
    server = null;
  }
}
