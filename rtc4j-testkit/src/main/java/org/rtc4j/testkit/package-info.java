/**
 * Test support shared by every rtc4j module (used in test scope): waiting for conditions with
 * deadlines ({@link org.rtc4j.testkit.Wait}), free loopback ports ({@link org.rtc4j.testkit.FreePorts}),
 * thread-leak checks ({@link org.rtc4j.testkit.ThreadLeakCheck}), detection of external tools with
 * skip-or-fail semantics ({@link org.rtc4j.testkit.External}) and running them with deadlines
 * ({@link org.rtc4j.testkit.Processes}).
 *
 * <p>Sub-packages: {@code sim} (virtual clock and a simulated network with impairments and NATs,
 * driving sans-IO cores deterministically) and {@code browser} (headless Chromium over Selenium).
 *
 * <p>Layer: outside the product; depends only on rtc4j-net. Threading: the static helpers are
 * thread-safe and stateless (no static mutable state); instances ({@code ThreadLeakCheck},
 * {@code Processes.Running}) belong to the test thread that made them. Real network use is
 * limited to loopback.
 */
package org.rtc4j.testkit;
