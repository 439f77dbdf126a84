package org.rtc4j.testkit.browser;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link Browser} starts Chromium. Immutable; {@link #defaults()} or {@link #builder()}.
 *
 * <p>The flags always passed ({@link #arguments(Path)}) make Chromium headless, quiet on the
 * network (no background requests, component updates, sync, QUIC, DNS lookups of outside names,
 * phone-home features), give it fake camera and microphone that need no permission prompt, and a
 * fresh profile directory.
 *
 * @param chromium the browser binary (Debian's {@code /usr/bin/chromium})
 * @param chromedriver the driver binary (Debian's {@code /usr/bin/chromedriver})
 * @param headless run without a window (default true)
 * @param allowInsecureLocalhost accept invalid certificates on localhost ({@code --allow-insecure-localhost})
 *     and treat {@link #secureOrigins} served over plain HTTP as secure contexts
 * @param secureOrigins origins (e.g. {@code http://10.0.0.5:8080}) to treat as secure although
 *     they are HTTP; getUserMedia and other powerful features need a secure context, and
 *     {@code http://127.0.0.1} and {@code http://localhost} are secure already
 * @param loopbackIce let WebRTC gather host candidates on 127.0.0.1
 *     ({@code --allow-loopback-in-peer-connection}; the page also needs media permission)
 * @param mdnsCandidates keep Chromium's default of hiding host candidates behind {@code .local}
 *     mDNS names; false sends real IP addresses ({@code WebRtcHideLocalIpsWithMdns} disabled)
 * @param blockDns answer every host-name lookup except localhost, 127.0.0.1, [::1] and
 *     {@code *.local} with "not found", so the browser never resolves outside names (the rule
 *     covers IP literals too: pages on other addresses need {@code blockDns(false)})
 * @param extraArguments more command-line switches, appended; values of an extra
 *     {@code --disable-features=} are merged into the built-in list
 * @param pageLoadTimeout WebDriver page-load timeout
 * @param scriptTimeout default timeout of asynchronous scripts
 * @param width window width in pixels (screenshots)
 * @param height window height in pixels
 */
public record BrowserOptions(
    Path chromium,
    Path chromedriver,
    boolean headless,
    boolean allowInsecureLocalhost,
    List<String> secureOrigins,
    boolean loopbackIce,
    boolean mdnsCandidates,
    boolean blockDns,
    List<String> extraArguments,
    Duration pageLoadTimeout,
    Duration scriptTimeout,
    int width,
    int height) {

  /** Debian's Chromium. */
  public static final Path DEBIAN_CHROMIUM = Path.of("/usr/bin/chromium");

  /** Debian's chromedriver (package chromium-driver). */
  public static final Path DEBIAN_CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /**
   * Chromium features that contact Google or other outside services, or start downloads; the
   * machine has no way out, and a test must not depend on one.
   */
  public static final List<String> PHONE_HOME_FEATURES = List.of(
      "OptimizationHints", "OptimizationHintsFetching", "OptimizationGuideModelDownloading",
      "OptimizationTargetPrediction", "MediaRouter", "DialMediaRouteProvider", "GlobalMediaControls",
      "Translate", "AutofillServerCommunication", "CertificateTransparencyComponentUpdater",
      "InterestFeedContentSuggestions", "NetworkTimeServiceQuerying", "PrivacySandboxSettings4",
      "HttpsUpgrades", "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "SafeBrowsingEnhancedProtection");

  public BrowserOptions {
    Objects.requireNonNull(chromium, "chromium");
    Objects.requireNonNull(chromedriver, "chromedriver");
    secureOrigins = List.copyOf(secureOrigins);
    extraArguments = List.copyOf(extraArguments);
    Objects.requireNonNull(pageLoadTimeout, "pageLoadTimeout");
    Objects.requireNonNull(scriptTimeout, "scriptTimeout");
    if (width < 100 || height < 100) {
      throw new IllegalArgumentException("window too small: " + width + "x" + height);
    }
  }

  /** Headless, Debian paths, fake media, mDNS candidates as browsers ship them, DNS blocked. */
  public static BrowserOptions defaults() {
    return builder().build();
  }

  /** A builder with {@link #defaults()}' values. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this object's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.chromium = chromium;
    b.chromedriver = chromedriver;
    b.headless = headless;
    b.allowInsecureLocalhost = allowInsecureLocalhost;
    b.secureOrigins.addAll(secureOrigins);
    b.loopbackIce = loopbackIce;
    b.mdnsCandidates = mdnsCandidates;
    b.blockDns = blockDns;
    b.extraArguments.addAll(extraArguments);
    b.pageLoadTimeout = pageLoadTimeout;
    b.scriptTimeout = scriptTimeout;
    b.width = width;
    b.height = height;
    return b;
  }

  /** The complete Chromium command line (without the binary) for a profile in {@code userDataDir}. */
  public List<String> arguments(Path userDataDir) {
    List<String> args = new ArrayList<>();
    if (headless) {
      args.add("--headless=new");
    }
    args.add("--no-sandbox"); // tests run as root in containers, where the sandbox cannot start
    args.add("--disable-gpu");
    args.add("--disable-dev-shm-usage");
    args.add("--use-fake-device-for-media-stream");
    args.add("--use-fake-ui-for-media-stream");
    args.add("--disable-background-networking");
    args.add("--disable-component-update");
    args.add("--disable-sync");
    args.add("--disable-quic");
    args.add("--no-first-run");
    args.add("--no-default-browser-check");
    args.add("--disable-default-apps");
    args.add("--disable-extensions");
    args.add("--disable-client-side-phishing-detection");
    args.add("--disable-domain-reliability");
    args.add("--disable-breakpad");
    args.add("--metrics-recording-only");
    args.add("--safebrowsing-disable-auto-update");
    args.add("--password-store=basic");
    args.add("--use-mock-keychain");
    args.add("--mute-audio");
    args.add("--autoplay-policy=no-user-gesture-required");
    args.add("--disable-background-timer-throttling");
    args.add("--disable-renderer-backgrounding");
    args.add("--disable-backgrounding-occluded-windows");
    args.add("--disable-hang-monitor");
    args.add("--disable-popup-blocking");
    args.add("--window-size=" + width + "," + height);
    args.add("--user-data-dir=" + userDataDir.toAbsolutePath());
    if (blockDns) {
      // The rules also apply to IP literals, hence the loopback exclusions.
      args.add("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1], EXCLUDE *.local");
    }
    if (allowInsecureLocalhost) {
      args.add("--allow-insecure-localhost");
      if (!secureOrigins.isEmpty()) {
        args.add("--unsafely-treat-insecure-origin-as-secure=" + String.join(",", secureOrigins));
      }
    }
    if (loopbackIce) {
      args.add("--allow-loopback-in-peer-connection");
    }
    Set<String> disabled = new LinkedHashSet<>(PHONE_HOME_FEATURES);
    if (!mdnsCandidates) {
      disabled.add("WebRtcHideLocalIpsWithMdns");
    }
    for (String extra : extraArguments) {
      // Chromium honours only one --disable-features switch: merge instead of letting one win.
      if (extra.startsWith("--disable-features=")) {
        for (String f : extra.substring("--disable-features=".length()).split(",")) {
          if (!f.isBlank()) {
            disabled.add(f.trim());
          }
        }
      } else {
        args.add(extra);
      }
    }
    args.add("--disable-features=" + String.join(",", disabled));
    return args;
  }

  /** Builds {@link BrowserOptions}. */
  public static final class Builder {
    private Path chromium = DEBIAN_CHROMIUM;
    private Path chromedriver = DEBIAN_CHROMEDRIVER;
    private boolean headless = true;
    private boolean allowInsecureLocalhost;
    private final List<String> secureOrigins = new ArrayList<>();
    private boolean loopbackIce;
    private boolean mdnsCandidates = true;
    private boolean blockDns = true;
    private final List<String> extraArguments = new ArrayList<>();
    private Duration pageLoadTimeout = Duration.ofSeconds(30);
    private Duration scriptTimeout = Duration.ofSeconds(30);
    private int width = 1280;
    private int height = 800;

    private Builder() {}

    /** Browser binary. */
    public Builder chromium(Path p) {
      this.chromium = p;
      return this;
    }

    /** Driver binary. */
    public Builder chromedriver(Path p) {
      this.chromedriver = p;
      return this;
    }

    /** Headless or with a window (needs a display, e.g. Xvfb). */
    public Builder headless(boolean on) {
      this.headless = on;
      return this;
    }

    /** See {@link BrowserOptions#allowInsecureLocalhost()}. */
    public Builder allowInsecureLocalhost(boolean on) {
      this.allowInsecureLocalhost = on;
      return this;
    }

    /** Adds an HTTP origin to treat as secure (implies {@link #allowInsecureLocalhost(boolean)}). */
    public Builder secureOrigin(String origin) {
      this.secureOrigins.add(origin);
      this.allowInsecureLocalhost = true;
      return this;
    }

    /** See {@link BrowserOptions#loopbackIce()}. */
    public Builder loopbackIce(boolean on) {
      this.loopbackIce = on;
      return this;
    }

    /** See {@link BrowserOptions#mdnsCandidates()}. */
    public Builder mdnsCandidates(boolean on) {
      this.mdnsCandidates = on;
      return this;
    }

    /** See {@link BrowserOptions#blockDns()}. */
    public Builder blockDns(boolean on) {
      this.blockDns = on;
      return this;
    }

    /** Adds command-line switches. */
    public Builder argument(String... args) {
      this.extraArguments.addAll(List.of(args));
      return this;
    }

    /** WebDriver page-load timeout. */
    public Builder pageLoadTimeout(Duration d) {
      this.pageLoadTimeout = d;
      return this;
    }

    /** Default asynchronous script timeout. */
    public Builder scriptTimeout(Duration d) {
      this.scriptTimeout = d;
      return this;
    }

    /** Window size. */
    public Builder windowSize(int width, int height) {
      this.width = width;
      this.height = height;
      return this;
    }

    /** The options. */
    public BrowserOptions build() {
      return new BrowserOptions(chromium, chromedriver, headless, allowInsecureLocalhost, secureOrigins, loopbackIce,
          mdnsCandidates, blockDns, extraArguments, pageLoadTimeout, scriptTimeout, width, height);
    }
  }
}
