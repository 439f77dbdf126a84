package org.rtc4j.testkit.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP server on 127.0.0.1 for test pages: serves fixed content registered by path, files
 * from the classpath under a prefix, or any {@link HttpHandler}. Built on the JDK's
 * {@code com.sun.net.httpserver}; single-threaded (its dispatcher thread), which is plenty for a
 * page and its scripts. {@link #close()} stops it and its thread.
 *
 * <pre>{@code
 * try (StaticHttpServer web = StaticHttpServer.start()
 *     .page("/index.html", "<!doctype html><title>t</title>")
 *     .classpath("/static/", "browser/")) {
 *   browser.open(web.uri("/index.html"));
 * }
 * }</pre>
 */
public final class StaticHttpServer implements AutoCloseable {

  private record Content(String type, byte[] body) {}

  private final HttpServer server;
  private final Map<String, Content> fixed = new ConcurrentHashMap<>();
  private final Map<String, HttpHandler> handlers = new ConcurrentHashMap<>();
  private final List<String[]> classpath = new CopyOnWriteArrayList<>();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final ClassLoader loader;

  private StaticHttpServer(HttpServer server, ClassLoader loader) {
    this.server = server;
    this.loader = loader;
  }

  /** Starts a server on 127.0.0.1 on a free port. */
  public static StaticHttpServer start() {
    return start(0);
  }

  /** Starts a server on 127.0.0.1:{@code port} (0 picks a free one). */
  public static StaticHttpServer start(int port) {
    try {
      HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      StaticHttpServer s = new StaticHttpServer(http, cl != null ? cl : StaticHttpServer.class.getClassLoader());
      http.createContext("/", s::handle);
      http.setExecutor(null); // the server's own dispatcher thread
      http.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test HTTP server", e);
    }
  }

  /** Serves {@code html} as {@code text/html} at {@code path}. */
  public StaticHttpServer page(String path, String html) {
    return content(path, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
  }

  /** Serves {@code body} with {@code contentType} at {@code path}. */
  public StaticHttpServer content(String path, String contentType, byte[] body) {
    fixed.put(normalize(path), new Content(contentType, body.clone()));
    return this;
  }

  /** Serves classpath resources under {@code resourceRoot} for request paths starting with {@code urlPrefix}. */
  public StaticHttpServer classpath(String urlPrefix, String resourceRoot) {
    String root = resourceRoot.startsWith("/") ? resourceRoot.substring(1) : resourceRoot;
    if (!root.isEmpty() && !root.endsWith("/")) {
      root = root + "/";
    }
    String prefix = normalize(urlPrefix.endsWith("/") ? urlPrefix : urlPrefix + "/");
    classpath.add(new String[] {prefix, root});
    return this;
  }

  /** Handles the exact {@code path} with {@code handler}. */
  public StaticHttpServer handler(String path, HttpHandler handler) {
    handlers.put(normalize(path), handler);
    return this;
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + normalize(path));
  }

  /** The origin, {@code http://127.0.0.1:<port>}. */
  public String origin() {
    return "http://127.0.0.1:" + port();
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests served so far, as {@code "GET /path 200"}. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Stops the server at once. */
  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    int status = 500;
    try {
      HttpHandler h = handlers.get(path);
      if (h != null) {
        h.handle(ex);
        status = ex.getResponseCode();
        return;
      }
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        status = send(ex, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      Content c = fixed.get(path);
      if (c == null && path.endsWith("/")) {
        c = fixed.get(path + "index.html");
      }
      if (c == null) {
        c = fromClasspath(path);
      }
      status = c == null
          ? send(ex, 404, "text/plain", ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8))
          : send(ex, 200, c.type(), c.body());
    } finally {
      requests.add(ex.getRequestMethod() + " " + path + " " + status);
      ex.close();
    }
  }

  private Content fromClasspath(String path) throws IOException {
    if (path.contains("..")) {
      return null;
    }
    for (String[] m : classpath) {
      if (path.startsWith(m[0])) {
        String rel = path.substring(m[0].length());
        if (rel.isEmpty() || rel.endsWith("/")) {
          rel = rel + "index.html";
        }
        try (InputStream in = loader.getResourceAsStream(m[1] + rel)) {
          if (in != null) {
            return new Content(contentType(rel), in.readAllBytes());
          }
        }
      }
    }
    return null;
  }

  private static int send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    return status;
  }

  /** A Content-Type for a file name, by extension. */
  static String contentType(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    String ext = dot < 0 ? "" : n.substring(dot + 1);
    return switch (ext) {
      case "html", "htm" -> "text/html; charset=utf-8";
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "json" -> "application/json";
      case "txt" -> "text/plain; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "jpg", "jpeg" -> "image/jpeg";
      case "wasm" -> "application/wasm";
      case "webm" -> "video/webm";
      default -> "application/octet-stream";
    };
  }

  private static String normalize(String path) {
    return path.startsWith("/") ? path : "/" + path;
  }
}
