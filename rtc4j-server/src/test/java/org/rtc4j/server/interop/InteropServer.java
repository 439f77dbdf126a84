package org.rtc4j.server.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rtc4j.server.TurnOptions;
import org.rtc4j.server.TurnService;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.SelfSignedCertificate;
import org.rtc4j.turn.server.TurnCounters;
import org.rtc4j.turn.server.netty.TurnServer;
import picocli.CommandLine;

/**
 * Our STUN/TURN server, started in this JVM for an interop test, bound to 127.0.0.1 (or ::1) on a
 * free port (UDP and TCP) with a relay port range of free ports.
 *
 * <p>It is started the way {@code rtc4j turn} starts it: the coturn-named command-line options are
 * parsed by picocli into the CLI's {@link TurnOptions} and handed to {@link TurnService#start}, so
 * the tests exercise {@code --listening-ip}, {@code --user}, {@code --use-auth-secret},
 * {@code --static-auth-secret}, {@code --allow-loopback-peers}, {@code --allowed-peer-ip} and
 * {@code --legacy-channel-range} (RFC 5766's channel range 0x4000–0x7FFF, which coturn's
 * {@code turnutils_uclient} uses) exactly as an operator types them.
 */
final class InteropServer implements AutoCloseable {

  static final String REALM = "interop.rtc4j.test";

  private final TurnService service;
  private final TurnServer server;
  private final int port;
  private final int tlsPort;
  private final List<String> args;
  private final String report;

  private InteropServer(TurnService service, int port, int tlsPort, List<String> args, String report) {
    this.service = service;
    this.server = service.server();
    this.port = port;
    this.tlsPort = tlsPort;
    this.args = args;
    this.report = report;
  }

  /** Describes a server to start. */
  static Spec spec() {
    return new Spec();
  }

  /** The STUN/TURN port (UDP and TCP). */
  int port() {
    return port;
  }

  /** The TURN-over-TLS port, 0 without {@link Spec#tls}. */
  int tlsPort() {
    return tlsPort;
  }

  TurnServer server() {
    return server;
  }

  TurnCounters counters() {
    return server.counters();
  }

  /** The command line it was started with (coturn option names). */
  List<String> args() {
    return args;
  }

  /** What the service printed at start (listening addresses, realm, users). */
  String startupReport() {
    return report;
  }

  @Override
  public void close() {
    service.close();
  }

  @Override
  public String toString() {
    return "rtc4j turn " + String.join(" ", args);
  }

  /** The server's configuration, written as an {@code rtc4j turn} command line. */
  static final class Spec {
    private final Map<String, String> users = new LinkedHashMap<>();
    private String authSecret;
    private boolean allowLoopbackPeers;
    private final List<String> allowedPeerIps = new ArrayList<>();
    private boolean legacyChannelRange;
    private Path stateDir;
    private InetAddress ip = FreePorts.LOOPBACK;
    private SelfSignedCertificate tls;

    private Spec() {}

    /** Listen and relay on {@code ip} (127.0.0.1 by default; ::1 for IPv6). */
    Spec ip(InetAddress ip) {
      this.ip = ip;
      return this;
    }

    /** {@code --cert}/{@code --pkey}: also listen for TURN over TLS on a free port. */
    Spec tls(SelfSignedCertificate certificate) {
      this.tls = certificate;
      return this;
    }

    /** {@code --user name:password}. */
    Spec user(String name, String password) {
      users.put(name, password);
      return this;
    }

    /** {@code --use-auth-secret --static-auth-secret secret} (TURN REST API). */
    Spec authSecret(String secret) {
      this.authSecret = secret;
      return this;
    }

    /** {@code --allow-loopback-peers}. */
    Spec allowLoopbackPeers(boolean allow) {
      this.allowLoopbackPeers = allow;
      return this;
    }

    /** {@code --allowed-peer-ip range}. */
    Spec allowedPeerIp(String range) {
      allowedPeerIps.add(range);
      return this;
    }

    /** Accept ChannelBind numbers 0x4000–0x7FFF (RFC 5766) as coturn does. */
    Spec legacyChannelRange(boolean legacy) {
      this.legacyChannelRange = legacy;
      return this;
    }

    /** {@code --state-dir} (never the user's home in tests). */
    Spec stateDir(Path dir) {
      this.stateDir = dir;
      return this;
    }

    /**
     * Starts it on a free port of 127.0.0.1, relay ports from a free range; tries again with other
     * ports if one was taken between the check and the bind.
     */
    InteropServer start() {
      IOException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        try {
          return startOnce();
        } catch (IOException e) {
          last = e;
        }
      }
      throw new UncheckedIOException("cannot start the TURN server", last);
    }

    private InteropServer startOnce() throws IOException {
      int port = FreePorts.tcpAndUdp(ip);
      FreePorts.PortRange relay = FreePorts.range(ip, 200, false, true);
      List<String> args = new ArrayList<>(List.of(
          "--listening-ip", ip.getHostAddress(),
          "--listening-port", Integer.toString(port),
          "--relay-ip", ip.getHostAddress(),
          "--min-port", Integer.toString(relay.first()),
          "--max-port", Integer.toString(relay.last()),
          "--realm", REALM));
      int tlsPort = 0;
      if (tls != null) {
        tlsPort = FreePorts.tcp(ip);
        args.addAll(List.of("--tls-listening-port", Integer.toString(tlsPort),
            "--cert", tls.cert().toString(), "--pkey", tls.key().toString()));
      } else {
        args.add("--no-tls");
      }
      users.forEach((u, p) -> args.addAll(List.of("--user", u + ":" + p)));
      if (authSecret != null) {
        args.addAll(List.of("--use-auth-secret", "--static-auth-secret", authSecret));
      }
      if (allowLoopbackPeers) {
        args.add("--allow-loopback-peers");
      }
      for (String r : allowedPeerIps) {
        args.addAll(List.of("--allowed-peer-ip", r));
      }
      // Never the user's ~/.rtc4j: the service writes a generated REST secret there.
      Path state = stateDir != null ? stateDir : Files.createTempDirectory("rtc4j-interop-state");
      args.addAll(List.of("--state-dir", state.toString()));
      if (legacyChannelRange) {
        args.add("--legacy-channel-range");
      }
      TurnOptions options = new TurnOptions();
      new CommandLine(options).parseArgs(args.toArray(String[]::new));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TurnService service;
      try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
        service = TurnService.start(options, ps);
      }
      return new InteropServer(service, port, tlsPort, List.copyOf(args), out.toString(StandardCharsets.UTF_8));
    }
  }
}
