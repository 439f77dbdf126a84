package org.rtc4j.server.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.server.EchoCommand;
import org.rtc4j.server.echo.EchoPeer;
import org.rtc4j.server.echo.EchoSession;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import picocli.CommandLine;

/**
 * Chromium drives {@code rtc4j echo} over plain HTTP (issue 3): the command is started in this
 * JVM from its command line ({@code echo --http 127.0.0.1:0}); the page, served from another
 * origin (so CORS is exercised), offers with {@code fetch(POST /offer)} and applies the 201's
 * answer, or fetches {@code GET /offer} and posts its answer. Both sides must report 'connected';
 * shutting the command down closes every session.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS) // a test may also start the shared Chromium (slow on a busy machine)
class ChromiumEchoTest {

  static final BrowserOptions OPTIONS = BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false).build();

  @RegisterExtension
  static final SharedBrowsers browsers = new SharedBrowsers();

  static EchoCommand.Running startEcho() throws Exception {
    EchoCommand cmd = CommandLine.populateCommand(new EchoCommand(), "--http", "127.0.0.1:0", "--timeout", "10",
        "--ice-address", "127.0.0.1");
    return cmd.start();
  }

  private static EchoSession onlySession(EchoCommand.Running echo) {
    Map<String, EchoPeer> sessions = echo.server().sessions();
    assertThat(sessions).hasSize(1);
    return (EchoSession) sessions.values().iterator().next();
  }

  @Test
  void chromiumPostsAnOfferAndConnects() throws Exception {
    try (EchoCommand.Running echo = startEcho(); StaticHttpServer web = BrowserEndpoint.pages()) {
      Browser browser = browsers.get(OPTIONS);
      BrowserEndpoint.openPage(browser, web);
      BrowserEndpoint chromium = BrowserEndpoint.create(browser, "c", Map.of());
      Map<?, ?> r = browser.awaitJs(Map.class, Duration.ofSeconds(30),
          "return await window.rtc.offerToEcho(args[0], args[1], args[2]);", "c", echo.server().baseUrl(), 15_000);
      EchoSession session = onlySession(echo);
      assertThat(r.get("status")).isEqualTo(201L);
      assertThat(r.get("contentType")).isEqualTo("application/sdp");
      assertThat(r.get("location")).isEqualTo("/sessions/" + session.id());
      assertThat(r.get("state")).as(chromium.describe() + "\nrtc4j: " + session.status()).isEqualTo("connected");
      Wait.until(Duration.ofSeconds(10), "rtc4j echo session connected",
          () -> session.peerConnection().connectionState() == RtcPeerConnectionState.CONNECTED, session::status);
      assertThat(chromium.selectedPair().get("pair")).isNotNull();

      echo.close(); // shutdown closes every session
      assertThat(session.peerConnection().connectionState()).isEqualTo(RtcPeerConnectionState.CLOSED);
      assertThat(echo.server().sessions()).isEmpty();
    }
  }

  @Test
  void chromiumAnswersTheOfferOfGetOffer() throws Exception {
    try (EchoCommand.Running echo = startEcho(); StaticHttpServer web = BrowserEndpoint.pages()) {
      Browser browser = browsers.get(OPTIONS);
      BrowserEndpoint.openPage(browser, web);
      BrowserEndpoint chromium = BrowserEndpoint.create(browser, "c", Map.of());
      Map<?, ?> r = browser.awaitJs(Map.class, Duration.ofSeconds(30),
          "return await window.rtc.answerEcho(args[0], args[1], args[2]);", "c", echo.server().baseUrl(), 15_000);
      EchoSession session = onlySession(echo);
      assertThat(r.get("status")).isEqualTo(204L);
      assertThat(r.get("state")).as(chromium.describe() + "\nrtc4j: " + session.status()).isEqualTo("connected");
      Wait.until(Duration.ofSeconds(10), "rtc4j echo session connected",
          () -> session.peerConnection().connectionState() == RtcPeerConnectionState.CONNECTED, session::status);
      assertThat(session.status()).containsEntry("signalingState", "stable");
    }
  }
}
