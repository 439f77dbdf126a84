package org.rtc4j.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.dtls.DtlsConfig;
import org.rtc4j.dtls.DtlsEngine;
import org.rtc4j.dtls.DtlsRole;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.netty.TurnServer;
import org.rtc4j.turn.server.netty.TurnServerOptions;

/**
 * rtc4j ↔ rtc4j on real sockets bound to 127.0.0.1: ICE + DTLS reach 'connected' by trickle and
 * by complete descriptions, a tampered fingerprint fails both sides (trust-tests SC-1), the same
 * works through our TURN server with iceTransportPolicy relay, and close() leaves no thread or
 * socket behind.
 */
@Timeout(60)
class PeerConnectionLoopbackTest {

  @Test
  void trickleConnects() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    List<Integer> ports;
    long start = System.nanoTime();
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      p.mark("peers created");
      p.connectTrickle();
      p.awaitBoth(RtcPeerConnectionState.CONNECTED);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("rtc4j<->rtc4j trickle: createOffer..connected in " + ms + " ms; " + p.timeline);
      assertThat(p.offererStates).containsSubsequence(RtcPeerConnectionState.CONNECTING, RtcPeerConnectionState.CONNECTED);
      assertThat(p.answererStates).containsSubsequence(RtcPeerConnectionState.CONNECTING, RtcPeerConnectionState.CONNECTED);
      assertThat(p.callbackThreads).allMatch(n -> n.startsWith("rtc4j-callback-"));
      assertThat(p.offerer.signalingState()).isEqualTo(RtcSignalingState.STABLE);

