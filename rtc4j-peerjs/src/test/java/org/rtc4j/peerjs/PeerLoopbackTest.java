package org.rtc4j.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.SignalingServer;
import org.rtc4j.testkit.Wait;
import org.rtc4j.webrtc.RtcConfiguration;

/**
 * Java Peer ↔ Java Peer through our SignalingServer on 127.0.0.1: every serialization, both directions; heartbeats
 * against a short alive_timeout; peerjs's error types (unavailable-id, invalid-id, peer-unavailable, not-open-yet,
 * message-too-big, server-error, network); disconnect/reconnect.
 */
@Timeout(120)
class PeerLoopbackTest {
  SignalingServer server;
  final List<Peer> peers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .expireTimeout(Duration.ofMillis(1500)).build());
  }

  @AfterEach
  void stop() {
    peers.forEach(Peer::destroy);
    if (server != null) {
      server.close();
    }
  }

  PeerOptions options() {
    return options(server);
  }

  static PeerOptions options(SignalingServer s) {
    return builder(s).build();
  }

  static PeerOptions.Builder builder(SignalingServer s) {
    return PeerOptions.builder().host("127.0.0.1").port(s.port()).path("/").key("peerjs")
        .config(RtcConfiguration.builder().hostAddress(InetAddress.getLoopbackAddress()).build());
  }

  Peer open(String id) throws Exception {
    return open(id, options());
  }

  Peer open(String id, PeerOptions options) throws Exception {
    Peer p = new Peer(id, options);
    peers.add(p);
    CompletableFuture<String> opened = new CompletableFuture<>();
    p.onOpen(opened::complete).onError(opened::completeExceptionally);
    opened.get(20, TimeUnit.SECONDS);
    return p;
  }

  @ParameterizedTest
  @EnumSource(Serialization.class)
  void everySerializationBothDirections(Serialization ser) throws Exception {
    Peer bob = open("bob");
    Peer alice = open(null);
    assertThat(alice.id()).matches("[0-9a-f-]{36}");
    CompletableFuture<DataConnection> incoming = new CompletableFuture<>();
    List<Object> bobGot = new CopyOnWriteArrayList<>();
    bob.onConnection(c -> {
      c.onData(d -> {
        bobGot.add(d);
        c.send(d); // echo
      });
      incoming.complete(c);
    });
    DataConnection c = alice.connect("bob", new ConnectOptions("lbl", Map.of("app", "test", "n", 1), ser, true));
    List<Object> aliceGot = new CopyOnWriteArrayList<>();
    c.onData(aliceGot::add);
    CompletableFuture<Void> open = new CompletableFuture<>();
    c.onOpen(() -> open.complete(null)).onError(open::completeExceptionally);
    open.get(30, TimeUnit.SECONDS);
    DataConnection in = incoming.get(5, TimeUnit.SECONDS);
    assertThat(in.label()).isEqualTo("lbl");
    assertThat(in.metadata()).isEqualTo(Map.of("app", "test", "n", 1L));
    assertThat(in.serialization()).isEqualTo(ser);
    assertThat(in.reliable()).isTrue();
    assertThat(in.peer()).isEqualTo(alice.id());

    List<Object> sent = switch (ser) {
      case RAW -> List.of("hello", new byte[] {1, 2, 3});
      case JSON -> List.of("hello", Map.of("a", List.of(1L, 2.5, true)), 42L);
      case BINARY -> List.of("hello", Map.of("a", List.of(1L, 2.5, true)), new byte[] {9, 8}, bigBytes(300_000));
    };
    sent.forEach(c::send);
    Wait.until(Duration.ofSeconds(30), "echoes", () -> aliceGot.size() == sent.size());
    for (int i = 0; i < sent.size(); i++) {
      assertThat(bobGot.get(i)).usingRecursiveComparison().isEqualTo(sent.get(i));
      assertThat(aliceGot.get(i)).usingRecursiveComparison().isEqualTo(sent.get(i));
    }
    CompletableFuture<Void> closed = new CompletableFuture<>();
    in.onClose(() -> closed.complete(null));
    c.close();
    closed.get(20, TimeUnit.SECONDS);
  }

  /** A caller that refills its buffer right after send() (the usual NIO pattern) must not change what was sent. */
  @ParameterizedTest
  @EnumSource(Serialization.class)
  void buffersReusedRightAfterSendDoNotChangeWhatArrives(Serialization ser) throws Exception {
    Peer bob = open("bob-reuse-" + ser);
    Peer alice = open(null);
    List<Object> bobGot = new CopyOnWriteArrayList<>();
    bob.onConnection(c -> c.onData(bobGot::add));
    DataConnection c = alice.connect(bob.id(), new ConnectOptions("reuse", null, ser, true));
    CompletableFuture<Void> open = new CompletableFuture<>();
    c.onOpen(() -> open.complete(null)).onError(open::completeExceptionally);
    open.get(30, TimeUnit.SECONDS);
    int n = 50;
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(64);
    byte[] arr = new byte[40_000]; // above the binary chunk size: read chunk by chunk on the event thread
    List<Long> list = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      list = new java.util.ArrayList<>(List.of((long) i));
      bb.clear();
      for (int k = 0; k < 64; k++) {
        bb.put((byte) i);
      }
      bb.flip();
      java.util.Arrays.fill(arr, (byte) i);
      switch (ser) {
        case RAW -> c.send(bb);
        case JSON -> c.send(Map.of("i", (long) i, "list", list));
        case BINARY -> {
          c.send(bb);
          c.send(arr);
        }
      }
      // refill everything at once, as a caller reusing its buffers would
      bb.clear();
      while (bb.hasRemaining()) {
        bb.put((byte) -1);
      }
      java.util.Arrays.fill(arr, (byte) -1);
      list.set(0, -1L);
    }
    int expected = ser == Serialization.BINARY ? 2 * n : n;
    Wait.until(Duration.ofSeconds(30), "all messages", () -> bobGot.size() == expected);
    for (int i = 0; i < n; i++) {
      byte[] small = new byte[64];
      java.util.Arrays.fill(small, (byte) i);
      switch (ser) {
        case RAW -> assertThat((byte[]) bobGot.get(i)).isEqualTo(small);
        case JSON -> assertThat(((Map<?, ?>) bobGot.get(i)).get("list")).isEqualTo(List.of((long) i));
        case BINARY -> {
          assertThat((byte[]) bobGot.get(2 * i)).isEqualTo(small);
          byte[] big = new byte[40_000];
          java.util.Arrays.fill(big, (byte) i);
          assertThat((byte[]) bobGot.get(2 * i + 1)).isEqualTo(big);
        }
      }
    }
  }

  static byte[] bigBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void largeBinaryMessageIsChunkedAndReassembled() throws Exception {
    Peer bob = open("bob2");
    Peer alice = open("alice2");
    CompletableFuture<byte[]> got = new CompletableFuture<>();
    bob.onConnection(c -> c.onData(d -> got.complete((byte[]) d)));
    DataConnection c = alice.connect("bob2");
    CompletableFuture<Void> open = new CompletableFuture<>();
    c.onOpen(() -> open.complete(null));
    open.get(30, TimeUnit.SECONDS);
    byte[] data = bigBytes(4 * 1024 * 1024);
    long t0 = System.nanoTime();
    c.send(data);
    byte[] back = got.get(60, TimeUnit.SECONDS);
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("4 MiB binary (chunked) in %.2f s%n", s);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    assertThat(HexFormat.of().formatHex(md.digest(back)))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
  }

  @Test
  void errorsIdTakenInvalidIdPeerUnavailableAndMediaUnsupported() throws Exception {
    Peer first = open("dup");
    Peer second = new Peer("dup", options());
    peers.add(second);
    CompletableFuture<PeerError> err = new CompletableFuture<>();
    second.onError(err::complete);
    assertThat(err.get(20, TimeUnit.SECONDS).type()).isEqualTo("unavailable-id");

    Peer bad = new Peer("bad id!", options());
    peers.add(bad);
    CompletableFuture<PeerError> err2 = new CompletableFuture<>();
    bad.onError(err2::complete);
    assertThat(err2.get(20, TimeUnit.SECONDS).type()).isEqualTo("invalid-id");

    CompletableFuture<PeerError> err3 = new CompletableFuture<>();
    first.onError(err3::complete);
    first.connect("never-comes");
    PeerError e3 = err3.get(30, TimeUnit.SECONDS);
    assertThat(e3.type()).isEqualTo("peer-unavailable");
    assertThat(e3.getMessage()).contains("never-comes");

    assertThatThrownBy(() -> first.call("x", null)).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("media");
  }

  @Test
  void disconnectAndReconnectKeepTheId() throws Exception {
    Peer p = open("again");
    CompletableFuture<String> disc = new CompletableFuture<>();
    p.onDisconnected(disc::complete);
    p.disconnect();
    assertThat(disc.get(10, TimeUnit.SECONDS)).isEqualTo("again");
    assertThat(p.disconnected()).isTrue();
    CompletableFuture<String> reopened = new CompletableFuture<>();
    p.onOpen(reopened::complete);
    p.reconnect();
    assertThat(reopened.get(20, TimeUnit.SECONDS)).isEqualTo("again");
    assertThat(p.disconnected()).isFalse();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    p.onClose(() -> closed.complete(null));
    p.destroy();
    closed.get(10, TimeUnit.SECONDS);
    assertThat(p.destroyed()).isTrue();
  }

  /**
   * HEARTBEAT every pingInterval keeps an idle peer registered: against a server with alive_timeout 1 s, a peer
   * pinging every 100 ms stays open for 3.5 s with its id held, while the control, a peer that pings once an hour,
   * is cut off after alive_timeout and sees it as peerjs does (error network, then disconnected).
   */
  /**
   * Messages for connection ids a peer does not know (candidates that overtook their offer) are held as peerjs
   * holds them, but bounded: another peer sending made-up ids, or candidates for a call that is never answered,
   * cannot grow this peer's memory. The peer keeps working: a real connection from the same sender opens after.
   */
  @Test
  void messagesForUnknownConnectionsAreHeldButBounded() throws Exception {
    try (SignalingServer lax = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .rateLimit(1_000_000, 1_000_000).build())) {
      Peer bob = open("bob-lost", options(lax));
      Peer mallory = open("mallory", options(lax));
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      int perConnection = Peer.MAX_LOST_PER_CONNECTION + 44;
      int connections = Peer.MAX_LOST_CONNECTIONS + 36;
      for (int i = 0; i < perConnection; i++) {
        mallory.send("CANDIDATE", "bob-lost", candidate(json, "dc_flood"));
      }
      for (int i = 1; i < connections; i++) {
        mallory.send("CANDIDATE", "bob-lost", candidate(json, "dc_made_up_" + i));
      }
      // the sender's messages arrive in order: once its real offer is handled, all of the above were
      CompletableFuture<Object> got = new CompletableFuture<>();
      bob.onConnection(c -> c.onData(got::complete));
      DataConnection real = mallory.connect("bob-lost");
      real.onOpen(() -> real.send("still here"));
      assertThat(got.get(30, TimeUnit.SECONDS)).isEqualTo("still here");
      assertThat(bob.lostMessageCount()).as("messages held for unknown connections")
          .isEqualTo(Peer.MAX_LOST_PER_CONNECTION + Peer.MAX_LOST_CONNECTIONS - 1);

      // and at most MAX_LOST_BYTES in all: large candidates stop at the byte budget
      Peer carol = open("carol-lost", options(lax));
      Peer trudy = open("trudy", options(lax));
      String big = "x".repeat(60_000);
      com.fasterxml.jackson.databind.node.ObjectNode fat = candidate(json, "dc_fat");
      ((com.fasterxml.jackson.databind.node.ObjectNode) fat.get("candidate")).put("candidate", big);
      for (int i = 0; i < 40; i++) {
        trudy.send("CANDIDATE", "carol-lost", fat);
      }
      CompletableFuture<Object> got2 = new CompletableFuture<>();
      carol.onConnection(c -> c.onData(got2::complete));
      DataConnection real2 = trudy.connect("carol-lost");
      real2.onOpen(() -> real2.send("after the flood"));
      assertThat(got2.get(30, TimeUnit.SECONDS)).isEqualTo("after the flood");
      assertThat(carol.lostMessageBytes()).as("bytes held for unknown connections").isLessThanOrEqualTo(Peer.MAX_LOST_BYTES)
          .isGreaterThan(Peer.MAX_LOST_BYTES - 61_000);
    }
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode candidate(
      com.fasterxml.jackson.databind.ObjectMapper json, String connectionId) {
    com.fasterxml.jackson.databind.node.ObjectNode p = json.createObjectNode();
    p.putObject("candidate").put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host")
        .put("sdpMid", "0").put("sdpMLineIndex", 0);
    p.put("type", "data").put("connectionId", connectionId);
    return p;
  }

  @Test
  void heartbeatsKeepAnIdlePeerRegisteredPastSeveralAliveTimeouts() throws Exception {
    try (SignalingServer strict = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .aliveTimeout(Duration.ofSeconds(1)).aliveSweepInterval(Duration.ofMillis(100)).build())) {
      List<String> beatingEvents = new CopyOnWriteArrayList<>();
      List<String> silentEvents = new CopyOnWriteArrayList<>();
      Peer beating = open("beating", builder(strict).pingInterval(Duration.ofMillis(100)).build());
      Peer silent = open("silent", builder(strict).pingInterval(Duration.ofHours(1)).build());
      beating.onError(e -> beatingEvents.add("error:" + e.type())).onDisconnected(id -> beatingEvents.add("disconnected"));
      silent.onError(e -> silentEvents.add("error:" + e.type() + ":" + e.getMessage()))
          .onDisconnected(id -> silentEvents.add("disconnected:" + id));

      Wait.until(Duration.ofSeconds(10), "the silent peer is cut off", () -> silentEvents.size() >= 2, () -> silentEvents);
      assertThat(silentEvents).containsExactly("error:network:Lost connection to server.", "disconnected:silent");
      assertThat(silent.disconnected()).isTrue();
      assertThat(strict.stats().aliveTimeouts()).isEqualTo(1);

      Wait.during(Duration.ofMillis(3500), "the beating peer stays open (3.5 alive_timeouts)",
          () -> beating.open() && beatingEvents.isEmpty());
      assertThat(strict.stats().aliveTimeouts()).isEqualTo(1);
      assertThat(strict.stats().heartbeats()).isGreaterThanOrEqualTo(20);
      // the server still holds the id: another token gets ID-TAKEN
      Peer thief = new Peer("beating", options(strict));
      peers.add(thief);
      CompletableFuture<PeerError> taken = new CompletableFuture<>();
      thief.onError(taken::complete);
      assertThat(taken.get(20, TimeUnit.SECONDS).type()).isEqualTo("unavailable-id");
      assertThat(beatingEvents).isEmpty();
    }
  }

  /**
   * peerjs's data errors, on the connection: send() before open is {@code not-open-yet} and the message is dropped
   * (not queued); a json message whose encoded form is chunkedMTU (16300) bytes or more is {@code message-too-big}
   * and dropped, one byte less goes through.
   */
  @Test
  void notOpenYetAndJsonMessageTooBig() throws Exception {
    Peer bob = open("bob-json");
    Peer alice = open("alice-json");
    List<Object> bobGot = new CopyOnWriteArrayList<>();
    bob.onConnection(c -> c.onData(bobGot::add));
    DataConnection c = alice.connect("bob-json", new ConnectOptions(null, null, Serialization.JSON, true));
    List<PeerError> errors = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> open = new CompletableFuture<>();
    c.onError(errors::add).onOpen(() -> open.complete(null));
    c.send("too early");
    Wait.until(Duration.ofSeconds(10), "not-open-yet", () -> !errors.isEmpty());
    assertThat(errors.get(0).type()).isEqualTo("not-open-yet");
    assertThat(open).isNotDone();
    open.get(30, TimeUnit.SECONDS);

    String tooBig = "x".repeat(PEERJS_CHUNKED_MTU - 2); // JSON adds the two quotes: 16300 bytes
    String fits = "y".repeat(PEERJS_CHUNKED_MTU - 3);
    c.send(tooBig);
    c.send(fits);
    c.send("after");
    Wait.until(Duration.ofSeconds(30), "the two messages that fit", () -> bobGot.size() >= 2, () -> bobGot.size());
    // first letter and length: a failure should not print 16 kB strings
    assertThat(bobGot).extracting(o -> ((String) o).charAt(0) + ":" + ((String) o).length())
        .containsExactly("y:16297", "a:5");
    assertThat(errors).extracting(PeerError::type).containsExactly("not-open-yet", "message-too-big");
  }

  static final int PEERJS_CHUNKED_MTU = 16300;

  /**
   * Server-side refusals as peerjs reports them: a wrong key gets the server's ERROR "Invalid key provided", which
   * peerjs turns into {@code server-error} (and, never opened, destroys the peer); an id request the server does
   * not answer with 200 is {@code server-error} "Could not get an ID from the server.".
   */
  @Test
  void wrongKeyAndFailedIdRequestAreServerErrors() throws Exception {
    // As peerjs: the error, then destroyed (it never opened): disconnected and close, and nothing else. The server
    // closes its socket right after the refusal; that close must not add a "Lost connection" network error
    // (it did in 19 of 30 runs before the abort became synchronous): five peers, so a race shows.
    for (int i = 0; i < 5; i++) {
      Peer wrongKey = new Peer("k" + i, builder(server).key("not-a-key").build());
      peers.add(wrongKey);
      List<String> events = new CopyOnWriteArrayList<>();
      CompletableFuture<PeerError> e1 = new CompletableFuture<>();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      wrongKey.onError(e -> {
        events.add("error:" + e.type() + ":" + e.getMessage());
        e1.complete(e);
      }).onDisconnected(id -> events.add("disconnected:" + id)).onClose(() -> {
        events.add("close");
        closed.complete(null);
      });
      assertThat(e1.get(20, TimeUnit.SECONDS).type()).isEqualTo("server-error");
      closed.get(10, TimeUnit.SECONDS);
      Wait.during(Duration.ofMillis(300), "no event after close", () -> events.size() == 3);
      assertThat(events).containsExactly("error:server-error:Invalid key provided", "disconnected:k" + i, "close");
      assertThat(wrongKey.destroyed()).isTrue();
      assertThat(wrongKey.open()).isFalse();
    }

    Peer noId = new Peer(null, builder(server).path("/not-the-path/").build());
    peers.add(noId);
    CompletableFuture<PeerError> e2 = new CompletableFuture<>();
    noId.onError(e2::complete);
    PeerError err2 = e2.get(20, TimeUnit.SECONDS);
    assertThat(err2.type()).isEqualTo("server-error");
    assertThat(err2.getMessage()).startsWith("Could not get an ID from the server.");
  }

  /**
   * A signaling socket that cannot be opened is, as in peerjs (whose WebSocket then just closes), error
   * {@code network} and then disconnected, keeping the id for reconnect(); the Java error carries the cause.
   */
  @Test
  void anUnreachableServerIsNetworkThenDisconnected() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed below: connections are refused
    }
    Peer p = new Peer("nobody-home", PeerOptions.builder().host("127.0.0.1").port(port).build());
    peers.add(p);
    List<String> events = new CopyOnWriteArrayList<>();
    CompletableFuture<PeerError> err = new CompletableFuture<>();
    p.onError(e -> {
      events.add("error:" + e.type());
      err.complete(e);
    }).onDisconnected(id -> events.add("disconnected:" + id));
    Wait.until(Duration.ofSeconds(20), "error and disconnected", () -> events.size() >= 2, () -> events);
    assertThat(events).containsExactly("error:network", "disconnected:nobody-home");
    assertThat(err.get().getMessage()).isEqualTo("Lost connection to server.");
    assertThat(err.get().getCause()).isNotNull();
    assertThat(p.destroyed()).isFalse();
  }
}
