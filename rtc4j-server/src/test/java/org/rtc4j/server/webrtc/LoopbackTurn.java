package org.rtc4j.server.webrtc;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.netty.TurnServer;
import org.rtc4j.turn.server.netty.TurnServerOptions;

/**
 * Our TURN server ({@link TurnServer}) on 127.0.0.1, a free port, UDP and TCP, one static user,
 * loopback peers allowed (both relayed addresses are 127.0.0.1, so each peer's relay sends to the
 * other's: a loopback peer).
 */
final class LoopbackTurn implements AutoCloseable {

  static final String USER = "rtc4j";
  static final String PASSWORD = "turn-pass-7d1e";

  private final TurnServer server;
  private final int port;

  private LoopbackTurn(TurnServer server, int port) {
    this.server = server;
    this.port = port;
  }

  static LoopbackTurn start() {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = FreePorts.tcpAndUdp(FreePorts.LOOPBACK);
      FreePorts.PortRange relay = FreePorts.range(FreePorts.LOOPBACK, 100, false, true);
      TurnServerConfig cfg = TurnServerConfig.builder().realm("webrtc.rtc4j.test").user(USER, PASSWORD)
          .peerPolicy(PeerAddressPolicy.builder().allowLoopback(true).build()).build();
      TurnServerOptions opts = TurnServerOptions.builder().listeningIp(FreePorts.LOOPBACK).relayIp(FreePorts.LOOPBACK)
          .listeningPort(port).portRange(relay.first(), relay.last()).udp(true).tcp(true).tls(false).eventLoops(1)
          .build();
      try {
        return new LoopbackTurn(TurnServer.start(cfg, opts), port);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new UncheckedIOException("cannot start the TURN server", last);
  }

  /** {@code turn:127.0.0.1:PORT?transport=udp}. */
  String url() {
    return "turn:127.0.0.1:" + port + "?transport=udp";
  }

  TurnServer server() {
    return server;
  }

  @Override
  public void close() {
    server.close();
  }
}
