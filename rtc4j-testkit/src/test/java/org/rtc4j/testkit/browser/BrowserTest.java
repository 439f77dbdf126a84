package org.rtc4j.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;

/** Starts Debian's Chromium (skipped when absent) against pages served by {@link StaticHttpServer}. */
@ExtendWith(BrowserExtension.class)
class BrowserTest {

  private static StaticHttpServer web;

  @BeforeAll
  static void serve() {
    web = StaticHttpServer.start()
        .classpath("/", "browser/")
        .page("/inline.html", "<!doctype html><title>inline</title><script>console.warn('inline marker 7');</script>"
            + "<p>inline</p>");
  }

  @AfterAll
  static void stop() {
    web.close();
  }

  @Test
  void runsJavaScriptAndWebRtcInAPageFromTheStaticServer(Browser browser) {
    browser.open(web.uri("/index.html"));
    assertThat(browser.js("return document.title")).isEqualTo("rtc4j testkit page");
    assertThat(browser.js(Long.class, "return 6 * 7")).isEqualTo(42L);
    assertThat(browser.js(Integer.class, "return arguments[0] + arguments[1]", 40, 2)).isEqualTo(42);
    assertThat(browser.js("return window.appLoaded")).isEqualTo(true);
    String state = browser.awaitJs(String.class, Duration.ofSeconds(10),
        "const pc = new RTCPeerConnection(); const s = pc.signalingState; pc.close(); return s;");
    assertThat(state).isEqualTo("stable");
    String sdp = browser.awaitJs(String.class, Duration.ofSeconds(10),
        "const pc = new RTCPeerConnection(); pc.createDataChannel('x');"
            + "const offer = await pc.createOffer(); pc.close(); return offer.sdp;");
    assertThat(sdp).startsWith("v=0").contains("m=application").contains("webrtc-datachannel");
    assertThat(web.requests()).contains("GET /index.html 200", "GET /app.js 200");
  }

  @Test
  void fakeCameraAndMicrophoneNeedNoPrompt(Browser browser) {
    browser.open(web.uri("/index.html"));
    @SuppressWarnings("unchecked")
    List<String> kinds = (List<String>) browser.awaitJs(Duration.ofSeconds(15),
        "const s = await navigator.mediaDevices.getUserMedia({audio: true, video: true});"
            + "const k = s.getTracks().map(t => t.kind).sort(); s.getTracks().forEach(t => t.stop()); return k;");
    assertThat(kinds).containsExactly("audio", "video");
  }

  @Test
  void asyncScriptsConditionsErrorsAndTimeouts(Browser browser) {
    browser.open(web.uri("/inline.html"));
    Object r = browser.jsAsync(Duration.ofSeconds(5),
        "const cb = arguments[arguments.length - 1]; setTimeout(() => cb(arguments[0] * 2), 50);", 21);
    assertThat(r).isEqualTo(42L);
    browser.js("setTimeout(() => { window.later = 'yes'; }, 300);");
    browser.waitFor(Duration.ofSeconds(5), "window.later === 'yes'");
    assertThatThrownBy(() -> browser.waitFor(Duration.ofMillis(300), "window.never === true"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("window.never === true");
    assertThatThrownBy(() -> browser.awaitJs(Duration.ofSeconds(5), "throw new Error('boom from page');"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("boom from page");
    assertThatThrownBy(() -> browser.jsAsync(Duration.ofMillis(300), "/* never calls back */"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("did not call back");
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = (Map<String, Object>) browser.awaitJs(Duration.ofSeconds(5), "return {a: 1, b: [args[0]]};", "x");
    assertThat(obj).containsEntry("a", 1L).containsEntry("b", List.of("x"));
  }

  @Test
  void consoleLogAndScreenshot(Browser browser) throws Exception {
    browser.open(web.uri("/inline.html"));
    browser.js("console.error('error marker 9');");
    List<String> log = browser.consoleLog();
    assertThat(log).anySatisfy(l -> assertThat(l).contains("inline marker 7").contains("WARNING"));
    assertThat(log).anySatisfy(l -> assertThat(l).contains("error marker 9").contains("SEVERE"));
    assertThat(browser.consoleLog()).as("accumulates").containsAll(log);
    byte[] png = browser.screenshot();
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    assertThat(browser.userDataDir()).isDirectory();
    Path profile = browser.userDataDir();
    browser.close();
    assertThat(Files.exists(profile)).as("profile deleted on close").isFalse();
    assertThat(browser.consoleLog()).as("log still readable after close").containsAll(log);
  }

  @Test
  void closeEndsChromiumAndChromedriverAndTheirThreads() {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot().ignoring(Browser.SELENIUM_THREADS);
    long before = ProcessHandle.current().descendants().count();
    Browser browser = Browser.launch(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false).build());
    try {
      assertThat(browser.version()).matches("\\d+\\..+");
      assertThat(ProcessHandle.current().descendants().map(h -> h.info().command().orElse("")))
          .anyMatch(c -> c.contains("chromedriver"));
      browser.open(web.uri("/index.html"));
    } finally {
      browser.close();
    }
    Wait.until(Duration.ofSeconds(15), "chromium and chromedriver to exit",
        () -> ProcessHandle.current().descendants().count() <= before,
        () -> ProcessHandle.current().descendants().map(h -> h.pid() + " " + h.info().command().orElse("?")).toList());
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
  }

  @Test
  void optionsBuildTheCommandLine() {
    BrowserOptions o = BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false)
        .secureOrigin("http://10.0.0.5:8080").argument("--disable-features=Foo,Bar", "--lang=en").build();
    List<String> args = o.arguments(Path.of("/tmp/profile-x"));
    assertThat(args).contains("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--user-data-dir=/tmp/profile-x", "--allow-loopback-in-peer-connection", "--allow-insecure-localhost",
        "--unsafely-treat-insecure-origin-as-secure=http://10.0.0.5:8080", "--lang=en");
    List<String> features = args.stream().filter(a -> a.startsWith("--disable-features=")).toList();
    assertThat(features).hasSize(1);
    assertThat(features.get(0)).contains("WebRtcHideLocalIpsWithMdns", "Foo", "Bar", "OptimizationHints", "MediaRouter");
    assertThat(BrowserOptions.defaults().arguments(Path.of("/p")))
        .noneMatch(a -> a.contains("WebRtcHideLocalIpsWithMdns") || a.contains("loopback"));
  }
}