      RtcStatsReport stats = p.offerer.getStats().get(5, TimeUnit.SECONDS);
      RtcStats transport = stats.ofType("transport").get(0);
      assertThat(transport.getString("dtlsState")).isEqualTo("connected");
      assertThat(transport.getString("dtlsRole")).isEqualTo("server"); // the answerer is active
      String pairId = transport.getString("selectedCandidatePairId");
      assertThat(pairId).isNotNull();
      RtcStats pair = stats.get(pairId).orElseThrow();
      assertThat(stats.get(pair.getString("localCandidateId"))).isPresent();
      assertThat(stats.get(pair.getString("remoteCandidateId"))).isPresent();
      assertThat(stats.ofType("certificate")).hasSize(2);
      ports = hostPorts(p.offerer.localDescription().sdp());
      ports.addAll(hostPorts(p.answerer.localDescription().sdp()));
      assertThat(ports).isNotEmpty();
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
    for (int port : ports) {
      // The socket is closed: the port can be bound again.
      try (DatagramChannel ch = DatagramChannel.open()) {
        ch.bind(new InetSocketAddress(FreePorts.LOOPBACK, port));
      }
    }
  }

  @Test
  void ipv6AndIpv4SocketsTogether() throws Exception {
    java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
    try (DatagramChannel probe = DatagramChannel.open(java.net.StandardProtocolFamily.INET6)) {
      probe.bind(new InetSocketAddress(v6, 0));
    } catch (IOException | UnsupportedOperationException e) {
      org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
    }
    RtcConfiguration c = RtcConfiguration.builder().hostAddress(v6, FreePorts.LOOPBACK).build();
    try (LoopbackPeers p = new LoopbackPeers(c, c)) {
      p.connectTrickle();
      p.awaitBoth(RtcPeerConnectionState.CONNECTED);
      String sdp = p.offerer.localDescription().sdp();
      assertThat(sdp).containsPattern("a=candidate:\\S+ 1 udp \\d+ [0-9a-fA-F:]+ \\d+ typ host")
          .contains(" 127.0.0.1 ");
    }
  }

  @Test
  void nonTrickleConnects() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      p.connectNonTrickle();
      String offerSdp = p.offerer.localDescription().sdp();
      assertThat(offerSdp).contains("a=candidate:").contains("a=end-of-candidates");
      p.awaitBoth(RtcPeerConnectionState.CONNECTED);
    }
  }

  /**
   * Browsers hide host addresses behind mDNS names. An unresolvable {@code .local} candidate (no
   * responder here) must not stall anything: the answerer still learns the offerer's address as a
   * peer-reflexive candidate from its checks (RFC 8445 §7.3.1.3) and connects.
   */
  @Test
  void mdnsHostCandidatesDoNotStallTheConnection() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      p.offerer.setLocalDescription().get(10, TimeUnit.SECONDS);
      Wait.until(LoopbackPeers.WAIT, "offerer gathering complete",
          () -> p.offerer.iceGatheringState() == RtcIceGatheringState.COMPLETE);
      String offer = p.offerer.localDescription().sdp()
          .replaceAll("(a=candidate:\\S+ 1 udp \\d+) 127\\.0\\.0\\.1 ", "$1 2b1f0c5e-6a55-4c8e-9d3e-0f1d2c3b4a59.local ");
      assertThat(offer).contains(".local ");
      p.answerer.setRemoteDescription(RtcSessionDescription.offer(offer)).get(10, TimeUnit.SECONDS);
      p.answerer.setLocalDescription().get(10, TimeUnit.SECONDS);
      Wait.until(LoopbackPeers.WAIT, "answerer gathering complete",
          () -> p.answerer.iceGatheringState() == RtcIceGatheringState.COMPLETE);
      p.offerer.setRemoteDescription(p.answerer.localDescription()).get(10, TimeUnit.SECONDS);
      p.awaitBoth(RtcPeerConnectionState.CONNECTED);
    }
  }

  @Test
  void tamperedFingerprintFailsBothSides() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannel dc = p.offerer.createDataChannel("never", DataChannelInit.defaults());
      java.util.concurrent.atomic.AtomicBoolean opened = new java.util.concurrent.atomic.AtomicBoolean();
      dc.onOpen(() -> opened.set(true));
      java.util.concurrent.atomic.AtomicBoolean remoteChannel = new java.util.concurrent.atomic.AtomicBoolean();
      p.answerer.onDataChannel(c -> remoteChannel.set(true));
      p.connectTrickle(PeerConnectionLoopbackTest::tamperFingerprint);
      p.awaitBoth(RtcPeerConnectionState.FAILED);
      assertThat(p.offererStates).doesNotContain(RtcPeerConnectionState.CONNECTED);
      assertThat(p.answererStates).doesNotContain(RtcPeerConnectionState.CONNECTED);
      // SC-1: no data channel opens on either side; the one created is closed with the transport.
      Wait.until(Duration.ofSeconds(10), "channel closed", () -> dc.readyState() == DataChannelState.CLOSED);
      assertThat(opened).isFalse();
      assertThat(remoteChannel).isFalse();
      RtcStats t = p.answerer.getStats().get(5, TimeUnit.SECONDS).ofType("transport").get(0);
      assertThat(t.getString("dtlsState")).isEqualTo("failed");
      assertThat(t.get("remoteCertificateId")).isNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp", "tls"})
  void relayOnlyThroughOurTurnServer(String transport) throws Exception {
    FreePorts.PortRange relay = FreePorts.udpRange(20);
    TurnServerConfig cfg = TurnServerConfig.builder().realm("rtc4j.test").user("alice", "s3cret")
        .peerPolicy(PeerAddressPolicy.builder().allowLoopback(true).build()).build();
    boolean tls = transport.equals("tls");
    TurnServerOptions.Builder ob = TurnServerOptions.builder().listeningIp(FreePorts.LOOPBACK).listeningPort(0)
        .portRange(relay.first(), relay.last()).eventLoops(1);
    if (tls) {
      ob.tlsListeningPort(0).certificate(resource("tls/test-cert.pem"), resource("tls/test-key.pem"));
    } else {
      ob.tls(false);
    }
    try (TurnServer server = TurnServer.start(cfg, ob.build())) {
      InetSocketAddress listen = switch (transport) {
        case "udp" -> server.udpAddresses().get(0);
        case "tcp" -> server.tcpAddresses().get(0);
        default -> server.tlsAddresses().get(0);
      };
      String url = tls ? "turns:127.0.0.1:" + listen.getPort() + "?transport=tcp"
          : "turn:127.0.0.1:" + listen.getPort() + "?transport=" + transport;
      RtcConfiguration c = LoopbackPeers.loopbackConfig()
          .tlsContext(tls ? org.rtc4j.testkit.SelfSignedCertificate.trusting(resource("tls/test-cert.pem")) : null)
          .iceServer(RtcIceServer.of(url, "alice", "s3cret"))
          .iceTransportPolicy(RtcIceTransportPolicy.RELAY)
          .build();
      try (LoopbackPeers p = new LoopbackPeers(c, c)) {
        p.connectTrickle();
        p.awaitBoth(RtcPeerConnectionState.CONNECTED);
        String offer = p.offerer.localDescription().sdp();
        assertThat(offer).contains("typ relay").doesNotContain("typ host");
        RtcStatsReport stats = p.offerer.getStats().get(5, TimeUnit.SECONDS);
        String pairId = stats.ofType("transport").get(0).getString("selectedCandidatePairId");
        RtcStats local = stats.get(stats.get(pairId).orElseThrow().getString("localCandidateId")).orElseThrow();
        assertThat(local.getString("candidateType")).isEqualTo("relay");
      }
      // close() released the allocations (Refresh lifetime 0).
      Wait.until(Duration.ofSeconds(10), "allocations released", () -> server.relayPortsInUse() == 0,
          () -> "in use: " + server.relayPortsInUse());
    }
  }

  /**
   * Trust-tests SC-6: DTLS ClientHellos from an address that is not the selected, consented pair
   * (sent first, and repeatedly during the handshake) cannot disturb or replace the real handshake.
   */
  @Test
  void dtlsFromAnUnknownAddressIsIgnored() throws Exception {
    DtlsCertificate attackerCert = DtlsCertificate.generate();
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build());
        DatagramChannel attacker = DatagramChannel.open()) {
      attacker.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
      // A real ClientHello from a DTLS client with another certificate.
      DtlsEngine evil = DtlsEngine.create(DtlsConfig.builder(DtlsRole.CLIENT, attackerCert)
          .remoteFingerprint(attackerCert.fingerprint("sha-256"))
          .addresses((InetSocketAddress) attacker.getLocalAddress(), new InetSocketAddress(FreePorts.LOOPBACK, 9))
          .build());
      evil.start(System.nanoTime());
      byte[] hello = Wait.forValue(Duration.ofSeconds(10), "attacker ClientHello", evil::pollTransmit).bytes();
      evil.close();
      assertThat(hello[0]).isEqualTo((byte) 22);

      // The offerer is the DTLS server (the answerer answers active): attack its host socket.
      p.offerer.setLocalDescription().get(10, TimeUnit.SECONDS);
      Wait.until(Duration.ofSeconds(10), "offerer candidates", () -> !hostPorts(p.offerer.localDescription().sdp()).isEmpty());
      int port = hostPorts(p.offerer.localDescription().sdp()).get(0);
      InetSocketAddress target = new InetSocketAddress(FreePorts.LOOPBACK, port);
      for (int i = 0; i < 5; i++) {
        attacker.send(java.nio.ByteBuffer.wrap(hello), target); // the attacker sends first
      }
      RtcSessionDescription offer = p.offerer.localDescription();
      p.answerer.setRemoteDescription(offer).get(10, TimeUnit.SECONDS);
      p.answerer.setLocalDescription().get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        attacker.send(java.nio.ByteBuffer.wrap(hello), target);
      }
      Wait.until(Duration.ofSeconds(10), "answerer gathering complete",
          () -> p.answerer.iceGatheringState() == RtcIceGatheringState.COMPLETE);
      p.offerer.setRemoteDescription(p.answerer.localDescription()).get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        attacker.send(java.nio.ByteBuffer.wrap(hello), target);
      }
      p.awaitBoth(RtcPeerConnectionState.CONNECTED);
      RtcStats t = p.offerer.getStats().get(5, TimeUnit.SECONDS).ofType("transport").get(0);
      assertThat(t.getLong("rtc4jIceUnknownSource") + t.getLong("rtc4jDroppedNotSelectedPair")).isGreaterThanOrEqualTo(15);
      assertThat(t.getString("remoteCertificateId")).doesNotContain(
          attackerCert.fingerprint("sha-256").format().substring(8));
    }
  }

  @Test
  void iceRestartKeepsTheConnection() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      p.connectTrickle();
      p.awaitBoth(RtcPeerConnectionState.CONNECTED);
      String oldUfrag = ufrag(p.offerer.localDescription().sdp());
      String oldAnswererUfrag = ufrag(p.answerer.localDescription().sdp());
      p.offerer.restartIce();
      p.connectTrickle(); // a new offer/answer round with the same trickle wiring
      String newUfrag = ufrag(p.offerer.localDescription().sdp());
      assertThat(newUfrag).isNotEqualTo(oldUfrag);
      assertThat(ufrag(p.answerer.localDescription().sdp())).isNotEqualTo(oldAnswererUfrag);
      Wait.until(Duration.ofSeconds(20), "both ICE connected again after the restart",
          () -> p.offerer.iceConnectionState() != RtcIceConnectionState.CHECKING
              && p.answerer.iceConnectionState() != RtcIceConnectionState.CHECKING
              && p.offerer.connectionState() == RtcPeerConnectionState.CONNECTED
              && p.answerer.connectionState() == RtcPeerConnectionState.CONNECTED);
      RtcStats t = p.offerer.getStats().get(5, TimeUnit.SECONDS).ofType("transport").get(0);
      assertThat(t.getString("iceLocalUsernameFragment")).isEqualTo(newUfrag);
    }
  }

  static String ufrag(String sdp) {
    Matcher m = Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  // 100 connect/transfer/close cycles without a leaked thread, descriptor or object:
  // ConnectTransferCloseLeakTest.

  @Test
  void closeIsFinalAndIdempotent() throws Exception {
    PeerConnection pc = new PeerConnection(LoopbackPeers.loopbackConfig().build());
    pc.close();
    pc.close();
    assertThat(pc.connectionState()).isEqualTo(RtcPeerConnectionState.CLOSED);
    assertThat(pc.signalingState()).isEqualTo(RtcSignalingState.CLOSED);
    assertThat(pc.createOffer()).failsWithin(Duration.ofSeconds(5))
        .withThrowableThat().havingCause().isInstanceOf(InvalidStateException.class);
  }

  static java.nio.file.Path resource(String name) throws Exception {
    return java.nio.file.Path.of(PeerConnectionLoopbackTest.class.getClassLoader().getResource(name).toURI());
  }

  /** A client SSLContext that trusts exactly the test certificate (CN=localhost, SAN 127.0.0.1). */
  static String tamperFingerprint(String sdp) {
    Matcher m = Pattern.compile("a=fingerprint:sha-256 ([0-9A-F]{2})").matcher(sdp);
    assertThat(m.find()).isTrue();
    String first = m.group(1);
    String flipped = String.format("%02X", Integer.parseInt(first, 16) ^ 0x01);
    return sdp.substring(0, m.start(1)) + flipped + sdp.substring(m.end(1));
  }

  static List<Integer> hostPorts(String sdp) {
    List<Integer> out = new ArrayList<>();
    Matcher m = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host").matcher(sdp);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  static void ignore(IOException e) {}
}
