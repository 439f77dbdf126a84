package org.rtc4j.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.SignalingMetrics;
import org.rtc4j.signaling.SignalingServer;
import org.rtc4j.turn.server.netty.TurnServer;

/**
 * The running PeerJS signaling server of {@code rtc4j signaling} and {@code rtc4j serve}: the
 * server, its metrics (its own endpoint when alone, the suite's registry under {@code serve}), and
 * the start-up report. Under {@code serve} it shares the TURN REST secret with the suite's TURN
 * server, so {@code GET /peerjs/ice-servers} hands browsers credentials that TURN server accepts.
 */
public final class SignalingService implements AutoCloseable {

  private final SignalingServer server;
  private final MetricsServer metrics;
  private final PrometheusMeterRegistry ownRegistry;

  private SignalingService(SignalingServer server, MetricsServer metrics, PrometheusMeterRegistry ownRegistry) {
    this.server = server;
    this.metrics = metrics;
    this.ownRegistry = ownRegistry;
  }

  /** {@code rtc4j signaling}: the server alone, with its own metrics endpoint when asked. */
  static SignalingService standalone(SignalingOptions o, PrintStream out) throws IOException {
    SignalingConfig config = o.toBuilder().build();
    SignalingServer server = SignalingServer.start(config, SignalingOptions.registry(o.redis, config));
    MetricsServer metrics = null;
    PrometheusMeterRegistry registry = null;
    try {
      if (o.metricsPort != null) {
        registry = new PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        new SignalingMetrics(server).bindTo(registry);
        metrics = MetricsServer.start(new InetSocketAddress(o.host, o.metricsPort), registry);
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    SignalingService s = new SignalingService(server, metrics, registry);
    s.report(out);
    return s;
  }

  /**
   * Starts the signaling server of {@code serve} next to {@code turn}: the configuration comes from
   * {@code config} plus the TURN secret and URLs of {@code turn} (when it uses REST credentials);
   * its meters join the suite's registry when metrics are on. The in-process entry point for tests.
   */
  public static SignalingService forSuite(SignalingConfig.Builder config, TurnService turn, PrintStream out)
      throws IOException {
    return forSuite(config, turn, out, null);
  }

  /** {@link #forSuite(SignalingConfig.Builder, TurnService, PrintStream)} sharing state over Redis at {@code redis} (null: in memory). */
  public static SignalingService forSuite(SignalingConfig.Builder config, TurnService turn, PrintStream out, String redis)
      throws IOException {
    Optional<String> secret = turn.server().config().authSecret();
    if (secret.isPresent()) {
      config.turn(secret.get(), turnUrls(turn.server()));
    }
    SignalingConfig built = config.build();
    SignalingServer server = SignalingServer.start(built, SignalingOptions.registry(redis, built));
    turn.registry().ifPresent(r -> new SignalingMetrics(server).bindTo(r));
    SignalingService s = new SignalingService(server, null, null);
    s.report(out);
    return s;
  }

  /** STUN and TURN URLs of the suite's TURN server; {@code {host}} when it listens on every address. */
  static List<String> turnUrls(TurnServer turn) {
    String host = "{host}";
    List<InetAddress> advertised = turn.advertisedRelayIps();
    if (!advertised.equals(turn.relayIps())) {
      host = literal(advertised.get(0)); // behind a NAT: clients reach the public address
    } else {
      for (InetSocketAddress a : turn.udpAddresses()) {
        if (!a.getAddress().isAnyLocalAddress()) {
          host = literal(a.getAddress());
          break;
        }
      }
    }
    List<String> urls = new ArrayList<>();
    turn.udpAddresses().stream().findFirst().ifPresent(a -> urls.add("stun:" + hostPort(a, null)));
    String finalHost = host;
    turn.udpAddresses().stream().findFirst()
        .ifPresent(a -> urls.add("turn:" + finalHost + ":" + a.getPort() + "?transport=udp"));
    turn.tcpAddresses().stream().findFirst()
        .ifPresent(a -> urls.add("turn:" + finalHost + ":" + a.getPort() + "?transport=tcp"));
    turn.tlsAddresses().stream().findFirst()
        .ifPresent(a -> urls.add("turns:" + finalHost + ":" + a.getPort() + "?transport=tcp"));
    if (!urls.isEmpty() && urls.get(0).startsWith("stun:")) {
      InetSocketAddress udp = turn.udpAddresses().get(0);
      urls.set(0, "stun:" + finalHost + ":" + udp.getPort());
    }
    return urls;
  }

  private static String hostPort(InetSocketAddress a, String host) {
    return (host != null ? host : literal(a.getAddress())) + ":" + a.getPort();
  }

  private static String literal(InetAddress a) {
    return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
  }

  private void report(PrintStream out) {
    SignalingConfig c = server.config();
    String scheme = c.tls() ? "https" : "http";
    String ws = c.tls() ? "wss" : "ws";
    InetSocketAddress a = server.address();
    String host = literal(a.getAddress());
    StringBuilder b = new StringBuilder();
    b.append("rtc4j ").append(Main.version()).append(" PeerJS signaling server is running (")
        .append(server.transportName()).append(")\n");
    b.append("  listening  ").append(scheme).append("  ").append(host).append(':').append(a.getPort()).append('\n');
    b.append("  ids        GET ").append(c.path()).append(c.key()).append("/id\n");
    b.append("  socket     ").append(ws).append("://").append(host).append(':').append(a.getPort())
        .append(c.webSocketPath()).append("?key=").append(c.key()).append("&id=…&token=…\n");
    b.append("  keys       ").append(String.join(", ", c.tenants().stream().map(t -> t.key() + " (limit "
        + t.concurrentLimit() + ")").toList())).append('\n');
    b.append("  timeouts   expire ").append(c.expireTimeout().toMillis()).append(" ms, alive ")
        .append(c.aliveTimeout().toMillis()).append(" ms\n");
    if (c.turnSecret() != null) {
      b.append("  TURN       GET ").append(c.path()).append(c.key()).append("/ice-servers mints credentials for ")
          .append(String.join(", ", c.turnUrls())).append('\n');
    }
    if (metrics != null) {
      b.append("  metrics    http://").append(host).append(':').append(metrics.address().getPort()).append("/metrics\n");
    }
    b.append("  browser    new Peer(id, {host: location.hostname, port: ").append(a.getPort()).append(", path: \"")
        .append(c.path()).append("\", key: \"").append(c.key()).append("\"").append(c.tls() ? ", secure: true" : "")
        .append("})\n");
    out.print(b);
    out.flush();
  }

  /** The signaling server. */
  public SignalingServer server() {
    return server;
  }

  @Override
  public void close() {
    if (metrics != null) {
      metrics.close();
    }
    if (ownRegistry != null) {
      ownRegistry.close();
    }
    server.close();
  }
}
