package org.rtc4j.signaling;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;

/** The peerjs WebSocket clients one test opens (key "peerjs"), aborted together when it ends. */
final class WsClients {
  final HttpClient http = HttpClient.newHttpClient();
  private final List<WsClient> clients = new ArrayList<>();

  /** Opens {@code id} on {@code node} and waits for OPEN; the token is "tok-" + id. */
  WsClient open(SignalingServer node, String id) {
    return track(WsClient.open(http, node.port(), "peerjs", id, "tok-" + id));
  }

  /** Connects {@code id} without waiting for OPEN (for ID-TAKEN and ERROR outcomes). */
  WsClient connect(SignalingServer node, String id, String token) {
    return track(WsClient.connect(http, node.port(), "peerjs", id, token));
  }

  WsClient track(WsClient c) {
    clients.add(c);
    return c;
  }

  void abortAll() {
    clients.forEach(WsClient::abort);
  }
}
