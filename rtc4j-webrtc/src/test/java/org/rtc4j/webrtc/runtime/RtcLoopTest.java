package org.rtc4j.webrtc.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.rtc4j.testkit.ThreadLeakCheck;

/** The loop survives failing tasks and timers (even Errors), runs timers in order, and close() ends its thread. */
class RtcLoopTest {

  @Test
  void errorsInTasksAndTimersDoNotStopTheLoop() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    try (RtcLoop loop = new RtcLoop("test-loop")) {
      loop.execute(() -> {
        throw new StackOverflowError("simulated");
      });
      loop.execute(() -> {
        throw new IllegalStateException("simulated");
      });
      CompletableFuture<String> order = new CompletableFuture<>();
      StringBuilder sb = new StringBuilder();
      loop.execute(() -> {
        long now = loop.nanoTime();
        loop.schedule(now + TimeUnit.MILLISECONDS.toNanos(30), () -> {
          sb.append("b");
          order.complete(sb.toString());
        });
        loop.schedule(now + TimeUnit.MILLISECONDS.toNanos(10), () -> {
          sb.append("a");
          throw new AssertionError("simulated");
        });
        RtcLoop.Timer cancelled = loop.schedule(now + TimeUnit.MILLISECONDS.toNanos(20), () -> sb.append("x"));
        cancelled.cancel();
      });
      assertThat(order.get(5, TimeUnit.SECONDS)).isEqualTo("ab");
      assertThat(loop.call(() -> "still running", Duration.ofSeconds(5))).isEqualTo("still running");
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }
}
