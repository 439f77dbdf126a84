package org.rtc4j.server.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.server.EchoCommand;
import org.rtc4j.server.echo.EchoPeer;
import org.rtc4j.server.echo.EchoSession;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.Firefox;
import org.rtc4j.testkit.browser.StaticHttpServer;
import org.rtc4j.webrtc.DataChannel;
import picocli.CommandLine;

/**
 * Data channels between headless Firefox ESR and {@code rtc4j echo} (issue 4: interoperate with browsers). Firefox's
 * SCTP is usrsctp, not Chromium's dcSCTP, so this is a second, independent implementation on the other end: its
 * DATA/SACK/FORWARD-TSN, its a=max-message-size and its DTLS (NSS). Firefox offers over the echo's HTTP signaling
 * (POST /offer) with the same page helpers as {@link ChromiumDataChannelTest}; it keeps a fake capture running,
 * without which it gathers no host candidate in a namespace with only {@code lo} (see
 * {@link org.rtc4j.testkit.browser.FirefoxOptions}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@SuppressWarnings("unchecked")
class FirefoxDataChannelTest {

  static final Duration STEP = Duration.ofSeconds(30);
  static final int SINK_MIB = 32;

  @RegisterExtension
  final BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().loopbackIce(true).build());

  StaticHttpServer web;
  Firefox fox;

  @BeforeEach
  void start() throws IOException {
    External.require("firefox-esr");
    web = BrowserEndpoint.pages();
    fox = browsers.launchFirefox();
    fox.open(web.uri("/webrtc/peer.html"));
    fox.awaitJs(Duration.ofSeconds(20), "return await window.pageReady;");
    try (InputStream in = getClass().getResourceAsStream("/webrtc/datachannel.js")) {
      fox.js(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    fox.awaitJs(Duration.ofSeconds(20),
        "window.local = await navigator.mediaDevices.getUserMedia({audio: true, video: true}); return true;");
  }

  @AfterEach
  void stop() {
    if (web != null) {
      web.close();
    }
  }

  EchoSession connectToEcho(EchoCommand.Running echo) {
    fox.js("return window.rtc.create('f', {}, {dataChannel: true});"); // (Firefox.js takes primitive arguments only)
    Map<?, ?> r = fox.awaitJs(Map.class, STEP, "return await window.rtc.offerToEcho(args[0], args[1], args[2]);",
        "f", echo.server().baseUrl(), 20_000);
    assertThat(r.get("state")).isEqualTo("connected");
    Map<String, EchoPeer> sessions = echo.server().sessions();
    assertThat(sessions).hasSize(1);
    return (EchoSession) sessions.values().iterator().next();
  }

  static EchoCommand.Running startEcho() throws Exception {
    return CommandLine.populateCommand(new EchoCommand(), "--http", "127.0.0.1:0", "--timeout", "10").start();
  }

  void openFromFirefox(String key, String label) {
    fox.js("return window.dc.open('f', args[0], args[1], {});", key, label);
    fox.awaitJs(Map.class, STEP, "return await window.dc.waitState(args[0], 'open', 20000);", key);
  }

  @Test
  void mixedMessagesBigMessagesAndAHashedStreamCrossBothWays() throws Exception {
    try (EchoCommand.Running echo = startEcho()) {
      EchoSession session = connectToEcho(echo);
      assertThat(fox.js(String.class, "return navigator.userAgent;")).contains("Firefox/");

      openFromFirefox("e", "echo");
      Map<?, ?> mixed = fox.awaitJs(Map.class, Duration.ofSeconds(90),
          "return await window.dc.mixedEcho(args[0], args[1], args[2]);", "e", 1000, 80_000);
      assertThat(mixed.get("echoes")).isEqualTo(1000L);
      assertThat(mixed.get("text")).isEqualTo(500L);
      assertThat(mixed.get("mismatchCount")).as(String.valueOf(mixed.get("mismatches"))).isEqualTo(0L);

      openFromFirefox("big", "big");
      Map<?, ?> big = fox.awaitJs(Map.class, Duration.ofSeconds(90),
          "return await window.dc.bigEcho(args[0], args[1], args[2], args[3]);", "big", 256 * 1024, 8, 80_000);
      assertThat(big.get("echoes")).isEqualTo(8L);
      assertThat((List<Object>) big.get("sizes")).containsOnly(262144L);
      assertThat((List<?>) big.get("mismatches")).isEmpty();

      openFromFirefox("s", "sink");
      long total = (long) SINK_MIB << 20;
      Map<?, ?> sink = fox.awaitJs(Map.class, Duration.ofSeconds(150),
          "return await window.dc.sink(args[0], args[1], args[2], args[3]);", "s", total, 64 * 1024, 140_000);
      System.out.println("[FirefoxDataChannelTest] sink " + SINK_MIB + " MiB: ms=" + sink.get("ms") + " MBps="
          + sink.get("mbps"));
      assertThat(sink.get("reply")).isEqualTo(sink.get("expected"));
      assertThat((String) sink.get("reply")).startsWith("bytes=" + total + " sha256=");

      // the rtc4j side saw Firefox's channels with their labels, and a close from Firefox reaches it
      DataChannel e = Wait.forValue(Duration.ofSeconds(10), "rtc4j sees channel echo",
          () -> session.dataChannels().stream().filter(c -> c.label().equals("echo")).findFirst());
      fox.js("return window.dc.close('e');");
      Wait.until(Duration.ofSeconds(20), "rtc4j's channel closed", () -> e.readyState().name().equals("CLOSED"));
    }
  }
}
