package org.rtc4j.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A PeerJS-speaking test client over {@code java.net.http.WebSocket}: every text frame is queued. */
final class WsClient implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** {@code s} parsed as JSON; a test fails on text that is not. */
  static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }

  final String id;
  final String token;
  final BlockingQueue<String> received;
  /** System.nanoTime() at the arrival of each frame, in the same order as {@link #received}. */
  final BlockingQueue<Long> receivedAt;
  final CompletableFuture<Integer> closed;
  private final WebSocket ws;

  private WsClient(String id, String token, WebSocket ws, Listener l) {
    this.id = id;
    this.token = token;
    this.ws = ws;
    this.received = l.received;
    this.receivedAt = l.receivedAt;
    this.closed = l.closed;
  }

  static String url(int port, String path, String key, String id, String token) {
    StringBuilder b = new StringBuilder("ws://127.0.0.1:").append(port).append(path).append("peerjs?");
    if (key != null) {
      b.append("key=").append(enc(key)).append('&');
    }
    if (id != null) {
      b.append("id=").append(enc(id)).append('&');
    }
    if (token != null) {
      b.append("token=").append(enc(token)).append('&');
    }
    return b.append("version=1.5.4").toString();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static WsClient connect(HttpClient http, int port, String key, String id, String token) {
    return connect(http, url(port, "/", key, id, token), id, token);
  }

  static WsClient connect(HttpClient http, String url, String id, String token) {
    return connectAsync(http, url, id, token).orTimeout(15, TimeUnit.SECONDS).join();
  }

  static CompletableFuture<WsClient> connectAsync(HttpClient http, String url, String id, String token) {
    Listener l = new Listener();
    return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
        .buildAsync(URI.create(url), l).thenApply(ws -> new WsClient(id, token, ws, l));
  }

  /** Connects and asserts the first frame is exactly {"type":"OPEN"}. */
  static WsClient open(HttpClient http, int port, String key, String id, String token) {
    WsClient c = connect(http, port, key, id, token);
    String first = c.next();
    if (!"{\"type\":\"OPEN\"}".equals(first)) {
      throw new AssertionError("expected OPEN for " + id + " but got " + first);
    }
    return c;
  }

  /** The next frame (fails after 5 s). */
  String next() {
    return next(Duration.ofSeconds(5));
  }

  /** Arrival time (System.nanoTime()) of the frame {@link #next} returned last. */
  long lastAt;

  String next(Duration timeout) {
    try {
      String s = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (s != null) {
        Long at = receivedAt.poll(1, TimeUnit.SECONDS);
        lastAt = at == null ? System.nanoTime() : at;
      }
      if (s == null) {
        throw new AssertionError("no frame within " + timeout.toMillis() + " ms for client " + id
            + (closed.isDone() ? " (closed with " + closed.getNow(null) + ")" : ""));
      }
      return s;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  JsonNode nextJson() {
    try {
      return JSON.readTree(next());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Sends a text frame and waits until it is written. */
  void send(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Sends without waiting for completion of anything but the previous send. */
  CompletableFuture<WebSocket> sendAsync(String text) {
    return ws.sendText(text, true);
  }

  void sendBinary(byte[] bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  void heartbeat() {
    send("{\"type\":\"HEARTBEAT\"}");
  }

  void offer(String dst, String payloadJson) {
    send("{\"type\":\"OFFER\",\"dst\":\"" + dst + "\",\"payload\":" + payloadJson + "}");
  }

  /** Waits for the server to close the socket; returns the status code. */
  int awaitClose() {
    return closed.orTimeout(10, TimeUnit.SECONDS).join();
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** Drops the TCP connection without a close handshake. */
  void abort() {
    ws.abort();
    closed.complete(1006);
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).join();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    ws.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final BlockingQueue<Long> receivedAt = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String s = partial.toString();
        partial.setLength(0);
        receivedAt.add(System.nanoTime()); // before the frame: next() finds its time at once
        received.add(s);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(1006);
    }
  }
}
