package org.rtc4j.server.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rtc4j.server.TurnOptions;
import org.rtc4j.server.TurnService;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnCounters;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.netty.TurnServer;
import org.rtc4j.turn.server.netty.TurnServerOptions;
import picocli.CommandLine;

/**
 * Our STUN/TURN server, started in this JVM for an interop test, bound to 127.0.0.1 on a free port
 * (UDP and TCP) with a relay port range of free ports.
 *
 * <p>Normally it is started the way {@code rtc4j turn} starts it: the coturn-named command-line
 * options are parsed by picocli into the CLI's {@link TurnOptions} and handed to
 * {@link TurnService#start}, so the tests exercise {@code --listening-ip}, {@code --user},
 * {@code --use-auth-secret}, {@code --allow-loopback-peers} and friends exactly as an operator
 * types them. The one exception: RFC 5766's channel range (0x4000–0x7FFF, which coturn's
 * {@code turnutils_uclient} uses) needs {@code --legacy-channel-range}; while the CLI lacks that
 * option the server is started through {@link TurnServer#start} with the equivalent configuration.
 */
final class InteropServer implements AutoCloseable {

  static final String REALM = "interop.rtc4j.test";
  static final String LEGACY_CHANNEL_OPTION = "--legacy-channel-range";

  private final TurnService service; // null when started directly
  private final TurnServer server;
  private final int port;
  private final List<String> args;
  private final String report;

  private InteropServer(TurnService service, TurnServer server, int port, List<String> args, String report) {
    this.service = service;
    this.server = server;
    this.port = port;
    this.args = args;
    this.report = report;
  }

  /** Describes a server to start. */
  static Spec spec() {
    return new Spec();
  }

  /** The STUN/TURN port (UDP and TCP) on 127.0.0.1. */
  int port() {
    return port;
  }

  /** 127.0.0.1:port. */
  InetSocketAddress address() {
    return new InetSocketAddress(FreePorts.LOOPBACK, port);
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

  /** Whether the CLI has the legacy channel range option yet. */
  static boolean cliHasLegacyChannelRange() {
    return new CommandLine(new TurnOptions()).getCommandSpec().findOption(LEGACY_CHANNEL_OPTION) != null;
  }

  @Override
  public void close() {
    if (service != null) {
      service.close();
    } else {
      server.close();
    }
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

    private Spec() {}

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

    /** Starts it on a free port of 127.0.0.1, relay ports from a free range. */
    InteropServer start() {
      int port = FreePorts.tcpAndUdp();
      FreePorts.PortRange relay = FreePorts.udpRange(200);
      List<String> args = new ArrayList<>(List.of(
          "--listening-ip", "127.0.0.1",
          "--listening-port", Integer.toString(port),
          "--relay-ip", "127.0.0.1",
          "--min-port", Integer.toString(relay.first()),
          "--max-port", Integer.toString(relay.last()),
          "--realm", REALM,
          "--no-tls"));
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
      if (stateDir != null) {
        args.addAll(List.of("--state-dir", stateDir.toString()));
      }
      boolean viaCli = !legacyChannelRange || cliHasLegacyChannelRange();
      if (legacyChannelRange && viaCli) {
        args.add(LEGACY_CHANNEL_OPTION);
      }
      try {
        if (viaCli) {
          TurnOptions options = new TurnOptions();
          new CommandLine(options).parseArgs(args.toArray(String[]::new));
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          TurnService service;
          try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            service = TurnService.start(options, ps);
          }
          return new InteropServer(service, service.server(), port, List.copyOf(args),
              out.toString(StandardCharsets.UTF_8));
        }
        // The CLI has no switch for the RFC 5766 channel range yet: the same settings, built directly.
        TurnServerConfig.Builder cfg = TurnServerConfig.builder().realm(REALM).legacyChannelRange(true);
        users.forEach(cfg::user);
        if (authSecret != null) {
          cfg.authSecret(authSecret);
        }
        PeerAddressPolicy.Builder policy = PeerAddressPolicy.builder().allowLoopback(allowLoopbackPeers);
        for (String r : allowedPeerIps) {
          policy.allow(org.rtc4j.turn.server.IpRange.parse(r));
        }
        cfg.peerPolicy(policy.build());
        TurnServerOptions net = TurnServerOptions.builder()
            .listeningIp(InetAddress.getByName("127.0.0.1"))
            .listeningPort(port)
            .relayIp(InetAddress.getByName("127.0.0.1"))
            .portRange(relay.first(), relay.last())
            .tls(false)
            .build();
        TurnServer server = TurnServer.start(cfg.build(), net);
        List<String> described = new ArrayList<>(args);
        described.add(LEGACY_CHANNEL_OPTION + " (not in the CLI yet: started through TurnServer.start)");
        return new InteropServer(null, server, port, List.copyOf(described), "");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the TURN server with " + args, e);
      }
    }
  }
}
