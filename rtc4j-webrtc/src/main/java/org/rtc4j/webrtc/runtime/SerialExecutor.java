package org.rtc4j.webrtc.runtime;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared backing executor: the
 * per-connection executor for user callbacks and future completions (DESIGN.md: callbacks never
 * run on the loop, never concurrently, always in order). A callback that throws is logged and
 * the next one still runs.
 */
public final class SerialExecutor implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor backing;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean running;
  private volatile Thread current;

  public SerialExecutor(Executor backing) {
    this.backing = Objects.requireNonNull(backing, "backing");
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    boolean start;
    synchronized (queue) {
      queue.add(task);
      start = !running;
      running = true;
    }
    if (start) {
      try {
        backing.execute(this::drain);
      } catch (RejectedExecutionException e) {
        synchronized (queue) {
          queue.clear();
          running = false;
        }
      }
    }
  }

  /** Whether the calling thread is running one of this executor's tasks. */
  public boolean inExecutor() {
    return current == Thread.currentThread();
  }

  private void drain() {
    current = Thread.currentThread();
    try {
      // A bounded batch, then yield the backing thread so one busy connection cannot starve others.
      for (int i = 0; i < 256; i++) {
        Runnable r;
        synchronized (queue) {
          r = queue.poll();
          if (r == null) {
            running = false;
            return;
          }
        }
        try {
          r.run();
        } catch (RuntimeException | Error e) {
          LOG.warn("callback failed", e);
        }
      }
    } finally {
      current = null;
    }
    try {
      backing.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (queue) {
        queue.clear();
        running = false;
      }
    }
  }
}
