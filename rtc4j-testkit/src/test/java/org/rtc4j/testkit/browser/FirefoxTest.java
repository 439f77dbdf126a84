package org.rtc4j.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Firefox} drives Debian's firefox-esr over WebDriver BiDi without geckodriver: scripts
 * with arguments and results, errors with their message, console lines, screenshots, file
 * inputs, and WebRTC inside the page (fake media, host candidates on 127.0.0.1 in a namespace
 * with only {@code lo}, a data channel between two RTCPeerConnections). A missing firefox-esr
 * skips, or fails under {@code -Drtc4j.requireExternal=true} (checked here with a binary that does not exist).
 */
@Timeout(120)
class FirefoxTest {

  @RegisterExtension
  BrowserExtension browsers = new BrowserExtension();

  @TempDir
  Path temp;

  StaticHttpServer web;

  @BeforeEach
  void start() {
    web = StaticHttpServer.start().page("/", "<!doctype html><meta charset=utf-8><title>ff test</title>"
        + "<body><input type=file id=f><script>console.log('page says hi');</script></body>");
  }

  @AfterEach
  void stop() {
    web.close();
  }

  @Test
  void aMissingFirefoxFailsUnderRequireExternalAndSkipsOtherwise() {
    FirefoxOptions missing = new FirefoxOptions(Path.of("/nonexistent/firefox-esr"), true, FirefoxOptions.DEFAULT_PREFS,
        List.of(), null, Duration.ofSeconds(5), 800, 600);
    String before = System.getProperty(org.rtc4j.testkit.External.REQUIRE_PROPERTY);
    try {
      System.setProperty(org.rtc4j.testkit.External.REQUIRE_PROPERTY, "true");
      assertThatThrownBy(() -> Firefox.launch(missing)).isInstanceOf(AssertionError.class)
          .hasMessageContaining("/nonexistent/firefox-esr").hasMessageContaining("apt-get install -y firefox-esr");
      System.setProperty(org.rtc4j.testkit.External.REQUIRE_PROPERTY, "false");
      assertThatThrownBy(() -> Firefox.launch(missing))
          .isInstanceOf(org.opentest4j.TestAbortedException.class);
    } finally {
      if (before == null) {
        System.clearProperty(org.rtc4j.testkit.External.REQUIRE_PROPERTY);
      } else {
        System.setProperty(org.rtc4j.testkit.External.REQUIRE_PROPERTY, before);
      }
    }
  }

  @Test
  void scriptsConsoleScreenshotsAndFiles() throws Exception {
    Firefox ff = browsers.launchFirefox();
    ff.open(web.uri("/"));
    assertThat(ff.version()).startsWith("1");
    assertThat(ff.js(String.class, "return document.title;")).isEqualTo("ff test");
    Object r = ff.awaitJs(Duration.ofSeconds(5), "await new Promise(res => setTimeout(res, 10));"
        + "return {sum: args[0] + args[1], s: args[2] + '!', list: [true, null]};", 40, 2, "héllo");
    assertThat(r).isEqualTo(Map.of("sum", 42L, "s", "héllo!", "list", java.util.Arrays.asList(true, null)));
    assertThatThrownBy(() -> ff.js("throw new TypeError('nope');")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("TypeError: nope");
    assertThatThrownBy(() -> ff.awaitJs(Duration.ofMillis(300), "await new Promise(() => {});"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("did not finish");
    ff.js("console.error('an error line');");
    org.rtc4j.testkit.Wait.until(Duration.ofSeconds(5), "console lines", () -> ff.consoleLog().size() >= 2,
        ff::consoleLog);
    assertThat(ff.consoleLog()).anyMatch(l -> l.contains("INFO page says hi"))
        .anyMatch(l -> l.contains("ERROR an error line"));
    byte[] png = ff.screenshot();
    assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    Path file = Files.write(temp.resolve("x.bin"), new byte[] {1, 2, 3, 4, 5});
    ff.setFiles("#f", file);
    assertThat(ff.js("const f = document.getElementById('f').files[0]; return [f.name, f.size];"))
        .isEqualTo(List.of("x.bin", 5L));
  }

  @Test
  void webRtcInsideThePageGathersLoopbackCandidatesAndCarriesData() {
    Firefox ff = browsers.launchFirefox();
    ff.open(web.uri("/"));
    @SuppressWarnings("unchecked")
    Map<String, Object> r = (Map<String, Object>) ff.awaitJs(Duration.ofSeconds(30), """
        const media = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        const tracks = media.getTracks().map(t => t.kind).sort();
        const a = new RTCPeerConnection(), b = new RTCPeerConnection();
        const cands = [];
        a.onicecandidate = e => { if (e.candidate) { cands.push(e.candidate.candidate); b.addIceCandidate(e.candidate); } };
        b.onicecandidate = e => { if (e.candidate) a.addIceCandidate(e.candidate); };
        const dc = a.createDataChannel('t');
        const got = new Promise(res => b.ondatachannel = e => e.channel.onmessage = m => res(m.data));
        await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
        await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
        await new Promise(res => dc.onopen = res);
        dc.send('over sctp');
        const msg = await got;
        return {tracks, cands, msg};
        """);
    assertThat(r.get("tracks")).isEqualTo(List.of("audio", "video"));
    assertThat(r.get("msg")).isEqualTo("over sctp");
    assertThat((List<?>) r.get("cands")).anyMatch(c -> c.toString().contains(" 127.0.0.1 "));
  }
}
