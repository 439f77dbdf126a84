package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rtc4j.signaling.PeerJsBrowserTest.inbound;
import static org.rtc4j.signaling.PeerJsBrowserTest.num;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.Firefox;
import org.rtc4j.testkit.browser.StaticHttpServer;

/**
 * The real peerjs 1.5.5 client in headless Firefox ESR (driven over WebDriver BiDi, no
 * geckodriver) and in headless Chromium, both against our signaling server: Chromium opens a
 * DataConnection to Firefox and they exchange messages both ways; then Firefox calls Chromium with
 * its fake camera and microphone, Chromium answers with its own, both remote videos decode more
 * and more frames and both receive audio (getStats read twice), and Chromium's hang-up closes
 * Firefox's call. Firefox gathers host candidates in a namespace with only {@code lo} because its
 * page keeps a (fake) capture running ({@link org.rtc4j.testkit.browser.FirefoxOptions}). A missing
 * firefox-esr skips, or fails under {@code -Drtc4j.requireExternal=true}.
 */
@Timeout(180)
class PeerJsFirefoxTest {

  @RegisterExtension
  BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false)
      .build());

  SignalingServer server;
  StaticHttpServer web;

  @BeforeEach
  void start() throws Exception {
    External.require("firefox-esr");
    if (!Files.isRegularFile(PeerJsBrowserTest.PEERJS)) {
      String msg = "peerjs is not installed at " + PeerJsBrowserTest.PEERJS.toAbsolutePath().normalize() + " (run web/npm-ci.sh)";
      if (External.required()) {
        throw new AssertionError(msg);
      }
      Assumptions.abort(msg);
    }
    server = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build());
    web = StaticHttpServer.start()
        .content("/peerjs.min.js", "text/javascript; charset=utf-8", Files.readAllBytes(PeerJsBrowserTest.PEERJS))
        .page("/", "<!doctype html><meta charset=utf-8><title>peerjs test</title><script src=/peerjs.min.js></script>"
            + "<body>peerjs against rtc4j</body>");
  }

  @AfterEach
  void stop() {
    if (web != null) {
      web.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void firefoxAndChromiumExchangeDataAndCallEachOther() {
    Firefox fox = browsers.launchFirefox();
    fox.open(web.uri("/"));
    fox.awaitJs(Duration.ofSeconds(20), """
        // a live (fake) capture: only then does Firefox gather host candidates here
        window.local = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        """ + PeerJsBrowserTest.PEER_HELPERS, server.port());
    fox.awaitJs(Duration.ofSeconds(5), PeerJsBrowserTest.CALL_HELPERS);
    Browser chrome = browsers.launch();
    chrome.open(web.uri("/"));
    chrome.awaitJs(Duration.ofSeconds(20), """
        window.local = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        """ + PeerJsBrowserTest.PEER_HELPERS, server.port());
    chrome.awaitJs(Duration.ofSeconds(5), PeerJsBrowserTest.CALL_HELPERS);

    // data: Chromium connects to Firefox, messages both ways
    fox.awaitJs(Duration.ofSeconds(20), """
        window.got = [];
        window.peer = await makePeer('fox');
        peer.on('connection', c => c.on('data', d => { window.got.push(d); c.send({echo: d, from: navigator.userAgent}); }));
        peer.on('call', call => { window.unexpected = 'call'; });
        return peer.id;
        """);
    @SuppressWarnings("unchecked")
    Map<String, Object> reply = (Map<String, Object>) chrome.awaitJs(Duration.ofSeconds(40), """
        window.peer = await makePeer('chrome');
        const c = peer.connect('fox', {reliable: true});
        await new Promise((res, rej) => { c.on('open', res); c.on('error', rej); peer.on('error', rej); });
        const answer = new Promise(res => c.on('data', res));
        c.send('hello firefox ✓');
        return await answer;
        """);
    assertThat(reply.get("echo")).isEqualTo("hello firefox ✓");
    assertThat((String) reply.get("from")).contains("Firefox/");
    assertThat(fox.js("return window.got;")).isEqualTo(List.of("hello firefox ✓"));

    // media: Firefox calls Chromium, Chromium answers with its own stream
    chrome.js("""
        peer.on('call', call => { watchCall(call); call.answer(window.local); });
        return true;
        """);
    fox.awaitJs(Duration.ofSeconds(30), """
        watchCall(peer.call('chrome', window.local));
        await new Promise((res, rej) => { call.on('stream', res); call.on('error', rej); peer.on('error', rej); });
        return true;
        """);
    chrome.waitFor(Duration.ofSeconds(20), "window.callEvents && window.callEvents.includes('stream:1v1a')");
    assertThat(fox.js("return window.callEvents;")).isEqualTo(List.of("stream:1v1a"));
    assertThat(chrome.js("return window.call.peer;")).isEqualTo("fox");
    Map<?, ?> foxFirst = inbound(fox);
    Map<?, ?> chromeFirst = inbound(chrome);
    Wait.untilAsserted(Duration.ofSeconds(30), "both remote videos decode and audio arrives", () -> {
      Map<?, ?> f = inbound(fox);
      Map<?, ?> c = inbound(chrome);
      assertThat(num(f.get("framesDecoded"))).as("Firefox framesDecoded").isGreaterThan(num(foxFirst.get("framesDecoded")) + 10);
      assertThat(num(c.get("framesDecoded"))).as("Chromium framesDecoded").isGreaterThan(num(chromeFirst.get("framesDecoded")) + 10);
      assertThat(num(f.get("audioPackets"))).as("Firefox audio packets").isGreaterThan(num(foxFirst.get("audioPackets")) + 10);
      assertThat(num(c.get("audioPackets"))).as("Chromium audio packets").isGreaterThan(num(chromeFirst.get("audioPackets")) + 10);
      assertThat(num(c.get("audioSamples"))).as("Chromium audio samples").isGreaterThan(num(chromeFirst.get("audioSamples")));
    });
    assertThat(num(inbound(fox).get("videoWidth"))).as("Firefox's remote <video> width").isGreaterThan(0);
    assertThat(num(inbound(chrome).get("videoWidth"))).as("Chromium's remote <video> width").isGreaterThan(0);

    // Chromium hangs up; Firefox's call closes
    chrome.js("window.call.close(); return true;");
    fox.waitFor(Duration.ofSeconds(20), "window.callEvents.includes('close')");
    assertThat(fox.js(Boolean.class, "return window.call.open;")).isFalse();
    assertThat(fox.js("return window.unexpected || null;")).isNull();
    assertThat(server.stats().relayed()).as("OFFERs, ANSWERs and CANDIDATEs relayed").isGreaterThanOrEqualTo(6);
  }
}
