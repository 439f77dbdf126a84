package org.rtc4j.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rtc4j.server.webrtc.ChromiumPair;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;
import org.rtc4j.turn.server.TurnCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Headless Chromium through our TURN server (issue 2 §5): one page, two RTCPeerConnections with
 * {@code iceTransportPolicy: 'relay'} and our server (127.0.0.1, a free port) as the only
 * iceServer. They connect, open a data channel and exchange {@value #MESSAGES} messages of mixed
 * sizes (1 B to 64 KiB, text and binary) in each direction. The test asserts that every message
 * arrived intact — count, bytes, and a SHA-256 over the received stream compared with the hash
 * this class computes itself for what the other side should have sent — that getStats' selected
 * candidate pair is relay on both sides (via our server, over the transport the URL asked for),
 * and that our server's counters saw the traffic.
 *
 * <p>The server runs with {@code --allow-loopback-peers}: both relay addresses are 127.0.0.1, so
 * each peer's relay sends to the other's relay, a loopback peer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChromiumTurnInteropTest {

  private static final Logger LOG = LoggerFactory.getLogger(ChromiumTurnInteropTest.class);
  static final int MESSAGES = 200;
  /** Must match SIZES in turn-datachannel.html. */
  static final int[] SIZES = {1, 2, 17, 100, 500, 1000, 1200, 1500, 4096, 8192, 16384, 65536};
  private static final String SECRET = "browser-rest-secret-51c2";

  /**
   * {@code --allow-loopback-in-peer-connection}: in the test namespace Chromium has no interface
   * but {@code lo}, and without the switch it gathers nothing at all, not even relay candidates
   * (tried: both cases time out with no candidate and no icecandidateerror).
   */
  @RegisterExtension
  final BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().loopbackIce(true).build());

  @TempDir
  Path stateDir;

  @ParameterizedTest(name = "turn:…?transport={0}, {1} credentials")
  @CsvSource({"udp, static", "tcp, rest"})
  void twoPeerConnectionsExchangeDataThroughOurRelay(String transport, String auth) throws Exception {
    InteropServer.Spec spec = InteropServer.spec().allowLoopbackPeers(true).stateDir(stateDir);
    String username;
    String credential;
    if (auth.equals("static")) {
      username = "browser";
      credential = "chromium-pass-0e41";
      spec.user(username, credential);
    } else {
      spec.authSecret(SECRET);
      // TURN REST API, computed here independently of the server: "<expiry>:<name>", base64(HMAC-SHA1).
      username = (Instant.now().getEpochSecond() + 3600) + ":browser";
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      credential = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }
    try (InteropServer server = spec.start();
        StaticHttpServer web = StaticHttpServer.start().classpath("/interop/", "interop/")) {
      Browser browser = browsers.launch();
      browser.open(web.uri("/interop/turn-datachannel.html"));
      browser.waitFor(Duration.ofSeconds(10), "typeof window.runRelayTest === 'function'");
      String url = "turn:127.0.0.1:" + server.port() + "?transport=" + transport;
      Map<String, Object> opts = new LinkedHashMap<>();
      opts.put("url", url);
      opts.put("username", username);
      opts.put("credential", credential);
      opts.put("count", MESSAGES);
      opts.put("timeoutMs", 35_000);
      Map<?, ?> result;
      try {
        result = browser.awaitJs(Map.class, Duration.ofSeconds(45), "return await window.runRelayTest(args[0]);", opts);
      } catch (AssertionError e) {
        // Read before the page closes its connections: Chromium's sockets count their drops only while open.
        String drops = UdpSocketDrops.now().map(Object::toString).orElse("unknown");
        try {
          browser.js(Long.class, "return window.closeRelayTest();");
        } catch (RuntimeException | AssertionError closeFailed) {
          e.addSuppressed(closeFailed);
        }
        throw new AssertionError(e.getMessage() + "\nserver counters: " + server.counters().snapshot()
            + "\nUDP receive-buffer drops (while connected): " + drops, e);
      }
      // While both connections are still open: their allocations, permissions and channels live.
      TurnCounters c = server.counters();
      Map<String, Long> live = c.snapshot();
      Optional<UdpSocketDrops> drops = UdpSocketDrops.now();
      LOG.info("Chromium {} via {} ({} credentials): connected in {} ms, exchange {} ms; a received {}, b received {};"
              + " a pair {}; b pair {}; candidates {}; errors {}; server {}; UDP receive-buffer drops {}",
          browser.version(), url, auth, Math.round(num(result.get("connectedMs"))),
          Math.round(num(result.get("transferMs"))), result.get("aReceived"), result.get("bReceived"),
          result.get("aPair"), result.get("bPair"), result.get("candidates"), result.get("errors"), live,
          drops.map(d -> "server " + d.ours() + ", others (Chromium) " + d.others()).orElse("unknown (no ss)"));
      assertThat(live.get("allocations")).as("allocations while connected").isEqualTo(2);
      assertThat(live.get("permissions")).as("permissions while connected").isGreaterThanOrEqualTo(2);

      // Every message arrived, intact and in order: a got what b sent (side 1), b what a sent (side 0).
      Expected fromA = expected(0);
      Expected fromB = expected(1);
      Map<?, ?> atA = (Map<?, ?>) result.get("aReceived");
      Map<?, ?> atB = (Map<?, ?>) result.get("bReceived");
      assertThat(num(atB.get("count"))).as("messages b received").isEqualTo(MESSAGES);
      assertThat(num(atA.get("count"))).as("messages a received").isEqualTo(MESSAGES);
      assertThat(num(atB.get("bytes"))).as("bytes b received").isEqualTo(fromA.bytes());
      assertThat(num(atA.get("bytes"))).as("bytes a received").isEqualTo(fromB.bytes());
      assertThat(atB.get("sha256")).as("SHA-256 of what b received").isEqualTo(fromA.sha256());
      assertThat(atA.get("sha256")).as("SHA-256 of what a received").isEqualTo(fromB.sha256());

      // Both selected pairs are relayed through our server, over the transport the URL named.
      for (String side : List.of("aPair", "bPair")) {
        Map<?, ?> pair = (Map<?, ?>) result.get(side);
        ChromiumPair.assertWorking(pair, side);
        Map<?, ?> local = (Map<?, ?>) pair.get("local");
        Map<?, ?> remote = (Map<?, ?>) pair.get("remote");
        assertThat(local.get("candidateType")).as(side + " local candidateType").isEqualTo("relay");
        assertThat(remote.get("candidateType")).as(side + " remote candidateType").isEqualTo("relay");
        assertThat(local.get("address")).as(side + " relayed address").isEqualTo("127.0.0.1");
        assertThat(local.get("relayProtocol")).as(side + " relayProtocol (client to TURN server)").isEqualTo(transport);
        if (local.get("url") != null) {
          assertThat(String.valueOf(local.get("url"))).startsWith("turn:127.0.0.1:" + server.port());
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, List<String>> candidates = (Map<String, List<String>>) result.get("candidates");
      assertThat(candidates.get("a")).as("a gathers only relay candidates").isNotEmpty()
          .allSatisfy(cand -> assertThat(cand).contains(" typ relay "));
      assertThat(candidates.get("b")).as("b gathers only relay candidates").isNotEmpty()
          .allSatisfy(cand -> assertThat(cand).contains(" typ relay "));

      // Our server relayed it: each message crosses it twice (client->peer at the sender's
      // allocation, peer->client at the receiver's), in both directions.
      long payload = fromA.bytes() + fromB.bytes();
      assertThat(c.allocationsCreated()).as("allocations").isGreaterThanOrEqualTo(2);
      assertThat(c.clientToPeerBytes()).as("client->peer bytes relayed").isGreaterThan(payload);
      assertThat(c.peerToClientBytes()).as("peer->client bytes relayed").isGreaterThan(payload);
      assertThat(c.clientToPeerPackets()).as("client->peer packets").isGreaterThan(2L * MESSAGES);
      assertThat(c.peerToClientPackets()).as("peer->client packets").isGreaterThan(2L * MESSAGES);
      assertThat(c.peerDenied()).isZero();

      // Closing the connections releases both allocations (Refresh lifetime 0 over UDP, the
      // connection's end over TCP).
      assertThat(browser.js(Long.class, "return window.closeRelayTest();")).isEqualTo(2);
      Wait.until(Duration.ofSeconds(10), "both allocations released after close()", () -> c.allocations() == 0,
          c::snapshot);
    }
  }

  /** What side {@code side} sends, as the receiving page hashes it. */
  record Expected(long bytes, String sha256) {}

  static Expected expected(int side) throws GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long total = 0;
    for (int i = 0; i < MESSAGES; i++) {
      byte[] m = messageBytes(side, i);
      boolean text = i % 3 == 0;
      if (text) {
        for (int j = 0; j < m.length; j++) {
          m[j] = (byte) (32 + (m[j] & 0xff) % 95);
        }
      }
      sha.update(ByteBuffer.allocate(5).put((byte) (text ? 0x53 : 0x42)).putInt(m.length).array());
      sha.update(m);
      total += m.length;
    }
    return new Expected(total, HexFormat.of().formatHex(sha.digest()));
  }

  /** Message {@code i} of {@code side}: the page's messageBytes(), written out again. */
  static byte[] messageBytes(int side, int i) {
    int len = SIZES[(i * 7 + side) % SIZES.length];
    byte[] out = new byte[len];
    for (int j = 0; j < len; j++) {
      out[j] = (byte) ((i * 131 + j * 29 + side * 71 + (j >> 8)) & 0xff);
    }
    return out;
  }

  private static double num(Object o) {
    return ((Number) o).doubleValue();
  }
}
