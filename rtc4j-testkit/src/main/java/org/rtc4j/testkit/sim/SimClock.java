package org.rtc4j.testkit.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Virtual time in nanoseconds with a timer queue: the only clock a simulation reads.
 *
 * <p>Time moves only when the test (or {@link SimNet}'s driver loop) calls {@link #advanceTo} or
 * {@link #advance}; due timers run in the order (time, then scheduling order), each with the clock
 * set to its own time, so a run is a pure function of its inputs. Timers may schedule further
 * timers, including at the current time (they run in the same advance).
 *
 * <p>The clock starts at {@link #DEFAULT_START_NANOS}, not at 0, because real monotonic clocks
 * ({@code System.nanoTime}) start anywhere: code that treats 0 as "never" shows its bug here rather
 * than in production.
 *
 * <p>Not thread-safe: one simulation runs on one thread.
 */
public final class SimClock {

  /** Where a clock made with {@link #SimClock()} starts: 1000 virtual seconds. */
  public static final long DEFAULT_START_NANOS = 1_000_000_000_000L;

  /** The wall-clock instant that {@link #wallClock()} reports at the start of the simulation. */
  public static final Instant DEFAULT_WALL_START = Instant.parse("2030-01-01T00:00:00Z");

  private final long startNanos;
  private long now;
  private long nextSeq;
  private boolean running;
  private final PriorityQueue<Timer> queue = new PriorityQueue<>((a, b) -> {
    int c = Long.compare(a.at, b.at);
    return c != 0 ? c : Long.compare(a.seq, b.seq);
  });

  /** A clock at {@link #DEFAULT_START_NANOS}. */
  public SimClock() {
    this(DEFAULT_START_NANOS);
  }

  /** A clock starting at {@code startNanos}. */
  public SimClock(long startNanos) {
    this.startNanos = startNanos;
    this.now = startNanos;
  }

  /** The current virtual time in nanoseconds (the {@code nowNanos} passed to sans-IO cores). */
  public long nanos() {
    return now;
  }

  /** Virtual nanoseconds since the clock was made. */
  public long elapsedNanos() {
    return now - startNanos;
  }

  /** Virtual time since the clock was made. */
  public Duration elapsed() {
    return Duration.ofNanos(now - startNanos);
  }

  /**
   * A {@link Clock} that follows this virtual time, starting at {@link #DEFAULT_WALL_START}, for
   * code that needs wall time (e.g. TURN REST credential expiry).
   */
  public Clock wallClock() {
    return new WallClock(ZoneOffset.UTC);
  }

  /** Schedules {@code task} at absolute virtual time {@code atNanos} (clamped to now if earlier). */
  public Timer schedule(long atNanos, Runnable task) {
    Objects.requireNonNull(task, "task");
    Timer t = new Timer(Math.max(atNanos, now), nextSeq++, task);
    queue.add(t);
    return t;
  }

  /** Schedules {@code task} {@code delayNanos} from now. */
  public Timer scheduleAfter(long delayNanos, Runnable task) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("negative delay " + delayNanos);
    }
    return schedule(now + delayNanos, task);
  }

  /** Schedules {@code task} {@code delay} from now. */
  public Timer scheduleAfter(Duration delay, Runnable task) {
    return scheduleAfter(delay.toNanos(), task);
  }

  /** The time of the earliest pending timer, or {@link Long#MAX_VALUE} when none is pending. */
  public long nextTimerNanos() {
    Timer t = queue.peek();
    return t == null ? Long.MAX_VALUE : t.at;
  }

  /** Number of pending timers. */
  public int pendingTimers() {
    return queue.size();
  }

  /** Moves time forward by {@code delta}, running every timer due on the way. */
  public void advance(Duration delta) {
    advanceNanos(delta.toNanos());
  }

  /** Moves time forward by {@code deltaNanos}, running every timer due on the way. */
  public void advanceNanos(long deltaNanos) {
    if (deltaNanos < 0) {
      throw new IllegalArgumentException("time cannot go back: " + deltaNanos);
    }
    advanceTo(now + deltaNanos);
  }

  /**
   * Moves time to {@code targetNanos}, running due timers in order, each at its own time; ends with
   * the clock at {@code targetNanos}.
   *
   * @throws IllegalArgumentException if {@code targetNanos} is in the past
   * @throws IllegalStateException if called from inside a timer
   */
  public void advanceTo(long targetNanos) {
    if (targetNanos < now) {
      throw new IllegalArgumentException("time cannot go back: now " + now + ", asked " + targetNanos);
    }
    if (running) {
      throw new IllegalStateException("advanceTo called from inside a timer task");
    }
    running = true;
    try {
      Timer t;
      while ((t = queue.peek()) != null && t.at <= targetNanos) {
        queue.poll();
        now = t.at;
        t.done = true;
        t.task.run();
      }
      now = targetNanos;
    } finally {
      running = false;
    }
  }

  /**
   * Advances to the earliest pending timer and runs every timer due at that instant.
   *
   * @return false when no timer was pending (time did not move)
   */
  public boolean runNext() {
    long next = nextTimerNanos();
    if (next == Long.MAX_VALUE) {
      return false;
    }
    advanceTo(next);
    return true;
  }

  @Override
  public String toString() {
    return "SimClock[" + format(elapsedNanos()) + " elapsed, " + queue.size() + " timers]";
  }

  /** Formats nanoseconds as seconds with nine decimals ({@code 1.000000250s}). */
  public static String format(long nanos) {
    String sign = nanos < 0 ? "-" : "";
    long abs = Math.abs(nanos);
    return sign + (abs / 1_000_000_000L) + "." + String.format("%09d", abs % 1_000_000_000L) + "s";
  }

  /** A scheduled task; {@link #cancel()} keeps it from running. */
  public final class Timer {
    private final long at;
    private final long seq;
    private final Runnable task;
    private boolean done;

    private Timer(long at, long seq, Runnable task) {
      this.at = at;
      this.seq = seq;
      this.task = task;
    }

    /** The virtual time it runs at. */
    public long at() {
      return at;
    }

    /** Whether it is still waiting to run. */
    public boolean isPending() {
      return !done;
    }

    /** Cancels it; returns false if it already ran or was cancelled. */
    public boolean cancel() {
      if (done) {
        return false;
      }
      done = true;
      queue.remove(this);
      return true;
    }
  }

  private final class WallClock extends Clock {
    private final ZoneId zone;

    WallClock(ZoneId zone) {
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId z) {
      return new WallClock(z);
    }

    @Override
    public Instant instant() {
      return DEFAULT_WALL_START.plusNanos(now - startNanos);
    }
  }
}
