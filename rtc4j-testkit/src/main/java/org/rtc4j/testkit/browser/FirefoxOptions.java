package org.rtc4j.testkit.browser;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link Firefox} starts Debian's {@code firefox-esr}. Immutable; {@link #defaults()} and the
 * {@code with*} methods.
 *
 * <p>The preferences ({@link #DEFAULT_PREFS}, written to the fresh profile's {@code user.js}) give
 * the page fake camera and microphone without a prompt, let WebRTC gather host candidates on
 * 127.0.0.1 with real addresses (no mDNS), let media autoplay, and switch off what would try to
 * reach the network (updates, telemetry, safe browsing, captive-portal and connectivity checks).
 *
 * @param firefox the browser binary (Debian's {@code /usr/bin/firefox-esr})
 * @param headless run without a window (default true)
 * @param prefs preferences for {@code user.js}: String, Boolean or Integer values
 * @param extraArguments more command-line arguments, appended
 * @param mozLog a {@code MOZ_LOG} value (e.g. {@code "webrtc_trace:5,jsep:5,signaling:5"}) whose
 *     output goes to the browser's log file, or null
 * @param startTimeout how long the browser may take until its WebDriver BiDi endpoint answers
 * @param width window width in pixels (screenshots)
 * @param height window height in pixels
 */
public record FirefoxOptions(
    Path firefox,
    boolean headless,
    Map<String, Object> prefs,
    List<String> extraArguments,
    String mozLog,
    Duration startTimeout,
    int width,
    int height) {

  /** Debian's Firefox ESR. */
  public static final Path DEBIAN_FIREFOX = Path.of("/usr/bin/firefox-esr");

  /** The preferences every profile gets (see the class comment). */
  public static final Map<String, Object> DEFAULT_PREFS = defaultPrefs();

  public FirefoxOptions {
    Objects.requireNonNull(firefox, "firefox");
    prefs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prefs));
    for (Map.Entry<String, Object> e : prefs.entrySet()) {
      Object v = e.getValue();
      if (!(v instanceof String || v instanceof Boolean || v instanceof Integer)) {
        throw new IllegalArgumentException("pref " + e.getKey() + " must be a String, Boolean or Integer: " + v);
      }
    }
    extraArguments = List.copyOf(extraArguments);
    Objects.requireNonNull(startTimeout, "startTimeout");
    if (width < 100 || height < 100) {
      throw new IllegalArgumentException("window too small: " + width + "x" + height);
    }
  }

  /** Headless, Debian's binary, {@link #DEFAULT_PREFS}, no MOZ_LOG, 60 s to start (it took 20–40 s at load ~30 on 2 cores), 1280x800. */
  public static FirefoxOptions defaults() {
    return new FirefoxOptions(DEBIAN_FIREFOX, true, DEFAULT_PREFS, List.of(), null, Duration.ofSeconds(60), 1280, 800);
  }

  /** These options with {@code name} set to {@code value} (String, Boolean or Integer). */
  public FirefoxOptions withPref(String name, Object value) {
    Map<String, Object> p = new LinkedHashMap<>(prefs);
    p.put(name, value);
    return new FirefoxOptions(firefox, headless, p, extraArguments, mozLog, startTimeout, width, height);
  }

  /** These options with {@code MOZ_LOG=modules} written to the browser's log file. */
  public FirefoxOptions withMozLog(String modules) {
    return new FirefoxOptions(firefox, headless, prefs, extraArguments, modules, startTimeout, width, height);
  }

  /** These options with another window size. */
  public FirefoxOptions withWindowSize(int w, int h) {
    return new FirefoxOptions(firefox, headless, prefs, extraArguments, mozLog, startTimeout, w, h);
  }

  /** The {@code user.js} text for {@link #prefs}. */
  public String userJs() {
    StringBuilder sb = new StringBuilder("// written by rtc4j-testkit for one test browser\n");
    prefs.forEach((k, v) -> sb.append("user_pref(").append(quote(k)).append(", ")
        .append(v instanceof String s ? quote(s) : String.valueOf(v)).append(");\n"));
    return sb.toString();
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static Map<String, Object> defaultPrefs() {
    Map<String, Object> p = new LinkedHashMap<>();
    // media: fake devices, no prompt, autoplay
    p.put("media.navigator.streams.fake", true);
    p.put("media.navigator.permission.disabled", true);
    // fake devices count as capturing only with this; Firefox gathers all host candidates (not just
    // the default-route address, which a namespace without a route lacks) only for a capturing page
    p.put("media.navigator.permission.fake", true);
    p.put("media.autoplay.default", 0);
    p.put("media.autoplay.blocking_policy", 0);
    // ICE: host candidates on loopback, with real addresses instead of mDNS names
    p.put("media.peerconnection.ice.loopback", true);
    p.put("media.peerconnection.ice.obfuscate_host_addresses", false);
    p.put("media.peerconnection.ice.default_address_only", false);
    p.put("media.peerconnection.ice.no_host", false);
    p.put("media.peerconnection.ice.proxy_only", false);
    // quiet on the network
    p.put("app.update.enabled", false);
    p.put("app.update.auto", false);
    p.put("app.normandy.enabled", false);
    p.put("browser.shell.checkDefaultBrowser", false);
    p.put("browser.startup.page", 0);
    p.put("browser.startup.homepage_override.mstone", "ignore");
    p.put("browser.aboutwelcome.enabled", false);
    p.put("browser.newtabpage.enabled", false);
    p.put("browser.region.update.enabled", false);
    p.put("browser.safebrowsing.malware.enabled", false);
    p.put("browser.safebrowsing.phishing.enabled", false);
    p.put("browser.safebrowsing.downloads.enabled", false);
    p.put("browser.safebrowsing.update.enabled", false);
    p.put("datareporting.policy.dataSubmissionEnabled", false);
    p.put("datareporting.healthreport.uploadEnabled", false);
    p.put("toolkit.telemetry.enabled", false);
    p.put("extensions.update.enabled", false);
    p.put("network.captive-portal-service.enabled", false);
    p.put("network.connectivity-service.enabled", false);
    p.put("network.dns.disablePrefetch", true);
    p.put("network.prefetch-next", false);
    p.put("network.proxy.type", 0);
    p.put("geo.enabled", false);
    p.put("dom.disable_beforeunload", true);
    return java.util.Collections.unmodifiableMap(p);
  }
}
