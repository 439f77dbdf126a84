package org.rtc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class ExternalTest {

  private static final String MISSING = "rtc4j-no-such-tool-xyz";

  @Test
  void findsToolsOnThePath() {
    assertThat(External.find("sh")).hasValueSatisfying(p -> assertThat(p).isAbsolute().isExecutable());
    assertThat(External.available("sh")).isTrue();
    assertThat(External.require("sh").getFileName().toString()).isEqualTo("sh");
    assertThat(External.find("/bin/sh")).contains(Path.of("/bin/sh"));
  }

  @Test
  void chromiumIsLookedUpAtDebiansPathOnly() {
    assertThat(External.find("chromium")).isEqualTo(
        java.nio.file.Files.isExecutable(Path.of("/usr/bin/chromium")) ? java.util.Optional.of(Path.of("/usr/bin/chromium"))
            : java.util.Optional.empty());
  }

  @Test
  void knowsTheDebianPackages() {
    assertThat(External.aptPackage("chromedriver")).isEqualTo("chromium-driver");
    assertThat(External.aptPackage("turnutils_uclient")).isEqualTo("coturn");
    assertThat(External.aptPackage("turnutils_stunclient")).isEqualTo("coturn");
    assertThat(External.aptPackage("ffprobe")).isEqualTo("ffmpeg");
    assertThat(External.aptPackage("/usr/bin/chromedriver")).isEqualTo("chromium-driver");
    assertThat(External.aptPackage("something-else")).isEqualTo("something-else");
  }

  @Test
  void missingToolSkipsByDefault() {
    String old = System.getProperty(External.REQUIRE_PROPERTY);
    System.clearProperty(External.REQUIRE_PROPERTY);
    try {
      assertThat(External.find(MISSING)).isEmpty();
      assertThatThrownBy(() -> External.require(MISSING))
          .isInstanceOf(TestAbortedException.class)
          .hasMessageContaining(MISSING)
          .hasMessageContaining("skipped");
    } finally {
      restore(old);
    }
  }

  @Test
  void missingToolFailsWhenRequired() {
    String old = System.getProperty(External.REQUIRE_PROPERTY);
    System.setProperty(External.REQUIRE_PROPERTY, "true");
    try {
      assertThatThrownBy(() -> External.require("/usr/bin/" + MISSING))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining(MISSING)
          .hasMessageContaining("Debian package");
      assertThatThrownBy(() -> External.requireAll("sh", MISSING)).isInstanceOf(AssertionError.class);
    } finally {
      restore(old);
    }
  }

  private static void restore(String old) {
    if (old == null) {
      System.clearProperty(External.REQUIRE_PROPERTY);
    } else {
      System.setProperty(External.REQUIRE_PROPERTY, old);
    }
  }
}
