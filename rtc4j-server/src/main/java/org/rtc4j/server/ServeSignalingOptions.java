package org.rtc4j.server;

import java.io.PrintStream;
import org.rtc4j.signaling.SignalingConfig;
import picocli.CommandLine.Option;

/**
 * The signaling options of {@code rtc4j serve}: the PeerJS server runs on port 9000 next to the
 * TURN server, sharing its REST secret (so {@code /peerjs/ice-servers} credentials work there), and
 * serves the web app (classpath {@code web/}) at {@code /}. {@code rtc4j signaling} has the full set.
 */
final class ServeSignalingOptions {

  @Option(names = "--signaling-port", paramLabel = "PORT", defaultValue = "9000",
      description = "PeerJS signaling (and web app) port. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--signaling-ip", paramLabel = "IP", defaultValue = "0.0.0.0",
      description = "Address the signaling server listens on. Default: ${DEFAULT-VALUE}.")
  String ip;

  @Option(names = "--signaling-key", paramLabel = "KEY", defaultValue = "peerjs",
      description = "PeerJS key. Default: ${DEFAULT-VALUE}.")
  String key;

  @Option(names = "--redis", paramLabel = "URI",
      description = "redis://HOST:PORT: the signaling server shares ids and queues with other nodes over Redis.")
  String redis;

  @Option(names = "--no-signaling", description = "Do not run the PeerJS signaling server (nor the web app).")
  boolean disabled;

  /** Starts the signaling server next to {@code turn}, or nothing when disabled. */
  AutoCloseable start(TurnService turn, PrintStream out) throws java.io.IOException {
    if (disabled) {
      return () -> { };
    }
    SignalingConfig.Builder b = SignalingConfig.builder().host(ip).port(port).key(key).webRoot("web/");
    return SignalingService.forSuite(b, turn, out, redis);
  }
}
