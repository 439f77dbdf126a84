package org.rtc4j.turn.server.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.XorMappedAddress;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnServerConfig;

/**
 * The driver with the real core, end to end over real loopback sockets, with a small client built
 * on rtc4j-stun: Binding, authenticated Allocate, CreatePermission, ChannelBind, Send/Data
 * indications and ChannelData relayed both ways to a UDP peer, over UDP, TCP and TLS; relay ports
 * inside [min, max] and released on Refresh 0, on expiry and when a TCP client goes away; sharding
 * across event loops; metrics; and garbage between valid traffic.
 */
class TurnServerEndToEndTest {

  static final InetAddress LOOPBACK = FreePorts.LOOPBACK;
  static final String USER = "alice";
  static final String PASSWORD = "wonderland";
  static final Duration WAIT = Duration.ofSeconds(5);

  static TurnServer start(UnaryOperator<TurnServerConfig.Builder> cfg, UnaryOperator<TurnServerOptions.Builder> net)
      throws IOException {
    FreePorts.PortRange relay = FreePorts.udpRange(40);
    TurnServerConfig.Builder c = TurnServerConfig.builder().realm("rtc4j.test").user(USER, PASSWORD)
        .peerPolicy(PeerAddressPolicy.builder().allowLoopback(true).build());
    TurnServerOptions.Builder o = TurnServerOptions.builder().listeningIp(LOOPBACK).listeningPort(0)
        .tlsListeningPort(0).certificate(TestTls.certFile(), TestTls.keyFile()).portRange(relay.first(), relay.last())
        .eventLoops(2);
    return TurnServer.start(cfg.apply(c).build(), net.apply(o).build());
  }

  static TurnServer start() throws IOException {
    return start(c -> c, o -> o);
  }

