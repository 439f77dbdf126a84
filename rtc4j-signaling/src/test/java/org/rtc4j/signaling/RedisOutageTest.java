package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rtc4j.signaling.WsClient.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.signaling.redis.RedisPeerRegistry;
import org.rtc4j.signaling.redis.RedisProcess;
import org.rtc4j.testkit.Wait;

/**
 * The cluster registry when Redis is slow, hung or gone (a real redis-server per test, stopped with
 * DEBUG SLEEP, SIGSTOP or a kill): no event loop waits for Redis (HTTP and local peers on the same
 * loop answer at once), new connections get a clear ERROR instead of a hang, peers on the same
 * node keep relaying to each other, a frame for another node gets EXPIRE, and when Redis is back
 * (even restarted empty) each node registers its live peers again and cross-node relay works.
 */
@Timeout(60)
class RedisOutageTest {

  /** Command timeout of the nodes here (given in the URI; also the default): how long a call waits for a hung Redis. */
  static final Duration COMMAND_TIMEOUT = Duration.ofMillis(2000);
  /** What "at once" means on a machine shared with other builds. */
  static final Duration PROMPT = Duration.ofMillis(500);
  static final String UNAVAILABLE = "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"" + PeerConnection.MSG_UNAVAILABLE + "\"}}";

  RedisProcess redis;
  final WsClients ws = new WsClients();
  final HttpClient http = ws.http;
  final List<SignalingServer> servers = new ArrayList<>();

  @BeforeEach
  void startRedis() {
    redis = RedisProcess.start();
  }

  @AfterEach
  void stop() {
    ws.abortAll();
    try {
      redis.resume(); // in case a test failed while it was stopped
    } catch (AssertionError | RuntimeException e) {
      // already gone
    }
    servers.forEach(SignalingServer::close);
    redis.close();
  }

  SignalingServer node() throws IOException {
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .expireTimeout(Duration.ofSeconds(30)).aliveTimeout(Duration.ofSeconds(60)).build(); // nothing here waits for expiry
    URI uri = URI.create(redis.uri() + "?timeout=" + COMMAND_TIMEOUT.toMillis() + "ms");
    RedisPeerRegistry registry = RedisPeerRegistry.connect(uri, config);
    assertThat(registry.commandTimeout()).isEqualTo(COMMAND_TIMEOUT);
    SignalingServer s = SignalingServer.start(config, registry);
    servers.add(s);
    return s;
  }

