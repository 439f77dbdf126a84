package org.rtc4j.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves a Prometheus registry at {@code GET /metrics} (text exposition format 0.0.4) with the
 * JDK's HTTP server: one small thread, no dependency on the event loops it observes.
 *
 * <p>Threading: requests run one at a time on the server's single worker thread;
 * {@link #close()} stops it and waits for it to end.
 */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer http;
  private final ExecutorService worker;

  private MetricsServer(HttpServer http, ExecutorService worker) {
    this.http = http;
    this.worker = worker;
  }

  /** Binds {@code address} (port 0 picks one) and starts serving. */
  public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry) throws IOException {
    HttpServer http;
    try {
      http = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new IOException("cannot bind metrics endpoint " + address + ": " + e.getMessage(), e);
    }
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "rtc4j-metrics-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(worker);
    http.createContext("/", exchange -> handle(exchange, registry));
    http.start();
    return new MetricsServer(http, worker);
  }

  private static void handle(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (!"/metrics".equals(path)) {
        send(exchange, 404, "text/plain; charset=utf-8", "not found; metrics are at /metrics\n");
      } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
      } else {
        send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The bound address (with the real port). */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** Stops the listener and the worker thread. */
  @Override
  public void close() {
    http.stop(0);
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
