package org.rtc4j.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimClockTest {

  @Test
  void startsAtTheDefaultAndAdvances() {
    SimClock clock = new SimClock();
    assertThat(clock.nanos()).isEqualTo(SimClock.DEFAULT_START_NANOS);
    clock.advance(Duration.ofMillis(1500));
    assertThat(clock.elapsedNanos()).isEqualTo(1_500_000_000L);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(1500));
    assertThat(new SimClock(0).nanos()).isZero();
  }

  @Test
  void runsTimersInTimeThenSchedulingOrderEachAtItsOwnTime() {
    SimClock clock = new SimClock(0);
    List<String> log = new ArrayList<>();
    clock.schedule(30, () -> log.add("c@" + clock.nanos()));
    clock.schedule(10, () -> log.add("a@" + clock.nanos()));
    clock.schedule(10, () -> log.add("b@" + clock.nanos()));
    clock.schedule(50, () -> log.add("late"));
    clock.advanceTo(40);
    assertThat(log).containsExactly("a@10", "b@10", "c@30");
    assertThat(clock.nanos()).isEqualTo(40);
    assertThat(clock.pendingTimers()).isEqualTo(1);
    assertThat(clock.nextTimerNanos()).isEqualTo(50);
  }

  @Test
  void timersCanScheduleTimersIncludingAtTheSameInstant() {
    SimClock clock = new SimClock(0);
    List<Long> times = new ArrayList<>();
    clock.schedule(10, () -> {
      times.add(clock.nanos());
      clock.scheduleAfter(0, () -> times.add(clock.nanos()));
      clock.scheduleAfter(5, () -> times.add(clock.nanos()));
      clock.scheduleAfter(100, () -> times.add(clock.nanos()));
    });
    clock.advanceTo(20);
    assertThat(times).containsExactly(10L, 10L, 15L);
  }

  @Test
  void cancelledTimersDoNotRun() {
    SimClock clock = new SimClock(0);
    List<String> log = new ArrayList<>();
    SimClock.Timer t = clock.schedule(10, () -> log.add("x"));
    assertThat(t.isPending()).isTrue();
    assertThat(t.cancel()).isTrue();
    assertThat(t.cancel()).isFalse();
    clock.advanceTo(100);
    assertThat(log).isEmpty();
    assertThat(clock.nextTimerNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void pastTimesAreClampedToNow() {
    SimClock clock = new SimClock(100);
    List<Long> times = new ArrayList<>();
    clock.schedule(5, () -> times.add(clock.nanos()));
    assertThat(clock.runNext()).isTrue();
    assertThat(times).containsExactly(100L);
    assertThat(clock.runNext()).isFalse();
  }

  @Test
  void refusesToGoBackOrToAdvanceFromInsideATimer() {
    SimClock clock = new SimClock(100);
    assertThatThrownBy(() -> clock.advanceTo(99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> clock.scheduleAfter(-1, () -> {})).isInstanceOf(IllegalArgumentException.class);
    clock.schedule(110, () -> clock.advanceTo(200));
    assertThatThrownBy(() -> clock.advanceTo(120)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void wallClockFollowsVirtualTime() {
    SimClock clock = new SimClock();
    assertThat(clock.wallClock().instant()).isEqualTo(SimClock.DEFAULT_WALL_START);
    clock.advance(Duration.ofSeconds(90));
    assertThat(clock.wallClock().instant()).isEqualTo(Instant.parse("2030-01-01T00:01:30Z"));
    assertThat(clock.wallClock().millis()).isEqualTo(SimClock.DEFAULT_WALL_START.toEpochMilli() + 90_000);
  }

  @Test
  void formatsNanos() {
    assertThat(SimClock.format(1_000_000_250L)).isEqualTo("1.000000250s");
    assertThat(SimClock.format(-5)).isEqualTo("-0.000000005s");
  }
}
