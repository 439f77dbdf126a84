package org.rtc4j.webrtc.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads behind peer connections: a few {@link RtcLoop}s (connections are spread over them
 * round-robin) and one pool that runs user callbacks through a {@link SerialExecutor} per
 * connection. Share one runtime between many connections; {@link #close()} stops every thread.
 *
 * <pre>{@code
 * try (RtcRuntime runtime = RtcRuntime.create()) {
 *   PeerConnection pc = new PeerConnection(config, runtime);
 *   ...
 * }
 * }</pre>
 */
public final class RtcRuntime implements AutoCloseable {

  private final List<RtcLoop> loops;
  private final ThreadPoolExecutor callbacks;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean closed;

  private RtcRuntime(int loopCount) {
    if (loopCount < 1) {
      throw new IllegalArgumentException("at least one loop: " + loopCount);
    }
    String id = Integer.toHexString(System.identityHashCode(this));
    List<RtcLoop> l = new ArrayList<>();
    for (int i = 0; i < loopCount; i++) {
      l.add(new RtcLoop("rtc4j-loop-" + id + "-" + i));
    }
    loops = List.copyOf(l);
    AtomicInteger threads = new AtomicInteger();
    // Threads come and go with demand (idle ones end after 2 s), so an idle runtime holds only its loops.
    callbacks = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 2, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "rtc4j-callback-" + id + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A runtime with one loop per available processor. */
  public static RtcRuntime create() {
    return new RtcRuntime(Runtime.getRuntime().availableProcessors());
  }

  /** A runtime with {@code loops} loop threads. */
  public static RtcRuntime create(int loops) {
    return new RtcRuntime(loops);
  }

  /** The loop for the next connection (round-robin). */
  public RtcLoop nextLoop() {
    if (closed) {
      throw new IllegalStateException("runtime closed");
    }
    return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
  }

  /** A new serial executor for one connection's callbacks. */
  public SerialExecutor newCallbackExecutor() {
    return new SerialExecutor(callbacks);
  }

  /** The pool behind callback executors. */
  public ExecutorService callbackPool() {
    return callbacks;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops the loops (their sockets are closed) and the callback pool. Callbacks already queued
   * still run; no thread of this runtime survives it for more than a moment. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RtcLoop loop : loops) {
      loop.close();
    }
    callbacks.shutdown();
  }
}
