package org.rtc4j.server;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.rtc4j.server.echo.EchoHttpServer;
import org.rtc4j.server.echo.EchoSession;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceServer;
import org.rtc4j.webrtc.RtcIceTransportPolicy;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rtc4j echo --http 127.0.0.1:8080}: a WebRTC peer any stack can drive with plain HTTP
 * signaling ({@link EchoHttpServer}: {@code POST /offer} → {@code 201} + answer, or
 * {@code GET /offer} then {@code POST /answer}), one {@link EchoSession} per offer. It logs every
 * session's state changes and closes them all on shutdown (SIGINT, SIGTERM). Data channels the remote
 * opens are echoed, or counted and hashed when labelled {@code sink} (DataChannelEcho).
 */
@Command(name = "echo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Run a WebRTC peer reachable with plain HTTP signaling (the WHIP pattern).",
        "POST /offer (Content-Type: application/sdp, every candidate in the SDP) -> 201 Created, the SDP answer, "
            + "Location: /sessions/ID.",
        "GET /offer -> a fresh offer (Location: /sessions/ID), completed by POST /answer?session=ID.",
        "GET /sessions/ID shows the session's states; DELETE /sessions/ID closes it. CORS allows any origin.",
        "Every data channel the remote opens is echoed message by message (text stays text, binary binary); "
            + "a channel labelled 'sink' counts and hashes what it receives and answers the text 'done' with "
            + "'bytes=<N> sha256=<hex>'.", ""},
    footer = {"", "Example: rtc4j echo --http 127.0.0.1:8080",
        "  curl -s -X POST -H 'Content-Type: application/sdp' --data-binary @offer.sdp http://127.0.0.1:8080/offer"})
public final class EchoCommand implements Callable<Integer> {

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "address of the HTTP signaling endpoint (default ${DEFAULT-VALUE}; IPv6 as [::1]:8080; port 0 = any)")
  String http;

  @Option(names = "--ice-server", paramLabel = "URL",
      description = "STUN/TURN server (stun:, turn:, turns: URL; repeatable); TURN uses --ice-username/--ice-credential")
  List<String> iceServers = new ArrayList<>();

  @Option(names = "--ice-username", description = "TURN username")
  String iceUsername;

  @Option(names = "--ice-credential", description = "TURN password")
  String iceCredential;

  @Option(names = "--ice-transport-policy", defaultValue = "all", paramLabel = "all|relay",
      description = "'relay' uses only TURN-relayed candidates (default ${DEFAULT-VALUE})")
  String iceTransportPolicy;

  @Option(names = "--ice-address", paramLabel = "IP",
      description = "gather host candidates on this local address only (repeatable; default: every interface, loopback included)")
  List<String> iceAddresses = new ArrayList<>();

  @Option(names = "--timeout", defaultValue = "15", paramLabel = "SECONDS",
      description = "how long a request may wait for ICE gathering (default ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(names = "--max-sessions", defaultValue = "256", description = "sessions at most at once (default ${DEFAULT-VALUE})")
  int maxSessions;

  @Option(names = {"-v", "--verbose"}, description = "debug logging of org.rtc4j")
  boolean verbose;

  /** A running echo peer: the HTTP server and the runtime its PeerConnections run on. */
  public record Running(EchoHttpServer server, RtcRuntime runtime) implements AutoCloseable {
    /** Closes every session, the HTTP server, then the runtime's threads. */
    @Override
    public void close() {
      try {
        server.close();
      } finally {
        runtime.close();
      }
    }
  }

  /** The PeerConnection configuration the options describe. */
  public RtcConfiguration configuration() {
    RtcConfiguration.Builder b = RtcConfiguration.builder();
    for (String url : iceServers) {
      b.iceServer(url.startsWith("stun") ? RtcIceServer.of(url) : RtcIceServer.of(url, iceUsername, iceCredential));
    }
    b.iceTransportPolicy(switch (iceTransportPolicy.toLowerCase(java.util.Locale.ROOT)) {
      case "all" -> RtcIceTransportPolicy.ALL;
      case "relay" -> RtcIceTransportPolicy.RELAY;
      default -> throw new IllegalArgumentException("--ice-transport-policy must be all or relay, not " + iceTransportPolicy);
    });
    if (!iceAddresses.isEmpty()) {
      List<InetAddress> addrs = new ArrayList<>();
      for (String a : iceAddresses) {
        addrs.add(literal("--ice-address", a));
      }
      b.hostAddresses(addrs);
    } else {
      b.includeLoopback(true);
    }
    return b.build();
  }

  /** The {@code --http} address. */
  public InetSocketAddress httpAddress() {
    String s = http.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("--http must be HOST:PORT, e.g. 127.0.0.1:8080, not '" + http + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--http port is not a number: '" + http + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--http port out of range 0..65535: " + port);
    }
    return new InetSocketAddress(literal("--http", host), port);
  }

  /** Starts the runtime and the HTTP server as the options say. */
  public Running start() throws IOException {
    if (timeoutSeconds <= 0 || maxSessions <= 0) {
      throw new IllegalArgumentException("--timeout and --max-sessions must be > 0");
    }
    InetSocketAddress bind = httpAddress();
    RtcConfiguration config = configuration();
    RtcRuntime runtime = RtcRuntime.create();
    try {
      EchoHttpServer server = EchoHttpServer.start(bind, EchoSession.factory(config, runtime),
          Duration.ofSeconds(timeoutSeconds), maxSessions);
      return new Running(server, runtime);
    } catch (IOException | RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (verbose) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.rtc4j")).setLevel(Level.DEBUG);
    }
    Running running = start();
    PrintStream out = System.out;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.close();
      } finally {
        stopped.countDown();
      }
    }, "rtc4j-shutdown"));
    String base = running.server().baseUrl();
    out.println("rtc4j echo: POST an SDP offer to " + base + "/offer (Content-Type: application/sdp), or GET "
        + base + "/offer and POST the answer to " + base + "/answer?session=ID");
    out.println("Press Ctrl+C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }

  private static InetAddress literal(String option, String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return InetAddress.getLoopbackAddress();
    }
    if (!host.matches("[0-9.]+|[0-9A-Fa-f:.%a-zA-Z]*:[0-9A-Fa-f:.%a-zA-Z]*")) {
      throw new IllegalArgumentException(option + " needs an IP address (or localhost), not '" + host + "'");
    }
    try {
      return InetAddress.getByName(host); // a literal: no DNS lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(option + ": not an IP address: '" + host + "'");
    }
  }
}
