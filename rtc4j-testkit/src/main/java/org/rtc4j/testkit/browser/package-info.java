/**
 * Driving a real browser from tests: {@link org.rtc4j.testkit.browser.Browser} (headless Debian
 * Chromium over Selenium and Debian's chromedriver; fake camera and microphone; a fresh profile;
 * no network lookups; never a downloaded browser or driver), {@link org.rtc4j.testkit.browser.BrowserExtension}
 * (JUnit 5: a browser per test, screenshot + console + page + driver log saved on failure) and
 * {@link org.rtc4j.testkit.browser.StaticHttpServer} (serves test pages on 127.0.0.1), and
 * {@link org.rtc4j.testkit.browser.Firefox} (headless Debian firefox-esr over WebDriver BiDi, which
 * Firefox serves itself: no geckodriver; {@link org.rtc4j.testkit.browser.FirefoxOptions} has the
 * profile preferences that give it fake media and loopback ICE).
 *
 * <p>Browsers are external tools: absent, the test is skipped, or fails under
 * {@code -Drtc4j.requireExternal=true} ({@link org.rtc4j.testkit.External}). WebRTC in Chromium
 * gathers on every interface it has; the project's test command runs the suite in a network
 * namespace that has only loopback.
 *
 * <p>Layer: test support. Threading: a {@code Browser} is used by one thread at a time;
 * {@code StaticHttpServer} serves on its own dispatcher thread and is safe to configure from the
 * test thread while running.
 */
package org.rtc4j.testkit.browser;
