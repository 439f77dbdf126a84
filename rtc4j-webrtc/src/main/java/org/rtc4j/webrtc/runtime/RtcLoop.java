package org.rtc4j.webrtc.runtime;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event-loop thread: a {@link Selector} for the sockets of the connections it owns, a timer
 * heap and a task queue. Everything a connection's engine does happens on its loop, so the
 * sans-IO cores need no locks (DESIGN.md, Concurrency).
 *
 * <p>Other threads talk to the loop only through {@link #execute} (and {@link #call}); the
 * queue is the one hand-off point. {@link #schedule}, {@link #register} and {@link #nanoTime} are
 * for the loop thread. A task that throws is logged and does not stop the loop.
 *
 * <p>{@link #close()} stops the thread, cancels the timers and closes the selector; channels
 * registered by connections are closed by their owners before that (a still-registered channel
 * is closed by the loop on its way out, so nothing leaks either way).
 */
public final class RtcLoop implements Executor, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RtcLoop.class);

  /** Readiness callback of a registered channel; runs on the loop. */
  @FunctionalInterface
  public interface IoHandler {
    void onReady(SelectionKey key);
  }

  /** A scheduled task; {@link #cancel()} from the loop thread. */
  public static final class Timer implements Comparable<Timer> {
    private final long deadline;
    private final long seq;
    private final Runnable task;
    private boolean cancelled;

    private Timer(long deadline, long seq, Runnable task) {
      this.deadline = deadline;
      this.seq = seq;
      this.task = task;
    }

    public void cancel() {
      cancelled = true;
    }

    public long deadline() {
      return deadline;
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(deadline - o.deadline, 0); // wrap-safe nanoTime order
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private long timerSeq;
  private volatile boolean closing;

  /** Opens the selector and starts the thread named {@code name}. */
  public RtcLoop(String name) {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a selector", e);
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the caller is this loop's thread. */
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** The loop's clock (System.nanoTime): the only clock the engines see. */
  public long nanoTime() {
    return System.nanoTime();
  }

  /**
   * Queues {@code task} for the loop thread.
   *
   * @throws RejectedExecutionException after {@link #close()}
   */
  @Override
  public void execute(Runnable task) {
    if (closing) {
      throw new RejectedExecutionException("RtcLoop " + thread.getName() + " is closed");
    }
    tasks.add(task);
    if (!inLoop()) {
      selector.wakeup();
    }
  }

  /**
   * Runs {@code task} on the loop and waits for its result (directly when called on the loop).
   * Exceptions thrown by the task are rethrown as they are when unchecked.
   */
  public <T> T call(Supplier<T> task, Duration timeout) {
    if (inLoop()) {
      return task.get();
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    execute(() -> {
      try {
        f.complete(task.get());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the loop", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the loop did not answer within " + timeout.toMillis() + " ms", e);
    }
  }

  /** Runs {@code task} on the loop at {@code deadlineNanos} ({@link #nanoTime()} clock). Loop thread only. */
  public Timer schedule(long deadlineNanos, Runnable task) {
    assertInLoop();
    Timer t = new Timer(deadlineNanos, timerSeq++, task);
    timers.add(t);
    return t;
  }

  /** Registers a channel (non-blocking) with the selector. Loop thread only. */
  public SelectionKey register(SelectableChannel channel, int ops, IoHandler handler) throws ClosedChannelException {
    assertInLoop();
    return channel.register(selector, ops, handler);
  }

  /** Number of pending timers (cancelled ones may still be counted until they reach the top). */
  int timerCount() {
    return timers.size();
  }

  /** Stops the loop, waits for the thread to end (unless called on it). Idempotent. */
  @Override
  public void close() {
    closing = true;
    selector.wakeup();
    if (!inLoop()) {
      try {
        terminated.get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("RtcLoop {} did not stop within 5 s", thread.getName());
      }
    }
  }

  /** Whether the thread has ended. */
  public boolean isTerminated() {
    return terminated.isDone();
  }

  private void assertInLoop() {
    if (!inLoop()) {
      throw new IllegalStateException("RtcLoop: called from " + Thread.currentThread().getName() + ", not the loop thread");
    }
  }

  private void run() {
    try {
      while (!closing) {
        runTasks();
        long timeoutMillis = 0;
        if (tasks.isEmpty()) {
          Timer next = peekLive();
          if (next == null) {
            timeoutMillis = 0; // select() without timeout: wait for I/O or wakeup
          } else {
            long waitNanos = next.deadline - System.nanoTime();
            if (waitNanos <= 0) {
              runTimers();
              continue;
            }
            timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
          }
          if (closing) {
            break;
          }
          if (next == null) {
            selector.select();
          } else {
            selector.select(timeoutMillis);
          }
        } else {
          selector.selectNow();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          if (key.isValid() && key.attachment() instanceof IoHandler h) {
            try {
              h.onReady(key);
            } catch (Throwable e) {
              // Even an Error stays with the one handler: the loop and its other connections go on.
              LOG.warn("I/O handler failed on {}", thread.getName(), e);
            }
          }
        }
        selector.selectedKeys().clear();
        runTimers();
      }
    } catch (Throwable e) {
      LOG.error("RtcLoop {} stopped by an error", thread.getName(), e);
    } finally {
      closing = true;
      // Tasks queued by owners closing their connections still run: they release sockets.
      runTasks();
      timers.clear();
      for (SelectionKey key : selector.keys()) {
        try {
          key.channel().close();
        } catch (IOException e) {
          // closing anyway
        }
      }
      try {
        selector.close();
      } catch (IOException e) {
        // nothing left to do
      }
      terminated.complete(null);
    }
  }

  private void runTasks() {
    // Bounded: tasks queued by tasks run in the next round, after I/O got its turn.
    int n = tasks.size();
    for (int i = 0; i < n; i++) {
      Runnable r = tasks.poll();
      if (r == null) {
        break;
      }
      try {
        r.run();
      } catch (Throwable e) {
        LOG.warn("task failed on {}", thread.getName(), e);
      }
    }
  }

  private Timer peekLive() {
    Timer t = timers.peek();
    while (t != null && t.cancelled) {
      timers.poll();
      t = timers.peek();
    }
    return t;
  }

  private void runTimers() {
    long now = System.nanoTime();
    while (true) {
      Timer t = peekLive();
      if (t == null || t.deadline - now > 0) {
        return;
      }
      timers.poll();
      try {
        t.task.run();
      } catch (Throwable e) {
        LOG.warn("timer failed on {}", thread.getName(), e);
      }
    }
  }
}
