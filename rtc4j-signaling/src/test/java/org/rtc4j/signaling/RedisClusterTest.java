package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rtc4j.signaling.WsClient.json;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.signaling.redis.RedisPeerRegistry;
import org.rtc4j.signaling.redis.RedisProcess;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rtc4j.signaling.redis.RedisNodeMain;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;

/**
 * Two signaling nodes (two {@link SignalingServer}s on their own ports) sharing one redis-server
 * started by the test: a WebSocket client on node A and one on node B see the PeerJS protocol as
 * if there were one server (OPEN, ID-TAKEN, relay with src rewritten, queue + EXPIRE, LEAVE), a node
 * that dies loses only its own peers (their ids free after alive_timeout), and an unreachable
 * Redis is a clear error at start.
 */
@Timeout(60)
class RedisClusterTest {

  static final String OPEN = "{\"type\":\"OPEN\"}";
  /** Only the crash test waits for it; the others keep upstream's order of magnitude (machines here are busy). */
  static final Duration ALIVE = Duration.ofMillis(3000);
  static RedisProcess redis;

  final WsClients ws = new WsClients();
  final HttpClient http = ws.http;
  final List<SignalingServer> servers = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void flush() {
    redis.flush();
  }

  @AfterEach
  void stop() {
    ws.abortAll();
    servers.forEach(SignalingServer::close);
  }

  SignalingServer node(Consumer<SignalingConfig.Builder> custom) throws IOException {
    SignalingConfig.Builder b = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .expireTimeout(Duration.ofMillis(800)).aliveTimeout(Duration.ofSeconds(60))
        .expireSweepInterval(Duration.ofMillis(50)).aliveSweepInterval(Duration.ofMillis(50));
    custom.accept(b);
    SignalingConfig config = b.build();
    SignalingServer s = SignalingServer.start(config, RedisPeerRegistry.connect(redis.uri(), config));
    servers.add(s);
    return s;
  }

  SignalingServer node() throws IOException {
    return node(b -> {});
  }

  @Test
  void idTakenAcrossNodesAndReattachOnTheOtherNode() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    WsClient alice = ws.open(a, "alice");
    assertThat(a.registry().isRegistered(a.config().tenants().get(0), "alice")).isTrue();
    assertThat(b.registry().isRegistered(b.config().tenants().get(0), "alice")).isTrue();
    // SC-10: Redis holds the token's digest from Tokens, never the token, so the script that
    // answers the thief below compares digests (nothing in its timing depends on the token)
    assertThat(redis.get("rtc4j:{peerjs}:id:alice")).endsWith(" " + Tokens.hexDigest("tok-alice"))
        .doesNotContain("tok-alice");

    WsClient thief = ws.connect(b, "alice", "other-token");
    assertThat(json(thief.next())).isEqualTo(json("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}"));
    thief.awaitClose();

