package org.rtc4j.testkit.browser;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that hands tests a fresh {@link Browser} and, when a test fails, saves a
 * screenshot, the browser console, the page HTML and the chromedriver log of every browser it
 * opened (Chromium, and Firefox from {@link #launchFirefox()}) into {@code target/test-results/<TestClass>.<method>/} (root overridable with the system
 * property {@value #RESULTS_PROPERTY}), plus {@code failure.txt} with the exception. Browsers are
 * closed after each test.
 *
 * <pre>{@code
 * @ExtendWith(BrowserExtension.class)
 * class MyTest {
 *   @Test void works(Browser browser) { ... }
 * }
 *
 * // or, for options or several browsers per test:
 * @RegisterExtension BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().loopbackIce(true).build());
 * @Test void twoPeers() { Browser a = browsers.launch(); Browser b = browsers.launch(); ... }
 * }</pre>
 *
 * <p>Artifacts are taken in {@code afterEach}, while the browsers are still open (a
 * {@link TestWatcher} alone runs too late for that); {@code failure.txt} is written by
 * {@link #testFailed}. A missing Chromium skips the test (or fails it with
 * {@code -Drtc4j.requireExternal=true}), see {@link org.rtc4j.testkit.External}.
 */
public class BrowserExtension implements ParameterResolver, BeforeEachCallback, AfterEachCallback, TestWatcher {

  /** System property naming the directory under which per-test artifact directories are made. */
  public static final String RESULTS_PROPERTY = "rtc4j.testResults";

  private static final Logger LOG = LoggerFactory.getLogger(BrowserExtension.class);
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BrowserExtension.class);
  private static final String KEY = "browsers";
  private static final String FIREFOX_KEY = "firefoxes";

  private final BrowserOptions options;
  private ExtensionContext current;

  /** Browsers with {@link BrowserOptions#defaults()}. */
  public BrowserExtension() {
    this(BrowserOptions.defaults());
  }

  /** Browsers with {@code options}. */
  public BrowserExtension(BrowserOptions options) {
    this.options = options;
  }

  /** Launches a browser owned by the running test (closed after it; artifacts on failure). */
  public Browser launch() {
    return launch(options);
  }

  /** Launches a browser with other options, owned by the running test. */
  public Browser launch(BrowserOptions options) {
    if (current == null) {
      throw new IllegalStateException("launch() works inside a test of a class that registers this extension "
          + "with @RegisterExtension on an instance field");
    }
    return launch(current, options);
  }

  /** Launches a headless Firefox ({@link FirefoxOptions#defaults()}) owned by the running test. */
  public Firefox launchFirefox() {
    return launchFirefox(FirefoxOptions.defaults());
  }

  /** Launches a headless Firefox with {@code options}, owned by the running test (closed after it; artifacts on failure). */
  public Firefox launchFirefox(FirefoxOptions options) {
    if (current == null) {
      throw new IllegalStateException("launchFirefox() works inside a test of a class that registers this extension "
          + "with @RegisterExtension on an instance field");
    }
    Firefox f = Firefox.launch(options);
    firefoxes(current).add(f);
    return f;
  }

  /** The artifact directory for the test of {@code context}. */
  public static Path resultsDir(ExtensionContext context) {
    String cls = context.getTestClass().map(Class::getSimpleName).orElse("unknown");
    String method = context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
    String name = cls + "." + method;
    String display = context.getDisplayName();
    // parameterized / repeated invocations share a method: keep their runs apart
    if (context.getUniqueId().contains("-invocation:")) {
      name = name + "-" + display;
    }
    name = name.replaceAll("[^A-Za-z0-9._-]+", "_");
    if (name.length() > 150) {
      name = name.substring(0, 150);
    }
    return Path.of(System.getProperty(RESULTS_PROPERTY, "target/test-results")).resolve(name);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    current = context;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Browser.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      throw new ParameterResolutionException("Browser parameters are resolved for test methods only");
    }
    return launch(context, options);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<Browser> browsers = browsers(context);
    try {
      if (context.getExecutionException().isPresent()) {
        Path dir = resultsDir(context);
        for (int i = 0; i < browsers.size(); i++) {
          String prefix = browsers.size() == 1 ? "" : "browser" + (i + 1) + "-";
          List<Path> saved = browsers.get(i).saveArtifacts(dir, prefix);
          LOG.info("test failed; saved {} browser artifacts in {}", saved.size(), dir.toAbsolutePath());
        }
        List<Firefox> ffs = firefoxes(context);
        for (int i = 0; i < ffs.size(); i++) {
          List<Path> saved = ffs.get(i).saveArtifacts(dir, "firefox" + (i + 1) + "-");
          LOG.info("test failed; saved {} Firefox artifacts in {}", saved.size(), dir.toAbsolutePath());
        }
      }
    } finally {
      for (Firefox f : firefoxes(context)) {
        try {
          f.close();
        } catch (RuntimeException e) {
          LOG.warn("closing {} failed", f, e);
        }
      }
      firefoxes(context).clear();
      for (Browser b : browsers) {
        try {
          b.close();
        } catch (RuntimeException e) {
          LOG.warn("closing {} failed", b, e);
        }
      }
      browsers.clear();
      current = null;
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    Path dir = resultsDir(context);
    StringWriter sw = new StringWriter();
    try (PrintWriter pw = new PrintWriter(sw)) {
      pw.println(context.getUniqueId());
      cause.printStackTrace(pw);
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("failure.txt"), sw.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("cannot write failure.txt into {}", dir, e);
    }
  }

  private Browser launch(ExtensionContext context, BrowserOptions opts) {
    Browser b = Browser.launch(opts);
    browsers(context).add(b);
    return b;
  }

  @SuppressWarnings("unchecked")
  private static List<Browser> browsers(ExtensionContext context) {
    return (List<Browser>) context.getStore(NS).getOrComputeIfAbsent(KEY, k -> new ArrayList<Browser>(), List.class);
  }

  @SuppressWarnings("unchecked")
  private static List<Firefox> firefoxes(ExtensionContext context) {
    return (List<Firefox>) context.getStore(NS).getOrComputeIfAbsent(FIREFOX_KEY, k -> new ArrayList<Firefox>(), List.class);
  }

  /** The failure of the test in {@code context}, if any (for subclasses). */
  protected static Optional<Throwable> failure(ExtensionContext context) {
    return context.getExecutionException();
  }
}
