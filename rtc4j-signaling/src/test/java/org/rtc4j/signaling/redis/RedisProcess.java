package org.rtc4j.signaling.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;

/**
 * A throw-away {@code redis-server} (Debian's) on a free 127.0.0.1 port, no persistence; skipped
 * (or failed under -Drtc4j.requireExternal=true) when redis-server is not installed.
 */
public final class RedisProcess implements AutoCloseable {

  private final Processes.Running process;
  private final int port;

  private RedisProcess(Processes.Running process, int port) {
    this.process = process;
    this.port = port;
  }

  public static RedisProcess start() {
    return start(FreePorts.tcp());
  }

  /** On {@code port} (a restart on the same address: an empty store, as after a crash without persistence). */
  public static RedisProcess start(int port) {
    String exe = External.require("redis-server").toString();
    Processes.Running p = Processes.command(exe, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--enable-debug-command", "local")
        .grace(Duration.ofSeconds(2)).start();
    try {
      p.awaitOutput(Duration.ofSeconds(15), "Ready to accept connections");
    } catch (RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
    return new RedisProcess(p, port);
  }

  public int port() {
    return port;
  }

  public URI uri() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  /** FLUSHALL, so each test starts from an empty store. */
  public void flush() {
    RedisClient c = RedisClient.create(uri().toString());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      conn.sync().flushall();
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** GET {@code key} (null when absent): what a registry left in Redis. */
  public String get(String key) {
    RedisClient c = RedisClient.create(uri().toString());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().get(key);
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** The redis-server's process id (for its CPU time, or to stop it). */
  public long pid() {
    return process.pid();
  }

  /** Makes the server busy for {@code seconds} (DEBUG SLEEP: it answers nobody meanwhile); returns at once. */
  public void sleep(double seconds) {
    try {
      new ProcessBuilder(External.require("redis-cli").toString(), "-p", Integer.toString(port), "DEBUG", "SLEEP",
          Double.toString(seconds)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** SIGSTOP: the server keeps its sockets open and answers nothing (a hung Redis). */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process k = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
      if (!k.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new AssertionError("kill -" + name + " " + pid() + " failed");
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** user + system CPU seconds the redis-server has used, from /proc (Linux). */
  public double cpuSeconds() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
  }
}
