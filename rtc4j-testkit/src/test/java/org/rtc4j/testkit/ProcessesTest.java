package org.rtc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessesTest {

  @TempDir
  Path dir;

  @Test
  void capturesStdoutAndStderrIntoTheLog() throws Exception {
    Path log = dir.resolve("sub/out.log");
    Processes.Result r = Processes.run(Duration.ofSeconds(10), log, External.require("sh").toString(), "-c",
        "echo to-stdout; echo to-stderr >&2; exit 3");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).contains("to-stdout").contains("to-stderr");
    assertThat(Files.readString(log)).isEqualTo(r.output());
    assertThatThrownBy(() -> r.assertExitCode(0)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("got 3").hasMessageContaining("to-stderr");
    assertThat(r.assertExitCode(3)).isSameAs(r);
  }

  @Test
  void killsTheWholeTreeAtTheDeadline() {
    Processes.Result r = Processes.command(External.require("sh").toString(), "-c",
            "sleep 60 & echo child $!; sleep 60")
        .timeout(Duration.ofMillis(500)).grace(Duration.ofSeconds(2)).log(dir.resolve("tree.log")).run();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(20));
    long child = Long.parseLong(r.output().replaceAll("(?s).*child (\\d+).*", "$1"));
    Wait.until(Duration.ofSeconds(5), "child " + child + " to be gone",
        () -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void startedProcessesAreWaitedOnAndClosed() {
    List<String> cmd = new ArrayList<>(List.of(External.require("sh").toString(), "-c", "echo ready; exec sleep 60"));
    Processes.Running p = Processes.command(cmd).env("RTC4J_X", "1").directory(dir).start();
    try (p) {
      p.awaitOutput(Duration.ofSeconds(10), "ready");
      assertThat(p.isAlive()).isTrue();
      assertThatThrownBy(() -> p.waitFor(Duration.ofMillis(100))).isInstanceOf(AssertionError.class);
    }
    Wait.until(Duration.ofSeconds(5), "process gone", () -> !p.isAlive());
  }

  @Test
  void awaitOutputFailsFastWhenTheProcessExits() {
    try (Processes.Running p = Processes.command(External.require("sh").toString(), "-c", "echo bye; exit 1").start()) {
      assertThatThrownBy(() -> p.awaitOutput(Duration.ofSeconds(30), "never printed"))
          .isInstanceOf(AssertionError.class).hasMessageContaining("exited with 1").hasMessageContaining("bye");
      assertThat(p.waitFor(Duration.ofSeconds(5))).isEqualTo(1);
    }
  }

  @Test
  void envAndDirectoryAreApplied() {
    Processes.Result r = Processes.command(External.require("sh").toString(), "-c", "echo $RTC4J_X; pwd")
        .env("RTC4J_X", "hello-env").directory(dir).timeout(Duration.ofSeconds(10)).run();
    assertThat(r.ok()).isTrue();
    assertThat(r.output()).contains("hello-env").contains(dir.toString());
  }
}
