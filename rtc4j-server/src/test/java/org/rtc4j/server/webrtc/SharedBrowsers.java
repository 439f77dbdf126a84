package org.rtc4j.server.webrtc;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Chromium per set of options for a whole test class (register it as a static field with
 * {@code @RegisterExtension}): starting Chromium costs seconds on a busy 2-core machine, and every
 * test opens the page afresh (navigating away closes the previous test's RTCPeerConnections).
 * When a test fails, the artifacts of the browsers it used (screenshot, console, page, driver log)
 * are saved as {@link BrowserExtension} does, into {@link BrowserExtension#resultsDir}; the browsers
 * are closed after the class.
 */
final class SharedBrowsers implements AfterEachCallback, AfterAllCallback {

  private static final Logger LOG = LoggerFactory.getLogger(SharedBrowsers.class);

  private final Map<BrowserOptions, Browser> browsers = new LinkedHashMap<>();
  private final Map<BrowserOptions, Browser> usedByTest = new LinkedHashMap<>();

  /** The class's browser with {@code options}, started on first use. */
  synchronized Browser get(BrowserOptions options) {
    Browser b = browsers.get(options);
    if (b == null || b.isClosed()) {
      b = Browser.launch(options);
      browsers.put(options, b);
    }
    usedByTest.put(options, b);
    return b;
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

  @Override
  public synchronized void afterAll(ExtensionContext context) {
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
