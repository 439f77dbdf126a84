package org.rtc4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs external programs from tests: with a deadline, stdout and stderr merged into a log file
 * (so a failure can be read afterwards, and a chatty program never blocks on a full pipe), and the
 * whole process tree killed when the deadline passes or the test closes it. (A program that exits
 * normally but leaves a background child behind is not tracked: once orphaned, the child is no
 * longer in the tree.)
 *
 * <pre>{@code
 * Processes.Result r = Processes.command(External.require("turnutils_stunclient").toString(), "-p", port, "127.0.0.1")
 *     .timeout(Duration.ofSeconds(10)).log(dir.resolve("stunclient.log")).run();
 * r.assertExitCode(0);
 *
 * try (Processes.Running redis = Processes.command("redis-server", "--port", port).start()) {
 *   redis.awaitOutput(Duration.ofSeconds(10), "Ready to accept connections");
 *   ...
 * }
 * }</pre>
 */
public final class Processes {

  private Processes() {}

  /** Starts describing a command; the program is its first element. */
  public static Spec command(String... command) {
    return new Spec(List.of(command));
  }

  /** Starts describing a command; the program is its first element. */
  public static Spec command(List<String> command) {
    return new Spec(command);
  }

  /** Runs {@code command} to completion or until {@code timeout}, logging to {@code log}. */
  public static Result run(Duration timeout, Path log, String... command) {
    return command(command).timeout(timeout).log(log).run();
  }

  /** Kills {@code process} and every descendant it has now: TERM first, KILL after {@code grace}. */
  public static void killTree(Process process, Duration grace) {
    killTree(process.toHandle(), grace);
  }

  /** Kills {@code handle} and every descendant it has now: TERM first, KILL after {@code grace}. */
  public static void killTree(ProcessHandle handle, Duration grace) {
    // Snapshot descendants before the parent dies: orphans are re-parented and vanish from the tree.
    List<ProcessHandle> tree = new ArrayList<>();
    handle.descendants().forEach(tree::add);
    Collections.reverse(tree);
    tree.add(handle);
    for (ProcessHandle h : tree) {
      h.destroy();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : tree) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          h.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          // still alive (or interrupted): fall through to KILL
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
        }
      }
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
  }

  /** A command to run, built fluently; immutable values are copied on {@link #run}/{@link #start}. */
  public static final class Spec {
    private final List<String> command;
    private Duration timeout = Duration.ofSeconds(60);
    private Duration grace = Duration.ofSeconds(3);
    private Path log;
    private Path directory;
    private final Map<String, String> env = new LinkedHashMap<>();

    private Spec(List<String> command) {
      if (command.isEmpty()) {
        throw new IllegalArgumentException("empty command");
      }
      for (String s : command) {
        Objects.requireNonNull(s, "command element");
      }
      this.command = List.copyOf(command);
    }

    /** How long {@link #run()} waits before killing the tree (default 60 s). */
    public Spec timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** How long a killed process gets between TERM and KILL (default 3 s). */
    public Spec grace(Duration grace) {
      this.grace = Objects.requireNonNull(grace);
      return this;
    }

    /** Where stdout and stderr go (default: a new temp file). Parent directories are created. */
    public Spec log(Path log) {
      this.log = log;
      return this;
    }

    /** The working directory (default: the test's). */
    public Spec directory(Path directory) {
      this.directory = directory;
      return this;
    }

    /** Adds an environment variable. */
    public Spec env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** Runs to completion, or kills the tree at the timeout; never throws for a non-zero exit. */
    public Result run() {
      long start = System.nanoTime();
      Running running = start();
      boolean exited;
      try {
        exited = running.process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.close();
        throw new AssertionError("interrupted while running " + command, e);
      }
      if (!exited) {
        killTree(running.process, grace);
        try {
          running.process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      int code = running.process.isAlive() ? -1 : running.process.exitValue();
      return new Result(command, code, !exited, Duration.ofNanos(System.nanoTime() - start), running.output(), running.log);
    }

    /** Starts the process and returns at once; close the result to kill the tree. */
    public Running start() {
      Path logFile = log;
      try {
        if (logFile == null) {
          logFile = Files.createTempFile("rtc4j-process-", ".log");
        } else if (logFile.toAbsolutePath().getParent() != null) {
          Files.createDirectories(logFile.toAbsolutePath().getParent());
        }
        ProcessBuilder pb = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        if (directory != null) {
          pb.directory(directory.toFile());
        }
        pb.environment().putAll(env);
        return new Running(command, pb.start(), logFile, grace);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + command, e);
      }
    }
  }

  /**
   * What a finished (or killed) run left.
   *
   * @param command the command line
   * @param exitCode the exit status; -1 when it could not be killed in time
   * @param timedOut whether the deadline passed and the tree was killed
   * @param elapsed wall time from start to end
   * @param output stdout and stderr, merged, as UTF-8
   * @param log the file holding the same output
   */
  public record Result(List<String> command, int exitCode, boolean timedOut, Duration elapsed, String output, Path log) {

    /** Exit code 0 and no timeout. */
    public boolean ok() {
      return exitCode == 0 && !timedOut;
    }

    /** Fails with the command and the output's tail unless the process exited with {@code expected}. */
    public Result assertExitCode(int expected) {
      if (timedOut || exitCode != expected) {
        throw new AssertionError("expected exit code " + expected + " from " + command + " but "
            + (timedOut ? "it timed out after " + elapsed.toMillis() + " ms" : "got " + exitCode)
            + "; log " + log + ", last output:\n" + tail(output, 4000));
      }
      return this;
    }
  }

  /** A started process; {@link #close()} kills its tree (TERM, then KILL after the grace period). */
  public static final class Running implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final Path log;
    private final Duration grace;

    private Running(List<String> command, Process process, Path log, Duration grace) {
      this.command = command;
      this.process = process;
      this.log = log;
      this.grace = grace;
    }

    /** The underlying process. */
    public Process process() {
      return process;
    }

    /** Its process id. */
    public long pid() {
      return process.pid();
    }

    /** The log file with stdout and stderr. */
    public Path log() {
      return log;
    }

    /** Whether it still runs. */
    public boolean isAlive() {
      return process.isAlive();
    }

    /** Everything it printed so far. */
    public String output() {
      try {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "<cannot read " + log + ": " + e + ">";
      }
    }

    /** Waits until the output contains {@code text}; fails early if the process exits first. */
    public void awaitOutput(Duration timeout, String text) {
      awaitOutput(timeout, Pattern.compile(Pattern.quote(text)));
    }

    /** Waits until the output matches {@code pattern} somewhere; fails early if the process exits first. */
    public void awaitOutput(Duration timeout, Pattern pattern) {
      Wait.until(timeout, "output of " + command + " to match /" + pattern + "/", () -> {
        if (pattern.matcher(output()).find()) {
          return true;
        }
        if (!process.isAlive()) {
          throw new AssertionError(command + " exited with " + process.exitValue() + " before printing /"
              + pattern + "/; output:\n" + tail(output(), 4000));
        }
        return false;
      }, () -> "output so far:\n" + tail(output(), 2000));
    }

    /** Waits for the process to exit and returns its exit code; fails at the deadline (without killing). */
    public int waitFor(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
          throw new AssertionError(command + " still running after " + timeout.toMillis() + " ms");
        }
        return process.exitValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + command, e);
      }
    }

    @Override
    public void close() {
      if (process.isAlive() || process.toHandle().descendants().findAny().isPresent()) {
        killTree(process, grace);
      }
    }

    @Override
    public String toString() {
      return "Running[pid " + process.pid() + " " + command + "]";
    }
  }

  static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }
}
