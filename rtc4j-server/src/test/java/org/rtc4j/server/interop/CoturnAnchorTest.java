package org.rtc4j.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.server.interop.Coturn.EchoPeer;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.Wait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anchor: the same uclient runs as {@link CoturnClientsInteropTest}, against coturn's own
 * {@code turnserver} (started here on 127.0.0.1 with the equivalent options). It proves that the
 * harness and {@link UclientReport} read coturn's tools correctly live, and that the outcomes the
 * interop test expects of us (zero loss; {@code channel bind: error 403}; {@code Cannot complete
 * Allocation}) are what coturn's server produces too. Its figures are logged next to ours.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoturnAnchorTest {

  private static final Logger LOG = LoggerFactory.getLogger(CoturnAnchorTest.class);
  private static final String USER = "alice";
  private static final String PASSWORD = "wonderland-3f9c";

  @TempDir
  static Path dir;

  private static EchoPeer peer;

  @BeforeAll
  static void startPeer() {
    Coturn.uclient();
    External.require("turnserver");
    peer = EchoPeer.start();
  }

  @AfterAll
  static void stopPeer() {
    if (peer != null) {
      peer.close();
    }
  }

  /** coturn's turnserver on 127.0.0.1 only: no TLS/DTLS, no CLI, no RFC 5780 port, files in a temp dir. */
  private static Processes.Running coturn(String name, int port, boolean allowLoopback) {
    FreePorts.PortRange relay = FreePorts.udpRange(100);
    List<String> cmd = new ArrayList<>(List.of(External.require("turnserver").toString(), "-n",
        "--listening-ip=127.0.0.1", "--listening-port=" + port, "--relay-ip=127.0.0.1",
        "--min-port=" + relay.first(), "--max-port=" + relay.last(),
        "--realm=" + InteropServer.REALM, "--lt-cred-mech", "--user=" + USER + ":" + PASSWORD,
        "--no-tls", "--no-dtls", "--no-cli", "--no-rfc5780",
        "--pidfile=" + dir.resolve(name + ".pid"), "--db=" + dir.resolve(name + ".db"),
        "--log-file=stdout", "--simple-log", "--relay-threads=2"));
    if (allowLoopback) {
      cmd.add("--allow-loopback-peers");
    }
    Processes.Running p = Processes.command(cmd).grace(Duration.ofSeconds(2))
        .log(Coturn.LOG_DIR.resolve("coturn-" + name + ".log")).start();
    try {
      InetSocketAddress address = new InetSocketAddress(FreePorts.LOOPBACK, port);
      Wait.until(Duration.ofSeconds(15), Duration.ofMillis(50), "coturn answers Binding on " + address, () -> {
        if (!p.isAlive()) {
          throw new AssertionError("turnserver exited: " + p.output());
        }
        return StunProbe.answersBinding(address);
      }, p::output);
    } catch (AssertionError | RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  @Test
  void uclientAgainstCoturnItself() {
    int port = FreePorts.tcpAndUdp();
    try (Processes.Running server = coturn("allow-loopback", port, true)) {
      List<String> args = new ArrayList<>(Coturn.LOAD);
      args.addAll(List.of("-u", USER, "-w", PASSWORD));
      args.addAll(Coturn.target(peer, port));
      Processes.Result r = Coturn.uclient("anchor-uclient-udp-channel", args);
      UclientReport report = UclientReport.require(r.output());
      LOG.info("uclient udp static channel against coturn's turnserver: {}", report.summary());
      r.assertExitCode(0);
      assertThat(report.sent()).isEqualTo(Coturn.MESSAGES);
      assertThat(report.received()).isEqualTo(report.sent());
      assertThat(report.lost()).isZero();

      // uclient's default RTP/RTCP pairs: coturn gives the token allocation the reserved port + 1.
      List<String> pairs = new ArrayList<>(Coturn.LOAD_RTP_RTCP);
      pairs.addAll(List.of("-u", USER, "-w", PASSWORD));
      pairs.addAll(Coturn.target(peer, port));
      Processes.Result rp = Coturn.uclient("anchor-uclient-rtp-rtcp", pairs);
      UclientReport pairReport = UclientReport.require(rp.output());
      LOG.info("uclient RTP/RTCP pairs against coturn: {}; relayed ports {}", pairReport.summary(),
          UclientReport.relayAllocations(rp.output()));
      rp.assertExitCode(0);
      assertThat(pairReport.received()).isEqualTo(pairReport.sent()).isEqualTo(Coturn.MESSAGES);
      assertThat(UclientReport.rtpRtcpPairs(rp.output())).isNotEmpty()
          .allSatisfy(p -> assertThat(p[1]).as("RTCP port").isEqualTo(p[0] + 1))
          .allSatisfy(p -> assertThat(p[0] % 2).as("RTP port even").isZero());

      List<String> bad = new ArrayList<>(Coturn.LOAD);
      bad.addAll(List.of("-s", "-u", USER, "-w", "not-" + PASSWORD));
      bad.addAll(Coturn.target(peer, port));
      Processes.Result wrong = Coturn.uclient("anchor-uclient-wrong-password", bad);
      assertThat(wrong.exitCode()).isNotZero();
      assertThat(wrong.output()).contains("Cannot complete Allocation");
      assertThat(server.isAlive()).isTrue();
    }
  }

  @Test
  void coturnRefusesLoopbackPeersByDefaultToo() {
    int port = FreePorts.tcpAndUdp();
    try (Processes.Running server = coturn("deny-loopback", port, false)) {
      for (String mode : List.of("channel", "send")) {
        List<String> args = new ArrayList<>(Coturn.LOAD);
        if (mode.equals("send")) {
          args.add("-s");
        }
        args.addAll(List.of("-u", USER, "-w", PASSWORD));
        args.addAll(Coturn.target(peer, port));
        Processes.Result r = Coturn.uclient("anchor-uclient-denied-" + mode, args);
        LOG.info("uclient {} against coturn without --allow-loopback-peers: exit {}, {}", mode, r.exitCode(),
            UclientReport.firstError(r.output()).orElse("no error line"));
        assertThat(r.exitCode()).isNotZero();
        assertThat(UclientReport.firstErrorCode(r.output())).hasValue(403);
        assertThat(UclientReport.firstError(r.output())).hasValueSatisfying(line ->
            assertThat(line).contains(mode.equals("send") ? "create permission" : "channel bind"));
      }
    }
  }
}
