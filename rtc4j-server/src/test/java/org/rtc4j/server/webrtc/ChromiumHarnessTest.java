package org.rtc4j.server.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;

/**
 * The harness itself, on the anchor: two RTCPeerConnections in one Chromium page connected through
 * {@link Signaling} and {@link BrowserEndpoint} (trickle and not), and a tampered a=fingerprint
 * failing both — what the rtc4j tests then expect of rtc4j.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS) // a test may also start the shared Chromium (slow on a busy machine)
class ChromiumHarnessTest {

  static final BrowserOptions OPTIONS = BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false).build();

  @RegisterExtension
  static final SharedBrowsers browsers = new SharedBrowsers();

  @ParameterizedTest(name = "trickle={0}")
  @ValueSource(booleans = {true, false})
  void twoChromiumPeersConnect(boolean trickle) {
    try (StaticHttpServer web = BrowserEndpoint.pages()) {
      Browser browser = browsers.get(OPTIONS);
      BrowserEndpoint.openPage(browser, web);
      BrowserEndpoint a = BrowserEndpoint.create(browser, "a", Map.of());
      BrowserEndpoint b = BrowserEndpoint.create(browser, "b", Map.of());
      Signaling.Result r = Signaling.connect(a, b, trickle);
      assertThat(a.awaitState(Duration.ofSeconds(10), "connected", "failed")).as(a.describe()).isEqualTo("connected");
      assertThat(b.awaitState(Duration.ofSeconds(10), "connected", "failed")).as(b.describe()).isEqualTo("connected");
      assertThat(r.errors()).isEmpty();
      if (trickle) {
        assertThat(r.offererCandidates()).anyMatch(c -> c.candidate().contains("127.0.0.1"));
        assertThat(r.offererCandidates()).anyMatch(Candidate::isEnd);
      } else {
        assertThat(r.offer()).contains("a=candidate:").contains("127.0.0.1");
        assertThat(r.answer()).contains("a=candidate:");
      }
      Map<?, ?> pair = (Map<?, ?>) a.selectedPair().get("pair");
      ChromiumPair.assertWorking(pair, "a's");
      assertThat(((Map<?, ?>) pair.get("local")).get("address")).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void aTamperedFingerprintFailsBothChromiumPeers() {
    try (StaticHttpServer web = BrowserEndpoint.pages()) {
      Browser browser = browsers.get(OPTIONS);
      BrowserEndpoint.openPage(browser, web);
      BrowserEndpoint a = BrowserEndpoint.create(browser, "a", Map.of());
      BrowserEndpoint b = BrowserEndpoint.create(browser, "b", Map.of());
      Signaling.connect(a, b, false, Signaling::tamperFingerprint, UnaryOperator.identity(), Duration.ofSeconds(10));
      assertThat(b.awaitState(Duration.ofSeconds(20), "failed")).as(b.describe()).isEqualTo("failed");
      assertThat(a.awaitState(Duration.ofSeconds(20), "failed")).as(a.describe()).isEqualTo("failed");
    }
  }
}
