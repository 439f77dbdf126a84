package org.rtc4j.server;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.netty.TurnMetrics;
import org.rtc4j.turn.server.netty.TurnServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running STUN/TURN service of {@code rtc4j turn} / {@code rtc4j serve}: the TURN server,
 * its metrics endpoint, and the start-up report (where it listens, how to get credentials).
 *
 * <p>Secrets (SC-14): the generated REST secret goes only to a 0600 file; the start-up report
 * prints the file's path and one derived 24-hour credential pair to the given stream (stdout),
 * never to the log.
 */
public final class TurnService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TurnService.class);

  /** File name of the generated REST secret inside the state directory. */
  static final String SECRET_FILE = "turn-static-auth-secret";
  static final long CREDENTIAL_VALIDITY_SECONDS = 24 * 3600;

  private final TurnServer server;
  private final PrometheusMeterRegistry registry;
  private final MetricsServer metrics;
  private final JvmGcMetrics gcMetrics;

  private TurnService(TurnServer server, PrometheusMeterRegistry registry, MetricsServer metrics,
      JvmGcMetrics gcMetrics) {
    this.server = server;
    this.registry = registry;
    this.metrics = metrics;
    this.gcMetrics = gcMetrics;
  }

  /**
   * Starts the service described by {@code options}, generating a REST secret when no credentials
   * are configured, and prints the start-up report to {@code out}.
   */
  public static TurnService start(TurnOptions options, PrintStream out) throws IOException {
    TurnSettings settings = TurnSettings.from(options, null);
    String generated = null;
    Path secretFile = null;
    if (settings.generateSecret()) {
      generated = RestCredentials.randomSecret(new SecureRandom());
      secretFile = writeSecret(settings.stateDir(), generated);
      settings = TurnSettings.from(options, generated);
    }
    TurnServer server = TurnServer.start(settings.config(), settings.listeners());
    PrometheusMeterRegistry registry = null;
    MetricsServer metrics = null;
    JvmGcMetrics gc = null;
    try {
      if (settings.metricsAddress().isPresent()) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new TurnMetrics(server).bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        metrics = MetricsServer.start(settings.metricsAddress().get(), registry);
        log.info("metrics on http://{}/metrics", hostPort(metricsAddress(settings, metrics)));
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      if (gc != null) {
        gc.close();
      }
      throw e;
    }
    TurnService service = new TurnService(server, registry, metrics, gc);
    service.report(out, settings, generated, secretFile);
    return service;
  }

  /** Writes the secret to {@code dir/turn-static-auth-secret}, mode 0600 (dir 0700 when created). */
  static Path writeSecret(Path dir, String secret) throws IOException {
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    Path file = dir.resolve(SECRET_FILE);
    Path tmp = dir.resolve(SECRET_FILE + ".tmp-" + ProcessHandle.current().pid());
    try {
      if (posix) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(tmp);
      }
    } catch (FileAlreadyExistsException e) {
      Files.delete(tmp);
      return writeSecret(dir, secret);
    }
    Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file.toAbsolutePath();
  }

  private void report(PrintStream out, TurnSettings settings, String generatedSecret, Path secretFile) {
    TurnServerConfig cfg = server.config();
    StringBuilder b = new StringBuilder();
    b.append("rtc4j ").append(Main.version()).append(" STUN/TURN server is running (")
        .append(server.transportName()).append(", ").append(server.shardCount()).append(" shard(s))\n");
    for (InetSocketAddress a : server.udpAddresses()) {
      b.append("  listening  udp  ").append(hostPort(a)).append('\n');
    }
    for (InetSocketAddress a : server.tcpAddresses()) {
      b.append("  listening  tcp  ").append(hostPort(a)).append('\n');
    }
    for (InetSocketAddress a : server.tlsAddresses()) {
      b.append("  listening  tls  ").append(hostPort(a)).append('\n');
    }
    b.append("  relay      ").append(String.join(", ", server.relayIps().stream().map(a -> a.getHostAddress()
        + (settings.listeners().advertisedAddress(a).equals(a) ? ""
            : " (advertised as " + settings.listeners().advertisedAddress(a).getHostAddress() + ")"))
        .toList())).append(" ports ").append(settings.listeners().minPort()).append('-')
        .append(settings.listeners().maxPort()).append('\n');
    b.append("  realm      ").append(cfg.realm()).append('\n');
    if (metrics != null) {
      b.append("  metrics    http://").append(hostPort(metricsAddress(settings, metrics))).append("/metrics\n");
    }
    if (!cfg.userNames().isEmpty()) {
      b.append("  users      ").append(String.join(", ", cfg.userNames()))
          .append(" (long-term credentials; passwords as configured)\n");
    }
    if (settings.secretProvided()) {
      b.append("  REST API   on: username \"<unix expiry>:<name>\", password base64(HMAC-SHA1(secret, username))\n");
    }
    if (generatedSecret != null) {
      long expiry = Instant.now().getEpochSecond() + CREDENTIAL_VALIDITY_SECONDS;
      RestCredentials c = RestCredentials.create(generatedSecret, "rtc4j", expiry);
      String host = advertisedHost();
      b.append('\n');
      b.append("==================== TURN credentials (generated) ====================\n");
      b.append("No --user and no --static-auth-secret were given, so this run uses a fresh random\n");
      b.append("TURN REST API secret (coturn use-auth-secret). It is in this file (mode 0600):\n");
      b.append("  ").append(secretFile).append('\n');
      b.append("Ready-to-use credentials, valid until ").append(Instant.ofEpochSecond(expiry)).append(":\n");
      b.append("  username: ").append(c.username()).append('\n');
      b.append("  password: ").append(c.password()).append('\n');
      b.append("iceServers for RTCPeerConnection:\n");
      b.append("  ").append(iceServersJson(host, c)).append('\n');
      b.append("More: username = \"<unix expiry>:<name>\", password = base64(HMAC-SHA1(secret, username)).\n");
      b.append("To keep this secret across restarts: --static-auth-secret-file ").append(secretFile).append('\n');
      b.append("======================================================================\n");
    }
    out.print(b);
    out.flush();
  }

  /** The configured metrics address with the bound port (the JDK reports 0.0.0.0 as ::). */
  private static InetSocketAddress metricsAddress(TurnSettings settings, MetricsServer metrics) {
    return new InetSocketAddress(settings.metricsAddress().orElseThrow().getAddress(), metrics.address().getPort());
  }

  private String advertisedHost() {
    List<InetSocketAddress> all = new ArrayList<>(server.udpAddresses());
    all.addAll(server.tcpAddresses());
    List<InetAddress> external = server.advertisedRelayIps();
    if (!external.equals(server.relayIps())) {
      return host(external.get(0)); // behind a NAT: clients reach the public address
    }
    for (InetSocketAddress a : all) {
      if (!a.getAddress().isAnyLocalAddress()) {
        return host(a.getAddress());
      }
    }
    return host(server.relayIps().get(0));
  }

  private String iceServersJson(String host, RestCredentials c) {
    List<String> urls = new ArrayList<>();
    Optional<InetSocketAddress> udp = server.udpAddresses().stream().findFirst();
    Optional<InetSocketAddress> tcp = server.tcpAddresses().stream().findFirst();
    Optional<InetSocketAddress> tls = server.tlsAddresses().stream().findFirst();
    udp.ifPresent(a -> urls.add("stun:" + host + ":" + a.getPort()));
    udp.ifPresent(a -> urls.add("turn:" + host + ":" + a.getPort() + "?transport=udp"));
    tcp.ifPresent(a -> urls.add("turn:" + host + ":" + a.getPort() + "?transport=tcp"));
    tls.ifPresent(a -> urls.add("turns:" + host + ":" + a.getPort() + "?transport=tcp"));
    StringBuilder j = new StringBuilder("{\"iceServers\":[{\"urls\":[");
    for (int i = 0; i < urls.size(); i++) {
      j.append(i == 0 ? "" : ",").append('"').append(urls.get(i)).append('"');
    }
    j.append("],\"username\":\"").append(c.username()).append("\",\"credential\":\"").append(c.password())
        .append("\"}]}");
    return j.toString();
  }

  private static String host(InetAddress a) {
    return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
  }

  static String hostPort(InetSocketAddress a) {
    return host(a.getAddress()) + ":" + a.getPort();
  }

  /** The TURN server. */
  public TurnServer server() {
    return server;
  }

  /** The metrics endpoint, when {@code --metrics-port} was given. */
  public Optional<MetricsServer> metrics() {
    return Optional.ofNullable(metrics);
  }

  /** The registry behind the endpoint, when enabled. */
  public Optional<PrometheusMeterRegistry> registry() {
    return Optional.ofNullable(registry);
  }

  @Override
  public void close() {
    if (metrics != null) {
      metrics.close();
    }
    if (gcMetrics != null) {
      gcMetrics.close();
    }
    if (registry != null) {
      registry.close();
    }
    server.close();
  }
}
