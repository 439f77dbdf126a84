package org.rtc4j.server;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once the JVM is warm, moves its JIT compiler threads to nice {@value #NICE} (Linux only).
 *
 * <p>Why: the signaling server's event loop shares its core with the compiler. After start-up, a
 * higher load takes code paths for the first time, compiled code is thrown away and recompiled
 * (Netty's allocator, recycler and event-loop methods in our logs), and those long late compilations
 * took the loop's core mid-burst: relay p99 spikes of 60-200 ms at 1,000 peers (BENCHMARKS.md, issue
 * 5). At nice 19 they use idle CPU instead. During start-up the compiler keeps its normal priority:
 * starved then, the loop runs interpreted or profiled code under load, and the runs that started
 * the compiler at nice 19 failed their first steps.
 *
 * <p>"Warm": the hot path has run at least {@value #WARM_WORK} times (messages relayed: far past the
 * compile thresholds of every method on it) and less than {@value #QUIET_MS} ms of compilation went
 * on over the last {@value #WINDOW_MS} ms. A quiet compiler alone is no sign: an idle server that
 * has not seen its load yet is quiet too, and renicing then brought back the failing first steps.
 * Compiler threads that appear later (the JVM starts more under load) are lowered when found. Lowering a thread's priority needs no privilege;
 * where {@code /proc} or {@code renice} is missing this does nothing.
 */
final class JitYield implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(JitYield.class);

  static final int NICE = 19;
  static final long WARM_WORK = 200_000;
  static final long WINDOW_MS = 2_000;
  static final long QUIET_MS = 40;
  private static final long POLL_MS = 500;
  private static final long RESCAN_MS = 5_000;
  private static final Path TASKS = Path.of("/proc/self/task");

  private final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
  private final int nice;
  private final LongSupplier work;

  JitYield(int nice, LongSupplier work) {
    this.nice = nice;
    this.work = work;
  }

  /**
   * Starts the watcher on a daemon thread, when this JVM can report compile time and has /proc.
   *
   * @param work how many times the hot path has run so far (the signaling server: messages relayed)
   */
  static void start(LongSupplier work) {
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    if (c == null || !c.isCompilationTimeMonitoringSupported() || !Files.isDirectory(TASKS)) {
      return;
    }
    Thread t = new Thread(new JitYield(NICE, work), "rtc4j-jit-yield");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void run() {
    try {
      startAProcess();
      long[] samples = new long[(int) (WINDOW_MS / POLL_MS) + 1];
      int n = 0;
      while (true) {
        samples[n % samples.length] = compiler.getTotalCompilationTime();
        n++;
        if (n >= samples.length
            && isWarm(work.getAsLong(), samples[(n - 1) % samples.length] - samples[n % samples.length])) {
          break;
        }
        Thread.sleep(POLL_MS);
      }
      log.info("JIT warm after {} ms: compiler threads to nice {}", ManagementFactory.getRuntimeMXBean().getUptime(), nice);
      while (true) {
        if (lowerCompilerThreads(nice) < 0) {
          return; // renice is missing or refused: nothing more to do
        }
        Thread.sleep(RESCAN_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs {@code renice --version} once, at start-up. A JVM's first process loads and initializes
   * classes, a CompletableFuture subclass among them; when that first happened at the warm moment,
   * with the relay path compiled, code relying on those class hierarchies was deoptimized mid-load
   * (compile logs: CompletableFuture methods made not entrant at the first renice).
   */
  private static void startAProcess() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("renice", "--version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      log.debug("cannot run renice: {}", e.getMessage());
    }
  }

  /** The rule: the hot path has run often enough, and the compiler was nearly idle over the last window. */
  static boolean isWarm(long work, long compileMsInWindow) {
    return work >= WARM_WORK && compileMsInWindow < QUIET_MS;
  }

  /**
   * Sets every compiler thread of this JVM that is not yet at {@code nice} to it.
   *
   * @return how many were changed, or -1 when {@code renice} could not be run or failed
   */
  static int lowerCompilerThreads(int nice) throws InterruptedException {
    List<String> tids = new ArrayList<>();
    for (ThreadNice t : compilerThreads()) {
      if (t.nice() != nice) {
        tids.add(Long.toString(t.tid()));
      }
    }
    if (tids.isEmpty()) {
      return 0;
    }
    List<String> cmd = new ArrayList<>(List.of("renice", "-n", Integer.toString(nice), "-p"));
    cmd.addAll(tids);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue() == 0 ? tids.size() : -1;
    } catch (IOException e) {
      log.debug("cannot run renice: {}", e.getMessage());
      return -1;
    }
  }

  /** A thread of this process and its nice value. */
  record ThreadNice(long tid, String name, int nice) {}

  /** This JVM's JIT compiler threads ("C1 CompilerThre…", "C2 CompilerThre…" in /proc). */
  static List<ThreadNice> compilerThreads() {
    List<ThreadNice> out = new ArrayList<>();
    try (var tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
          if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            out.add(new ThreadNice(Long.parseLong(task.getFileName().toString()), comm, niceOf(task)));
          }
        } catch (IOException | NumberFormatException e) {
          // the thread ended while we looked
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** Field 19 of /proc/…/stat, counted after the command name's closing parenthesis (which may hold spaces). */
  private static int niceOf(Path task) throws IOException {
    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(f[16]); // fields 3.. after ") ", so field 19 is index 16
  }
}
