package org.rtc4j.server.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.rtc4j.server.peerjs.PeerJsCommand;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import picocli.CommandLine;

/**
 * {@code rtc4j peerjs send} and {@code rtc4j peerjs receive} (run in this JVM through picocli) against the web app
 * in headless Chromium, both served by the suite's signaling server ({@link WebAppSuite}):
 * <ol>
 *   <li>the CLI sends a file of random bytes to the page, which shows the transfer verified with the SHA-256 this
 *       test computed, its progress bar full; the CLI exits 0 with the summary line, and like the page it took
 *       STUN/TURN with minted credentials from the signaling server (both allocated on the suite's TURN server);</li>
 *   <li>the page sends a file (through its file input) to {@code peerjs receive}, whose last line carries the size
 *       and SHA-256, whose file on disk equals the original, and the page shows that the CLI verified it.</li>
 * </ol>
 * Run inside a network namespace with only {@code lo}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PeerJsCliWebAppChromiumTest {

  private static final Duration STEP = Duration.ofSeconds(30);
  private static final int FILE_BYTES = 3 * 1024 * 1024 + 4321;
  private static final Pattern SUMMARY =
      Pattern.compile("bytes=(\\d+) seconds=([0-9.]+) MBps=([0-9.]+) sha256=([0-9a-f]{64})");

  @RegisterExtension
  final BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder()
      .loopbackIce(true).mdnsCandidates(false).build());

  @TempDir
  Path temp;

  WebAppSuite suite;

  @BeforeEach
  void start() throws Exception {
    suite = WebAppSuite.start(Files.createDirectories(temp.resolve("state")));
  }

  @AfterEach
  void stop() {
    if (suite != null) {
      suite.close();
    }
  }

  /** A picocli run of {@code rtc4j peerjs ARGS...} with its stdout and stderr captured. */
  static final class Cli {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final CompletableFuture<Integer> exit;

    Cli(String... args) {
      CommandLine cli = new CommandLine(new PeerJsCommand());
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
    }

    String stderr() {
      synchronized (err.getBuffer()) {
        return err.toString();
      }
    }

    String lastLine() {
      String[] lines = out.toString().strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private Path randomFile(String name, long seed) throws Exception {
    byte[] content = new byte[FILE_BYTES];
    new SplittableRandom(seed).nextBytes(content);
    return Files.write(temp.resolve(name), content);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void theCliSendsAFileToTheWebApp() throws Exception {
    Path file = randomFile("from-cli.bin", 11);
    String sha = sha256(file);
    String pageId = "web-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    Browser page = browsers.launch();
    page.open(suite.origin() + "/?id=" + pageId);
    page.waitFor(STEP, "document.getElementById('server-status').dataset.state === 'online'"
        + " && document.getElementById('my-id').textContent === '" + pageId + "'");

    Cli send = new Cli("send", file.toString(), "--to", pageId, "--server", suite.origin() + "/", "--timeout", "90");
    int exit = send.exit.get(120, TimeUnit.SECONDS);
    assertThat(exit).as("peerjs send exit; stderr: %s", send.stderr()).isZero();
    Matcher m = SUMMARY.matcher(send.lastLine());
    assertThat(m.matches()).as("last line of %s", send.out).isTrue();
    assertThat(Long.parseLong(m.group(1))).isEqualTo(FILE_BYTES);
    assertThat(m.group(4)).isEqualTo(sha);
    assertThat(send.stderr()).contains("100.0%").contains("ICE servers from the server: [")
        .contains("turn:127.0.0.1:" + suite.turnPort());
    // the CLI took STUN/TURN from the signaling server as the page does: both allocated on the suite's TURN server
    assertThat(suite.turnCounters().allocationsCreated()).as("TURN allocations (page and CLI)").isGreaterThanOrEqualTo(2);

    // the page verified it before answering file-result, so its verdict is already shown
    page.waitFor(STEP, "(t => t && t.dataset.state !== 'receiving')(document.querySelector('.transfer[data-direction=in]'))");
    Map<?, ?> in = transfer(page, "in");
    assertThat(in.get("state")).as("page's verdict: " + in.get("verdict")).isEqualTo("verified");
    assertThat(in.get("name")).isEqualTo("from-cli.bin");
    assertThat(in.get("sha256")).as("SHA-256 shown by the page").isEqualTo(sha);
    assertThat(((Number) in.get("value")).longValue()).as("page's progress bar").isEqualTo(FILE_BYTES);
    assertThat(((Number) in.get("max")).longValue()).isEqualTo(FILE_BYTES);
    assertThat(page.js(String.class, "return document.querySelector('.transfer[data-direction=in] a.save').download;"))
        .isEqualTo("from-cli.bin");
  }

  @Test
  void theWebAppSendsAFileToTheCli() throws Exception {
    Path file = randomFile("from-page.bin", 12);
    String sha = sha256(file);
    Path outDir = temp.resolve("received");
    String cliId = "cli-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    Cli receive = new Cli("receive", "--id", cliId, "--out", outDir.toString(), "--server", suite.origin() + "/",
        "--timeout", "90");
    Wait.until(STEP, "peerjs receive registered its id", () -> receive.stderr().contains("waiting for a file")
        || receive.exit.isDone(), receive::stderr);
    assertThat(receive.exit).as("peerjs receive is still running; stderr: %s", receive.stderr()).isNotDone();

    Browser page = browsers.launch();
    page.open(suite.origin() + "/?connect=" + cliId);
    page.waitFor(STEP, "document.getElementById('peer-status').dataset.state === 'open'");
    page.driver().findElement(By.id("file-input")).sendKeys(file.toAbsolutePath().toString());
    page.driver().findElement(By.id("file-send")).click();

    int exit = receive.exit.get(120, TimeUnit.SECONDS);
    assertThat(exit).as("peerjs receive exit; stderr: %s", receive.stderr()).isZero();
    Matcher m = SUMMARY.matcher(receive.lastLine());
    assertThat(m.matches()).as("last line of %s", receive.out).isTrue();
    assertThat(Long.parseLong(m.group(1))).isEqualTo(FILE_BYTES);
    assertThat(Double.parseDouble(m.group(3))).isPositive();
    assertThat(m.group(4)).isEqualTo(sha);
    assertThat(Files.readAllBytes(outDir.resolve("from-page.bin"))).isEqualTo(Files.readAllBytes(file));
    try (var files = Files.list(outDir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("from-page.bin");
    }

    // the CLI's file-result reached the page: its outgoing transfer shows the receiver verified it
    page.waitFor(STEP, "(t => t && t.dataset.state !== 'sending')(document.querySelector('.transfer[data-direction=out]'))");
    Map<?, ?> out = transfer(page, "out");
    assertThat(out.get("state")).as("page's verdict: " + out.get("verdict")).isEqualTo("verified");
    assertThat(out.get("sha256")).isEqualTo(sha);
    assertThat(((Number) out.get("value")).longValue()).isEqualTo(FILE_BYTES);
  }

  /** What the page shows for its newest transfer in {@code direction}. */
  private static Map<?, ?> transfer(Browser b, String direction) {
    return b.js(Map.class, "const t = document.querySelector('.transfer[data-direction=' + arguments[0] + ']');"
        + "const sha = t.querySelector('code.sha256');"
        + "return {state: t.dataset.state, name: t.querySelector('.name').lastChild.textContent,"
        + " value: t.querySelector('progress').value, max: t.querySelector('progress').max,"
        + " verdict: t.querySelector('.verdict').textContent, sha256: sha ? sha.textContent : null};", direction);
  }
}
