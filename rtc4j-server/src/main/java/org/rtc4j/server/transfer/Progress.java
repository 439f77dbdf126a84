package org.rtc4j.server.transfer;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr ({@code \r}-rewritten at most every 200 ms):
 * {@code [#######.............]  35%  7.0/20.0 MiB  12.3 MB/s}. Thread-safe.
 */
final class Progress {
  private static final long INTERVAL_NANOS = 200_000_000L;
  private final PrintStream err;
  private final String verb;
  private long total;
  private long startNanos;
  private long lastDraw = Long.MIN_VALUE;
  private boolean started;
  private boolean finished;

  Progress(PrintStream err, String verb) {
    this.err = err;
    this.verb = verb;
  }

  synchronized void start(long totalBytes, long nowNanos) {
    total = totalBytes;
    startNanos = nowNanos;
    started = true;
  }

  synchronized void update(long bytes, long nowNanos) {
    if (!started || finished || nowNanos - lastDraw < INTERVAL_NANOS) {
      return;
    }
    lastDraw = nowNanos;
    draw(bytes, nowNanos);
  }

  synchronized void finish(long bytes, long nowNanos) {
    if (!started || finished) {
      return;
    }
    draw(bytes, nowNanos);
    err.println();
    err.flush();
    finished = true;
  }

  private void draw(long bytes, long nowNanos) {
    int width = 30;
    double frac = total > 0 ? Math.min(1, bytes / (double) total) : 1;
    int filled = (int) Math.round(frac * width);
    double secs = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    err.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %8.1f/%.1f MiB %8.1f MB/s", verb, "#".repeat(filled),
        ".".repeat(width - filled), Math.round(frac * 100), bytes / 1048576.0, total / 1048576.0, bytes / 1e6 / secs));
    err.flush();
  }
}
