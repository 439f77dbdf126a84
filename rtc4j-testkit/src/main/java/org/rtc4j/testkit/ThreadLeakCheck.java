package org.rtc4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Checks that code under test does not leave threads running: take a snapshot before, then
 * {@link #assertNoNewThreads(Duration)} after closing everything; that waits (with a deadline) for
 * threads that are still winding down, then fails listing each leftover thread with its state and
 * stack.
 *
 * <pre>{@code
 * ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
 * try (TurnServer server = ...) { ... }
 * leaks.assertNoNewThreads(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Threads the JVM or the test runner start on their own are ignored by an explicit filter,
 * {@link #JVM_THREADS}, by name; add more with {@link #ignoring(Predicate)} or
 * {@link #ignoringNamePrefixes(String...)} (never to hide a leak of the code under test).
 */
public final class ThreadLeakCheck {

  /** Name prefixes of threads the JVM, JDK and JUnit/Surefire create lazily and keep. */
  public static final List<String> JVM_THREAD_PREFIXES = List.of(
      "Reference Handler", "Finalizer", "Signal Dispatcher", "Common-Cleaner", "Attach Listener",
      "Notification Thread", "Service Thread", "Monitor Deflation Thread", "C1 CompilerThread",
      "C2 CompilerThread", "Sweeper thread", "JFR ", "process reaper", "ForkJoinPool.commonPool-worker-",
      "surefire-forkedjvm-", "junit-jupiter-timeout-watcher", "Monitor Ctrl-Break", "Java2D Disposer",
      "DestroyJavaVM", "Keep-Alive-Timer", "Keep-Alive-SocketCleaner", "InnocuousThread-",
      "CompletableFutureDelayScheduler");

  /** The JVM's own threads: {@link #JVM_THREAD_PREFIXES}, and threads of the "system" thread group. */
  public static final Predicate<Thread> JVM_THREADS = t -> {
    ThreadGroup g = t.getThreadGroup();
    if (g != null && "system".equals(g.getName())) {
      return true;
    }
    String name = t.getName();
    for (String prefix : JVM_THREAD_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  };

  private final Set<Thread> before;
  private final Predicate<Thread> ignored;

  private ThreadLeakCheck(Set<Thread> before, Predicate<Thread> ignored) {
    this.before = before;
    this.ignored = ignored;
  }

  /** Remembers the threads alive now; later threads not matched by {@link #JVM_THREADS} count as leaks. */
  public static ThreadLeakCheck snapshot() {
    Set<Thread> set = Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(Thread.getAllStackTraces().keySet());
    return new ThreadLeakCheck(set, JVM_THREADS);
  }

  /** A copy of this check that also ignores threads matching {@code filter}. */
  public ThreadLeakCheck ignoring(Predicate<Thread> filter) {
    Objects.requireNonNull(filter, "filter");
    return new ThreadLeakCheck(before, ignored.or(filter));
  }

  /** A copy of this check that also ignores threads whose name starts with any of {@code prefixes}. */
  public ThreadLeakCheck ignoringNamePrefixes(String... prefixes) {
    List<String> list = List.of(prefixes);
    return ignoring(t -> list.stream().anyMatch(t.getName()::startsWith));
  }

  /** Threads alive now that were not alive at the snapshot and are not ignored. */
  public List<Thread> newThreads() {
    List<Thread> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && !before.contains(t) && !ignored.test(t) && t != Thread.currentThread()) {
        out.add(t);
      }
    }
    out.sort((a, b) -> a.getName().compareTo(b.getName()));
    return out;
  }

  /**
   * Waits up to {@code timeout} for all new threads to end; fails listing the survivors (name,
   * state, daemon flag, stack) otherwise.
   */
  public void assertNoNewThreads(Duration timeout) {
    try {
      Wait.until(timeout, "threads started since the snapshot to end", () -> newThreads().isEmpty());
    } catch (AssertionError timedOut) {
      List<Thread> leaked = newThreads();
      if (leaked.isEmpty()) {
        return; // ended just now
      }
      throw new AssertionError(leaked.size() + " thread(s) leaked (still alive " + timeout.toMillis()
          + " ms after the check began):\n" + describe(leaked));
    }
  }

  static String describe(List<Thread> threads) {
    return threads.stream().map(t -> {
      StringBuilder sb = new StringBuilder("  \"").append(t.getName()).append("\" ")
          .append(t.getState()).append(t.isDaemon() ? " daemon" : "")
          .append(" group=").append(t.getThreadGroup() == null ? "-" : t.getThreadGroup().getName());
      StackTraceElement[] stack = t.getStackTrace();
      for (int i = 0; i < Math.min(stack.length, 12); i++) {
        sb.append("\n      at ").append(stack[i]);
      }
      return sb.toString();
    }).collect(Collectors.joining("\n"));
  }
}
