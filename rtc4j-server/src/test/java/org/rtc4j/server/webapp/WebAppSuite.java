package org.rtc4j.server.webapp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rtc4j.server.SignalingService;
import org.rtc4j.server.TurnOptions;
import org.rtc4j.server.TurnService;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.SignalingServer;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.browser.BrowserPage;
import org.rtc4j.turn.server.TurnCounters;
import picocli.CommandLine;

/**
 * The parts of the server suite the web app uses, started in this JVM on 127.0.0.1 as
 * {@code rtc4j serve} wires them: the STUN/TURN server with a TURN REST secret (options parsed as
 * the command line parses them), and the signaling server through
 * {@link SignalingService#forSuite} — sharing that secret, so {@code /peerjs/ice-servers} mints
 * credentials the TURN server accepts — serving the app from the classpath ({@code web/}, put there
 * by the build) at {@code /}.
 *
 * <p>The TURN server allows loopback peers: in the test namespace both browsers' relay addresses
 * are 127.0.0.1.
 */
final class WebAppSuite implements AutoCloseable {

  private final TurnService turn;
  private final SignalingService service;
  private final SignalingServer signaling;
  private final int turnPort;

  private WebAppSuite(TurnService turn, SignalingService service, int turnPort) {
    this.turn = turn;
    this.service = service;
    this.signaling = service.server();
    this.turnPort = turnPort;
  }

  /** Starts TURN and signaling on free ports of 127.0.0.1; {@code stateDir} keeps TURN's files. */
  static WebAppSuite start(Path stateDir) {
    String secret = "webapp-test-secret-6d1f";
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      TurnService turn = null;
      try {
        int port = FreePorts.tcpAndUdp(FreePorts.LOOPBACK);
        FreePorts.PortRange relay = FreePorts.range(FreePorts.LOOPBACK, 100, false, true);
        List<String> args = new ArrayList<>(List.of(
            "--listening-ip", "127.0.0.1", "--listening-port", Integer.toString(port),
            "--relay-ip", "127.0.0.1",
            "--min-port", Integer.toString(relay.first()), "--max-port", Integer.toString(relay.last()),
            "--realm", "webapp.rtc4j.test", "--no-tls",
            "--use-auth-secret", "--static-auth-secret", secret,
            "--allow-loopback-peers", "--state-dir", stateDir.toString()));
        TurnOptions options = new TurnOptions();
        new CommandLine(options).parseArgs(args.toArray(String[]::new));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
          turn = TurnService.start(options, ps);
        }
        // As `rtc4j serve` starts it (ServeSignalingOptions), on 127.0.0.1 and a free port.
        SignalingService signaling;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
          signaling = SignalingService.forSuite(
              SignalingConfig.builder().host("127.0.0.1").port(0).webRoot("web/").ioThreads(1), turn, ps);
        }
        return new WebAppSuite(turn, signaling, port);
      } catch (IOException e) {
        last = e;
        if (turn != null) {
          turn.close();
        }
      }
    }
    throw new UncheckedIOException("cannot start the suite", last);
  }

  /** {@code http://127.0.0.1:<signaling port>}: the app is at {@code /}. */
  String origin() {
    return "http://127.0.0.1:" + signaling.port();
  }

  int signalingPort() {
    return signaling.port();
  }

  int turnPort() {
    return turnPort;
  }

  TurnCounters turnCounters() {
    return turn.server().counters();
  }

  SignalingServer signaling() {
    return signaling;
  }

  /**
   * Where the page kept its newest incoming file ({@code disk}: the origin-private file system, so a
   * file of any size fits; {@code memory}: the fallback) and the SHA-256 (hex) of the bytes its save
   * link serves, computed by the browser's WebCrypto from that link: what a person who saves it gets.
   */
  static java.util.Map<?, ?> savedFile(BrowserPage b, java.time.Duration timeout) {
    return b.awaitJs(java.util.Map.class, timeout, """
        const t = rtc4jApp.transfers().filter(x => x.direction === 'in').pop();
        const bytes = await (await fetch(t.url)).arrayBuffer();
        const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        return {storage: t.storage, size: bytes.byteLength,
            sha256: Array.from(d, x => x.toString(16).padStart(2, '0')).join('')};""");
  }

  @Override
  public void close() {
    try {
      service.close();
    } finally {
      turn.close();
    }
  }
}
