package org.rtc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadLeakCheckTest {

  @Test
  void passesWhenNoThreadWasStarted() {
    ThreadLeakCheck check = ThreadLeakCheck.snapshot();
    check.assertNoNewThreads(Duration.ofMillis(100));
  }

  @Test
  void waitsForThreadsThatAreEnding() {
    ThreadLeakCheck check = ThreadLeakCheck.snapshot();
    Thread t = new Thread(() -> Wait.pause(Duration.ofMillis(200)), "ending-soon");
    t.start();
    assertThat(check.newThreads()).contains(t);
    check.assertNoNewThreads(Duration.ofSeconds(10));
    assertThat(t.isAlive()).isFalse();
  }

  @Test
  void reportsLeakedThreadsWithNameStateAndStack() throws Exception {
    ThreadLeakCheck check = ThreadLeakCheck.snapshot();
    CountDownLatch release = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "leaky-worker");
    t.start();
    try {
      assertThatThrownBy(() -> check.assertNoNewThreads(Duration.ofMillis(200)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("1 thread(s) leaked")
          .hasMessageContaining("\"leaky-worker\"")
          .hasMessageContaining("WAITING")
          .hasMessageContaining("CountDownLatch.await");
    } finally {
      release.countDown();
      t.join(5_000);
    }
  }

  @Test
  void executorsLeakUntilShutDown() throws Exception {
    ThreadLeakCheck check = ThreadLeakCheck.snapshot();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    pool.submit(() -> {}).get();
    assertThat(check.newThreads()).isNotEmpty();
    pool.shutdown();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    check.assertNoNewThreads(Duration.ofSeconds(5));
  }

  @Test
  void ignoresFilteredThreads() throws Exception {
    ThreadLeakCheck check = ThreadLeakCheck.snapshot().ignoringNamePrefixes("tolerated-");
    CountDownLatch release = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tolerated-1");
    t.start();
    try {
      check.assertNoNewThreads(Duration.ofMillis(50));
      assertThat(ThreadLeakCheck.JVM_THREADS.test(t)).isFalse();
      assertThat(check.ignoring(x -> false).newThreads()).isEmpty();
    } finally {
      release.countDown();
      t.join(5_000);
    }
  }

  @Test
  void jvmFilterKnowsTheJvmsOwnThreads() {
    assertThat(ThreadLeakCheck.JVM_THREADS.test(new Thread("Common-Cleaner"))).isTrue();
    assertThat(ThreadLeakCheck.JVM_THREADS.test(new Thread("process reaper"))).isTrue();
    assertThat(ThreadLeakCheck.JVM_THREADS.test(new Thread("rtc4j-loop-1"))).isFalse();
  }
}
