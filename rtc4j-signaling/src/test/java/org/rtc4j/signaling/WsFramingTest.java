package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rtc4j.signaling.BatchedWritesTest.handshake;
import static org.rtc4j.signaling.BatchedWritesTest.maskedClose;
import static org.rtc4j.signaling.BatchedWritesTest.maskedText;
import static org.rtc4j.signaling.BatchedWritesTest.readFrame;
import static org.rtc4j.signaling.BatchedWritesTest.readHttpHead;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.testkit.Wait;

/**
 * The server's WebSocket framing over real sockets (the decoder alone: {@link WsFrameDecoderTest}):
 * fragmented messages are relayed whole, pings answered between fragments, a client's close frame
 * echoed; a framing violation or text that is not UTF-8 closes that client with 1002 / 1007 and is
 * counted, while the others go on.
 */
@Timeout(60)
class WsFramingTest {

  static SignalingServer start() throws Exception {
    return SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build());
  }

  /** A socket opened as {@code id}, its OPEN read. */
  static Socket open(SignalingServer server, String id) throws Exception {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(20_000);
    handshake(s, id);
    assertThat(readFrame(new DataInputStream(s.getInputStream())).text()).contains("OPEN");
    return s;
  }

  /** A masked client frame with any first byte (FIN, opcode) and a payload under 126 bytes. */
  static byte[] masked(int b0, byte[] p) {
    byte[] out = new byte[6 + p.length];
    out[0] = (byte) b0;
    out[1] = (byte) (0x80 | p.length);
    byte[] mask = {0x5a, (byte) 0xc3, 0x17, (byte) 0x99};
    System.arraycopy(mask, 0, out, 2, 4);
    for (int i = 0; i < p.length; i++) {
      out[6 + i] = (byte) (p[i] ^ mask[i & 3]);
    }
    return out;
  }

  /** Sends {@code frame} {@code times} and reads the server's answer: ERROR "Rate limit exceeded", then close 1008. */
  static void assertRateLimitedBy(Socket s, byte[] frame, int times) throws Exception {
    OutputStream out = s.getOutputStream();
    for (int i = 0; i < times; i++) {
      out.write(frame);
    }
    out.flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    assertThat(readFrame(in).text()).contains("Rate limit exceeded");
    assertClose(in, 1008);
  }

  /** Reads the next frame from the server: a close frame with {@code code}. */
  static void assertClose(DataInputStream in, int code) throws Exception {
    BatchedWritesTest.Frame close = readFrame(in);
    assertThat(close.opcode()).isEqualTo(8);
    assertThat(close.closeCode()).isEqualTo(code);
  }

  @Test
  void aFragmentedOfferIsRelayedWholeAndAPingBetweenItsFragmentsIsAnswered() throws Exception {
    try (SignalingServer server = start(); Socket alice = open(server, "alice"); Socket bob = open(server, "bob")) {
      String offer = "{\"type\":\"OFFER\",\"dst\":\"bob\",\"payload\":{\"sdp\":\"v=0 é\"}}";
      byte[] u = offer.getBytes(StandardCharsets.UTF_8);
      int cut1 = offer.indexOf("é") + 1; // inside the two bytes of "é"
      OutputStream out = alice.getOutputStream();
      out.write(masked(0x01, Arrays.copyOfRange(u, 0, 10)));
      out.write(masked(0x00, Arrays.copyOfRange(u, 10, cut1)));
      out.write(masked(0x89, "are you there".getBytes(StandardCharsets.US_ASCII)));
      out.write(masked(0x80, Arrays.copyOfRange(u, cut1, u.length)));
      out.flush();
      BatchedWritesTest.Frame pong = readFrame(new DataInputStream(alice.getInputStream()));
      assertThat(pong.opcode()).isEqualTo(0xA);
      assertThat(pong.text()).isEqualTo("are you there");
      BatchedWritesTest.Frame got = readFrame(new DataInputStream(bob.getInputStream()));
      assertThat(got.opcode()).isEqualTo(1);
      assertThat(got.text()).contains("\"type\":\"OFFER\"", "\"src\":\"alice\"", "\"sdp\":\"v=0 é\"");
    }
  }

  @Test
  void aFramingViolationClosesThatClientWith1002AndTheOthersGoOn() throws Exception {
    try (SignalingServer server = start(); Socket alice = open(server, "alice"); Socket bob = open(server, "bob")) {
      OutputStream out = alice.getOutputStream();
      out.write(new byte[] {(byte) 0x81, 0x02, 'h', 'i'}); // unmasked (RFC 6455 §5.1)
      out.flush();
      DataInputStream in = new DataInputStream(alice.getInputStream());
      assertClose(in, 1002);
      assertThat(in.read()).as("FIN after the close frame").isEqualTo(-1);
      assertThat(server.stats().rejections(SignalingStats.Rejection.PROTOCOL_ERROR)).isEqualTo(1);
      // the id is free again and the others are unaffected
      try (Socket alice2 = open(server, "alice")) {
        alice2.getOutputStream().write(maskedText("{\"type\":\"CANDIDATE\",\"dst\":\"bob\",\"payload\":1}"));
        assertThat(readFrame(new DataInputStream(bob.getInputStream())).text()).contains("\"src\":\"alice\"");
      }
    }
  }

  @Test
  void textThatIsNotUtf8ClosesWith1007() throws Exception {
    try (SignalingServer server = start(); Socket alice = open(server, "alice")) {
      byte[] p = "{\"type\":\"HEARTBEAT\",\"x\":\"ab\"}".getBytes(StandardCharsets.US_ASCII);
      p[p.length - 4] = (byte) 0xC0; // C0 80: an overlong NUL, not UTF-8
      p[p.length - 3] = (byte) 0x80;
      alice.getOutputStream().write(masked(0x81, p));
      assertClose(new DataInputStream(alice.getInputStream()), 1007);
      assertThat(server.stats().rejections(SignalingStats.Rejection.PROTOCOL_ERROR)).isEqualTo(1);
    }
  }

  @Test
  void aClientsCloseFrameIsEchoedAndTheConnectionClosed() throws Exception {
    try (SignalingServer server = start(); Socket alice = open(server, "alice")) {
      alice.getOutputStream().write(maskedClose(4001));
      DataInputStream in = new DataInputStream(alice.getInputStream());
      assertClose(in, 4001);
      assertThat(in.read()).isEqualTo(-1);
      Wait.until(Duration.ofSeconds(10), "the connection is gone", () -> server.openConnections() == 0);
      assertThat(server.stats().rejections(SignalingStats.Rejection.PROTOCOL_ERROR)).isZero();
    }
  }

  /** Relays never answer: a stalled Redis. */
  static final class StalledRegistry extends ForwardingRegistry {
    @Override
    public java.util.concurrent.CompletionStage<Delivery> relay(Tenant t, String src, String dst, String frame,
        boolean queue, long now) {
      return new java.util.concurrent.CompletableFuture<>();
    }
  }

  @Test
  void readingPausesWhileRelaysWaitForAStalledRegistry() throws Exception {
    // The decoder hands every message on and never emits one: Netty's ByteToMessageDecoder would then
    // ask for another read after each read, undoing the pause (the queue grew to 3,999 in a review probe).
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .rateLimit(1_000_000, 1_000_000).build();
    try (SignalingServer server = SignalingServer.start(config, new StalledRegistry());
        Socket slow = open(server, "slow")) {
      PeerConnection pc = server.connectionOf("slow").orElseThrow();
      String pad = "x".repeat(900);
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = slow.getOutputStream();
          for (int i = 0; i < 4000; i++) { // ~3.7 MB: blocks once the server stops reading, until the socket closes
            out.write(BatchedWritesTest.maskedLong("{\"type\":\"CANDIDATE\",\"dst\":\"bob\",\"payload\":\"" + pad + i + "\"}"));
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      }, "stalled-writer");
      writer.setDaemon(true);
      writer.start();
      java.util.function.IntSupplier waiting = () -> {
        try {
          return pc.channel().eventLoop().submit(pc::waitingCount).get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      Wait.until(Duration.ofSeconds(10), "reading paused at MAX_WAITING",
          () -> !pc.channel().config().isAutoRead() && waiting.getAsInt() >= PeerConnection.MAX_WAITING);
      // what was already read when the pause came is still handed on (at most a read buffer); nothing more
      Wait.during(Duration.ofMillis(1000), "the queue stays bounded",
          () -> waiting.getAsInt() <= 4 * PeerConnection.MAX_WAITING);
      assertThat(pc.channel().config().isAutoRead()).isFalse();
    }
  }

  @Test
  void pongsCostRateLimitTokensLikeAnyFrame() throws Exception {
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).rateLimit(10, 20).build();
    try (SignalingServer server = SignalingServer.start(config); Socket alice = open(server, "alice")) {
      assertRateLimitedBy(alice, masked(0x8A, new byte[0]), 100);
      assertThat(server.stats().rejections(SignalingStats.Rejection.RATE_LIMIT)).isEqualTo(1);
    }
  }

  @Test
  void aClientThatKeepsSendingAfterAViolationIsClosedAtTheLingerBudget() throws Exception {
    // After a violation the decoder reads no more frames; what it drops still counts against the
    // 1 MiB budget, so the socket closes once that is passed, not only when the 2 s linger ends.
    try (SignalingServer server = start(); Socket alice = open(server, "alice")) {
      OutputStream out = alice.getOutputStream();
      out.write(new byte[] {(byte) 0xC1, (byte) 0x80, 0, 0, 0, 0}); // RSV1 set: 1002
      BatchedWritesTest.Frame close = readFrame(new DataInputStream(alice.getInputStream()));
      assertThat(close.closeCode()).isEqualTo(1002);
      assertClosedAtTheBudget(server, out, new byte[64 * 1024], 64); // 4 MiB, far past the budget
    }
  }

  /**
   * Writes {@code chunk} {@code times} from another thread (the server may close the socket under
   * it) and asserts the server closes at the linger budget, well before the linger timer.
   */
  static void assertClosedAtTheBudget(SignalingServer server, OutputStream out, byte[] chunk, int times) {
    long t0 = System.nanoTime();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < times; i++) {
          out.write(chunk);
        }
        out.flush();
      } catch (java.io.IOException closed) {
        // the server closed the socket: that is the point
      }
    }, "past-the-budget");
    writer.setDaemon(true);
    writer.start();
    Wait.until(Duration.ofMillis(PeerConnection.CLOSE_LINGER_MILLIS - 500), "closed at the budget, before the linger",
        () -> server.openConnections() == 0);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(PeerConnection.CLOSE_LINGER_MILLIS);
  }

  @Test
  void emptyFramesWhileLingeringCountTheirHeaderAgainstTheBudget() throws Exception {
    // After the server's close frame, what the client sends is read and dropped within a 1 MiB
    // budget. A frame costs its payload plus its smallest header (6 bytes), so empty frames, text or
    // pong, cannot keep the loop reading until the 2 s linger ends; here 1.2 MB of them pass the budget.
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).rateLimit(10, 20).build();
    try (SignalingServer server = SignalingServer.start(config); Socket alice = open(server, "alice")) {
      OutputStream out = alice.getOutputStream();
      assertRateLimitedBy(alice, maskedText("{\"type\":\"HEARTBEAT\"}"), 30);
      byte[] text = masked(0x81, new byte[0]);
      byte[] pong = masked(0x8A, new byte[0]);
      byte[] empties = new byte[200_000 * 6];
      for (int i = 0; i < 200_000; i++) {
        System.arraycopy(i % 2 == 0 ? text : pong, 0, empties, i * 6, 6);
      }
      assertClosedAtTheBudget(server, out, empties, 1);
    }
  }

  @Test
  void aClientsCloseFrameWhoseEchoCannotBeWrittenIsClosedAtTheLinger() throws Exception {
    // The echo of a client's close frame closes the connection once written. A client that stopped
    // reading never lets it be written (it queues behind relays the socket cannot take): the linger
    // timer closes the connection instead.
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .rateLimit(1_000_000, 1_000_000).build();
    try (SignalingServer server = SignalingServer.start(config);
        Socket alice = new Socket();
        NettyPeers net = new NettyPeers(1, (peer, text, at) -> { })) {
      alice.setReceiveBufferSize(4096);
      alice.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      alice.setSoTimeout(20_000);
      handshake(alice, "alice");
      assertThat(readFrame(new DataInputStream(alice.getInputStream())).text()).contains("OPEN");
      NettyPeers.Peer bob = net.connect(java.net.URI.create("ws://127.0.0.1:" + server.port()
          + "/peerjs?key=peerjs&token=t&id=bob"), "bob");
      assertThat(bob.first.get(20, java.util.concurrent.TimeUnit.SECONDS)).contains("OPEN");
      char[] big = new char[30 * 1024];
      Arrays.fill(big, 'x');
      String frame = "{\"type\":\"CANDIDATE\",\"dst\":\"alice\",\"payload\":\"" + new String(big) + "\"}";
      PeerConnection conn = server.connectionOf("alice").orElseThrow();
      // alice reads nothing more: relays fill her socket, then wait in the server
      for (int i = 0; i < 400 && conn.channel().isWritable(); i++) {
        bob.send(frame);
        long handled = i + 1;
        Wait.until(Duration.ofSeconds(10), "bob's frame handled", () -> server.stats().relayed()
            + server.stats().drops(SignalingStats.Drop.BACKLOGGED) >= handled);
      }
      // over the high-water mark: relays to alice are refused from here on, so this holds while she does not read
      Wait.until(Duration.ofSeconds(10), "relays wait for alice's socket", () -> !conn.channel().isWritable());
      long t0 = System.nanoTime();
      alice.getOutputStream().write(maskedClose(1000));
      alice.getOutputStream().flush();
      Wait.until(Duration.ofMillis(PeerConnection.CLOSE_LINGER_MILLIS + 5000), "closed by the linger timer",
          () -> server.connectionOf("alice").isEmpty());
      assertThat((System.nanoTime() - t0) / 1_000_000).as("the echo never went out; the timer closed")
          .isGreaterThanOrEqualTo(PeerConnection.CLOSE_LINGER_MILLIS - 100);
      assertThat(server.connectionOf("bob")).as("bob unaffected").isPresent();
    }
  }

  /** Registrations that wait until {@code go} completes. */
  static final class HeldRegistry extends ForwardingRegistry {
    final java.util.concurrent.CompletableFuture<Void> go = new java.util.concurrent.CompletableFuture<>();

    @Override
    public java.util.concurrent.CompletionStage<Registration> register(Tenant t, String id, String token, PeerSink sink,
        String greeting, long now) {
      return go.thenCompose(v -> super.register(t, id, token, sink, greeting, now));
    }
  }

  @Test
  void pongsCostTokensWhileTheRegistrationIsInFlightToo() throws Exception {
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).rateLimit(10, 20).build();
    HeldRegistry registry = new HeldRegistry();
    try (SignalingServer server = SignalingServer.start(config, registry);
        Socket alice = new Socket("127.0.0.1", server.port())) {
      alice.setSoTimeout(20_000);
      handshake(alice, "alice"); // no OPEN: the registration is held
      assertRateLimitedBy(alice, masked(0x8A, new byte[0]), 100);
      registry.go.complete(null);
      Wait.until(Duration.ofSeconds(10), "the held registration undone", () -> !server.registry().isRegistered(
          server.config().tenant("peerjs").orElseThrow(), "alice"));
    }
  }

  @Test
  void aDraftVersionHandshakeIsAnswered426Naming13() throws Exception {
    try (SignalingServer server = start(); Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(20_000);
      String key = Base64.getEncoder().encodeToString(new byte[16]);
      s.getOutputStream().write(("GET /peerjs?key=peerjs&id=old&token=t HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 8\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String head = readHttpHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 426").containsIgnoringCase("sec-websocket-version: 13");
    }
  }
}
