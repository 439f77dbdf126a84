package org.rtc4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up rule, and the compiler threads of this very JVM found in /proc and lowered by renice. */
class JitYieldTest {

  @Test
  void warmOnlyAfterTheLoadHasComeAndWhileTheCompilerIsNearlyIdle() {
    assertThat(JitYield.isWarm(JitYield.WARM_WORK - 1, 0)).as("idle, but the load has not come yet").isFalse();
    assertThat(JitYield.isWarm(JitYield.WARM_WORK, JitYield.QUIET_MS)).isFalse();
    assertThat(JitYield.isWarm(JitYield.WARM_WORK, JitYield.QUIET_MS - 1)).isTrue();
    assertThat(JitYield.isWarm(50_000_000, 500)).as("still compiling").isFalse();
  }

  @Test
  void findsThisJvmsCompilerThreadsAndLowersThem() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
    List<JitYield.ThreadNice> before = JitYield.compilerThreads();
    assertThat(before).as("C1/C2 compiler threads of this JVM").isNotEmpty();
    assertThat(before).allSatisfy(t -> assertThat(t.name()).matches("C[12] CompilerThre.*"));
    // a mild value: these are the test JVM's own compiler threads
    int target = Math.min(19, before.stream().mapToInt(JitYield.ThreadNice::nice).max().getAsInt() + 1);
    int changed = JitYield.lowerCompilerThreads(target);
    assumeTrue(changed >= 0, "renice is installed");
    assertThat(changed).isEqualTo((int) before.stream().filter(t -> t.nice() != target).count());
    assertThat(JitYield.compilerThreads()).allSatisfy(t -> assertThat(t.nice()).isEqualTo(target));
    assertThat(JitYield.lowerCompilerThreads(target)).as("nothing left to change").isZero();
  }
}
