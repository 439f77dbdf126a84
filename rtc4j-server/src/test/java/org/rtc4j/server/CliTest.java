package org.rtc4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.turn.server.netty.TurnServerOptions;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The command line: coturn option names, defaults, config files, help and errors. */
class CliTest {

  @TempDir
  Path dir;

  /** Parses like {@code rtc4j <args>} and resolves the config file, without starting anything. */
  static TurnSettings settings(String... args) throws IOException {
    CommandLine cli = Main.commandLine();
    ParseResult pr = cli.parseArgs(args);
    ServingCommand command = (ServingCommand) pr.subcommand().commandSpec().userObject();
    return TurnSettings.from(command.resolvedOptions(), null);
  }

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void topLevelHelpListsTheCommands() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: rtc4j", "serve", "turn", "--version");
    Run none = run();
    assertThat(none.code()).isZero();
    assertThat(none.out()).contains("Usage: rtc4j");
  }

  @Test
  void versionNamesTheBuild() {
    Run r = run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("rtc4j ").doesNotContain("${");
    assertThat(Main.version()).isNotEqualTo("unknown");
  }

  @Test
  void turnAndServeHelpDocumentEveryOption() {
    for (String command : List.of("turn", "serve")) {
      Run r = run(command, "--help");
      assertThat(r.code()).isZero();
      CommandLine sub = Main.commandLine().getSubcommands().get(command);
      for (OptionSpec o : sub.getCommandSpec().options()) {
        assertThat(r.out()).as(command + " --help mentions " + o.longestName()).contains(o.longestName());
        assertThat(o.description()).as("description of " + o.longestName()).isNotEmpty();
      }
      // the coturn names the issue asks for
      assertThat(r.out()).contains("--listening-ip", "--listening-port", "--tls-listening-port", "--relay-ip",
          "--min-port", "--max-port", "--realm", "--user", "--use-auth-secret", "--static-auth-secret",
          "--allow-loopback-peers", "--allowed-peer-ip", "--denied-peer-ip", "--user-quota", "--total-quota",
          "--max-bps", "--cert", "--pkey", "--external-ip", "--no-tcp", "--no-udp", "--no-tls", "--metrics-port", "--config",
          "--verbose");
    }
  }

  @Test
  void defaultsListenOnEveryIpv4AddressOnCoturnsPortsAndGenerateASecret() throws IOException {
    TurnSettings s = settings("serve");
    TurnServerOptions l = s.listeners();
    assertThat(l.listeningIps()).containsExactly(InetAddress.getByName("0.0.0.0"));
    assertThat(l.listeningPort()).isEqualTo(3478);
    assertThat(l.tlsListeningPort()).isEqualTo(5349);
    assertThat(l.minPort()).isEqualTo(49152);
    assertThat(l.maxPort()).isEqualTo(65535);
    assertThat(l.udp()).isTrue();
    assertThat(l.tcp()).isTrue();
    assertThat(l.tls()).isFalse(); // no certificate
    assertThat(s.config().realm()).isEqualTo("rtc4j");
    assertThat(s.generateSecret()).isTrue();
    assertThat(s.secretProvided()).isFalse();
    assertThat(s.metricsAddress()).isEmpty();
    assertThat(s.config().peerPolicy().allowLoopback()).isFalse();
  }

  @Test
  void coturnOptionNamesMapToTheConfiguration() throws IOException {
    TurnSettings s = settings("turn", "-L", "127.0.0.1", "--listening-ip", "::1", "--listening-port", "4000",
        "--tls-listening-port", "4001", "--relay-ip", "127.0.0.1", "--min-port", "50000", "--max-port", "50100",
        "--realm", "example.org", "--user", "alice:pw1", "-u", "bob:pw:with:colons", "--allow-loopback-peers",
        "--allowed-peer-ip", "10.1.0.0/16", "--denied-peer-ip", "203.0.113.1-203.0.113.9", "--user-quota", "3",
        "--total-quota", "10", "--max-bps", "125000", "--no-tcp", "--metrics-port", "9641", "--relay-threads", "3",
        "--secure-stun", "--stale-nonce", "300", "--max-allocate-lifetime", "1800", "--lt-cred-mech", "-f",
        "--bps-capacity", "1000000", "--legacy-channel-range", "--unauthenticated-rate-limit", "20",
        "-X", "198.51.100.7/127.0.0.1", "--external-ip", "2001:db8::7", "--permission-lifetime", "200",
        "--channel-lifetime", "400");
    TurnServerOptions l = s.listeners();
    assertThat(l.listeningIps()).containsExactly(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
    assertThat(l.listeningPort()).isEqualTo(4000);
    assertThat(l.tlsListeningPort()).isEqualTo(4001);
    assertThat(l.relayIps()).containsExactly(InetAddress.getByName("127.0.0.1"));
    assertThat(l.minPort()).isEqualTo(50000);
    assertThat(l.maxPort()).isEqualTo(50100);
    assertThat(l.tcp()).isFalse();
    assertThat(l.udp()).isTrue();
    assertThat(l.eventLoops()).isEqualTo(3);
    assertThat(s.config().realm()).isEqualTo("example.org");
    assertThat(s.config().userNames()).containsExactly("alice", "bob");
    assertThat(s.config().hasAuthSecret()).isFalse();
    assertThat(s.generateSecret()).isFalse();
    assertThat(s.config().peerPolicy().allowLoopback()).isTrue();
    assertThat(s.config().peerPolicy().allowed()).extracting(Object::toString).containsExactly("10.1.0.0/16");
    assertThat(s.config().peerPolicy().denied()).extracting(Object::toString).containsExactly("203.0.113.1-203.0.113.9");
    assertThat(s.config().userQuota()).isEqualTo(3);
    assertThat(s.config().totalQuota()).isEqualTo(10);
    assertThat(s.config().maxBps()).isEqualTo(125000);
    assertThat(s.config().secureStun()).isTrue();
    assertThat(s.config().nonceLifetimeSeconds()).isEqualTo(300);
    assertThat(s.config().maxLifetimeSeconds()).isEqualTo(1800);
    assertThat(s.metricsAddress()).contains(new InetSocketAddress("127.0.0.1", 9641));
    assertThat(s.config().bpsCapacity()).isEqualTo(1_000_000);
    assertThat(s.config().legacyChannelRange()).isTrue();
    assertThat(s.config().unauthenticatedRateLimit()).isEqualTo(20);
    assertThat(s.config().permissionLifetimeSeconds()).isEqualTo(200);
    assertThat(s.config().channelLifetimeSeconds()).isEqualTo(400);
    assertThat(l.advertisedAddress(InetAddress.getByName("127.0.0.1"))).isEqualTo(InetAddress.getByName("198.51.100.7"));
    assertThat(l.advertisedAddress(InetAddress.getByName("::1"))).isEqualTo(InetAddress.getByName("2001:db8::7"));
    assertThat(l.advertisedAddress(InetAddress.getByName("127.0.0.9"))).isEqualTo(InetAddress.getByName("127.0.0.9"));
  }

  @Test
  void restSecretFromTheCommandLineOrAFile() throws IOException {
    TurnSettings s = settings("turn", "--use-auth-secret", "--static-auth-secret", "s3cret");
    assertThat(s.config().authSecret()).contains("s3cret");
    assertThat(s.secretProvided()).isTrue();
    assertThat(s.generateSecret()).isFalse();
    assertThat(s.config().toString()).doesNotContain("s3cret");

    Path f = dir.resolve("secret");
    Files.writeString(f, "from-file\n");
    TurnSettings t = settings("turn", "--static-auth-secret-file", f.toString());
    assertThat(t.config().authSecret()).contains("from-file");

    TurnSettings g = settings("turn", "--user", "a:b", "--use-auth-secret");
    assertThat(g.generateSecret()).isTrue();
  }

  @Test
  void configFileUsesTheSameKeysAndTheCommandLineWins() throws IOException {
    Path conf = dir.resolve("turnserver.conf");
    Files.writeString(conf, String.join("\n",
        "# coturn style",
        "listening-port=4000",
        "listening-ip=127.0.0.1",
        "relay-ip = 127.0.0.1",
        "realm=\"file.example\"",
        "user=alice:pw#notacomment",
        "user=bob:pw2",
        "lt-cred-mech",
        "fingerprint",
        "no-cli",                       // coturn-only: ignored with a warning
        "allow-loopback-peers",
        "no-tcp=false",
        "no-udp=true",
        "denied-peer-ip=198.51.100.0/24",
        "--total-quota=7",
        "stale-nonce",                  // coturn: bare flag means the default 600 s
        "prometheus",
        "channel-lifetime=120",
        "",
        "   # indented comment"));
    TurnSettings s = settings("turn", "--config", conf.toString(), "--listening-port", "5000", "--no-udp");
    assertThat(s.listeners().listeningPort()).isEqualTo(5000); // command line wins
    assertThat(s.listeners().listeningIps()).containsExactly(InetAddress.getByName("127.0.0.1"));
    assertThat(s.listeners().relayIps()).containsExactly(InetAddress.getByName("127.0.0.1"));
    assertThat(s.config().realm()).isEqualTo("file.example");
    assertThat(s.config().userNames()).containsExactly("alice", "bob");
    assertThat(s.config().peerPolicy().allowLoopback()).isTrue();
    assertThat(s.config().peerPolicy().denied()).extracting(Object::toString).containsExactly("198.51.100.0/24");
    assertThat(s.config().totalQuota()).isEqualTo(7);
    assertThat(s.listeners().tcp()).isTrue();
    assertThat(s.listeners().udp()).isFalse();
    assertThat(s.config().nonceLifetimeSeconds()).isEqualTo(600);
    assertThat(s.config().channelLifetimeSeconds()).isEqualTo(120);
    assertThat(s.metricsAddress()).contains(new InetSocketAddress("127.0.0.1", 9641));

    // A repeatable option on the command line replaces the file's values.
    TurnSettings t = settings("turn", "-c", conf.toString(), "--user", "carol:pw3");
    assertThat(t.config().userNames()).containsExactly("carol");
  }

  @Test
  void configFileErrorsNameTheLine() throws IOException {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "realm=x\nlistening-prot=3478\n");
    assertThatThrownBy(() -> settings("turn", "--config", conf.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.conf:2")
        .hasMessageContaining("listening-prot");
    Files.writeString(conf, "no-udp=maybe\n");
    assertThatThrownBy(() -> settings("turn", "--config", conf.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.conf:1");
    Files.writeString(conf, "listening-port=many\n");
    assertThatThrownBy(() -> settings("turn", "--config", conf.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listening-port");
  }

  @Test
  void invalidOptionsExitWithCode2AndAMessageWithoutTheSecret() {
    Run badUser = run("turn", "--user", "nopassword");
    assertThat(badUser.code()).isEqualTo(2);
    assertThat(badUser.err()).contains("--user must be USER:PASSWORD");
    Run badIp = run("turn", "--listening-ip", "example.org");
    assertThat(badIp.code()).isEqualTo(2);
    assertThat(badIp.err()).contains("not an IP address");
    Run badRange = run("turn", "--allowed-peer-ip", "10.0.0.0/33");
    assertThat(badRange.code()).isEqualTo(2);
    assertThat(badRange.err()).contains("--allowed-peer-ip");
    Run badPorts = run("turn", "--min-port", "60000", "--max-port", "50000");
    assertThat(badPorts.code()).isEqualTo(2);
    assertThat(badPorts.err()).contains("min-port");
    Run unknown = run("turn", "--no-such-option");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option");
    Run half = run("turn", "--user", "alice:topsecretpw", "--cert", "/nonexistent.pem");
    assertThat(half.code()).isEqualTo(2);
    assertThat(half.err()).contains("--pkey").doesNotContain("topsecretpw");
  }
}
