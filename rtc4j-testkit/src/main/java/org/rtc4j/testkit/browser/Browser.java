package org.rtc4j.testkit.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.ScriptTimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One headless Chromium driven over WebDriver: Debian's {@code /usr/bin/chromium} with Debian's
 * {@code /usr/bin/chromedriver}, both given to Selenium explicitly so Selenium Manager (which
 * would try to download a browser or driver) is never consulted. Every instance has a fresh
 * profile in a temporary directory that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (StaticHttpServer web = StaticHttpServer.start().page("/", html);
 *      Browser browser = Browser.launch()) {
 *   browser.open(web.uri("/"));
 *   Object state = browser.awaitJs(Duration.ofSeconds(10),
 *       "const pc = new RTCPeerConnection(); return pc.signalingState;");
 * }
 * }</pre>
 *
 * <p>{@link #launch} skips the calling test when Chromium or chromedriver is missing (or fails it
 * under {@code -Drtc4j.requireExternal=true}), via {@link External}. Use {@link BrowserExtension}
 * to get a screenshot and the console log saved when a test fails.
 *
 * <p>Threading: one test thread at a time (WebDriver is not thread-safe).
 */
public final class Browser implements BrowserPage, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Browser.class);

  /**
   * Selenium warns at every start that it has no CDP bindings for this Chromium version; we do not
   * use CDP, so the warning is noise. Held here because java.util.logging keeps loggers weakly.
   */
  private static final java.util.logging.Logger CDP_VERSION_LOG =
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  /**
   * Threads Selenium leaves behind after {@link #close()}: the JDK HTTP clients' selector threads
   * (they end when the clients are garbage collected), its URL checker pool and the JDK's
   * CompletableFuture delay scheduler. For {@link org.rtc4j.testkit.ThreadLeakCheck#ignoring}
   * in tests that use a browser; never a thread of rtc4j.
   */
  public static final java.util.function.Predicate<Thread> SELENIUM_THREADS = t -> {
    String n = t.getName();
    return n.startsWith("HttpClient-") || n.startsWith("UrlChecker-") || n.equals("CompletableFutureDelayScheduler")
        || n.startsWith("Driver Service Executor") || n.startsWith("External Process Output Forwarder")
        || n.equals("Keep-Alive-Timer");
  };

  private final BrowserOptions options;
  private final Path tempRoot;
  private final Path profile;
  private final Path driverLog;
  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final List<String> console = new ArrayList<>();
  private boolean closed;

  private Browser(BrowserOptions options, Path tempRoot, Path profile, Path driverLog, ChromeDriverService service,
      ChromeDriver driver) {
    this.options = options;
    this.tempRoot = tempRoot;
    this.profile = profile;
    this.driverLog = driverLog;
    this.service = service;
    this.driver = driver;
  }

  /** Starts Chromium with {@link BrowserOptions#defaults()}. */
  public static Browser launch() {
    return launch(BrowserOptions.defaults());
  }

  /** Starts Chromium with {@code options}; skips (or fails) the test when the binaries are missing. */
  public static Browser launch(BrowserOptions options) {
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
    Path chromium = External.require(options.chromium().toString());
    Path chromedriver = External.require(options.chromedriver().toString());
    Path root;
    try {
      root = Files.createTempDirectory("rtc4j-browser-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a browser profile directory", e);
    }
    Path profile = root.resolve("profile");
    Path driverLog = root.resolve("chromedriver.log");
    ChromeDriverService service = null;
    try {
      Files.createDirectories(profile);
      service = new ChromeDriverService.Builder()
          .usingDriverExecutable(chromedriver.toFile()) // set => Selenium Manager is skipped
          .usingAnyFreePort()
          .withLogFile(driverLog.toFile())
          .build();
      ChromeOptions co = new ChromeOptions();
      co.setBinary(chromium.toFile());
      co.addArguments(options.arguments(profile));
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      co.setCapability(ChromeOptions.LOGGING_PREFS, logs);
      co.setAcceptInsecureCerts(options.allowInsecureLocalhost());
      ChromeDriver driver = new ChromeDriver(service, co);
      driver.manage().timeouts().pageLoadTimeout(options.pageLoadTimeout());
      driver.manage().timeouts().scriptTimeout(options.scriptTimeout());
      LOG.debug("Chromium {} started, profile {}", driver.getCapabilities().getBrowserVersion(), profile);
      return new Browser(options, root, profile, driverLog, service, driver);
    } catch (IOException e) {
      cleanup(service, root);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      String log = readQuietly(driverLog);
      cleanup(service, root);
      throw new IllegalStateException("Chromium did not start (" + chromium + ", " + chromedriver + ")"
          + (log.isEmpty() ? "" : "; chromedriver log:\n" + tail(log, 4000)), e);
    }
  }

  /** The options it was started with. */
  public BrowserOptions options() {
    return options;
  }

  /** Selenium's driver, for anything this class does not cover. */
  public WebDriver driver() {
    return driver;
  }

  /** Chromium's version as it reports it. */
  public String version() {
    return driver.getCapabilities().getBrowserVersion();
  }

  /** The temporary profile directory (deleted by {@link #close()}). */
  public Path userDataDir() {
    return profile;
  }

  /** chromedriver's log file (inside the temporary directory). */
  public Path driverLog() {
    return driverLog;
  }

  /** Loads {@code url} and waits for the page's load event (up to the page-load timeout). */
  public Browser open(String url) {
    driver.get(url);
    return this;
  }

  /** Loads {@code uri}. */
  public Browser open(URI uri) {
    return open(uri.toString());
  }

  /** The current URL. */
  public String url() {
    return driver.getCurrentUrl();
  }

  /**
   * Runs {@code script} as a function body in the page ({@code arguments[i]} are {@code args});
   * returns what it returns: null, Boolean, Long, Double, String, List, Map or a WebElement.
   */
  public Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** {@link #js(String, Object...)} converted to {@code type} (numbers are converted between kinds). */
  public <T> T js(Class<T> type, String script, Object... args) {
    return convert(type, js(script, args));
  }

  /**
   * Runs {@code script} asynchronously: it gets a callback as its last argument and the call
   * returns what the callback is given, or fails after {@code timeout}.
   */
  public Object jsAsync(Duration timeout, String script, Object... args) {
    driver.manage().timeouts().scriptTimeout(timeout);
    try {
      return driver.executeAsyncScript(script, args);
    } catch (ScriptTimeoutException e) {
      throw new AssertionError("script did not call back within " + timeout.toMillis() + " ms: " + abbreviate(script), e);
    } finally {
      driver.manage().timeouts().scriptTimeout(options.scriptTimeout());
    }
  }

  /**
   * Runs {@code body} as the body of an {@code async} function (so it may {@code await}) with
   * {@code args} available as the array {@code args}; returns the resolved value. A rejection or
   * exception in the page becomes an {@link AssertionError} carrying the JavaScript stack.
   *
   * <pre>{@code
   * long tracks = browser.awaitJs(Long.class, Duration.ofSeconds(10),
   *     "const s = await navigator.mediaDevices.getUserMedia({audio: true, video: true});"
   *         + "return s.getTracks().length;");
   * }</pre>
   */
  @Override
  public Object awaitJs(Duration timeout, String body, Object... args) {
    String wrapper = "const done = arguments[arguments.length - 1];"
        + "const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);"
        + "(async () => {\n" + body + "\n})().then("
        + "v => done({ok: true, value: v === undefined ? null : v}),"
        + "e => done({ok: false, error: (e && e.stack) ? String(e.stack) : String(e)}));";
    Object r = jsAsync(timeout, wrapper, args);
    if (!(r instanceof Map<?, ?> m)) {
      throw new AssertionError("unexpected result from the page: " + r);
    }
    if (!Boolean.TRUE.equals(m.get("ok"))) {
      throw new AssertionError("JavaScript failed: " + m.get("error") + "\nin: " + abbreviate(body));
    }
    return m.get("value");
  }

  /** {@link #awaitJs(Duration, String, Object...)} converted to {@code type}. */
  @Override
  public <T> T awaitJs(Class<T> type, Duration timeout, String body, Object... args) {
    return convert(type, awaitJs(timeout, body, args));
  }

  /** Polls the JavaScript {@code expression} until it is truthy; fails after {@code timeout} with the expression. */
  @Override
  public void waitFor(Duration timeout, String expression) {
    String script = "return !!(" + expression + ");";
    Wait.until(timeout, Duration.ofMillis(50), "page condition `" + expression + "` at " + safeUrl(),
        () -> Boolean.TRUE.equals(js(script)), null);
  }

  /**
   * The browser console so far: one line per entry ({@code time LEVEL message}), accumulated over
   * calls (WebDriver hands each entry out once).
   */
  public List<String> consoleLog() {
    if (!closed) {
      try {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
          console.add(Instant.ofEpochMilli(e.getTimestamp()) + " " + e.getLevel() + " " + e.getMessage());
        }
      } catch (WebDriverException e) {
        LOG.debug("cannot read the browser log", e);
      }
    }
    return List.copyOf(console);
  }

  /** A PNG screenshot of the viewport. */
  public byte[] screenshot() {
    return driver.getScreenshotAs(OutputType.BYTES);
  }

  /** Writes a PNG screenshot to {@code file} (parent directories are created). */
  public Path screenshot(Path file) {
    write(file, screenshot());
    return file;
  }

  /** The page's current HTML. */
  public String pageSource() {
    return driver.getPageSource();
  }

  /**
   * Saves what helps explain a failure into {@code dir}: {@code <prefix>screenshot.png},
   * {@code <prefix>console.log}, {@code <prefix>page.html}, {@code <prefix>chromedriver.log},
   * {@code <prefix>url.txt}. Never throws; what could not be saved is listed in
   * {@code <prefix>artifact-errors.txt}.
   */
  public List<Path> saveArtifacts(Path dir, String prefix) {
    List<Path> saved = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      LOG.warn("cannot create {}", dir, e);
      return saved;
    }
    attempt(errors, "screenshot", () -> saved.add(screenshot(dir.resolve(prefix + "screenshot.png"))));
    attempt(errors, "console log", () -> saved.add(
        write(dir.resolve(prefix + "console.log"), String.join("\n", consoleLog()).concat("\n").getBytes(StandardCharsets.UTF_8))));
    attempt(errors, "page source", () -> saved.add(
        write(dir.resolve(prefix + "page.html"), pageSource().getBytes(StandardCharsets.UTF_8))));
    attempt(errors, "url", () -> saved.add(write(dir.resolve(prefix + "url.txt"), (url() + "\n").getBytes(StandardCharsets.UTF_8))));
    attempt(errors, "chromedriver log", () -> {
      if (Files.exists(driverLog)) {
        Path to = dir.resolve(prefix + "chromedriver.log");
        Files.copy(driverLog, to, StandardCopyOption.REPLACE_EXISTING);
        saved.add(to);
      }
    });
    if (!errors.isEmpty()) {
      saved.add(write(dir.resolve(prefix + "artifact-errors.txt"), String.join("\n", errors).getBytes(StandardCharsets.UTF_8)));
    }
    return saved;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Quits Chromium and chromedriver and deletes the profile. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    consoleLog(); // keep the log readable after close
    closed = true;
    try {
      driver.quit();
    } catch (WebDriverException e) {
      LOG.debug("quit failed", e);
    } finally {
      cleanup(service, tempRoot);
    }
  }

  @Override
  public String toString() {
    return "Browser[" + (closed ? "closed" : safeUrl()) + ", profile " + profile + "]";
  }

  // ---------------------------------------------------------------- helpers

  private interface Step {
    void run() throws Exception;
  }

  private static void attempt(List<String> errors, String what, Step step) {
    try {
      step.run();
    } catch (Exception | AssertionError e) {
      errors.add(what + ": " + e);
    }
  }

  private String safeUrl() {
    try {
      return driver.getCurrentUrl();
    } catch (WebDriverException e) {
      return "<unknown url>";
    }
  }

  private static Path write(Path file, byte[] bytes) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void cleanup(ChromeDriverService service, Path root) {
    if (service != null) {
      try {
        service.stop();
      } catch (RuntimeException e) {
        LOG.debug("stopping chromedriver failed", e);
      }
    }
    deleteTree(root);
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    // Chromium may still be writing for a moment after quit: retry a few times.
    for (int attempt = 0; attempt < 5; attempt++) {
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
        return;
      } catch (IOException | UncheckedIOException e) {
        if (attempt == 4) {
          LOG.warn("could not delete browser profile {}: {}", root, e.toString());
        } else {
          Wait.pause(Duration.ofMillis(100));
        }
      }
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @SuppressWarnings("unchecked")
  static <T> T convert(Class<T> type, Object value) {
    Objects.requireNonNull(type, "type");
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && !type.isInstance(value)) {
      if (type == Integer.class) {
        return (T) Integer.valueOf(Math.toIntExact(n.longValue()));
      } else if (type == Long.class) {
        return (T) Long.valueOf(n.longValue());
      } else if (type == Double.class) {
        return (T) Double.valueOf(n.doubleValue());
      }
    }
    if (!type.isInstance(value)) {
      throw new AssertionError("expected a " + type.getSimpleName() + " from the page but got "
          + value.getClass().getSimpleName() + ": " + value);
    }
    return type.cast(value);
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= 300 ? one : one.substring(0, 300) + "...";
  }

  private static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }
}
