package org.rtc4j.testkit.browser;

import java.time.Duration;

/**
 * What {@link Browser} (Chromium over WebDriver) and {@link Firefox} (over WebDriver BiDi) have in
 * common for a test: running script in the page and waiting for a condition. Lets one helper
 * (reading getStats, say) serve both browsers.
 */
public interface BrowserPage {

  /**
   * Runs {@code body} as the body of an {@code async} function with {@code args} available as the
   * array {@code args}; returns the resolved value (null, Boolean, Long, Double, String, List or
   * Map). A rejection or exception in the page, or no answer within {@code timeout}, becomes an
   * {@link AssertionError}.
   */
  Object awaitJs(Duration timeout, String body, Object... args);

  /** {@link #awaitJs(Duration, String, Object...)} converted to {@code type}. */
  <T> T awaitJs(Class<T> type, Duration timeout, String body, Object... args);

  /** Polls the JavaScript {@code expression} until it is truthy; fails after {@code timeout}. */
  void waitFor(Duration timeout, String expression);
}
