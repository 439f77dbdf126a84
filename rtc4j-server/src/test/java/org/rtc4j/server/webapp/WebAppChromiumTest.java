package org.rtc4j.server.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web app (issue 5) used as a person uses it, in two headless Chromium windows against the
 * suite's signaling and TURN servers started in this JVM: the page is loaded from the signaling
 * server's own HTTP port at {@code /} (the jar's {@code web/} resources: the app, peerjs and
 * webrtc-adapter, nothing from a CDN), everything is done by typing and clicking.
 *
 * <ol>
 *   <li>Bob opens the page and chooses his own id; Alice opens the invite link Bob's page shows
 *       ({@code ?connect=ID}) and is connected to him.</li>
 *   <li>Chat lines arrive both ways.</li>
 *   <li>Alice sends a 3 MiB file of random bytes through the file input; both progress bars reach
 *       the end, Bob's page shows "verified" with the SHA-256 this test computed itself, and Alice's
 *       page shows that Bob verified it.</li>
 *   <li>Alice starts a video call, Bob answers: both remote videos have a width and decode more and
 *       more frames (getStats); Bob hears Alice (inbound audio energy grows).</li>
 *   <li>Alice mutes: Bob's page shows "Muted" and the audio energy he receives stops growing;
 *       she unmutes and it grows again. Alice hangs up; Bob's call ends.</li>
 * </ol>
 * Screenshots of both pages are saved under {@code target/test-results/WebAppChromiumTest.*}.
 *
 * <p>The page needs no help from the test to gather candidates: the suite hands it STUN/TURN
 * (127.0.0.1) with minted credentials. Run inside a network namespace with only {@code lo}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebAppChromiumTest {

  private static final Logger LOG = LoggerFactory.getLogger(WebAppChromiumTest.class);
  private static final Duration STEP = Duration.ofSeconds(30);
  private static final int FILE_BYTES = 3 * 1024 * 1024 + 12345;

  @RegisterExtension
  final BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder()
      .loopbackIce(true).mdnsCandidates(false).windowSize(1280, 1150).build());

  @TempDir
  Path temp;

  @Test
  void twoPeopleChatSendAFileAndCall(TestInfo info) throws Exception {
    Path shots = resultsDir(info);
    try (WebAppSuite suite = WebAppSuite.start(Files.createDirectories(temp.resolve("state")))) {
      Browser bob = browsers.launch();
      Browser alice = browsers.launch();

      // Bob opens the app and picks an id.
      bob.open(suite.origin() + "/");
      awaitOnline(bob);
      String bobId = "bob-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
      click(bob, By.cssSelector("#choose-id-box summary"));
      type(bob, "choose-id", bobId);
      click(bob, By.cssSelector("#choose-id-form button[type=submit]"));
      bob.waitFor(STEP, "document.getElementById('my-id').textContent === " + js(bobId));
      awaitOnline(bob);
      String invite = bob.driver().findElement(By.id("invite-link")).getAttribute("href");
      assertThat(invite).startsWith(suite.origin() + "/").endsWith("connect=" + bobId);

      // Alice follows the invite link: connected without typing anything.
      alice.open(invite);
      awaitOnline(alice);
      String aliceId = alice.js(String.class, "return document.getElementById('my-id').textContent;");
      alice.waitFor(STEP, "document.getElementById('peer-status').dataset.state === 'open'");
      bob.waitFor(STEP, "document.getElementById('peer-status').dataset.state === 'open'");
      assertThat(text(bob, "#peer-status")).contains(aliceId);
      assertThat(text(alice, "#peer-status")).contains(bobId);
      LOG.info("Chromium {}: alice {} ({}), bob {} ({}); ice: {}", alice.version(), aliceId, text(alice, "#peer-status"),
          bobId, text(bob, "#peer-status"), text(alice, "#ice-info"));

      // Both pages got STUN/TURN with minted credentials from the signaling server, and they work:
      // each browser allocated a relay on the suite's TURN server (whichever path ICE then chose).
      assertThat(text(alice, "#ice-info")).contains("turn:127.0.0.1:" + suite.turnPort());
      // (Once in CI, 2026-11-25, neither Chromium sent an Allocate within 30 s, only 8 Bindings; it passed alone
      // and in the re-run. If it comes back, the message adds the local candidates each page's getStats reports.)
      Wait.until(STEP, "both browsers allocated on our TURN server with the minted credentials",
          () -> suite.turnCounters().allocationsCreated() >= 2,
          () -> suite.turnCounters().snapshot() + "; alice gathered " + gathered(alice) + "; bob gathered " + gathered(bob));

      // Chat, both ways.
      String hello = "Hello Bob, this is Alice — ünïcødé ✓";
      type(alice, "chat-input", hello);
      click(alice, By.id("chat-send"));
      bob.waitFor(STEP, "[...document.querySelectorAll('.msg.theirs .text')].some(e => e.textContent === " + js(hello) + ")");
      String reply = "Hi Alice! Bob here.";
      type(bob, "chat-input", reply);
      bob.driver().findElement(By.id("chat-input")).submit();
      alice.waitFor(STEP, "[...document.querySelectorAll('.msg.theirs .text')].some(e => e.textContent === " + js(reply) + ")");

      // A file through the file input, checked on arrival.
      byte[] content = new byte[FILE_BYTES];
      new SplittableRandom(20261124).nextBytes(content);
      Path file = temp.resolve("holiday-video.bin");
      Files.write(file, content);
      String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
      alice.driver().findElement(By.id("file-input")).sendKeys(file.toAbsolutePath().toString());
      click(alice, By.id("file-send"));
      bob.waitFor(Duration.ofSeconds(60),
          "(t => t && t.dataset.state !== 'receiving')(document.querySelector('.transfer[data-direction=in]'))");
      alice.waitFor(STEP, "(t => t && t.dataset.state !== 'sending')(document.querySelector('.transfer[data-direction=out]'))");
      Map<?, ?> in = transfer(bob, "in");
      Map<?, ?> out = transfer(alice, "out");
      LOG.info("file transfer: bob {} / alice {}", in, out);
      assertThat(in.get("state")).as("receiver's verdict: " + in.get("verdict")).isEqualTo("verified");
      assertThat(in.get("name")).isEqualTo("holiday-video.bin");
      assertThat(in.get("sha256")).as("SHA-256 shown by the receiver").isEqualTo(sha256);
      assertThat(((Number) in.get("value")).longValue()).as("receiver's progress bar").isEqualTo(FILE_BYTES);
      assertThat(((Number) in.get("max")).longValue()).isEqualTo(FILE_BYTES);
      assertThat(out.get("state")).as("sender's verdict: " + out.get("verdict")).isEqualTo("verified");
      assertThat(out.get("sha256")).as("SHA-256 shown by the sender").isEqualTo(sha256);
      assertThat(((Number) out.get("value")).longValue()).as("sender's progress bar").isEqualTo(FILE_BYTES);
      assertThat(bob.js(String.class, "return document.querySelector('.transfer[data-direction=in] a.save').download;"))
          .isEqualTo("holiday-video.bin");
      // What "Save" gives is exactly what arrived, and it was kept on disk (OPFS), not in memory.
      Map<?, ?> saved = WebAppSuite.savedFile(bob, STEP);
      assertThat(saved.get("storage")).as("where Bob's page kept the file").isEqualTo("disk");
      assertThat(((Number) saved.get("size")).longValue()).isEqualTo(FILE_BYTES);
      assertThat(saved.get("sha256")).as("SHA-256 of the bytes behind the save link").isEqualTo(sha256);
      shot(alice, shots.resolve("1-alice-chat-and-file.png"));
      shot(bob, shots.resolve("1-bob-chat-and-file.png"));

      // A video call: Alice calls, Bob answers.
      click(alice, By.id("call-btn"));
      bob.waitFor(STEP, "!document.getElementById('answer-btn').hidden");
      assertThat(text(bob, "#call-status")).contains(aliceId);
      click(bob, By.id("answer-btn"));
      for (Browser b : List.of(alice, bob)) {
        b.waitFor(STEP, "document.getElementById('remote-video').videoWidth > 0");
      }
      Map<?, ?> aliceFirst = mediaStats(alice);
      Map<?, ?> bobFirst = mediaStats(bob);
      Wait.untilAsserted(STEP, "frames keep being decoded on both sides", () -> {
        assertThat(num(mediaStats(alice).get("framesDecoded"))).isGreaterThan(num(aliceFirst.get("framesDecoded")) + 10);
        assertThat(num(mediaStats(bob).get("framesDecoded"))).isGreaterThan(num(bobFirst.get("framesDecoded")) + 10);
      });
      LOG.info("call: alice receives {}, bob receives {}", mediaStats(alice), mediaStats(bob));
      assertThat(text(alice, "#call-status")).contains("In a call with " + bobId);
      assertThat(text(bob, "#call-status")).contains("In a call with " + aliceId);
      assertThat(audioEnergyOver(bob, Duration.ofMillis(1500))).as("audio energy Bob receives, unmuted").isGreaterThan(0.02);
      shot(alice, shots.resolve("2-alice-in-call.png"));
      shot(bob, shots.resolve("2-bob-in-call.png"));

      // Mute: the button, the remote badge, and silence on the wire; then unmute.
      click(alice, By.id("mute-btn"));
      assertThat(attr(alice, "mute-btn", "aria-pressed")).isEqualTo("true");
      assertThat(alice.js(Boolean.class, "return rtc4jApp.localStream.getAudioTracks().every(t => !t.enabled);")).isTrue();
      bob.waitFor(STEP, "!document.getElementById('remote-muted').hidden");
      assertThat(text(bob, "#remote-muted")).isEqualTo("Muted");
      Wait.untilAsserted(STEP, "Bob receives silence once Alice is muted",
          () -> assertThat(audioEnergyOver(bob, Duration.ofMillis(1000))).isLessThan(0.001));
      shot(alice, shots.resolve("3-alice-muted.png"));
      shot(bob, shots.resolve("3-bob-sees-alice-muted.png"));
      click(alice, By.id("mute-btn"));
      bob.waitFor(STEP, "document.getElementById('remote-muted').hidden");
      Wait.untilAsserted(STEP, "Bob hears Alice again after unmute",
          () -> assertThat(audioEnergyOver(bob, Duration.ofMillis(1500))).isGreaterThan(0.02));

      // Hang up.
      click(alice, By.id("hangup-btn"));
      bob.waitFor(STEP, "rtc4jApp.call === null && document.getElementById('hangup-btn').disabled");
      assertThat(text(alice, "#call-status")).isEqualTo("You hung up.");
      assertThat(alice.js(Boolean.class, "return rtc4jApp.localStream === null;")).isTrue();
      // The chat still works after the call.
      type(bob, "chat-input", "bye");
      click(bob, By.id("chat-send"));
      alice.waitFor(STEP, "[...document.querySelectorAll('.msg.theirs .text')].some(e => e.textContent === 'bye')");
      assertThat(errors(alice)).isEmpty();
      assertThat(errors(bob)).isEmpty();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A screenshot of the page from its top (clicks scroll the page to the element clicked). */
  private static void shot(Browser b, Path file) {
    b.js("window.scrollTo(0, 0);");
    b.screenshot(file);
  }

  private static void awaitOnline(Browser b) {
    b.waitFor(STEP, "document.getElementById('server-status').dataset.state === 'online'");
  }

  private static void click(Browser b, By by) {
    b.driver().findElement(by).click();
  }

  private static void type(Browser b, String id, String text) {
    WebElement e = b.driver().findElement(By.id(id));
    e.clear();
    e.sendKeys(text);
  }

  private static String text(Browser b, String css) {
    return b.js(String.class, "return document.querySelector(arguments[0]).textContent;", css);
  }

  private static String attr(Browser b, String id, String name) {
    return b.driver().findElement(By.id(id)).getAttribute(name);
  }

  /** What the page shows for its newest transfer in {@code direction}. */
  private static Map<?, ?> transfer(Browser b, String direction) {
    return b.js(Map.class, "const t = document.querySelector('.transfer[data-direction=' + arguments[0] + ']');"
        + "const sha = t.querySelector('code.sha256');"
        + "return {state: t.dataset.state, name: t.dataset.direction && t.querySelector('.name').lastChild.textContent,"
        + " value: t.querySelector('progress').value, max: t.querySelector('progress').max,"
        + " verdict: t.querySelector('.verdict').textContent, sha256: sha ? sha.textContent : null};", direction);
  }

  /** The local candidates of the page's data connection (type, protocol, address:port, relay URL), from getStats. */
  private static Object gathered(Browser b) {
    try {
      return b.awaitJs(Duration.ofSeconds(5), """
          const pc = rtc4jApp.connection && rtc4jApp.connection.peerConnection;
          if (!pc) return 'no connection';
          const out = [];
          (await pc.getStats()).forEach(s => {
            if (s.type === 'local-candidate') out.push(s.candidateType + '/' + s.protocol + ' ' + s.address + ':' + s.port + (s.url ? ' ' + s.url : ''));
          });
          return out.join(', ') + ' (gathering ' + pc.iceGatheringState + ')';""");
    } catch (AssertionError e) {
      return "unknown: " + e.getMessage();
    }
  }

  /** Inbound video and audio of the current call, from getStats, and the video element's size. */
  private static Map<?, ?> mediaStats(Browser b) {
    return b.awaitJs(Map.class, STEP, """
        const stats = await rtc4jApp.call.peerConnection.getStats();
        const r = {framesDecoded: 0, frameWidth: 0, audioEnergy: 0};
        stats.forEach(s => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') { r.framesDecoded = s.framesDecoded || 0; r.frameWidth = s.frameWidth || 0; }
          if (s.type === 'inbound-rtp' && s.kind === 'audio') { r.audioEnergy = s.totalAudioEnergy || 0; }
        });
        r.videoWidth = document.getElementById('remote-video').videoWidth;
        return r;""");
  }

  /** How much audio energy (getStats totalAudioEnergy) the page receives during {@code window}. */
  private static double audioEnergyOver(Browser b, Duration window) {
    double start = num(mediaStats(b).get("audioEnergy"));
    Wait.pause(window);
    return num(mediaStats(b).get("audioEnergy")) - start;
  }

  /** Console entries at SEVERE level, minus what a page without a favicon or ICE endpoint may log. */
  private static List<String> errors(Browser b) {
    return b.consoleLog().stream().filter(l -> l.contains(" SEVERE ")).toList();
  }

  private static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  private static String js(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      if (c == '\'' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('\'').toString();
  }

  private static Path resultsDir(TestInfo info) throws IOException {
    String name = "WebAppChromiumTest." + info.getTestMethod().map(m -> m.getName()).orElse("test");
    return Files.createDirectories(
        Path.of(System.getProperty(BrowserExtension.RESULTS_PROPERTY, "target/test-results")).resolve(name));
  }
}
