package org.rtc4j.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs some tests drive (Chromium, chromedriver, coturn's tools, Redis,
 * ffprobe, iproute2...) and decides what a test does when one is missing.
 *
 * <p>{@link #require(String)} returns the tool's path. When the tool is absent the test is
 * <em>skipped</em> (JUnit {@link Assumptions#abort}) — unless the system property
 * {@value #REQUIRE_PROPERTY} is {@code true} (the README's test command sets it, after installing
 * everything), in which case the test <em>fails</em> with an {@link AssertionError} naming the tool
 * and the Debian package that provides it. So a developer's quick {@code mvn test} stays green on a
 * bare machine, and CI cannot pass by silently skipping.
 *
 * <p>Chromium and chromedriver are looked up at Debian's paths only ({@code /usr/bin/chromium},
 * {@code /usr/bin/chromedriver}): a browser or driver downloaded by some other tool must never be
 * picked up. Other tools are searched on {@code PATH}, then in {@code /usr/bin}, {@code /usr/sbin},
 * {@code /bin}, {@code /sbin}, {@code /usr/local/bin}.
 */
public final class External {

  /** System property that turns a missing tool from a skip into a failure. */
  public static final String REQUIRE_PROPERTY = "rtc4j.requireExternal";

  /** Tools with a fixed location (and no PATH search). */
  private static final Map<String, Path> FIXED = Map.of(
      "chromium", Path.of("/usr/bin/chromium"),
      "chromedriver", Path.of("/usr/bin/chromedriver"));

  /** Tool name → Debian package that installs it. */
  private static final Map<String, String> PACKAGES = Map.ofEntries(
      Map.entry("chromium", "chromium"),
      Map.entry("chromedriver", "chromium-driver"),
      Map.entry("turnserver", "coturn"),
      Map.entry("turnutils_uclient", "coturn"),
      Map.entry("turnutils_stunclient", "coturn"),
      Map.entry("turnutils_peer", "coturn"),
      Map.entry("turnutils_rfc5769check", "coturn"),
      Map.entry("turnadmin", "coturn"),
      Map.entry("redis-server", "redis-server"),
      Map.entry("redis-cli", "redis-tools"),
      Map.entry("ffprobe", "ffmpeg"),
      Map.entry("ffmpeg", "ffmpeg"),
      Map.entry("ip", "iproute2"),
      Map.entry("tc", "iproute2"),
      Map.entry("ss", "iproute2"),
      Map.entry("unshare", "util-linux"),
      Map.entry("nsenter", "util-linux"),
      Map.entry("iptables", "iptables"),
      Map.entry("tshark", "tshark"),
      Map.entry("openssl", "openssl"),
      Map.entry("node", "nodejs"),
      Map.entry("npm", "npm"),
      Map.entry("firefox-esr", "firefox-esr"),
      Map.entry("sipp", "sip-tester"));

  private static final List<Path> EXTRA_DIRS = List.of(
      Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/bin"), Path.of("/sbin"), Path.of("/usr/local/bin"));

  private External() {}

  /**
   * The path of {@code tool}; skips the calling test when it is absent, or fails it when
   * {@value #REQUIRE_PROPERTY} is true.
   *
   * @param tool a program name such as {@code "turnutils_uclient"}, or an absolute path
   */
  public static Path require(String tool) {
    Optional<Path> found = find(tool);
    if (found.isPresent()) {
      return found.get();
    }
    String message = "external tool '" + tool + "' not found (Debian package: " + aptPackage(tool)
        + "; install with: apt-get install -y " + aptPackage(tool) + ")";
    if (required()) {
      throw new AssertionError(message + " and -D" + REQUIRE_PROPERTY + "=true makes that a failure");
    }
    Assumptions.abort(message + "; test skipped");
    throw new AssertionError("unreachable");
  }

  /** {@link #require(String)} for several tools; returns their paths in order. */
  public static List<Path> requireAll(String... tools) {
    List<Path> paths = new ArrayList<>(tools.length);
    for (String tool : tools) {
      paths.add(require(tool));
    }
    return paths;
  }

  /** The path of {@code tool} if it is installed and executable. */
  public static Optional<Path> find(String tool) {
    Objects.requireNonNull(tool, "tool");
    if (tool.isBlank()) {
      throw new IllegalArgumentException("tool name is blank");
    }
    if (tool.contains("/")) {
      Path p = Path.of(tool);
      return executable(p) ? Optional.of(p) : Optional.empty();
    }
    Path fixed = FIXED.get(tool);
    if (fixed != null) {
      return executable(fixed) ? Optional.of(fixed) : Optional.empty();
    }
    for (Path dir : searchDirs()) {
      Path p = dir.resolve(tool);
      if (executable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code tool} is installed. */
  public static boolean available(String tool) {
    return find(tool).isPresent();
  }

  /** The Debian package that provides {@code tool} (the tool's own name when not known). */
  public static String aptPackage(String tool) {
    String name = tool.contains("/") ? Path.of(tool).getFileName().toString() : tool;
    return PACKAGES.getOrDefault(name, name);
  }

  /** Whether missing tools fail tests instead of skipping them ({@value #REQUIRE_PROPERTY}). */
  public static boolean required() {
    return Boolean.getBoolean(REQUIRE_PROPERTY);
  }

  private static Set<Path> searchDirs() {
    Set<Path> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        if (!d.isBlank()) {
          dirs.add(Path.of(d));
        }
      }
    }
    dirs.addAll(EXTRA_DIRS);
    return dirs;
  }

  private static boolean executable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }
}
