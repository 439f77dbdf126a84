package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rtc4j.signaling.BatchedWritesTest.maskedText;
import static org.rtc4j.signaling.BatchedWritesTest.readFrame;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.testkit.SelfSignedCertificate;
import org.rtc4j.testkit.Wait;

/**
 * HTTPS and WSS ({@code --sslkey}/{@code --sslcert}) with the JDK's own HTTP and WebSocket client
 * and a plain {@link SSLSocket}: the id endpoint, OPEN and a relayed OFFER over wss://, a plain-text
 * client refused, a session the server ends closes cleanly at the TLS layer (close_notify before the
 * FIN, so the client reads an orderly end rather than a truncation), and a client that stopped
 * reading is still closed when the 2 s linger ends.
 */
@Timeout(60)
class TlsSignalingTest {

  static {
    // The JDK's SSLSocket then fails a read that meets a FIN without close_notify, instead of taking
    // it as the end of the stream. Read once, when SSLSocketImpl loads: no other test here makes an SSLSocket.
    System.setProperty("com.sun.net.ssl.requireCloseNotify", "true");
  }

  @TempDir
  static Path dir;
  static SelfSignedCertificate cert;
  static SSLContext trusting;
  static SignalingServer server;

  @BeforeAll
  static void start() throws Exception {
    cert = SelfSignedCertificate.create(dir);
    trusting = cert.trustingContext();
    server = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .rateLimit(1_000_000, 1_000_000).tls(cert.key(), cert.cert()).build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void idOverHttpsAndAnOfferRelayedOverWss() throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> id = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/peerjs/id"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(id.statusCode()).isEqualTo(200);
    assertThat(id.body()).isNotBlank();
    String base = "wss" + WsClient.url(server.port(), "/", "peerjs", "%s", "t").substring(2);
    try (WsClient alice = WsClient.connect(http, base.replace("%25s", "alice"), "alice", "t");
        WsClient bob = WsClient.connect(http, base.replace("%25s", "bob"), "bob", "t")) {
      assertThat(alice.next()).isEqualTo("{\"type\":\"OPEN\"}");
      assertThat(bob.next()).isEqualTo("{\"type\":\"OPEN\"}");
      alice.offer("bob", "{\"sdp\":\"v=0 over tls\"}");
      JsonNode m = WsClient.json(bob.next());
      assertThat(m.get("type").asText()).isEqualTo("OFFER");
      assertThat(m.get("src").asText()).isEqualTo("alice");
      assertThat(m.get("payload").get("sdp").asText()).isEqualTo("v=0 over tls");
    }
  }

  @Test
  void aPlainTextClientGetsNoHttpAnswer() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /peerjs/id HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] got = s.getInputStream().readNBytes(5);
      assertThat(new String(got, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP/");
    }
  }

  /** A TLS WebSocket client opened as {@code id} (its OPEN read), with a small receive buffer if {@code rcvBuf > 0}. */
  static SSLSocket open(String id, int rcvBuf) throws Exception {
    SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket();
    if (rcvBuf > 0) {
      s.setReceiveBufferSize(rcvBuf);
    }
    s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
    s.setSoTimeout(10_000);
    s.startHandshake();
    BatchedWritesTest.handshake(s, id);
    assertThat(readFrame(new DataInputStream(s.getInputStream())).text()).contains("OPEN");
    return s;
  }

  @Test
  void aSessionTheServerEndsClosesWithCloseNotify() throws Exception {
    try (SSLSocket s = open("carol", 0)) {
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (int i = 0; i < PeerConnection.MAX_MALFORMED; i++) {
        out.write(maskedText("{not json"));
      }
      out.flush();
      BatchedWritesTest.Frame f;
      while ((f = readFrame(in)).opcode() == 1) {
        assertThat(f.text()).contains("ERROR");
      }
      assertThat(f.opcode()).as("close frame").isEqualTo(8);
      assertThat(f.closeCode()).isEqualTo(1008);
      // An orderly TLS end: close_notify, then the FIN. Without close_notify this read fails with
      // SSLProtocolException "Remote host terminated the connection".
      assertThat(in.read()).as("end of stream after close_notify").isEqualTo(-1);
      Wait.until(Duration.ofSeconds(10), "the session is gone", () -> server.connectionOf("carol").isEmpty());
    }
  }

  @Test
  void aTlsClientThatStoppedReadingIsClosedWhenTheLingerEnds() throws Exception {
    // Its pongs fill its socket and our outbound buffer; then it sends its close frame, whose echo can
    // never be written. The linger timer closes the socket at 2 s, below the TLS layer: through the
    // SslHandler the close would first wait up to 3 s more for close_notify to be written.
    try (SSLSocket s = open("dave", 4096)) {
      OutputStream out = s.getOutputStream();
      PeerConnection conn = server.connectionOf("dave").orElseThrow();
      byte[] ping = WsFramingTest.masked(0x89, new byte[125]);
      byte[] pings = new byte[ping.length * 1000];
      for (int i = 0; i < 1000; i++) {
        System.arraycopy(ping, 0, pings, i * ping.length, ping.length);
      }
      for (int i = 0; i < 400 && conn.channel().isWritable(); i++) {
        out.write(pings);
        out.flush();
      }
      Wait.until(Duration.ofSeconds(10), "dave's outbound over the high-water mark", () -> !conn.channel().isWritable());
      long t0 = System.nanoTime();
      out.write(BatchedWritesTest.maskedClose(1000));
      out.flush();
      Wait.until(Duration.ofMillis(PeerConnection.CLOSE_LINGER_MILLIS + 2500), "closed by the linger timer",
          () -> server.connectionOf("dave").isEmpty());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).as("closed at the linger, not 3 s later").isBetween(PeerConnection.CLOSE_LINGER_MILLIS - 100,
          PeerConnection.CLOSE_LINGER_MILLIS + 900);
    }
  }
}
