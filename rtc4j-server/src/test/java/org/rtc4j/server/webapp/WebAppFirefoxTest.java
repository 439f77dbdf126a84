package org.rtc4j.server.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.Firefox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web app (issue 5) between headless Firefox ESR (Bob, driven over WebDriver BiDi without
 * geckodriver) and headless Chromium (Alice), against the suite's signaling and TURN servers
 * started in this JVM as in {@link WebAppChromiumTest}: Bob chooses an id, Alice types it into the
 * connect form, both allocate on our TURN server with the credentials the page was given; chat lines
 * arrive both ways; a file goes each way and each receiver shows "verified" with the SHA-256 this
 * test computed, kept the file on disk (the origin-private file system) and serves those same bytes
 * from its save link; Alice calls, Bob answers, both remote videos decode more and more
 * frames (getStats, read twice) and receive audio; Bob hangs up and Alice's call ends.
 *
 * <p>One help from the test: the Firefox page opens a (fake) capture before Alice connects.
 * Firefox gathers host candidates only for a page that is capturing, or else only on the address
 * of the default route — and the test namespace (only {@code lo}) has no route at all, so without
 * it Firefox would gather nothing (on a real machine it would gather the default address).
 * Firefox's page is driven by scripts (value + click), Chromium's by WebDriver typing and clicking.
 * Screenshots of both pages go to {@code target/test-results/WebAppFirefoxTest.*}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebAppFirefoxTest {

  private static final Logger LOG = LoggerFactory.getLogger(WebAppFirefoxTest.class);
  private static final Duration STEP = Duration.ofSeconds(30);
  private static final int TO_FIREFOX_BYTES = 2 * 1024 * 1024 + 4321;
  private static final int TO_CHROMIUM_BYTES = 1024 * 1024 + 77;

  @RegisterExtension
  final BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder()
      .loopbackIce(true).mdnsCandidates(false).windowSize(1280, 1150).build());

  @TempDir
  Path temp;

  /** Inbound video and audio of the current call, from getStats, and the remote video's size. */
  static final String MEDIA_STATS = """
      const stats = await rtc4jApp.call.peerConnection.getStats();
      const r = {framesDecoded: 0, frameWidth: 0, audioPackets: 0};
      stats.forEach(s => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') { r.framesDecoded = s.framesDecoded || 0; r.frameWidth = s.frameWidth || 0; }
        if (s.type === 'inbound-rtp' && s.kind === 'audio') { r.audioPackets = s.packetsReceived || 0; }
      });
      r.videoWidth = document.getElementById('remote-video').videoWidth;
      return r;""";

  /** What the page shows for its newest transfer in direction {@code args[0]}. */
  static final String TRANSFER = """
      const t = document.querySelector('.transfer[data-direction=' + args[0] + ']');
      const sha = t.querySelector('code.sha256');
      return {state: t.dataset.state, name: t.querySelector('.name').lastChild.textContent,
              value: t.querySelector('progress').value, max: t.querySelector('progress').max,
              verdict: t.querySelector('.verdict').textContent, sha256: sha ? sha.textContent : null};""";

  @Test
  void firefoxAndChromiumChatSendFilesBothWaysAndCall(TestInfo info) throws Exception {
    External.require("firefox-esr");
    Path shots = resultsDir(info);
    try (WebAppSuite suite = WebAppSuite.start(Files.createDirectories(temp.resolve("state")))) {
      Firefox bob = browsers.launchFirefox(org.rtc4j.testkit.browser.FirefoxOptions.defaults().withWindowSize(1280, 1150));
      Browser alice = browsers.launch();

      // Bob (Firefox) opens the app and picks an id.
      bob.open(suite.origin() + "/");
      bob.waitFor(STEP, "document.getElementById('server-status').dataset.state === 'online'");
      bob.awaitJs(STEP, "window.testCapture = await navigator.mediaDevices.getUserMedia({audio: true, video: true});");
      String bobId = "fox-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
      bob.js("""
          document.getElementById('choose-id-box').open = true;
          document.getElementById('choose-id').value = args[0];
          document.querySelector('#choose-id-form button[type=submit]').click();""", bobId);
      bob.waitFor(STEP, "document.getElementById('my-id').textContent === '" + bobId + "'");
      bob.waitFor(STEP, "document.getElementById('server-status').dataset.state === 'online'");
      String invite = bob.js(String.class, "return document.getElementById('invite-link').href;");
      assertThat(invite).startsWith(suite.origin() + "/").endsWith("connect=" + bobId);

      // Alice (Chromium) opens the app and types Bob's id into the connect form (the Chromium test
      // follows the invite link instead).
      alice.open(suite.origin() + "/");
      alice.waitFor(STEP, "document.getElementById('server-status').dataset.state === 'online'");
      alice.driver().findElement(By.id("peer-id")).sendKeys(bobId);
      alice.driver().findElement(By.id("connect-btn")).click();
      String aliceId = alice.js(String.class, "return document.getElementById('my-id').textContent;");
      alice.waitFor(STEP, "document.getElementById('peer-status').dataset.state === 'open'");
      bob.waitFor(STEP, "document.getElementById('peer-status').dataset.state === 'open'");
      assertThat(bob.js(String.class, "return document.getElementById('peer-status').textContent;")).contains(aliceId);
      LOG.info("Firefox {} (bob {}) and Chromium {} (alice {}) connected", bob.version(), bobId, alice.version(), aliceId);
      // Firefox got STUN/TURN with minted credentials from the signaling server too, and they work:
      // both browsers allocated a relay on the suite's TURN server (whichever path ICE then chose).
      assertThat(bob.js(String.class, "return document.getElementById('ice-info').textContent;"))
          .contains("turn:127.0.0.1:" + suite.turnPort());
      Wait.until(STEP, "both browsers allocated on our TURN server with the minted credentials",
          () -> suite.turnCounters().allocationsCreated() >= 2, () -> suite.turnCounters().snapshot());

      // Chat, both ways.
      String hello = "Hallo Firefox — ünïcødé ✓";
      alice.driver().findElement(By.id("chat-input")).sendKeys(hello);
      alice.driver().findElement(By.id("chat-send")).click();
      bob.waitFor(STEP, "[...document.querySelectorAll('.msg.theirs .text')].some(e => e.textContent === 'Hallo Firefox — ünïcødé ✓')");
      bob.js("""
          document.getElementById('chat-input').value = 'Hi Chromium, Firefox here.';
          document.getElementById('chat-send').click();""");
      alice.waitFor(STEP, "[...document.querySelectorAll('.msg.theirs .text')].some(e => e.textContent === 'Hi Chromium, Firefox here.')");

      // A file each way, checked on arrival.
      String toFox = file("to-firefox.bin", TO_FIREFOX_BYTES, 1);
      alice.driver().findElement(By.id("file-input")).sendKeys(temp.resolve("to-firefox.bin").toAbsolutePath().toString());
      alice.driver().findElement(By.id("file-send")).click();
      bob.waitFor(Duration.ofSeconds(60),
          "(t => t && t.dataset.state !== 'receiving')(document.querySelector('.transfer[data-direction=in]'))");
      Map<?, ?> in = bob.awaitJs(Map.class, STEP, TRANSFER, "in");
      LOG.info("Chromium -> Firefox: {}", in);
      assertThat(in.get("state")).as("Firefox's verdict: " + in.get("verdict")).isEqualTo("verified");
      assertThat(in.get("name")).isEqualTo("to-firefox.bin");
      assertThat(in.get("sha256")).as("SHA-256 shown by Firefox").isEqualTo(toFox);
      assertThat(((Number) in.get("value")).longValue()).isEqualTo(TO_FIREFOX_BYTES);
      Map<?, ?> foxSaved = WebAppSuite.savedFile(bob, STEP);
      assertThat(foxSaved.get("storage")).as("where Firefox kept the file").isEqualTo("disk");
      assertThat(foxSaved.get("sha256")).as("SHA-256 of the bytes behind Firefox's save link").isEqualTo(toFox);
      alice.waitFor(STEP, "(t => t && t.dataset.state === 'verified')(document.querySelector('.transfer[data-direction=out]'))");

      String toChrome = file("to-chromium.bin", TO_CHROMIUM_BYTES, 2);
      bob.setFiles("#file-input", temp.resolve("to-chromium.bin"));
      bob.js("document.getElementById('file-send').click();");
      alice.waitFor(Duration.ofSeconds(60),
          "(t => t && t.dataset.state !== 'receiving')(document.querySelector('.transfer[data-direction=in]'))");
      Map<?, ?> back = alice.awaitJs(Map.class, STEP, TRANSFER, "in");
      LOG.info("Firefox -> Chromium: {}", back);
      assertThat(back.get("state")).as("Chromium's verdict: " + back.get("verdict")).isEqualTo("verified");
      assertThat(back.get("name")).isEqualTo("to-chromium.bin");
      assertThat(back.get("sha256")).as("SHA-256 shown by Chromium").isEqualTo(toChrome);
      assertThat(((Number) back.get("value")).longValue()).isEqualTo(TO_CHROMIUM_BYTES);
      Map<?, ?> chromeSaved = WebAppSuite.savedFile(alice, STEP);
      assertThat(chromeSaved.get("storage")).as("where Chromium kept the file").isEqualTo("disk");
      assertThat(chromeSaved.get("sha256")).as("SHA-256 of the bytes behind Chromium's save link").isEqualTo(toChrome);
      bob.waitFor(STEP, "(t => t && t.dataset.state === 'verified')(document.querySelector('.transfer[data-direction=out]'))");
      shot(bob, shots.resolve("1-firefox-chat-and-files.png"));
      alice.js("window.scrollTo(0, 0);");
      alice.screenshot(shots.resolve("1-chromium-chat-and-files.png"));

      // A video call: Alice calls, Bob answers.
      alice.driver().findElement(By.id("call-btn")).click();
      bob.waitFor(STEP, "!document.getElementById('answer-btn').hidden");
      bob.js("document.getElementById('answer-btn').click();");
      bob.waitFor(STEP, "document.getElementById('remote-video').videoWidth > 0");
      alice.waitFor(STEP, "document.getElementById('remote-video').videoWidth > 0");
      Map<?, ?> bobFirst = bob.awaitJs(Map.class, STEP, MEDIA_STATS);
      Map<?, ?> aliceFirst = alice.awaitJs(Map.class, STEP, MEDIA_STATS);
      Wait.untilAsserted(STEP, "frames keep being decoded and audio keeps arriving on both sides", () -> {
        Map<?, ?> b = bob.awaitJs(Map.class, STEP, MEDIA_STATS);
        Map<?, ?> a = alice.awaitJs(Map.class, STEP, MEDIA_STATS);
        assertThat(num(b.get("framesDecoded"))).as("Firefox framesDecoded").isGreaterThan(num(bobFirst.get("framesDecoded")) + 10);
        assertThat(num(a.get("framesDecoded"))).as("Chromium framesDecoded").isGreaterThan(num(aliceFirst.get("framesDecoded")) + 10);
        assertThat(num(b.get("audioPackets"))).as("Firefox audio packets").isGreaterThan(num(bobFirst.get("audioPackets")) + 10);
        assertThat(num(a.get("audioPackets"))).as("Chromium audio packets").isGreaterThan(num(aliceFirst.get("audioPackets")) + 10);
      });
      LOG.info("call: Firefox receives {}, Chromium receives {}", bob.awaitJs(STEP, MEDIA_STATS), alice.awaitJs(STEP, MEDIA_STATS));
      assertThat(bob.js(String.class, "return document.getElementById('call-status').textContent;"))
          .contains("In a call with " + aliceId);
      shot(bob, shots.resolve("2-firefox-in-call.png"));
      alice.js("window.scrollTo(0, 0);");
      alice.screenshot(shots.resolve("2-chromium-in-call.png"));

      // Bob hangs up; Alice's call ends.
      bob.js("document.getElementById('hangup-btn').click();");
      alice.waitFor(STEP, "rtc4jApp.call === null && document.getElementById('hangup-btn').disabled");
      assertThat(bob.js(String.class, "return document.getElementById('call-status').textContent;")).isEqualTo("You hung up.");
    }
  }

  /** Writes {@code size} seeded random bytes to {@code name} in the temp directory; returns their SHA-256. */
  private String file(String name, int size, long seed) throws Exception {
    byte[] content = new byte[size];
    new SplittableRandom(seed).nextBytes(content);
    Files.write(temp.resolve(name), content);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  private static void shot(Firefox b, Path file) {
    b.js("window.scrollTo(0, 0);");
    b.screenshot(file);
  }

  private static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  private static Path resultsDir(TestInfo info) throws IOException {
    String name = "WebAppFirefoxTest." + info.getTestMethod().map(m -> m.getName()).orElse("test");
    return Files.createDirectories(
        Path.of(System.getProperty(BrowserExtension.RESULTS_PROPERTY, "target/test-results")).resolve(name));
  }
}
