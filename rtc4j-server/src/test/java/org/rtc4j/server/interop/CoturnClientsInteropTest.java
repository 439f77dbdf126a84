package org.rtc4j.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rtc4j.server.interop.Coturn.EchoPeer;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.SelfSignedCertificate;
import org.rtc4j.testkit.Wait;
import org.rtc4j.turn.server.TurnCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our STUN/TURN server against coturn's client tools (issue 2 §5): {@code turnutils_stunclient}
 * for Binding, {@code turnutils_uclient} relaying through us to {@code turnutils_peer} (a UDP echo
 * peer), all on 127.0.0.1. The server is started in this JVM from a coturn-style command line
 * ({@link InteropServer}); uclient's final statistics are parsed by {@link UclientReport}, whose
 * reading of coturn's output is proven against coturn's own server in {@link CoturnAnchorTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoturnClientsInteropTest {

  private static final Logger LOG = LoggerFactory.getLogger(CoturnClientsInteropTest.class);
  private static final String USER = "alice";
  private static final String PASSWORD = "wonderland-3f9c";
  private static final String SECRET = "interop-rest-secret-7d1e";

  @TempDir
  static Path stateDir;

  private static EchoPeer peer;

  @BeforeAll
  static void startPeer() {
    Coturn.uclient(); // skip (or fail under -Drtc4j.requireExternal=true) before starting anything
    peer = EchoPeer.start();
  }

  @AfterAll
  static void stopPeer() {
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void stunclientGetsItsOwnAddressBack() {
    try (InteropServer server = InteropServer.spec().user(USER, PASSWORD).stateDir(stateDir).start()) {
      assertThat(server.startupReport())
          .contains("udp  127.0.0.1:" + server.port())
          .contains("tcp  127.0.0.1:" + server.port())
          .contains(InteropServer.REALM);
      Processes.Result r = Coturn.stunclient("stunclient", server.port(), null).assertExitCode(0);
      InetSocketAddress mapped = StunclientOutput.reflexiveAddress(r.output())
          .orElseThrow(() -> new AssertionError("no reflexive address in:\n" + r.output()));
      assertThat(mapped.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(mapped.getPort()).isBetween(1024, 65535).isNotEqualTo(server.port());

      // From another loopback address the client chose: the server must reflect the client's
      // address, not echo its own or a constant.
      Processes.Result other = Coturn.stunclient("stunclient-127.0.0.2", server.port(), "127.0.0.2").assertExitCode(0);
      InetSocketAddress mapped2 = StunclientOutput.reflexiveAddress(other.output())
          .orElseThrow(() -> new AssertionError("no reflexive address in:\n" + other.output()));
      assertThat(mapped2.getAddress().getHostAddress()).isEqualTo("127.0.0.2");
      assertThat(mapped2.getPort()).isBetween(1024, 65535);

      assertThat(server.counters().bindingRequests()).isGreaterThanOrEqualTo(2);
      assertThat(server.counters().allocationsCreated()).isZero();
      LOG.info("stunclient: mapped {} and {}", mapped, mapped2);
    }
  }

  /** The same over IPv6 loopback (RFC 8489 XOR-MAPPED-ADDRESS with the 128-bit XOR). */
  @Test
  void stunclientGetsItsOwnAddressBackOverIpv6() throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    Assumptions.assumeTrue(FreePorts.isUdpFree(v6, 0), "no ::1 on this host");
    try (InteropServer server = InteropServer.spec().ip(v6).user(USER, PASSWORD).stateDir(stateDir).start()) {
      Processes.Result r = Coturn.stunclient("stunclient-ipv6", "::1", server.port(), null).assertExitCode(0);
      InetSocketAddress mapped = StunclientOutput.reflexiveAddress(r.output())
          .orElseThrow(() -> new AssertionError("no reflexive address in:\n" + r.output()));
      assertThat(mapped.getAddress()).isEqualTo(v6);
      assertThat(mapped.getPort()).isBetween(1024, 65535).isNotEqualTo(server.port());
      assertThat(server.counters().bindingRequests()).isGreaterThanOrEqualTo(1);
      LOG.info("stunclient over IPv6: mapped {}", mapped);
    }
  }

  static Stream<Arguments> relays() {
    List<Arguments> all = new ArrayList<>();
    for (String transport : List.of("udp", "tcp")) {
      for (String auth : List.of("static", "rest")) {
        for (String mode : List.of("channel", "send")) {
          all.add(Arguments.of(transport, auth, mode));
        }
      }
    }
    return all.stream();
  }

  /**
   * uclient relays 4 × 50 messages through an allocation each to the echo peer and back: zero
   * loss, every message back, over UDP and TCP, with static users and REST credentials, with
   * ChannelData (uclient's default) and with Send/Data indications ({@code -s}).
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("relays")
  void uclientRelaysWithoutLoss(String transport, String auth, String mode) {
    InteropServer.Spec spec = InteropServer.spec().allowLoopbackPeers(true).stateDir(stateDir)
        // uclient picks ChannelBind numbers in RFC 5766's 0x4000-0x7FFF, like coturn's server accepts.
        .legacyChannelRange(mode.equals("channel"));
    if (auth.equals("static")) {
      spec.user(USER, PASSWORD);
    } else {
      spec.authSecret(SECRET);
    }
    try (InteropServer server = spec.start()) {
      List<String> args = new ArrayList<>(Coturn.LOAD);
      if (transport.equals("tcp")) {
        args.add("-t");
      }
      if (mode.equals("send")) {
        args.add("-s");
      }
      if (auth.equals("static")) {
        args.addAll(List.of("-u", USER, "-w", PASSWORD));
      } else {
        // uclient derives the REST username "<expiry>:alice" and its HMAC password from the secret.
        args.addAll(List.of("-W", SECRET, "-u", USER));
      }
      args.addAll(Coturn.target(peer, server.port()));
      Processes.Result r = Coturn.uclient("uclient-" + transport + "-" + auth + "-" + mode, args);
      UclientReport report = UclientReport.require(r.output());
      LOG.info("uclient {} {} {} against {}: {}; server {}", transport, auth, mode, server, report.summary(),
          server.counters().snapshot());
      r.assertExitCode(0);
      assertThat(report.sent()).as("messages sent").isEqualTo(Coturn.MESSAGES);
      assertThat(report.received()).as("messages echoed back through the relay").isEqualTo(report.sent());
      assertThat(report.lost()).as("lost").isZero();
      assertThat(report.lostPercent()).as("loss %").isZero();
      assertThat(report.sendDropped()).as("send dropped").isZero();

      TurnCounters c = server.counters();
      assertThat(c.allocationsCreated()).as("allocations").isGreaterThanOrEqualTo(4);
      assertThat(c.clientToPeerPackets()).as("client->peer packets relayed").isGreaterThanOrEqualTo(Coturn.MESSAGES);
      assertThat(c.peerToClientPackets()).as("peer->client packets relayed").isGreaterThanOrEqualTo(Coturn.MESSAGES);
      assertThat(c.clientToPeerBytes()).as("client->peer bytes").isGreaterThanOrEqualTo(Coturn.MESSAGES * 170L);
      assertThat(c.peerDenied()).isZero();
      assertThat(c.authFailures()).isZero();
      if (transport.equals("tcp")) {
        // uclient has exited: its TCP connections are gone, and with them its allocations (RFC 8656 §3.1).
        Wait.until(Duration.ofSeconds(10), "allocations of closed TCP connections released",
            () -> c.allocations() == 0, c::snapshot);
      }
    }
  }

  /** TURN over TLS ({@code --cert}/{@code --pkey}): uclient {@code -t -S} relays without loss. */
  @Test
  void uclientRelaysOverTls() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(stateDir);
    try (InteropServer server = InteropServer.spec().user(USER, PASSWORD).allowLoopbackPeers(true)
        .legacyChannelRange(true).tls(cert).stateDir(stateDir).start()) {
      assertThat(server.startupReport()).contains("tls  127.0.0.1:" + server.tlsPort());
      List<String> args = new ArrayList<>(Coturn.LOAD);
      args.addAll(List.of("-t", "-S", "-u", USER, "-w", PASSWORD,
          "-e", "127.0.0.1", "-r", Integer.toString(peer.port()), "-p", Integer.toString(server.tlsPort())));
      Processes.Result r = Coturn.uclient("uclient-tls-static-channel", args);
      UclientReport report = UclientReport.require(r.output());
      LOG.info("uclient tls static channel against {}: {}; server {}", server, report.summary(),
          server.counters().snapshot());
      r.assertExitCode(0);
      assertThat(report.sent()).isEqualTo(Coturn.MESSAGES);
      assertThat(report.received()).isEqualTo(report.sent());
      assertThat(report.lost()).isZero();
      assertThat(server.counters().clientToPeerPackets()).isGreaterThanOrEqualTo(Coturn.MESSAGES);
      assertThat(server.counters().peerToClientPackets()).isGreaterThanOrEqualTo(Coturn.MESSAGES);
      TurnCounters c = server.counters();
      Wait.until(Duration.ofSeconds(10), "allocations of closed TLS connections released",
          () -> c.allocations() == 0, c::snapshot);
    }
  }

  /**
   * uclient's default mode (no {@code -c}): RTP/RTCP allocation pairs, the first with EVEN-PORT
   * R=1, the second quoting the RESERVATION-TOKEN it got (RFC 8656 §7.2, §14.9); the second must
   * get exactly the reserved port, the first's + 1, as coturn gives it ({@link CoturnAnchorTest}).
   */
  @Test
  void uclientRtpRtcpPairsGetReservedAdjacentPorts() {
    try (InteropServer server = InteropServer.spec().user(USER, PASSWORD).allowLoopbackPeers(true)
        .legacyChannelRange(true).stateDir(stateDir).start()) {
      List<String> args = new ArrayList<>(Coturn.LOAD_RTP_RTCP);
      args.addAll(List.of("-u", USER, "-w", PASSWORD));
      args.addAll(Coturn.target(peer, server.port()));
      Processes.Result r = Coturn.uclient("uclient-rtp-rtcp", args);
      UclientReport report = UclientReport.require(r.output());
      LOG.info("uclient RTP/RTCP pairs against {}: {}; relayed ports {}; server {}", server, report.summary(),
          UclientReport.relayAllocations(r.output()), server.counters().snapshot());
      r.assertExitCode(0);
      assertThat(report.received()).isEqualTo(report.sent()).isEqualTo(Coturn.MESSAGES);
      assertThat(report.lost()).isZero();
      assertThat(UclientReport.rtpRtcpPairs(r.output())).as("RTP/RTCP pairs (RTP port, RTCP port)").isNotEmpty()
          .allSatisfy(p -> assertThat(p[0] % 2).as("RTP relayed port even (EVEN-PORT)").isZero())
          .allSatisfy(p -> assertThat(p[1]).as("RTCP relayed port = reserved RTP port + 1").isEqualTo(p[0] + 1));
    }
  }

  /**
   * Relaying to 127.0.0.1 is refused by default (403 on CreatePermission for {@code -s}, on
   * ChannelBind otherwise) and counted; {@code --allow-loopback-peers} or an explicit
   * {@code --allowed-peer-ip} lets the same uclient run through.
   */
  @Test
  void loopbackPeerIsRefusedByDefaultAndAllowedByTheFlag() {
    List<String> creds = List.of("-u", USER, "-w", PASSWORD);
    for (String mode : List.of("send", "channel")) {
      try (InteropServer server = InteropServer.spec().user(USER, PASSWORD).stateDir(stateDir)
          .legacyChannelRange(mode.equals("channel")).start()) {
        List<String> args = new ArrayList<>(Coturn.LOAD);
        if (mode.equals("send")) {
          args.add("-s");
        }
        args.addAll(creds);
        args.addAll(Coturn.target(peer, server.port()));
        Processes.Result r = Coturn.uclient("uclient-denied-" + mode, args);
        LOG.info("uclient {} to a loopback peer without --allow-loopback-peers: exit {}, {}; server {}", mode,
            r.exitCode(), UclientReport.firstError(r.output()).orElse("no error line"), server.counters().snapshot());
        assertThat(r.timedOut()).isFalse();
        assertThat(r.exitCode()).as("uclient exit code").isNotZero();
        assertThat(UclientReport.parse(r.output())).as("no relay statistics").isEmpty();
        assertThat(UclientReport.firstError(r.output())).hasValueSatisfying(line -> assertThat(line)
            .contains(mode.equals("send") ? "create permission" : "channel bind").contains("403"));
        TurnCounters c = server.counters();
        assertThat(c.peerDenied()).as("peerDenied").isGreaterThanOrEqualTo(1);
        assertThat(c.clientToPeerPackets()).as("nothing relayed").isZero();
        assertThat(c.permissions()).as("no permission installed").isZero();
      }
    }
    for (String allow : List.of("--allow-loopback-peers", "--allowed-peer-ip")) {
      InteropServer.Spec spec = InteropServer.spec().user(USER, PASSWORD).stateDir(stateDir);
      if (allow.equals("--allow-loopback-peers")) {
        spec.allowLoopbackPeers(true);
      } else {
        spec.allowedPeerIp("127.0.0.1");
      }
      try (InteropServer server = spec.start()) {
        List<String> args = new ArrayList<>(Coturn.LOAD);
        args.add("-s");
        args.addAll(creds);
        args.addAll(Coturn.target(peer, server.port()));
        Processes.Result r = Coturn.uclient("uclient-allowed" + allow, args);
        UclientReport report = UclientReport.require(r.output());
        LOG.info("uclient -s with {}: {}", allow, report.summary());
        r.assertExitCode(0);
        assertThat(report.received()).isEqualTo(report.sent()).isEqualTo(Coturn.MESSAGES);
        assertThat(report.lost()).isZero();
        assertThat(server.counters().peerDenied()).isZero();
      }
    }
  }

  /**
   * RFC 8656 §12 limits channel numbers to 0x4000–0x4FFF, our default; uclient picks them in
   * 0x4000–0x7FFF (RFC 5766), so in channel mode most of its ChannelBinds are answered 400 unless
   * the legacy range is on. Send indications work either way.
   */
  @Test
  void uclientChannelNumbersNeedTheLegacyRange() {
    try (InteropServer server = InteropServer.spec().user(USER, PASSWORD).allowLoopbackPeers(true)
        .stateDir(stateDir).start()) {
      List<String> args = new ArrayList<>(Coturn.LOAD);
      args.addAll(List.of("-u", USER, "-w", PASSWORD));
      args.addAll(Coturn.target(peer, server.port()));
      Processes.Result r = Coturn.uclient("uclient-rfc8656-channels", args);
      LOG.info("uclient channel mode against the RFC 8656 channel range: exit {}, {}; server {}", r.exitCode(),
          UclientReport.firstError(r.output()).orElse("no error line"), server.counters().snapshot());
      assertThat(r.timedOut()).isFalse();
      // 4 clients × random channel in 0x4000-0x7FFF: all four in 0x4000-0x4FFF has odds 1/256.
      assertThat(r.exitCode()).isNotZero();
      assertThat(UclientReport.firstError(r.output())).hasValueSatisfying(line ->
          assertThat(line).contains("channel bind").contains("400"));
    }
  }

  /**
   * A wrong password: uclient cannot allocate (every Allocate is answered 401), gives up; the
   * server counts the failures, creates nothing and still serves (a Binding and a correct
   * uclient run afterwards work).
   */
  @Test
  void wrongPasswordIsRefusedAndTheServerStaysUp() {
    try (InteropServer server = InteropServer.spec().user(USER, PASSWORD).allowLoopbackPeers(true)
        .stateDir(stateDir).start()) {
      for (String transport : List.of("udp", "tcp")) {
        List<String> args = new ArrayList<>(Coturn.LOAD);
        if (transport.equals("tcp")) {
          args.add("-t");
        }
        args.addAll(List.of("-s", "-u", USER, "-w", "not-" + PASSWORD));
        args.addAll(Coturn.target(peer, server.port()));
        long failuresBefore = server.counters().authFailures();
        Processes.Result r = Coturn.uclient("uclient-wrong-password-" + transport, args);
        LOG.info("uclient {} with a wrong password: exit {} after {} ms, {}; server {}", transport, r.exitCode(),
            r.elapsed().toMillis(), UclientReport.firstError(r.output()).orElse("no error line"),
            server.counters().snapshot());
        assertThat(r.timedOut()).isFalse();
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Cannot complete Allocation");
        assertThat(UclientReport.parse(r.output())).isEmpty();
        assertThat(server.counters().authFailures()).as("auth failures counted over " + transport)
            .isGreaterThan(failuresBefore);
        assertThat(server.counters().allocationsCreated()).isZero();
      }
      // Still up: Binding and an authenticated relay work on the same server.
      Processes.Result stun = Coturn.stunclient("stunclient-after-wrong-password", server.port(), null)
          .assertExitCode(0);
      assertThat(StunclientOutput.reflexiveAddress(stun.output())).isPresent();
      List<String> args = new ArrayList<>(Coturn.LOAD);
      args.addAll(List.of("-s", "-u", USER, "-w", PASSWORD));
      args.addAll(Coturn.target(peer, server.port()));
      Processes.Result ok = Coturn.uclient("uclient-after-wrong-password", args);
      UclientReport report = UclientReport.require(ok.output());
      ok.assertExitCode(0);
      assertThat(report.received()).isEqualTo(report.sent()).isEqualTo(Coturn.MESSAGES);
      Wait.until(Duration.ofSeconds(5), "allocations counted", () -> server.counters().allocationsCreated() >= 4);
    }
  }
}
