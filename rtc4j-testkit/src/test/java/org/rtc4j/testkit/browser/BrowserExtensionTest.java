package org.rtc4j.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.rtc4j.testkit.External;

/**
 * Runs deliberately failing test classes (nested "scenarios", enabled only from here) through the
 * JUnit launcher and checks what {@link BrowserExtension} left in the results directory.
 */
class BrowserExtensionTest {

  static final String SCENARIOS = "rtc4j.testkit.scenarios";

  @TempDir
  Path results;

  @EnabledIfSystemProperty(named = SCENARIOS, matches = "true")
  @ExtendWith(BrowserExtension.class)
  static class NoBrowserScenario {
    @Test
    void passes() {}

    @Test
    void fails() {
      fail("deliberate failure without a browser");
    }
  }

  @EnabledIfSystemProperty(named = SCENARIOS, matches = "true")
  @ExtendWith(BrowserExtension.class)
  static class ParameterScenario {
    static StaticHttpServer web;

    @BeforeAll
    static void serve() {
      web = StaticHttpServer.start().page("/p.html", "<!doctype html><title>scenario page</title><p>scenario body</p>");
    }

    @AfterAll
    static void stop() {
      web.close();
    }

    @Test
    void fails(Browser browser) {
      browser.open(web.uri("/p.html"));
      browser.js("console.log('scenario console marker')");
      fail("deliberate failure with a browser");
    }
  }

  @EnabledIfSystemProperty(named = SCENARIOS, matches = "true")
  static class TwoBrowserScenario {
    @RegisterExtension
    BrowserExtension browsers = new BrowserExtension();

    @Test
    void fails() {
      Browser a = browsers.launch();
      Browser b = browsers.launch();
      a.js("console.log('first browser')");
      b.js("console.log('second browser')");
      throw new IllegalStateException("deliberate error with two browsers");
    }
  }

  private TestExecutionSummary run(Class<?> scenario) {
    System.setProperty(BrowserExtension.RESULTS_PROPERTY, results.toString());
    System.setProperty(SCENARIOS, "true");
    try {
      LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(scenario)).build();
      SummaryGeneratingListener listener = new SummaryGeneratingListener();
      LauncherFactory.create().execute(request, listener);
      return listener.getSummary();
    } finally {
      System.clearProperty(BrowserExtension.RESULTS_PROPERTY);
      System.clearProperty(SCENARIOS);
    }
  }

  @Test
  void writesTheFailureEvenWithoutABrowserAndNothingForPassingTests() throws Exception {
    TestExecutionSummary s = run(NoBrowserScenario.class);
    assertThat(s.getTestsSucceededCount()).isEqualTo(1);
    assertThat(s.getTestsFailedCount()).isEqualTo(1);
    Path dir = results.resolve("NoBrowserScenario.fails");
    assertThat(Files.readString(dir.resolve("failure.txt"))).contains("deliberate failure without a browser");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("failure.txt");
    }
    assertThat(results.resolve("NoBrowserScenario.passes")).doesNotExist();
  }

  @Test
  void savesScreenshotConsolePageAndDriverLogWhenABrowserTestFails() throws Exception {
    External.require("chromium");
    External.require("chromedriver");
    TestExecutionSummary s = run(ParameterScenario.class);
    assertThat(s.getTestsFailedCount()).isEqualTo(1);
    assertThat(s.getFailures().get(0).getException()).hasMessageContaining("deliberate failure with a browser");
    Path dir = results.resolve("ParameterScenario.fails");
    assertThat(Files.readAllBytes(dir.resolve("screenshot.png"))).startsWith(0x89, 'P', 'N', 'G');
    assertThat(Files.readString(dir.resolve("console.log"))).contains("scenario console marker");
    assertThat(Files.readString(dir.resolve("page.html"))).contains("scenario body");
    assertThat(Files.readString(dir.resolve("url.txt"))).contains("/p.html");
    assertThat(dir.resolve("chromedriver.log")).isNotEmptyFile();
    assertThat(Files.readString(dir.resolve("failure.txt"))).contains("deliberate failure with a browser");
    assertThat(dir.resolve("artifact-errors.txt")).doesNotExist();
  }

  @Test
  void savesArtifactsOfEveryBrowserOfATest() throws Exception {
    External.require("chromium");
    External.require("chromedriver");
    TestExecutionSummary s = run(TwoBrowserScenario.class);
    assertThat(s.getTestsFailedCount()).isEqualTo(1);
    Path dir = results.resolve("TwoBrowserScenario.fails");
    assertThat(Files.readString(dir.resolve("browser1-console.log"))).contains("first browser");
    assertThat(Files.readString(dir.resolve("browser2-console.log"))).contains("second browser");
    assertThat(dir.resolve("browser1-screenshot.png")).isNotEmptyFile();
    assertThat(dir.resolve("browser2-screenshot.png")).isNotEmptyFile();
    assertThat(Files.readString(dir.resolve("failure.txt"))).contains("deliberate error with two browsers");
  }
}
