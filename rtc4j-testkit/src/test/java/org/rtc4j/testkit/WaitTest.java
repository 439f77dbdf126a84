package org.rtc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitTest {

  @Test
  void returnsAsSoonAsTheConditionHolds() {
    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    Wait.until(Duration.ofSeconds(5), "third check", () -> calls.incrementAndGet() >= 3);
    assertThat(calls).hasValue(3);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void conditionTrueAtOnceDoesNotPark() {
    long start = System.nanoTime();
    Wait.until(Duration.ZERO, "already true", () -> true);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void timesOutWithADescriptiveMessage() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> Wait.until(Duration.ofMillis(200), Duration.ofMillis(20), "the moon to turn blue",
        () -> false, () -> "moon=grey"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Timed out after")
        .hasMessageContaining("limit 200 ms")
        .hasMessageContaining("the moon to turn blue")
        .hasMessageContaining("last state: moon=grey")
        .hasMessageContaining("checks");
    long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(elapsedMs).isBetween(190L, 3_000L);
  }

  @Test
  void forValueReturnsTheFirstPresentValue() {
    AtomicInteger n = new AtomicInteger();
    String v = Wait.forValue(Duration.ofSeconds(5), "a value", () -> n.incrementAndGet() < 4 ? Optional.empty() : Optional.of("v" + n.get()));
    assertThat(v).isEqualTo("v4");
    assertThatThrownBy(() -> Wait.forValue(Duration.ofMillis(50), "nothing", Optional::empty))
        .isInstanceOf(AssertionError.class).hasMessageContaining("nothing");
  }

  @Test
  void exceptionsFromTheConditionPropagateAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> Wait.until(Duration.ofSeconds(5), "broken probe", () -> {
      calls.incrementAndGet();
      throw new IllegalStateException("probe broke");
    })).isInstanceOf(IllegalStateException.class).hasMessage("probe broke");
    assertThat(calls).hasValue(1);
  }

  @Test
  void untilAssertedRetriesAssertionsAndKeepsTheLastOne() {
    AtomicInteger n = new AtomicInteger();
    Wait.untilAsserted(Duration.ofSeconds(5), "n reaches 3", () -> assertThat(n.incrementAndGet()).isGreaterThanOrEqualTo(3));
    assertThatThrownBy(() -> Wait.untilAsserted(Duration.ofMillis(100), "never", () -> assertThat(1).as("one").isEqualTo(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("never")
        .hasMessageContaining("one")
        .hasCauseInstanceOf(AssertionError.class);
  }

  @Test
  void duringChecksThatAConditionKeepsHolding() {
    Wait.during(Duration.ofMillis(100), "stays true", () -> true);
    long deadline = System.nanoTime() + 50_000_000L;
    assertThatThrownBy(() -> Wait.during(Duration.ofSeconds(5), "stays true briefly", () -> System.nanoTime() < deadline))
        .isInstanceOf(AssertionError.class).hasMessageContaining("stopped holding");
  }

  @Test
  void pauseLetsTimePass() {
    long start = System.nanoTime();
    Wait.pause(Duration.ofMillis(60));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(60_000_000L);
  }

  @Test
  void interruptionEndsTheWaitAndKeepsTheFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Wait.until(Duration.ofSeconds(5), "something", () -> false))
          .isInstanceOf(AssertionError.class).hasMessageContaining("Interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Wait.until(Duration.ofMillis(-1), "x", () -> true)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Wait.until(Duration.ofSeconds(1), Duration.ZERO, "x", () -> true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Wait.until(Duration.ofSeconds(1), null, () -> true)).isInstanceOf(NullPointerException.class);
  }
}
