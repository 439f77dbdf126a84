package org.rtc4j.server;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A PeerJS client socket over {@code java.net.http.WebSocket} for the command-line tests (the same
 * idea as rtc4j-signaling's test {@code WsClient}, which this module cannot see): every text frame
 * is queued, and {@link #closed} completes with the close code.
 */
final class PeerJsSocket implements AutoCloseable {

  final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket ws;

  private PeerJsSocket(HttpClient http, String url) {
    this.ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(15)).buildAsync(URI.create(url), new Listener())
        .orTimeout(15, TimeUnit.SECONDS).join();
  }

  /** Connects to {@code ws://127.0.0.1:port/peerjs} as {@code id} under {@code key}. */
  static PeerJsSocket connect(HttpClient http, int port, String key, String id, String token) {
    return new PeerJsSocket(http, "ws://127.0.0.1:" + port + "/peerjs?key=" + enc(key) + "&id=" + enc(id) + "&token="
        + enc(token) + "&version=1.5.5");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The next frame, or an AssertionError after 10 s. */
  String next() {
    try {
      String s = received.poll(10, TimeUnit.SECONDS);
      if (s == null) {
        throw new AssertionError("no frame within 10 s" + (closed.isDone() ? " (closed with " + closed.join() + ")" : ""));
      }
      return s;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends one text frame and waits until it is written. */
  void send(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Sends {@code text} {@code times} times, stopping quietly once the server has closed the socket. */
  void sendUntilClosed(String text, int times) {
    for (int i = 0; i < times && !closed.isDone(); i++) {
      try {
        send(text);
      } catch (java.util.concurrent.CompletionException e) {
        return; // the server closed the socket under us: the caller checks why
      }
    }
  }

  @Override
  public void close() {
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        received.add(text.toString());
        text.setLength(0);
      }
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
      closed.complete(-1);
    }
  }
}