    // same id and token on the other node: OPEN there, the old socket on node A is closed
    WsClient again = ws.connect(b, "alice", "tok-alice");
    assertThat(again.next()).isEqualTo(OPEN);
    alice.awaitClose();
    // and frames for alice now go to node B
    WsClient bob = ws.open(a, "bob");
    bob.offer("alice", "{\"n\":1}");
    assertThat(json(again.next()).get("src").asText()).isEqualTo("bob");
    // the old socket closing on A did not remove the registration B holds
    assertThat(b.registry().isRegistered(b.config().tenants().get(0), "alice")).isTrue();
  }

  @Test
  void offerAnswerCandidateRelayedBothWaysWithSrcRewritten() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    WsClient alice = ws.open(a, "alice");
    WsClient bob = ws.open(b, "bob");

    alice.send("{\"type\":\"OFFER\",\"src\":\"forged\",\"dst\":\"bob\",\"extra\":1,"
        + "\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"},\"type\":\"data\",\"connectionId\":\"dc_1\"}}");
    assertThat(json(bob.next())).isEqualTo(json("{\"type\":\"OFFER\",\"src\":\"alice\",\"dst\":\"bob\","
        + "\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"},\"type\":\"data\",\"connectionId\":\"dc_1\"}}"));

    bob.send("{\"type\":\"ANSWER\",\"dst\":\"alice\",\"payload\":{\"sdp\":{\"type\":\"answer\",\"sdp\":\"v=0\"}}}");
    assertThat(json(alice.next())).isEqualTo(json("{\"type\":\"ANSWER\",\"src\":\"bob\",\"dst\":\"alice\","
        + "\"payload\":{\"sdp\":{\"type\":\"answer\",\"sdp\":\"v=0\"}}}"));

    for (int i = 0; i < 20; i++) {
      alice.send("{\"type\":\"CANDIDATE\",\"dst\":\"bob\",\"payload\":{\"i\":" + i + "}}");
    }
    for (int i = 0; i < 20; i++) {
      JsonNode m = json(bob.next());
      assertThat(m.get("type").asText()).isEqualTo("CANDIDATE");
      assertThat(m.get("src").asText()).isEqualTo("alice");
      assertThat(m.get("payload").get("i").asInt()).as("FIFO across nodes").isEqualTo(i);
    }
    bob.send("{\"type\":\"CANDIDATE\",\"dst\":\"alice\",\"payload\":{\"c\":\"x\"}}");
    assertThat(json(alice.next())).isEqualTo(json("{\"type\":\"CANDIDATE\",\"src\":\"bob\",\"dst\":\"alice\","
        + "\"payload\":{\"c\":\"x\"}}"));
    // The sender's node counts when Redis answers its script, which can be after the PUBLISH it ran
    // reached the other node and the receiver.
    Wait.until(Duration.ofSeconds(10), "23 relayed over both nodes", () -> a.stats().relayed() + b.stats().relayed() == 23,
        () -> "relayed " + a.stats().relayed() + " + " + b.stats().relayed());
    assertThat(a.stats().relayed() + b.stats().relayed()).isEqualTo(23);
  }

  @Test
  void queuedOnOneNodeDrainedOnTheOtherAndExpireOnceForAnIdThatNeverComes() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    Tenant t = a.config().tenants().get(0);
    WsClient alice = ws.open(a, "alice");
    alice.offer("carol", "{\"n\":1}");
    alice.offer("carol", "{\"n\":2}");
    Wait.until(Duration.ofSeconds(5), "2 queued in Redis", () -> b.registry().queued(t) == 2);

    WsClient carol = ws.open(b, "carol"); // OPEN first (asserted by open), then the queue in order
    assertThat(json(carol.next()).get("payload").get("n").asInt()).isEqualTo(1);
    assertThat(json(carol.next()).get("payload").get("n").asInt()).isEqualTo(2);
    // The node confirms the drain (DRAINED script) after handing the frames to the socket, without
    // waiting: carol can read them before Redis has counted them out (CI saw 2 here once).
    Wait.until(Duration.ofSeconds(5), "the queue counted out after the drain", () -> a.registry().queued(t) == 0);

    // never comes: one EXPIRE (both nodes sweep), src = the absent id
    long t0 = System.nanoTime();
    alice.offer("ghost", "{\"n\":3}");
    alice.offer("ghost", "{\"n\":4}");
    assertThat(json(alice.next(Duration.ofSeconds(10))))
        .isEqualTo(json("{\"type\":\"EXPIRE\",\"src\":\"ghost\",\"dst\":\"alice\"}"));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    Wait.during(Duration.ofMillis(600), "no second EXPIRE", alice.received::isEmpty);
    assertThat(a.registry().queued(t)).isZero();
    assertThat(a.stats().expireSent() + b.stats().expireSent()).isEqualTo(1);
    // ghost arriving now gets nothing old
    WsClient ghost = ws.open(b, "ghost");
    Wait.during(Duration.ofMillis(300), "nothing delivered", ghost.received::isEmpty);
  }

  @Test
  void leaveAcrossNodesAndLeaveWithoutDstFreesTheId() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    WsClient alice = ws.open(a, "alice");
    WsClient bob = ws.open(b, "bob");
    alice.send("{\"type\":\"LEAVE\",\"dst\":\"bob\"}");
    assertThat(json(bob.next())).isEqualTo(json("{\"type\":\"LEAVE\",\"src\":\"alice\",\"dst\":\"bob\"}"));
    // LEAVE is never queued
    alice.send("{\"type\":\"LEAVE\",\"dst\":\"nobody\"}");
    Tenant t = a.config().tenants().get(0);
    // LEAVE without dst unregisters alice cluster-wide: another token may take the id on node B
    alice.send("{\"type\":\"LEAVE\"}");
    alice.awaitClose();
    Wait.until(Duration.ofSeconds(5), "alice unregistered", () -> !b.registry().isRegistered(t, "alice"));
    assertThat(b.registry().queued(t)).isZero();
    WsClient newAlice = ws.connect(b, "alice", "new-token");
    assertThat(newAlice.next()).isEqualTo(OPEN);
  }

  @Test
  void crashedNodeLosesOnlyItsPeersWhoseIdsFreeAfterAliveTimeout() throws Exception {
    SignalingServer a = node(c -> c.aliveTimeout(ALIVE));
    SignalingServer b = node(c -> c.aliveTimeout(ALIVE));
    Tenant t = b.config().tenants().get(0);
    WsClient alice = ws.open(a, "alice");
    WsClient bob = ws.open(b, "bob");
    WsClient dave = ws.open(b, "dave");
    assertThat(b.registry().peers(t)).isEqualTo(3);

    // node A dies: no cleanup reaches Redis
    ((RedisPeerRegistry) a.registry()).abandon();
    a.close();
    alice.awaitClose();

    // alice's id is still held until alive_timeout passes without refresh
    WsClient early = ws.connect(b, "alice", "new-token");
    assertThat(json(early.next()).get("type").asText()).isEqualTo("ID-TAKEN");
    // a message to the dead node's peer: the sender hears LEAVE (nobody listens on A's channel)
    bob.offer("alice", "{\"n\":1}");
    assertThat(json(bob.next())).isEqualTo(json("{\"type\":\"LEAVE\",\"src\":\"alice\",\"dst\":\"bob\"}"));

    long t0 = System.nanoTime();
    Wait.until(Duration.ofSeconds(10), Duration.ofMillis(200), "alice's id expires", () -> {
      bob.sendAsync("{\"type\":\"HEARTBEAT\"}"); // B's peers stay alive meanwhile
      dave.sendAsync("{\"type\":\"HEARTBEAT\"}");
      return !b.registry().isRegistered(t, "alice");
    });
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThanOrEqualTo(ALIVE.plusSeconds(5));
    WsClient late = ws.connect(b, "alice", "new-token");
    assertThat(late.next()).isEqualTo(OPEN);

    // node B's peers are unaffected (and kept alive past alive_timeout by B's refresh)
    bob.heartbeat();
    dave.heartbeat();
    dave.offer("bob", "{\"n\":2}");
    assertThat(json(bob.next()).get("src").asText()).isEqualTo("dave");
    assertThat(b.registry().isRegistered(t, "bob")).isTrue();
    assertThat(b.registry().peers(t)).isEqualTo(3);
  }

  @Test
  void nodeKilledWithSigkillLosesOnlyItsPeers() throws Exception {
    SignalingServer b = node(c -> c.aliveTimeout(ALIVE));
    Tenant t = b.config().tenants().get(0);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try (Processes.Running other = Processes.command(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
        "-cp", System.getProperty("java.class.path"),
        RedisNodeMain.class.getName(), redis.uri().toString(), Long.toString(ALIVE.toMillis())).start()) {
      other.awaitOutput(Duration.ofSeconds(30), Pattern.compile("PORT \\d+"));
      Matcher m = Pattern.compile("PORT (\\d+)").matcher(other.output());
      assertThat(m.find()).isTrue();
      int port = Integer.parseInt(m.group(1));
      WsClient alice = ws.track(WsClient.open(http, port, "peerjs", "alice", "tok-alice"));
      WsClient bob = ws.open(b, "bob");
      bob.offer("alice", "{\"n\":1}");
      assertThat(json(alice.next()).get("src").asText()).isEqualTo("bob");

      other.process().destroyForcibly(); // SIGKILL: nothing reaches Redis
      other.waitFor(Duration.ofSeconds(10));
      alice.awaitClose();
      assertThat(json(ws.connect(b, "alice", "thief").next()).get("type").asText()).isEqualTo("ID-TAKEN");
      Wait.until(Duration.ofSeconds(15), Duration.ofMillis(200), "the killed node's id expires", () -> {
        bob.sendAsync("{\"type\":\"HEARTBEAT\"}");
        return !b.registry().isRegistered(t, "alice");
      });
      assertThat(ws.connect(b, "alice", "thief").next()).isEqualTo(OPEN);
      assertThat(b.registry().isRegistered(t, "bob")).isTrue();
      assertThat(b.registry().peers(t)).isEqualTo(2);
    }
  }

  @Test
  void gracefulNodeCloseFreesItsIdsAtOnce() throws Exception {
    SignalingServer a = node();
    SignalingServer b = node();
    Tenant t = b.config().tenants().get(0);
    ws.open(a, "alice");
    a.close();
    Wait.until(Duration.ofSeconds(5), "alice freed", () -> !b.registry().isRegistered(t, "alice"));
    assertThat(b.registry().peers(t)).isZero();
  }

  @Test
  void discoveryListsPeersOfEveryNode() throws Exception {
    SignalingServer a = node(b -> b.allowDiscovery(true));
    SignalingServer b = node(c -> c.allowDiscovery(true));
    ws.open(a, "alice");
    ws.open(b, "bob");
    var r = SignalingHttp.get(http, a.port(), "/peerjs/peers");
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(r.body()).forEach(n -> ids.add(n.asText()));
    assertThat(ids).containsExactlyInAnyOrder("alice", "bob");
  }

  @Test
  void concurrentLimitIsClusterWide() throws Exception {
    SignalingServer a = node(b -> b.concurrentLimit(2));
    SignalingServer b = node(c -> c.concurrentLimit(2));
    ws.open(a, "p1");
    ws.open(b, "p2");
    WsClient third = ws.connect(a, "p3", "t3");
    assertThat(json(third.next())).isEqualTo(
        json("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Server has reached its concurrent user limit\"}}"));
  }

  @Test
  void closedNodesLeaveNoThreads() throws Exception {
    ThreadLeakCheck check = ThreadLeakCheck.snapshot().ignoringNamePrefixes("HttpClient");
    SignalingServer a = node();
    SignalingServer b = node();
    WsClient alice = ws.open(a, "alice");
    WsClient bob = ws.open(b, "bob");
    alice.offer("bob", "{}");
    bob.next();
    alice.abort();
    bob.abort();
    a.close();
    b.close();
    check.assertNoNewThreads(Duration.ofSeconds(15));
  }

  @Test
  void redisUnavailableAtStartIsAClearError() {
    int port = FreePorts.tcp();
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).build();
    assertThatThrownBy(() -> RedisPeerRegistry.connect(URI.create("redis://127.0.0.1:" + port), config))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot connect to Redis at redis://127.0.0.1:" + port + ": ");
    assertThatThrownBy(() -> RedisPeerRegistry.connect(URI.create("http://x"), config))
        .isInstanceOf(IOException.class).hasMessageContaining("http://x");
  }
}