  static DatagramSocket peer() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  static DatagramPacket receive(DatagramSocket s) throws IOException {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    s.receive(p);
    return p;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void bindingAnswersWithTheClientsAddress(Transport transport) throws Exception {
    try (TurnServer server = start(); TurnTestClient client = TurnTestClient.connect(transport, server)) {
      StunMessage r = client.binding();
      assertThat(r.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(r.attribute(XorMappedAddress.class).orElseThrow().address()).isEqualTo(client.localAddress());
      assertThat(server.counters().bindingRequests()).isGreaterThanOrEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void allocatesWithAuthenticationAndRelaysBothWays(Transport transport) throws Exception {
    try (TurnServer server = start();
        TurnTestClient client = TurnTestClient.connect(transport, server).credentials(USER, PASSWORD);
        DatagramSocket peer = peer()) {
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();

      // Unauthenticated Allocate: 401 with REALM and NONCE (SC-5).
      StunMessage challenge = client.request(StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST,
          TransactionId.random(new Random(1))).add(new RequestedTransport(17)), null);
      assertThat(TurnTestClient.errorCode(challenge)).isEqualTo(401);
      assertThat(challenge.attribute(Realm.class).orElseThrow().value()).isEqualTo("rtc4j.test");
      assertThat(challenge.attribute(Nonce.class)).isPresent();

      InetSocketAddress relay = client.allocate();
      assertThat(relay.getAddress()).isEqualTo(LOOPBACK);
      assertThat(relay.getPort()).isBetween(server.options().minPort(), server.options().maxPort());
      assertThat(server.relayPortsInUse()).isEqualTo(1);
      assertThat(server.counters().allocations()).isEqualTo(1);

      // Send indication without a permission: dropped.
      client.send(peerAddress, bytes("no permission yet"));
      assertThat(client.createPermission(peerAddress).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);

      // Send indication -> peer, peer -> Data indication.
      client.send(peerAddress, bytes("hello peer"));
      DatagramPacket p = receive(peer);
      assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello peer");
      assertThat(p.getSocketAddress()).isEqualTo(relay);
      peer.send(new DatagramPacket(bytes("hello client"), 12, relay));
      TurnTestClient.Received d = client.receiveData(WAIT);
      assertThat(d).isNotNull();
      assertThat(d.channel()).isZero();
      assertThat(d.peer()).isEqualTo(peerAddress);
      assertThat(new String(d.data(), StandardCharsets.UTF_8)).isEqualTo("hello client");

      // ChannelBind, then ChannelData both ways (odd lengths exercise the stream padding).
      assertThat(client.channelBind(0x4001, peerAddress).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      for (int len : new int[] {1, 3, 4, 5, 1000}) {
        byte[] out = new byte[len];
        Arrays.fill(out, (byte) len);
        client.sendChannelData(0x4001, out);
        DatagramPacket q = receive(peer);
        assertThat(Arrays.copyOf(q.getData(), q.getLength())).isEqualTo(out);
        peer.send(new DatagramPacket(out, out.length, relay));
        TurnTestClient.Received back = client.receiveData(WAIT);
        assertThat(back).as("ChannelData of %d bytes back", len).isNotNull();
        assertThat(back.channel()).isEqualTo(0x4001);
        assertThat(back.data()).isEqualTo(out);
      }
      assertThat(server.counters().clientToPeerPackets()).isEqualTo(6);
      assertThat(server.counters().peerToClientPackets()).isEqualTo(6);
      assertThat(server.counters().channels()).isEqualTo(1);
      assertThat(server.counters().permissions()).isEqualTo(1);

      // Refresh 0 deletes the allocation and releases the relay port.
      StunMessage gone = client.refresh(0);
      assertThat(gone.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      Wait.until(WAIT, "relay port released", () -> server.relayPortsInUse() == 0);
      assertThat(server.counters().allocations()).isZero();
      assertThat(FreePorts.isUdpFree(LOOPBACK, relay.getPort())).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void theNioFallbackRelaysToo(Transport transport) throws Exception {
    try (TurnServer server = start(c -> c, o -> o.preferNative(false));
        TurnTestClient client = TurnTestClient.connect(transport, server).credentials(USER, PASSWORD);
        DatagramSocket peer = peer()) {
      assertThat(server.transportName()).isEqualTo("nio");
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      assertThat(client.binding().attribute(XorMappedAddress.class).orElseThrow().address())
          .isEqualTo(client.localAddress());
      InetSocketAddress relay = client.allocate();
      assertThat(client.channelBind(0x4FFF, peerAddress).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      client.sendChannelData(0x4FFF, bytes("via nio"));
      DatagramPacket p = receive(peer);
      assertThat(p.getSocketAddress()).isEqualTo(relay);
      peer.send(new DatagramPacket(bytes("back"), 4, relay));
      assertThat(client.receiveData(WAIT).data()).isEqualTo(bytes("back"));
      assertThat(client.refresh(0).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      Wait.until(WAIT, "relay port released", () -> server.relayPortsInUse() == 0);
    }
  }

  @Test
  void ipv6ListenerAndRelay() throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    try (TurnServer server = start(c -> c, o -> o.listeningIps(List.of(v6)).relayIps(List.of(LOOPBACK, v6)));
        TurnTestClient client = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress(v6, 0))) {
      peer.setSoTimeout((int) WAIT.toMillis());
      assertThat(server.udpAddresses().get(0).getAddress()).isEqualTo(v6);
      assertThat(client.binding().attribute(XorMappedAddress.class).orElseThrow().address().getAddress())
          .isEqualTo(v6);
      InetSocketAddress relay = client.allocate(new org.rtc4j.stun.RequestedAddressFamily(2));
      assertThat(relay.getAddress()).isEqualTo(v6);
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      assertThat(client.createPermission(peerAddress).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      client.send(peerAddress, bytes("over ipv6"));
      DatagramPacket p = receive(peer);
      assertThat(p.getSocketAddress()).isEqualTo(relay);
    }
  }

  @Test
  void externalIpIsAdvertisedWhileSocketsBindTheLocalAddress() throws Exception {
    InetAddress external = InetAddress.getByName("127.0.0.2"); // stands for the public side of a 1:1 NAT
    try (TurnServer server = start(c -> c, o -> o.externalIp(external, LOOPBACK));
        TurnTestClient client = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
        DatagramSocket peer = peer()) {
      assertThat(server.advertisedRelayIps()).containsExactly(external);
      InetSocketAddress relay = client.allocate();
      assertThat(relay.getAddress()).isEqualTo(external);
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      client.channelBind(0x4003, peerAddress);
      client.sendChannelData(0x4003, bytes("out"));
      DatagramPacket p = receive(peer);
      // No NAT here: the datagram leaves from the local relay socket, same port.
      assertThat(p.getSocketAddress()).isEqualTo(new InetSocketAddress(LOOPBACK, relay.getPort()));
      // What the NAT would deliver: the peer's datagram to external:port arrives at local:port.
      peer.send(new DatagramPacket(bytes("in"), 2, new InetSocketAddress(LOOPBACK, relay.getPort())));
      assertThat(client.receiveData(WAIT).data()).isEqualTo(bytes("in"));
      assertThat(client.refresh(0).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      Wait.until(WAIT, "relay port released", () -> server.relayPortsInUse() == 0);
    }
  }

  /** RFC 8656 §7.2: EVEN-PORT R=1 gets an even port N and a token; the token's Allocate gets N + 1. */
  @Test
  void reservationTokenGivesTheNextPortAndHoldsItMeanwhile() throws Exception {
    FreePorts.PortRange range = FreePorts.udpRange(6);
    try (TurnServer server = start(c -> c, o -> o.portRange(range.first(), range.last()));
        TurnTestClient rtp = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
        TurnTestClient rtcp = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD)) {
      StunMessage first = rtp.authenticated(StunMethod.ALLOCATE, new RequestedTransport(17),
          new org.rtc4j.stun.EvenPort(true));
      assertThat(first.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      int n = first.attribute(org.rtc4j.stun.XorRelayedAddress.class).orElseThrow().address().getPort();
      assertThat(n % 2).isZero();
      byte[] token = first.attribute(org.rtc4j.stun.ReservationToken.class).orElseThrow().value();
      assertThat(server.relayPortsInUse()).isEqualTo(2); // N bound, N + 1 held

      // The held port is not handed to anyone else: fill the rest of the range.
      List<TurnTestClient> others = new ArrayList<>();
      try {
        int free = range.size() - 2;
        for (int i = 0; i < free; i++) {
          TurnTestClient c = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
          others.add(c);
          assertThat(c.allocate().getPort()).isNotIn(n, n + 1);
        }
        InetSocketAddress second = rtcp.allocate(new org.rtc4j.stun.ReservationToken(token));
        assertThat(second.getPort()).isEqualTo(n + 1);
        assertThat(server.relayPortsInUse()).isEqualTo(range.size());
      } finally {
        others.forEach(TurnTestClient::close);
      }
    }
  }

  @Test
  void wrongPasswordGets401AndIsCounted() throws Exception {
    try (TurnServer server = start();
        TurnTestClient client = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, "wrong")) {
      StunMessage r = client.authenticated(StunMethod.ALLOCATE, new RequestedTransport(17));
      assertThat(TurnTestClient.errorCode(r)).isEqualTo(401);
      assertThat(server.counters().authFailures()).isGreaterThanOrEqualTo(1);
      assertThat(server.relayPortsInUse()).isZero();
    }
  }

  @Test
  void loopbackPeersAreRefusedByDefault() throws Exception {
    try (TurnServer server = start(c -> c.peerPolicy(PeerAddressPolicy.defaults()), o -> o);
        TurnTestClient client = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
        DatagramSocket peer = peer()) {
      client.allocate();
      StunMessage r = client.createPermission((InetSocketAddress) peer.getLocalSocketAddress());
      assertThat(TurnTestClient.errorCode(r)).isEqualTo(403);
      assertThat(server.counters().peerDenied()).isEqualTo(1);
    }
  }

  @Test
  void allocationsOfVanishedClientsExpireAndReleaseTheirPorts() throws Exception {
    try (TurnServer server = start(c -> c.defaultLifetimeSeconds(1), o -> o)) {
      List<TurnTestClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 5; i++) {
          TurnTestClient c = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
          clients.add(c);
          c.allocate();
        }
        assertThat(server.relayPortsInUse()).isEqualTo(5);
        // The clients vanish without a Refresh: after the 1 s lifetime the core's timer fires.
        Wait.until(WAIT, "allocations expired", () -> server.relayPortsInUse() == 0,
            () -> server.counters());
        assertThat(server.counters().allocations()).isZero();
        assertThat(server.counters().allocationsExpired()).isEqualTo(5);
      } finally {
        clients.forEach(TurnTestClient::close);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"TCP", "TLS"})
  void aClosedStreamDeletesItsAllocation(Transport transport) throws Exception {
    try (TurnServer server = start()) {
      TurnTestClient client = TurnTestClient.connect(transport, server).credentials(USER, PASSWORD);
      client.allocate();
      assertThat(server.relayPortsInUse()).isEqualTo(1);
      client.close();
      Wait.until(WAIT, "allocation of the closed connection deleted", () -> server.relayPortsInUse() == 0);
      assertThat(server.counters().allocations()).isZero();
      Wait.until(WAIT, "connection forgotten", () -> server.streamConnections() == 0);
    }
  }

  @Test
  void manyUdpClientsAcrossShardsEachKeepTheirAllocation() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    try (TurnServer server = start(c -> c, o -> o.eventLoops(4)); DatagramSocket peer = peer()) {
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      List<TurnTestClient> clients = new ArrayList<>();
      List<InetSocketAddress> relays = new ArrayList<>();
      try {
        for (int i = 0; i < 24; i++) {
          TurnTestClient c = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
          clients.add(c);
          relays.add(c.allocate());
          assertThat(c.channelBind(0x4000 + i, peerAddress).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        }
        assertThat(relays).doesNotHaveDuplicates();
        for (int round = 0; round < 3; round++) {
          for (int i = 0; i < clients.size(); i++) {
            byte[] msg = bytes("client " + i + " round " + round);
            clients.get(i).sendChannelData(0x4000 + i, msg);
            DatagramPacket p = receive(peer);
            assertThat(p.getSocketAddress()).isEqualTo(relays.get(i));
            assertThat(Arrays.copyOf(p.getData(), p.getLength())).isEqualTo(msg);
            peer.send(new DatagramPacket(msg, msg.length, relays.get(i)));
            assertThat(clients.get(i).receiveData(WAIT).data()).isEqualTo(msg);
          }
          // A Refresh from the same 5-tuple must reach the shard that holds the allocation (else 437).
          for (TurnTestClient c : clients) {
            assertThat(c.refresh(600).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
          }
        }
        assertThat(server.counters().allocations()).isEqualTo(24);
      } finally {
        clients.forEach(TurnTestClient::close);
      }
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
  }

  @Test
  void garbageBetweenValidTrafficIsDroppedAndCounted() throws Exception {
    try (TurnServer server = start();
        TurnTestClient client = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
        DatagramSocket peer = peer()) {
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      client.allocate();
      client.channelBind(0x4002, peerAddress);
      Random random = new Random(99);
      long malformedBefore = server.counters().malformed();
      byte[] truncatedStun = Arrays.copyOf(StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST,
          TransactionId.random(random)).encode(null, true), 10);
      client.sendRaw(truncatedStun);
      client.sendRaw(new byte[] {0x40, 0x02, (byte) 0xFF, (byte) 0xFF, 1, 2}); // ChannelData longer than sent
      client.sendRaw(new byte[] {0x5F, (byte) 0xFF, 0, 1, 9, 0, 0, 0});        // channel outside the range
      for (int i = 0; i < 100; i++) {
        byte[] junk = new byte[random.nextInt(1, 600)];
        random.nextBytes(junk);
        client.sendRaw(junk);
      }
      // Still relaying, on the same allocation.
      client.sendChannelData(0x4002, bytes("after the garbage"));
      DatagramPacket p = receive(peer);
      assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)).isEqualTo("after the garbage");
      Wait.until(WAIT, "garbage counted", () -> server.counters().malformed() + server.counters().droppedPackets()
          >= malformedBefore + 3, () -> server.counters());
      assertThat(client.binding().stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
  }

  @Test
  void metricsShowAllocationsAndRelayedTraffic() throws Exception {
    try (TurnServer server = start();
        TurnTestClient client = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
        DatagramSocket peer = peer()) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new TurnMetrics(server).bindTo(registry);
      InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
      client.allocate();
      client.createPermission(peerAddress);
      client.send(peerAddress, new byte[100]);
      receive(peer);
      String text = registry.scrape();
      assertThat(text).contains("turn_allocations 1.0", "turn_permissions 1.0", "turn_relay_ports 1.0",
          "turn_allocation_creations_total 1.0", "turn_relayed_packets_total{direction=\"client_to_peer\"} 1.0",
          "turn_relayed_bytes_total{direction=\"client_to_peer\"} 100.0",
          "turn_relayed_packets_total{direction=\"peer_to_client\"} 0.0", "turn_auth_challenges_total",
          "turn_quota_rejections_total 0.0", "turn_dropped_packets_total", "turn_malformed_total 0.0");
      registry.close();
    }
  }

  @Test
  void relayPortsStayInsideTheConfiguredRangeAndTheRangeRunsOut() throws Exception {
    FreePorts.PortRange range = FreePorts.udpRange(3);
    try (TurnServer server = start(c -> c, o -> o.portRange(range.first(), range.last()))) {
      List<TurnTestClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          TurnTestClient c = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
          clients.add(c);
          assertThat(c.allocate().getPort()).isBetween(range.first(), range.last());
        }
        TurnTestClient extra = TurnTestClient.udp(server.udpAddresses().get(0)).credentials(USER, PASSWORD);
        clients.add(extra);
        StunMessage r = extra.authenticated(StunMethod.ALLOCATE, new RequestedTransport(17));
        assertThat(TurnTestClient.errorCode(r)).isEqualTo(508); // Insufficient Capacity
        assertThat(server.relayPortsInUse()).isEqualTo(3);
      } finally {
        clients.forEach(TurnTestClient::close);
      }
    }
  }

  static long openFileDescriptors() throws IOException {
    try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  /** LD-1 at the socket level: quotas answer 486, and ending every allocation returns its socket. */
  @Test
  void quotasAndFileDescriptorsReturnToBaseline() throws Exception {
    int total = 60;
    FreePorts.PortRange range = FreePorts.udpRange(total + 10);
    try (TurnServer server = start(c -> c.totalQuota(total).userQuota(total - 10).user("bob", "builder"),
        o -> o.eventLoops(2).portRange(range.first(), range.last()))) {
      List<TurnTestClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < total + 1; i++) {
          clients.add(TurnTestClient.udp(server.udpAddresses().get(0))
              .credentials(i < total - 10 || i == total ? USER : "bob", i < total - 10 || i == total ? PASSWORD : "builder"));
        }
        long baseline = openFileDescriptors();
        for (int i = 0; i < total - 10; i++) {
          clients.get(i).allocate();
        }
        // alice is at her user quota (50): 486
        assertThat(TurnTestClient.errorCode(clients.get(total).authenticated(StunMethod.ALLOCATE,
            new RequestedTransport(17)))).isEqualTo(486);
        for (int i = total - 10; i < total; i++) {
          clients.get(i).allocate(); // bob fills the total quota
        }
        assertThat(server.relayPortsInUse()).isEqualTo(total);
        assertThat(openFileDescriptors()).isGreaterThanOrEqualTo(baseline + total);
        TurnTestClient extra = TurnTestClient.udp(server.udpAddresses().get(0)).credentials("bob", "builder");
        clients.add(extra);
        assertThat(TurnTestClient.errorCode(extra.authenticated(StunMethod.ALLOCATE, new RequestedTransport(17))))
            .isEqualTo(486);
        assertThat(server.counters().quotaRejections()).isEqualTo(2);
        for (int i = 0; i < total; i++) {
          assertThat(clients.get(i).refresh(0).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        }
        Wait.until(WAIT, "relay sockets closed", () -> server.relayPortsInUse() == 0);
        Wait.until(WAIT, "file descriptors back to the baseline", () -> {
          try {
            return openFileDescriptors() <= baseline + 1; // + the extra client's socket
          } catch (IOException e) {
            return false;
          }
        });
        assertThat(server.sharedState().allocationCount()).isZero();
        assertThat(server.sharedState().usersWithAllocations()).isZero();
      } finally {
        clients.forEach(TurnTestClient::close);
      }
    }
  }

  static void assertNoDatagram(DatagramSocket s, Duration d) throws IOException {
    s.setSoTimeout((int) d.toMillis());
    try {
      DatagramPacket p = receive(s);
      throw new AssertionError("unexpected datagram of " + p.getLength() + " bytes");
    } catch (SocketTimeoutException expected) {
      // nothing came
    } finally {
      s.setSoTimeout((int) WAIT.toMillis());
    }
  }
}
