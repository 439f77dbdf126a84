package org.rtc4j.server.webrtc;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Chromium per set of options for the whole test run (register it as a static field with
 * {@code @RegisterExtension} in each class that wants it): starting Chromium costs seconds on a
 * busy 2-core machine, and every test opens the page afresh (navigating away closes the previous
 * test's RTCPeerConnections). The browsers live in JUnit's root store, which closes them when the
 * run ends. When a test fails, the artifacts of the browsers it used (screenshot, console, page,
 * driver log) are saved as {@link BrowserExtension} does, into {@link BrowserExtension#resultsDir}.
 */
final class SharedBrowsers implements BeforeEachCallback, AfterEachCallback {

  private static final Logger LOG = LoggerFactory.getLogger(SharedBrowsers.class);
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SharedBrowsers.class);

  /** The run's browsers; closed by JUnit with the root store. */
  static final class Pool implements ExtensionContext.Store.CloseableResource {
    final Map<BrowserOptions, Browser> browsers = new LinkedHashMap<>();

    @Override
    public synchronized void close() {
      for (Browser b : browsers.values()) {
        try {
          b.close();
        } catch (RuntimeException e) {
          LOG.warn("closing {} failed", b, e);
        }
      }
      browsers.clear();
    }
  }

  private final Map<BrowserOptions, Browser> usedByTest = new LinkedHashMap<>();
  private Pool pool;

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    pool = context.getRoot().getStore(NS).getOrComputeIfAbsent(Pool.class, k -> new Pool(), Pool.class);
  }

  /** The run's browser with {@code options}, started on first use. */
  synchronized Browser get(BrowserOptions options) {
    if (pool == null) {
      throw new IllegalStateException("get() works inside a test of a class that registers this extension");
    }
    synchronized (pool) {
      Browser b = pool.browsers.get(options);
      if (b == null || b.isClosed()) {
        b = Browser.launch(options);
        pool.browsers.put(options, b);
      }
      usedByTest.put(options, b);
      return b;
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      Path dir = BrowserExtension.resultsDir(context);
      int i = 0;
      for (Browser b : usedByTest.values()) {
        String prefix = usedByTest.size() == 1 ? "" : "browser" + (++i) + "-";
        LOG.info("test failed; saved {} browser artifacts in {}", b.saveArtifacts(dir, prefix).size(), dir.toAbsolutePath());
      }
    }
    usedByTest.clear();
  }
}
