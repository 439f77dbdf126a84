package org.rtc4j.testkit.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.openqa.selenium.json.Json;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One headless Debian {@code firefox-esr} driven over WebDriver BiDi, the protocol Firefox itself
 * serves with {@code --remote-debugging-port}: no geckodriver (there is none on the machine, and
 * nothing may be downloaded), just a WebSocket from {@link java.net.http}. The browser gets a fresh
 * profile in a temporary directory with {@link FirefoxOptions#prefs} in its {@code user.js};
 * {@link #close()} ends the browser's whole process tree and deletes the directory.
 *
 * <pre>{@code
 * try (Firefox ff = Firefox.launch()) {
 *   ff.open(web.uri("/"));
 *   long n = ff.awaitJs(Long.class, Duration.ofSeconds(10),
 *       "const s = await navigator.mediaDevices.getUserMedia({audio: true, video: true});"
 *           + "return s.getTracks().length;");
 * }
 * }</pre>
 *
 * <p>Scripts run as the body of an {@code async} function with {@code args}; their result crosses
 * as JSON (so: null, Boolean, Long, Double, String, List, Map). The browser's stdout, stderr and
 * MOZ_LOG output go to {@link #logFile()}; console messages are collected from BiDi
 * {@code log.entryAdded} events. {@link #launch} skips the test when firefox-esr is missing, or
 * fails it under {@code -Drtc4j.requireExternal=true} ({@link External}).
 *
 * <p>Threading: commands may come from any thread; events arrive on the WebSocket's thread.
 */
public final class Firefox implements BrowserPage, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Firefox.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private final FirefoxOptions options;
  private final Path tempRoot;
  private final Path profile;
  private final Path logFile;
  private final Process process;
  private final Json json = new Json();
  private final Map<Long, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final List<String> console = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;
  private volatile String context;
  private volatile String version = "?";
  private volatile boolean closed;

  private Firefox(FirefoxOptions options, Path tempRoot, Path profile, Path logFile, Process process) {
    this.options = options;
    this.tempRoot = tempRoot;
    this.profile = profile;
    this.logFile = logFile;
    this.process = process;
  }

  /** Starts Firefox with {@link FirefoxOptions#defaults()}. */
  public static Firefox launch() {
    return launch(FirefoxOptions.defaults());
  }

  /** Starts Firefox with {@code options}; skips (or fails) the test when the binary is missing. */
  public static Firefox launch(FirefoxOptions options) {
    Path binary = External.require(options.firefox().toString());
    Path root;
    try {
      root = Files.createTempDirectory("rtc4j-firefox-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a Firefox profile directory", e);
    }
    Path profile = root.resolve("profile");
    Path log = root.resolve("firefox.log");
    Process process = null;
    Firefox ff = null;
    try {
      Files.createDirectories(profile);
      Files.writeString(profile.resolve("user.js"), options.userJs(), StandardCharsets.UTF_8);
      List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--no-remote", "--profile", profile.toString(),
          "--remote-debugging-port=0", "--width=" + options.width(), "--height=" + options.height()));
      if (options.headless()) {
        cmd.add("--headless");
      }
      cmd.addAll(options.extraArguments());
      cmd.add("about:blank");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
      pb.environment().put("MOZ_DISABLE_AUTO_SAFE_MODE", "1");
      if (options.headless()) {
        pb.environment().put("MOZ_HEADLESS", "1");
      }
      if (options.mozLog() != null) {
        pb.environment().put("MOZ_LOG", options.mozLog() + ",timestamp");
        pb.environment().put("MOZ_LOG_FILE", root.resolve("moz.log").toString());
      }
      long t0 = System.nanoTime();
      process = pb.start();
      ff = new Firefox(options, root, profile, log, process);
      ff.connect();
      LOG.info("Firefox {} started in {} ms (profile {})", ff.version, (System.nanoTime() - t0) / 1_000_000, profile);
      return ff;
    } catch (IOException e) {
      kill(process);
      Browser.deleteTree(root);
      throw new UncheckedIOException(e);
    } catch (RuntimeException | AssertionError e) {
      String out = readQuietly(log);
      if (ff != null) {
        ff.close();
      } else {
        kill(process);
        Browser.deleteTree(root);
      }
      throw new IllegalStateException("Firefox did not start (" + binary + ")"
          + (out.isEmpty() ? "" : "; its output:\n" + tail(out, 4000)), e);
    }
  }

  /** Waits for the BiDi endpoint (Firefox writes its port into the profile), opens a session. */
  private void connect() {
    Path portFile = profile.resolve("WebDriverBiDiServer.json");
    Map<?, ?> endpoint = Wait.forValue(options.startTimeout(), Duration.ofMillis(50), "Firefox's WebDriver BiDi port file",
        () -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("Firefox exited with " + process.exitValue());
          }
          try {
            String text = Files.exists(portFile) ? Files.readString(portFile) : "";
            return text.contains("ws_port") ? Optional.of(json.toType(text, Map.class)) : Optional.empty();
          } catch (IOException | RuntimeException e) {
            return Optional.empty(); // still being written
          }
        });
    URI uri = URI.create("ws://" + endpoint.get("ws_host") + ":" + ((Number) endpoint.get("ws_port")).intValue() + "/session");
    try {
      socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(uri, new Listener()).get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot connect to " + uri, e);
    }
    Map<String, Object> session = command("session.new", Map.of("capabilities",
        Map.of("alwaysMatch", Map.of("acceptInsecureCerts", true))));
    Object caps = session.get("capabilities");
    if (caps instanceof Map<?, ?> c && c.get("browserVersion") != null) {
      version = String.valueOf(c.get("browserVersion"));
    }
    command("session.subscribe", Map.of("events", List.of("log.entryAdded")));
    Map<String, Object> tree = command("browsingContext.getTree", Map.of("maxDepth", 0));
    List<?> contexts = (List<?>) tree.get("contexts");
    context = String.valueOf(((Map<?, ?>) contexts.get(0)).get("context"));
  }

  /** The options it was started with. */
  public FirefoxOptions options() {
    return options;
  }

  /** Firefox's version as it reports it. */
  public String version() {
    return version;
  }

  /** The temporary profile directory (deleted by {@link #close()}). */
  public Path profileDir() {
    return profile;
  }

  /** Where the browser's stdout and stderr go (inside the temporary directory). */
  public Path logFile() {
    return logFile;
  }

  /** The MOZ_LOG file when {@link FirefoxOptions#mozLog()} is set (Firefox may add a suffix per process). */
  public Path mozLogFile() {
    return tempRoot.resolve("moz.log");
  }

  /** Runs any BiDi command; returns its result (for what this class does not cover). */
  public Map<String, Object> bidi(String method, Map<String, ?> params) {
    return command(method, params);
  }

  /** Loads {@code url} and waits for its load event. */
  public Firefox open(String url) {
    command("browsingContext.navigate", Map.of("context", context, "url", url, "wait", "complete"));
    return this;
  }

  /** Loads {@code uri}. */
  public Firefox open(URI uri) {
    return open(uri.toString());
  }

  /** The current URL. */
  public String url() {
    Object r = awaitJs(COMMAND_TIMEOUT, "return location.href;");
    return String.valueOf(r);
  }

  /**
   * Runs {@code body} as the body of an {@code async} function with {@code args} (String, Number,
   * Boolean or null) available as the array {@code args}; returns the resolved value as it comes
   * through JSON. A rejection or exception in the page becomes an {@link AssertionError} carrying
   * the JavaScript message and stack; no answer within {@code timeout} too.
   */
  @Override
  public Object awaitJs(Duration timeout, String body, Object... args) {
    String fn = "async function(...args) { try { const v = await (async () => {\n" + body + "\n})();"
        + " return JSON.stringify({ok: true, value: v === undefined ? null : v}); } catch (e) {"
        + " return JSON.stringify({ok: false, error: String(e) + (e && e.stack ? '\\n' + e.stack : '')}); } }";
    List<Map<String, Object>> arguments = new ArrayList<>();
    for (Object a : args) {
      arguments.add(localValue(a));
    }
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("functionDeclaration", fn);
    params.put("awaitPromise", true);
    params.put("target", Map.of("context", context));
    params.put("arguments", arguments);
    Map<String, Object> r;
    try {
      r = command("script.callFunction", params, timeout.plusSeconds(1));
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw new AssertionError("script did not finish within " + timeout.toMillis() + " ms: " + abbreviate(body), e);
      }
      throw e;
    }
    if ("exception".equals(r.get("type"))) {
      throw new AssertionError("JavaScript failed: " + r.get("exceptionDetails") + "\nin: " + abbreviate(body));
    }
    Map<?, ?> result = (Map<?, ?>) r.get("result");
    Map<?, ?> m = json.toType(String.valueOf(result.get("value")), Map.class);
    if (!Boolean.TRUE.equals(m.get("ok"))) {
      throw new AssertionError("JavaScript failed: " + m.get("error") + "\nin: " + abbreviate(body));
    }
    return m.get("value");
  }

  /** {@link #awaitJs(Duration, String, Object...)} converted to {@code type}. */
  @Override
  public <T> T awaitJs(Class<T> type, Duration timeout, String body, Object... args) {
    return Browser.convert(type, awaitJs(timeout, body, args));
  }

  /** A short script: {@link #awaitJs(Duration, String, Object...)} with the command timeout. */
  public Object js(String body, Object... args) {
    return awaitJs(COMMAND_TIMEOUT, body, args);
  }

  /** {@link #js(String, Object...)} converted to {@code type}. */
  public <T> T js(Class<T> type, String body, Object... args) {
    return Browser.convert(type, js(body, args));
  }

  /** Polls the JavaScript {@code expression} until it is truthy; fails after {@code timeout}. */
  @Override
  public void waitFor(Duration timeout, String expression) {
    String script = "return !!(" + expression + ");";
    Wait.until(timeout, Duration.ofMillis(50), "page condition `" + expression + "` in Firefox",
        () -> Boolean.TRUE.equals(js(script)), null);
  }

  /**
   * Puts {@code files} into the {@code <input type=file>} matched by {@code cssSelector}, as a
   * person choosing them would (BiDi {@code input.setFiles}; the page gets its change event).
   */
  public void setFiles(String cssSelector, Path... files) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("expression", "document.querySelector(" + json.toJson(cssSelector) + ")");
    params.put("awaitPromise", false);
    params.put("target", Map.of("context", context));
    Map<String, Object> r = command("script.evaluate", params);
    Map<?, ?> node = (Map<?, ?>) r.get("result");
    if (node == null || node.get("sharedId") == null) {
      throw new AssertionError("no element for " + cssSelector + ": " + r);
    }
    List<String> paths = new ArrayList<>();
    for (Path f : files) {
      paths.add(f.toAbsolutePath().toString());
    }
    command("input.setFiles", Map.of("context", context, "element", Map.of("sharedId", node.get("sharedId")),
        "files", paths));
  }

  /** The browser console so far, one line per entry ({@code time LEVEL text}). */
  public List<String> consoleLog() {
    synchronized (console) {
      return List.copyOf(console);
    }
  }

  /** A PNG screenshot of the viewport. */
  public byte[] screenshot() {
    Map<String, Object> r = command("browsingContext.captureScreenshot", Map.of("context", context));
    return Base64.getDecoder().decode(String.valueOf(r.get("data")));
  }

  /** Writes a PNG screenshot to {@code file} (parent directories are created). */
  public Path screenshot(Path file) {
    return write(file, screenshot());
  }

  /** The page's current HTML. */
  public String pageSource() {
    return String.valueOf(js("return document.documentElement.outerHTML;"));
  }

  /**
   * Saves what helps explain a failure into {@code dir}: {@code <prefix>screenshot.png},
   * {@code <prefix>console.log}, {@code <prefix>page.html}, {@code <prefix>url.txt},
   * {@code <prefix>firefox.log} and the MOZ_LOG files. Never throws; what could not be saved is
   * listed in {@code <prefix>artifact-errors.txt}.
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
    attempt(errors, "console log", () -> saved.add(write(dir.resolve(prefix + "console.log"),
        String.join("\n", consoleLog()).concat("\n").getBytes(StandardCharsets.UTF_8))));
    if (!closed) {
      attempt(errors, "screenshot", () -> saved.add(screenshot(dir.resolve(prefix + "screenshot.png"))));
      attempt(errors, "page source", () -> saved.add(
          write(dir.resolve(prefix + "page.html"), pageSource().getBytes(StandardCharsets.UTF_8))));
      attempt(errors, "url", () -> saved.add(write(dir.resolve(prefix + "url.txt"), (url() + "\n").getBytes(StandardCharsets.UTF_8))));
    }
    attempt(errors, "logs", () -> {
      try (var list = Files.list(tempRoot)) {
        for (Path p : list.filter(p -> p.getFileName().toString().endsWith(".log")
            || p.getFileName().toString().startsWith("moz.log")).toList()) {
          saved.add(write(dir.resolve(prefix + p.getFileName()), Files.readAllBytes(p)));
        }
      }
    });
    if (!errors.isEmpty()) {
      saved.add(write(dir.resolve(prefix + "artifact-errors.txt"), String.join("\n", errors).getBytes(StandardCharsets.UTF_8)));
    }
    return saved;
  }

  /** The text of the browser's log file so far (stdout, stderr). */
  public String log() {
    return readQuietly(logFile);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Ends the session, the browser and every process it started; deletes the profile. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    WebSocket ws = socket;
    if (ws != null) {
      try {
        command("browser.close", Map.of(), Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.debug("browser.close failed", e);
      }
      ws.abort();
    }
    kill(process);
    pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("browser closed")));
    Browser.deleteTree(tempRoot);
  }

  @Override
  public String toString() {
    return "Firefox[" + version + (closed ? ", closed" : "") + ", profile " + profile + "]";
  }

  // ---------------------------------------------------------------- protocol

  private Map<String, Object> command(String method, Map<String, ?> params) {
    return command(method, params, COMMAND_TIMEOUT);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> command(String method, Map<String, ?> params, Duration timeout) {
    if (closed && !"browser.close".equals(method)) {
      throw new IllegalStateException("Firefox is closed");
    }
    long id = ids.incrementAndGet();
    CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
    pending.put(id, f);
    Map<String, Object> msg = new LinkedHashMap<>();
    msg.put("id", id);
    msg.put("method", method);
    msg.put("params", params);
    try {
      synchronized (this) { // one message at a time on the socket
        socket.sendText(json.toJson(msg), true).get(10, TimeUnit.SECONDS);
      }
      Map<String, Object> answer = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if ("error".equals(answer.get("type"))) {
        throw new IllegalStateException("BiDi " + method + " failed: " + answer.get("error") + ": " + answer.get("message"));
      }
      Object result = answer.get("result");
      return result instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("BiDi " + method + " got no answer within " + timeout.toMillis() + " ms", e);
    } finally {
      pending.remove(id);
    }
  }

  private static Map<String, Object> localValue(Object a) {
    if (a == null) {
      return Map.of("type", "null");
    } else if (a instanceof String s) {
      return Map.of("type", "string", "value", s);
    } else if (a instanceof Boolean b) {
      return Map.of("type", "boolean", "value", b);
    } else if (a instanceof Number n) {
      return Map.of("type", "number", "value", n);
    }
    throw new IllegalArgumentException("only String, Number, Boolean or null arguments: " + a);
  }

  @SuppressWarnings("unchecked")
  private void onMessage(String text) {
    Map<String, Object> m;
    try {
      m = json.toType(text, Map.class);
    } catch (RuntimeException e) {
      LOG.debug("unreadable BiDi message {}", text, e);
      return;
    }
    Object id = m.get("id");
    if (id instanceof Number n) {
      CompletableFuture<Map<String, Object>> f = pending.get(n.longValue());
      if (f != null) {
        f.complete(m);
      }
      return;
    }
    if ("log.entryAdded".equals(m.get("method")) && m.get("params") instanceof Map<?, ?> p) {
      Object ts = p.get("timestamp");
      String when = ts instanceof Number t ? Instant.ofEpochMilli(t.longValue()).toString() : "?";
      synchronized (console) {
        console.add(when + " " + String.valueOf(p.get("level")).toUpperCase(java.util.Locale.ROOT) + " " + p.get("text"));
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        onMessage(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("BiDi socket closed: " + status)));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      pending.values().forEach(f -> f.completeExceptionally(error));
    }
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

  /** Kills {@code p} and everything it started (content processes, the GPU and socket processes). */
  private static void kill(Process p) {
    if (p == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
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

  private static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= 300 ? one : one.substring(0, 300) + "...";
  }

  private static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }
}