  /** Frames until one matches (others, e.g. late copies from the outage, are skipped). */
  static JsonNode nextMatching(WsClient c, Duration within, Predicate<JsonNode> p) {
    long end = System.nanoTime() + within.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      JsonNode m = json(c.next(Duration.ofNanos(Math.max(1, left))));
      if (p.test(m)) {
        return m;
      }
    }
  }

  /** Relays one OFFER and returns how long it took from send to arrival. */
  static Duration offerTime(WsClient from, WsClient to, int n) {
    long t0 = System.nanoTime();
    from.offer(to.id, "{\"n\":" + n + "}");
    JsonNode m = json(to.next(Duration.ofSeconds(5)));
    Duration took = Duration.ofNanos(to.lastAt - t0);
    assertThat(m.get("src").asText()).isEqualTo(from.id);
    assertThat(m.get("payload").get("n").asInt()).isEqualTo(n);
    return took;
  }

  Duration idRequestTime(SignalingServer node) throws Exception {
    long t0 = System.nanoTime();
    var r = SignalingHttp.get(http, node.port(), "/peerjs/id");
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).matches("[0-9a-f-]{36}");
    return took;
  }

  /** Whether Redis answers a PING within {@code within} (a sleeping or stopped Redis does not). */
  boolean redisAnswers(Duration within) {
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", redis.port())) {
      sock.setSoTimeout((int) within.toMillis());
      sock.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] b = new byte[7];
      int n = sock.getInputStream().read(b);
      return n > 0 && new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false; // timed out (or refused)
    }
  }

  static boolean registered(SignalingServer node, String id) {
    try {
      return node.registry().isRegistered(node.config().tenants().get(0), id);
    } catch (RuntimeException e) {
      return false; // Redis not reachable yet
    }
  }

  @Test
  void slowRedisDoesNotDelayLocalPeersOnTheSameEventLoop() throws Exception {
    SignalingServer a = node(); // one event loop: every client below shares it
    WsClient alice = ws.open(a, "alice");
    WsClient bob = ws.open(a, "bob");
    assertThat(offerTime(alice, bob, 0)).isLessThan(Duration.ofSeconds(5));

    redis.sleep(3);
    Wait.until(Duration.ofSeconds(5), "Redis is asleep", () -> !redisAnswers(Duration.ofMillis(100)));
    // carol's registration now waits for Redis, on the same loop as alice and bob
    WsClient carol = ws.connect(a, "carol", "tok-carol");
    assertThat(offerTime(alice, bob, 1)).as("local relay while a registration waits for Redis").isLessThan(PROMPT);
    assertThat(offerTime(bob, alice, 2)).isLessThan(PROMPT);
    assertThat(idRequestTime(a)).as("GET /id while Redis sleeps").isLessThan(PROMPT);
    // carol hears either OPEN (Redis woke in time) or the clear ERROR after the command timeout
    String first = carol.next(Duration.ofSeconds(5));
    assertThat(first).isIn("{\"type\":\"OPEN\"}", UNAVAILABLE);
  }

  @Test
  void hungRedisNewConnectionsGetErrorLocalPeersKeepRelayingCrossNodeGetsExpireThenRecovers() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    Tenant t = a.config().tenants().get(0);
    WsClient alice = ws.open(a, "alice");
    WsClient bob = ws.open(a, "bob");
    WsClient carol = ws.open(b, "carol");
    alice.offer("carol", "{\"n\":0}");
    assertThat(json(carol.next()).get("src").asText()).isEqualTo("alice");

    redis.pause(); // SIGSTOP: connections stay up, nothing answers
    try {
      long t0 = System.nanoTime();
      WsClient dave = ws.connect(a, "dave", "tok-dave");
      assertThat(dave.next(Duration.ofSeconds(5))).isEqualTo(UNAVAILABLE);
      assertThat(Duration.ofNanos(dave.lastAt - t0)).as("ERROR after the command timeout, not a hang")
          .isBetween(COMMAND_TIMEOUT.minusMillis(100), COMMAND_TIMEOUT.plusSeconds(2));
      dave.awaitClose();
      assertThat(a.stats().rejections(SignalingStats.Rejection.REGISTRY_UNAVAILABLE)).isEqualTo(1);

      // peers on the same node keep talking, at once, and HTTP answers
      for (int i = 1; i <= 5; i++) {
        assertThat(offerTime(alice, bob, i)).isLessThan(PROMPT);
      }
      assertThat(idRequestTime(a)).isLessThan(PROMPT);
      assertThat(idRequestTime(b)).isLessThan(PROMPT);

      // a frame for a peer on the other node cannot be routed: the sender hears EXPIRE
      alice.offer("carol", "{\"n\":\"during\"}");
      assertThat(json(alice.next(Duration.ofSeconds(5))))
          .isEqualTo(json("{\"type\":\"EXPIRE\",\"src\":\"carol\",\"dst\":\"alice\"}"));
      assertThat(a.stats().drops(SignalingStats.Drop.REGISTRY_UNAVAILABLE)).isEqualTo(1);
      // and alice's next frame to bob is not held behind it
      assertThat(offerTime(alice, bob, 6)).isLessThan(PROMPT);
    } finally {
      redis.resume();
    }

    // back: new peers register, cross-node relay works both ways
    WsClient erin = ws.connect(b, "erin", "tok-erin");
    assertThat(erin.next(Duration.ofSeconds(5))).isEqualTo("{\"type\":\"OPEN\"}");
    alice.offer("carol", "{\"n\":7}");
    // (the frame sent during the outage may arrive late: its request timed out here but ran in Redis)
    assertThat(nextMatching(carol, Duration.ofSeconds(5), m -> m.get("payload").get("n").asInt(-1) == 7)
        .get("src").asText()).isEqualTo("alice");
    carol.offer("alice", "{\"n\":8}");
    assertThat(json(alice.next()).get("payload").get("n").asInt()).isEqualTo(8);
    assertThat(offerTime(erin, bob, 9)).isLessThan(Duration.ofSeconds(5));
    // dave's registration that ran late in Redis was taken out again: the id is free
    Wait.until(Duration.ofSeconds(5), "dave's late registration removed", () -> !registered(b, "dave"));
    assertThat(ws.connect(b, "dave", "another-token").next()).isEqualTo("{\"type\":\"OPEN\"}");
    assertThat(alice.isClosed()).isFalse();
    assertThat(b.registry().peers(t)).isEqualTo(5);
  }

  @Test
  void redisRestartedEmptyNodesRegisterTheirLivePeersAgain() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    Tenant t = a.config().tenants().get(0);
    WsClient alice = ws.open(a, "alice");
    WsClient dave = ws.open(a, "dave");
    WsClient bob = ws.open(b, "bob");
    assertThat(offerTime(alice, bob, 0)).isLessThan(Duration.ofSeconds(5));

    int port = redis.port();
    redis.close(); // killed: no persistence, so it comes back empty
    long t0 = System.nanoTime();
    WsClient early = ws.connect(b, "early", "tok");
    assertThat(early.next(Duration.ofSeconds(5))).isEqualTo(UNAVAILABLE);
    assertThat(Duration.ofNanos(early.lastAt - t0)).as("refused at once while the connection is down")
        .isLessThan(COMMAND_TIMEOUT.plusSeconds(1));
    assertThat(offerTime(alice, dave, 1)).as("same-node relay with Redis gone").isLessThan(PROMPT);

    redis = RedisProcess.start(port);
    // each node re-registers its peers when it reconnects; the sockets stay open
    Wait.until(Duration.ofSeconds(15), Duration.ofMillis(100), "alice, dave and bob registered again",
        () -> registered(b, "alice") && registered(b, "dave") && registered(a, "bob"));
    assertThat(alice.isClosed() || bob.isClosed() || dave.isClosed()).isFalse();
    assertThat(offerTime(alice, bob, 2)).isLessThan(Duration.ofSeconds(5));
    assertThat(offerTime(bob, alice, 3)).isLessThan(Duration.ofSeconds(5));
    assertThat(offerTime(bob, dave, 4)).isLessThan(Duration.ofSeconds(5));
    // the ids are guarded again cluster-wide
    assertThat(json(ws.connect(b, "alice", "thief").next()).get("type").asText()).isEqualTo("ID-TAKEN");
    assertThat(b.registry().peers(t)).isEqualTo(3);
  }

  @Test
  void queuedFramesSurviveARegistrationThatTimedOutAndRanLate() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    Tenant t = a.config().tenants().get(0);
    WsClient alice = ws.open(a, "alice");
    alice.offer("xavier", "{\"n\":1}");
    Wait.until(Duration.ofSeconds(5), "queued for xavier", () -> b.registry().queued(t) == 1);

    // SIGSTOP until the client has seen its REGISTER time out: the command waits in Redis's socket and runs when
    // Redis resumes, i.e. late. The test decides when Redis wakes, so a slow machine cannot make it race.
    redis.pause();
    WsClient early = ws.connect(b, "xavier", "tok-x");
    assertThat(early.next(Duration.ofSeconds(10))).isEqualTo(UNAVAILABLE);
    redis.resume();
    Wait.until(Duration.ofSeconds(10), Duration.ofMillis(100), "Redis is awake", () -> redisAnswers(Duration.ofMillis(500)));

    // the late REGISTER took the queue, the follow-up put it back: the frame reaches the next connection
    WsClient xavier = ws.connect(b, "xavier", "tok-x");
    assertThat(xavier.next(Duration.ofSeconds(5))).isEqualTo("{\"type\":\"OPEN\"}");
    JsonNode m = json(xavier.next(Duration.ofSeconds(5)));
    assertThat(m.get("src").asText()).isEqualTo("alice");
    assertThat(m.get("payload").get("n").asInt()).isEqualTo(1);
    Wait.until(Duration.ofSeconds(5), "queue accounted as delivered", () -> b.registry().queued(t) == 0);
    Wait.during(Duration.ofMillis(300), "no EXPIRE for a delivered frame", alice.received::isEmpty);
  }
}
