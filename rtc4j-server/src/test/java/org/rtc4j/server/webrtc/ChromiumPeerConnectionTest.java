package org.rtc4j.server.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceServer;
import org.rtc4j.webrtc.RtcIceTransportPolicy;
import org.rtc4j.webrtc.runtime.RtcRuntime;

/**
 * rtc4j's PeerConnection against headless Chromium (issue 3, "Proof"): both directions, trickle
 * and non-trickle, a tampered a=fingerprint on either side, relay-only through our TURN server,
 * and Chromium's default mDNS host candidates. Chromium's page has a data channel, so its offers
 * carry m=application; 'connected' means ICE + DTLS on both sides. Every assertion reads the state
 * from both sides: rtc4j's PeerConnection, and Chromium's connectionState and getStats (selected
 * candidate pair, DTLS state).
 *
 * <p>Runs inside a network namespace with only {@code lo} (scripts/test.sh), where Chromium needs
 * {@code --allow-loopback-in-peer-connection} and media permission to gather 127.0.0.1.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS) // a test may also start the shared Chromium (slow on a busy machine)
class ChromiumPeerConnectionTest {

  static final Duration CONNECT = Duration.ofSeconds(15);

  static final BrowserOptions OPTIONS = BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false).build();

  @RegisterExtension
  static final SharedBrowsers browsers = new SharedBrowsers();

  RtcRuntime runtime;
  StaticHttpServer web;

  @BeforeEach
  void start() {
    runtime = RtcRuntime.create(1);
    web = BrowserEndpoint.pages();
  }

  @AfterEach
  void stop() {
    web.close();
    runtime.close();
  }

  private BrowserEndpoint chromium(Browser browser, Map<String, Object> config) {
    BrowserEndpoint.openPage(browser, web);
    return BrowserEndpoint.create(browser, "c", config);
  }

  private static void assertConnected(JavaEndpoint java, BrowserEndpoint chromium) {
    assertThat(chromium.awaitState(CONNECT, "connected", "failed")).as(chromium.describe() + "\n" + java.describe())
        .isEqualTo("connected");
    assertThat(java.awaitState(CONNECT, "connected", "failed")).as(java.describe() + "\n" + chromium.describe())
        .isEqualTo("connected");
  }

  /** rtc4j's selected pair (getStats) and DTLS transport. */
  private static Map<String, Object> assertRtc4jSelectedPair(JavaEndpoint java, String localType, String... remoteTypes) {
    Map<String, Object> sp = java.selectedPair();
    assertThat(sp.get("dtlsState")).as("rtc4j's DTLS transport: " + sp).isEqualTo("connected");
    assertThat(sp.get("state")).as("rtc4j's selected candidate pair: " + sp).isEqualTo("succeeded");
    Map<?, ?> local = (Map<?, ?>) sp.get("local");
    Map<?, ?> remote = (Map<?, ?>) sp.get("remote");
    assertThat(local).as("local candidate of " + sp).isNotNull();
    assertThat(remote).as("remote candidate of " + sp).isNotNull();
    assertThat(local.get("address")).as("rtc4j local " + local).isEqualTo("127.0.0.1");
    assertThat(remote.get("address")).as("rtc4j remote " + remote).isEqualTo("127.0.0.1");
    assertThat(local.get("candidateType")).as("rtc4j local " + local).isEqualTo(localType);
    assertThat(remote.get("candidateType")).as("rtc4j remote " + remote).isIn((Object[]) remoteTypes);
    return sp;
  }

  /** Chromium's selected pair (getStats) and DTLS transport; returns the pair. */
  private static Map<?, ?> assertChromiumSelectedPair(BrowserEndpoint chromium, String candidateType) {
    Map<?, ?> stats = chromium.selectedPair();
    Map<?, ?> pair = (Map<?, ?>) stats.get("pair");
    ChromiumPair.assertWorking(pair, "Chromium's");
    Map<?, ?> local = (Map<?, ?>) pair.get("local");
    Map<?, ?> remote = (Map<?, ?>) pair.get("remote");
    assertThat(local.get("address")).as("local " + local).isEqualTo("127.0.0.1");
    assertThat(remote.get("address")).as("remote " + remote).isEqualTo("127.0.0.1");
    if (candidateType != null) {
      assertThat(local.get("candidateType")).as("local " + local).isEqualTo(candidateType);
      assertThat(remote.get("candidateType")).as("remote " + remote).isEqualTo(candidateType);
    }
    Map<?, ?> transport = (Map<?, ?>) stats.get("transport");
    assertThat(transport.get("dtlsState")).as("Chromium's DTLS transport " + transport).isEqualTo("connected");
    return pair;
  }

  @ParameterizedTest(name = "{0} offers, trickle={1}")
  @CsvSource({"rtc4j, true", "rtc4j, false", "chromium, true", "chromium, false"})
  void connects(String offerer, boolean trickle) {
    Browser browser = browsers.get(OPTIONS);
    BrowserEndpoint chromium = chromium(browser, Map.of());
    try (JavaEndpoint java = new JavaEndpoint("j", JavaEndpoint.loopback().build(), runtime)) {
      Signaling.Result r = offerer.equals("rtc4j") ? Signaling.connect(java, chromium, trickle)
          : Signaling.connect(chromium, java, trickle);
      assertConnected(java, chromium);
      assertThat(r.errors()).as("addIceCandidate errors").isEmpty();
      if (trickle) {
        assertThat(r.offererCandidates()).as("trickled candidates of the offerer").isNotEmpty();
        assertThat(r.answererCandidates()).as("trickled candidates of the answerer").isNotEmpty();
      } else {
        assertThat(r.offer()).as("non-trickle offer carries its candidates").contains("a=candidate:");
        assertThat(r.answer()).as("non-trickle answer carries its candidates").contains("a=candidate:");
      }
      if (offerer.equals("chromium")) {
        assertThat(r.offer()).contains("m=application");
      }
      assertChromiumSelectedPair(chromium, "host");
      assertRtc4jSelectedPair(java, "host", "host", "prflx");
    }
  }

  /**
   * A wrong a=fingerprint fails the DTLS handshake inside it (a fatal alert), so both sides end
   * 'failed': "rtc4j" = Chromium gets a wrong fingerprint of rtc4j's certificate and rejects it;
   * "chromium" = rtc4j gets a wrong fingerprint of Chromium's certificate and rejects it.
   */
  @ParameterizedTest(name = "wrong fingerprint of {0}'s certificate")
  @ValueSource(strings = {"rtc4j", "chromium"})
  void aTamperedFingerprintFailsBothSides(String tampered) {
    Browser browser = browsers.get(OPTIONS);
    BrowserEndpoint chromium = chromium(browser, Map.of());
    try (JavaEndpoint java = new JavaEndpoint("j", JavaEndpoint.loopback().build(), runtime)) {
      // rtc4j offers; its offer goes to Chromium, Chromium's answer to rtc4j
      UnaryOperator<String> offer = tampered.equals("rtc4j") ? Signaling::tamperFingerprint : UnaryOperator.identity();
      UnaryOperator<String> answer = tampered.equals("chromium") ? Signaling::tamperFingerprint : UnaryOperator.identity();
      Signaling.connect(java, chromium, false, offer, answer, CONNECT);
      assertThat(java.awaitState(Duration.ofSeconds(30), "failed")).as(java.describe() + "\n" + chromium.describe())
          .isEqualTo("failed");
      assertThat(chromium.awaitState(Duration.ofSeconds(30), "failed")).as(chromium.describe() + "\n" + java.describe())
          .isEqualTo("failed");
    }
  }

  @ParameterizedTest(name = "{0} offers")
  @ValueSource(strings = {"rtc4j", "chromium"})
  void relayOnlyThroughOurTurnServer(String offerer) {
    try (LoopbackTurn turn = LoopbackTurn.start()) {
      Browser browser = browsers.get(OPTIONS);
      BrowserEndpoint chromium = chromium(browser,
          BrowserEndpoint.config(turn.url(), LoopbackTurn.USER, LoopbackTurn.PASSWORD, "relay"));
      RtcConfiguration cfg = JavaEndpoint.loopback()
          .iceServer(RtcIceServer.of(turn.url(), LoopbackTurn.USER, LoopbackTurn.PASSWORD))
          .iceTransportPolicy(RtcIceTransportPolicy.RELAY).build();
      try (JavaEndpoint java = new JavaEndpoint("j", cfg, runtime)) {
        Signaling.Result r = offerer.equals("rtc4j") ? Signaling.connect(java, chromium, true)
            : Signaling.connect(chromium, java, true);
        assertConnected(java, chromium);
        for (List<Candidate> cs : List.of(r.offererCandidates(), r.answererCandidates())) {
          assertThat(cs.stream().filter(c -> !c.isEnd())).as("only relay candidates are signalled").isNotEmpty()
              .allSatisfy(c -> assertThat(c.candidate()).contains(" typ relay "));
        }
        Map<?, ?> pair = assertChromiumSelectedPair(chromium, "relay");
        assertThat(((Map<?, ?>) pair.get("local")).get("relayProtocol")).isEqualTo("udp");
        assertRtc4jSelectedPair(java, "relay", "relay");
        assertThat(turn.server().counters().allocationsCreated()).as("allocations at our server").isGreaterThanOrEqualTo(2);
        assertThat(turn.server().counters().clientToPeerPackets()).as("packets relayed").isPositive();
      }
    }
  }

  /**
   * Chromium as shipped hides its host addresses behind {@code <uuid>.local} mDNS names (browser
   * default: this test's browser keeps mDNS candidates on). Chromium never hides loopback addresses,
   * and in the loopback-only test namespace 127.0.0.1 is all it has, so its offer is rewritten into
   * the form it takes on a real network ({@link Signaling#hideHostAddressesBehindMdns}); nobody
   * answers for the name, as across links. rtc4j must accept the candidates and still connect
   * (it learns Chromium's address as a peer-reflexive candidate from Chromium's checks).
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // its own Chromium starts here; mDNS name registration delays gathering
  void chromiumWithMdnsHostCandidatesConnects() {
    Browser browser = browsers.get(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(true).build());
    BrowserEndpoint chromium = chromium(browser, Map.of());
    try (JavaEndpoint java = new JavaEndpoint("j", JavaEndpoint.loopback().build(), runtime)) {
      Signaling.Result r = Signaling.connect(chromium, java, false, Signaling::hideHostAddressesBehindMdns,
          UnaryOperator.identity(), CONNECT);
      assertThat(r.offer()).containsPattern("a=candidate:\\S+ 1 udp \\d+ [0-9a-f-]+\\.local \\d+ typ host")
          .doesNotContainPattern("a=candidate:[^\\r\\n]* 127\\.0\\.0\\.1 ");
      assertConnected(java, chromium);
      Map<?, ?> pair = (Map<?, ?>) chromium.selectedPair().get("pair");
      ChromiumPair.assertWorking(pair, "Chromium's");
      // rtc4j cannot resolve the name here: it learnt Chromium's address from its checks
      assertRtc4jSelectedPair(java, "host", "prflx", "host");
    }
  }
}
