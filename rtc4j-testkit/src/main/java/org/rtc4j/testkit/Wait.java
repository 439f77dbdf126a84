package org.rtc4j.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a condition in real time, with a deadline: the replacement for {@code Thread.sleep}
 * in tests.
 *
 * <p>Every wait has a description that ends up in the failure message, so a timed-out test says
 * what it waited for, how long, how often it looked and (where given) the last state it saw:
 *
 * <pre>{@code
 * Wait.until(Duration.ofSeconds(5), "server answers Binding", () -> client.responses() > 0);
 * InetSocketAddress relay = Wait.forValue(Duration.ofSeconds(5), "relay address", client::relay);
 * }</pre>
 *
 * <p>Polling parks the calling thread with {@link LockSupport#parkNanos(long)}. An exception thrown
 * by the condition is not swallowed: it propagates at once (a broken probe is a bug, not "not
 * yet"); use {@link #untilAsserted} to retry assertions. Interrupting the waiting thread ends the
 * wait with an {@link AssertionError} and keeps the interrupt flag set.
 */
public final class Wait {

  /** Poll interval used when none is given: short enough to keep tests fast, long enough not to spin. */
  public static final Duration DEFAULT_POLL = Duration.ofMillis(10);

  private Wait() {}

  /** Waits until {@code condition} is true, polling every {@link #DEFAULT_POLL}. */
  public static void until(Duration timeout, String description, BooleanSupplier condition) {
    until(timeout, DEFAULT_POLL, description, condition, null);
  }

  /** Waits until {@code condition} is true, polling every {@code poll}. */
  public static void until(Duration timeout, Duration poll, String description, BooleanSupplier condition) {
    until(timeout, poll, description, condition, null);
  }

  /**
   * Waits until {@code condition} is true; on timeout the failure message includes
   * {@code state.get()}, evaluated once at that moment (e.g. the counters the condition reads).
   */
  public static void until(Duration timeout, String description, BooleanSupplier condition, Supplier<?> state) {
    until(timeout, DEFAULT_POLL, description, condition, state);
  }

  /** Full form of {@link #until(Duration, String, BooleanSupplier)}; {@code state} may be null. */
  public static void until(
      Duration timeout, Duration poll, String description, BooleanSupplier condition, Supplier<?> state) {
    Objects.requireNonNull(condition, "condition");
    forValue(timeout, poll, description, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty(), state);
  }

  /** Waits until {@code supplier} yields a value and returns it. */
  public static <T> T forValue(Duration timeout, String description, Supplier<Optional<T>> supplier) {
    return forValue(timeout, DEFAULT_POLL, description, supplier, null);
  }

  /** Waits until {@code supplier} yields a value and returns it, polling every {@code poll}. */
  public static <T> T forValue(Duration timeout, Duration poll, String description, Supplier<Optional<T>> supplier) {
    return forValue(timeout, poll, description, supplier, null);
  }

  /** Full form of {@link #forValue(Duration, String, Supplier)}; {@code state} may be null. */
  public static <T> T forValue(
      Duration timeout, Duration poll, String description, Supplier<Optional<T>> supplier, Supplier<?> state) {
    checkArgs(timeout, poll, description);
    Objects.requireNonNull(supplier, "supplier");
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long polls = 0;
    while (true) {
      polls++;
      Optional<T> value = supplier.get();
      if (value != null && value.isPresent()) {
        return value.get();
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        throw new AssertionError(message(description, timeout, now - start, polls, state), null);
      }
      park(Math.min(poll.toNanos(), deadline - now), description);
    }
  }

  /**
   * Retries {@code assertion} until it stops throwing {@link AssertionError}; on timeout rethrows
   * an error whose cause is the last assertion failure (so AssertJ's detailed message is kept).
   */
  public static void untilAsserted(Duration timeout, String description, Runnable assertion) {
    checkArgs(timeout, DEFAULT_POLL, description);
    Objects.requireNonNull(assertion, "assertion");
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long polls = 0;
    while (true) {
      polls++;
      AssertionError last;
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        last = e;
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        AssertionError error = new AssertionError(
            message(description, timeout, now - start, polls, null) + "; last failure: " + last.getMessage(), last);
        throw error;
      }
      park(Math.min(DEFAULT_POLL.toNanos(), deadline - now), description);
    }
  }

  /**
   * Checks that {@code condition} stays true for the whole of {@code duration} (e.g. "no packet is
   * relayed"); fails as soon as it is false. Use sparingly: it always takes {@code duration}.
   */
  public static void during(Duration duration, String description, BooleanSupplier condition) {
    checkArgs(duration, DEFAULT_POLL, description);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    while (true) {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("Condition stopped holding after "
            + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms (of " + duration.toMillis()
            + " ms): " + description);
      }
      long now = System.nanoTime();
      if (now - end >= 0) {
        return;
      }
      park(Math.min(DEFAULT_POLL.toNanos(), end - now), description);
    }
  }

  /**
   * Lets real time pass without a condition. Only for the rare case where elapsed time itself is
   * the thing under test (e.g. a real socket timeout); prefer {@link #until} everywhere else.
   */
  public static void pause(Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    long left;
    while ((left = end - System.nanoTime()) > 0) {
      park(left, "pause of " + duration.toMillis() + " ms");
    }
  }

  private static void park(long nanos, String description) {
    LockSupport.parkNanos(nanos);
    if (Thread.currentThread().isInterrupted()) {
      // Keep the flag: the caller (or the test framework's timeout) asked us to stop.
      throw new AssertionError("Interrupted while waiting for: " + description);
    }
  }

  private static void checkArgs(Duration timeout, Duration poll, String description) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(poll, "poll");
    Objects.requireNonNull(description, "description");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive: " + poll);
    }
  }

  private static String message(String description, Duration timeout, long elapsedNanos, long polls, Supplier<?> state) {
    StringBuilder sb = new StringBuilder()
        .append("Timed out after ").append(Duration.ofNanos(elapsedNanos).toMillis()).append(" ms (limit ")
        .append(timeout.toMillis()).append(" ms, ").append(polls).append(polls == 1 ? " check" : " checks")
        .append(") waiting for: ").append(description);
    if (state != null) {
      Object s;
      try {
        s = state.get();
      } catch (RuntimeException e) {
        s = "<state supplier threw " + e + ">";
      }
      sb.append("; last state: ").append(s);
    }
    return sb.toString();
  }
}
