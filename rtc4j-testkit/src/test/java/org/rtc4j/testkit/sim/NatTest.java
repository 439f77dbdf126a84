package org.rtc4j.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rtc4j.net.Datagram;

/** Mapping and filtering of each NAT type (RFC 4787), timeouts, hairpinning, port assignment, nesting. */
class NatTest {

  /** alice 192.168.1.10 behind a NAT 203.0.113.1; servers s1 198.51.100.1 (two ports) and s2 198.51.100.2. */
  static final class World {
    final SimNet net = new SimNet(99);
    final SimNat nat;
    final SimHost aliceHost;
    final SimEndpoint alice;
    final SimEndpoint s1a;
    final SimEndpoint s1b;
    final SimEndpoint s2;

    World(NatConfig config) {
      nat = net.nat("nat", config, "203.0.113.1");
      aliceHost = nat.host("alice", "192.168.1.10");
      alice = aliceHost.bind(5000);
      SimHost s1 = net.host("s1", "198.51.100.1");
      SimHost s2h = net.host("s2", "198.51.100.2");
      s1a = s1.bind(3478);
      s1b = s1.bind(3479);
      s2 = s2h.bind(3478);
      net.defaultImpairment(Impairment.delay(Duration.ofMillis(10)));
    }

    /** Alice sends to {@code server}; returns the source address the server saw. */
    InetSocketAddress mappedVia(SimEndpoint server) {
      alice.send(server.address(), "hello".getBytes());
      net.runFor(Duration.ofMillis(100));
      List<Datagram> got = server.drain();
      assertThat(got).as("datagram reached %s", server).hasSize(1);
      assertThat(got.get(0).destination()).isEqualTo(server.address());
      return got.get(0).source();
    }

    /** Whether {@code from} can send to {@code to} right now. */
    boolean reaches(SimEndpoint from, InetSocketAddress to) {
      from.send(to, "knock".getBytes());
      net.runFor(Duration.ofMillis(100));
      return !alice.drain().isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(NatType.class)
  void mappingBehaviour(NatType type) {
    World w = new World(NatConfig.of(type));
    InetSocketAddress viaS1 = w.mappedVia(w.s1a);
    InetSocketAddress viaS1OtherPort = w.mappedVia(w.s1b);
    InetSocketAddress viaS2 = w.mappedVia(w.s2);
    assertThat(viaS1.getAddress()).isEqualTo(SimNet.ip("203.0.113.1"));
    assertThat(w.mappedVia(w.s1a)).as("a mapping is reused for the same destination").isEqualTo(viaS1);
    if (type == NatType.SYMMETRIC) {
      assertThat(viaS1OtherPort).isNotEqualTo(viaS1);
      assertThat(viaS2).isNotEqualTo(viaS1).isNotEqualTo(viaS1OtherPort);
      assertThat(w.nat.mappings()).hasSize(3);
    } else {
      assertThat(viaS1OtherPort).isEqualTo(viaS1);
      assertThat(viaS2).isEqualTo(viaS1);
      assertThat(w.nat.mappings()).hasSize(1);
    }
    assertThat(w.net.stats().natMappingsCreated()).isEqualTo(type == NatType.SYMMETRIC ? 3 : 1);
  }

  @ParameterizedTest
  @EnumSource(NatType.class)
  void filteringBehaviour(NatType type) {
    World w = new World(NatConfig.of(type));
    InetSocketAddress mapped = w.mappedVia(w.s1a); // alice has talked to s1:3478 only
    boolean fromSameEndpoint = w.reaches(w.s1a, mapped);
    boolean fromSameHostOtherPort = w.reaches(w.s1b, mapped);
    boolean fromOtherHost = w.reaches(w.s2, mapped);
    assertThat(fromSameEndpoint).isTrue();
    switch (type) {
      case FULL_CONE -> {
        assertThat(fromSameHostOtherPort).isTrue();
        assertThat(fromOtherHost).isTrue();
      }
      case ADDRESS_RESTRICTED_CONE -> {
        assertThat(fromSameHostOtherPort).isTrue();
        assertThat(fromOtherHost).isFalse();
      }
      case PORT_RESTRICTED_CONE, SYMMETRIC -> {
        assertThat(fromSameHostOtherPort).isFalse();
        assertThat(fromOtherHost).isFalse();
      }
    }
    long refused = (fromSameHostOtherPort ? 0 : 1) + (fromOtherHost ? 0 : 1);
    assertThat(w.net.stats().droppedNatFiltered()).isEqualTo(refused);
  }

  @ParameterizedTest
  @EnumSource(NatType.class)
  void unsolicitedTrafficFindsNoMapping(NatType type) {
    World w = new World(NatConfig.of(type));
    w.s2.send(SimNet.addr("203.0.113.1", 5000), new byte[] {1});
    w.s2.send(SimNet.addr("203.0.113.1", 40000), new byte[] {1});
    w.net.runFor(Duration.ofMillis(100));
    assertThat(w.alice.pending()).isZero();
    assertThat(w.net.stats().droppedNatNoMapping()).isEqualTo(2);
  }

  @Test
  void insideAddressesAreUnreachableFromOutside() {
    World w = new World(NatConfig.of(NatType.FULL_CONE));
    w.s1a.send(w.alice.address(), new byte[] {1});
    w.net.runFor(Duration.ofMillis(100));
    assertThat(w.alice.pending()).isZero();
    assertThat(w.net.stats().droppedNoRoute()).isEqualTo(1);
  }

  @Test
  void restrictedFilterOpensWhenAliceSendsThere() {
    World w = new World(NatConfig.of(NatType.PORT_RESTRICTED_CONE));
    InetSocketAddress mapped = w.mappedVia(w.s1a);
    assertThat(w.reaches(w.s2, mapped)).isFalse();
    assertThat(w.mappedVia(w.s2)).isEqualTo(mapped);
    assertThat(w.reaches(w.s2, mapped)).isTrue();
  }

  @Test
  void mappingExpiresAfterIdleTimeoutAndOutboundTrafficRefreshesIt() {
    World w = new World(NatConfig.builder(NatType.FULL_CONE).mappingTimeout(Duration.ofSeconds(120)).build());
    InetSocketAddress mapped = w.mappedVia(w.s1a);
    // keep it alive with outbound packets every 60 s, for 5 minutes
    for (int i = 0; i < 5; i++) {
      w.net.runFor(Duration.ofSeconds(60));
      assertThat(w.mappedVia(w.s1a)).isEqualTo(mapped);
    }
    // inbound traffic does not refresh by default
    for (int i = 0; i < 3; i++) {
      w.net.runFor(Duration.ofSeconds(50));
      w.reaches(w.s2, mapped);
    }
    assertThat(w.reaches(w.s2, mapped)).as("expired after 150 s without outbound traffic").isFalse();
    assertThat(w.net.stats().natMappingsExpired()).isEqualTo(1);
    assertThat(w.nat.mappings()).isEmpty();
    InetSocketAddress fresh = w.mappedVia(w.s1a);
    assertThat(fresh).isNotEqualTo(mapped); // random port assignment picks a new port
    assertThat(w.net.stats().natMappingsCreated()).isEqualTo(2);
  }

  @Test
  void inboundRefreshKeepsAMappingAliveWhenEnabled() {
    World w = new World(NatConfig.builder(NatType.FULL_CONE).inboundRefresh(true).build());
    InetSocketAddress mapped = w.mappedVia(w.s1a);
    for (int i = 0; i < 6; i++) {
      w.net.runFor(Duration.ofSeconds(60));
      assertThat(w.reaches(w.s1a, mapped)).isTrue();
    }
    assertThat(w.net.stats().natMappingsExpired()).isZero();
  }

  @Test
  void filterPermissionsExpireWithTheMappingTimeoutEvenWhenInboundRefreshes() {
    World w = new World(NatConfig.builder(NatType.ADDRESS_RESTRICTED_CONE).inboundRefresh(true).build());
    InetSocketAddress mapped = w.mappedVia(w.s1a);
    w.net.runFor(Duration.ofSeconds(100));
    assertThat(w.reaches(w.s1a, mapped)).isTrue(); // refreshes the mapping, not the permission
    w.net.runFor(Duration.ofSeconds(30));
    assertThat(w.reaches(w.s1a, mapped)).isFalse();
    assertThat(w.nat.mappings()).hasSize(1);
  }

  @Test
  void hairpinningLoopsBackWithTheExternalSource() {
    World w = new World(NatConfig.of(NatType.PORT_RESTRICTED_CONE));
    SimEndpoint bob = w.nat.host("bob", "192.168.1.11").bind(6000);
    InetSocketAddress aliceMapped = w.mappedVia(w.s1a);
    bob.send(w.s1a.address(), new byte[] {0});
    w.net.runFor(Duration.ofMillis(100));
    InetSocketAddress bobMapped = w.s1a.drain().get(0).source();
    // both open their filters towards the other's external address, then talk through the hairpin
    w.alice.send(bobMapped, new byte[] {1});
    bob.send(aliceMapped, new byte[] {2});
    w.net.runFor(Duration.ofMillis(100));
    w.alice.drain();
    bob.drain();
    w.alice.send(bobMapped, new byte[] {3});
    w.net.runFor(Duration.ofMillis(100));
    List<Datagram> got = bob.drain();
    assertThat(got).hasSize(1);
    assertThat(got.get(0).source()).isEqualTo(aliceMapped);
    assertThat(got.get(0).bytes()).containsExactly(3);
  }

  @Test
  void withoutHairpinningTheNatDropsLoopedPackets() {
    World w = new World(NatConfig.builder(NatType.FULL_CONE).hairpinning(false).build());
    SimEndpoint bob = w.nat.host("bob", "192.168.1.11").bind(6000);
    bob.send(w.s1a.address(), new byte[] {0});
    w.net.runFor(Duration.ofMillis(100));
    InetSocketAddress bobMapped = w.s1a.drain().get(0).source();
    w.alice.send(bobMapped, new byte[] {1});
    w.net.runFor(Duration.ofMillis(100));
    assertThat(bob.pending()).isZero();
    assertThat(w.net.stats().droppedNatHairpin()).isEqualTo(1);
  }

  @Test
  void portPreservationKeepsTheInternalPortUntilItIsTaken() {
    World w = new World(NatConfig.builder(NatType.SYMMETRIC).portAssignment(NatConfig.PortAssignment.PRESERVE)
        .firstPort(50000).build());
    assertThat(w.mappedVia(w.s1a).getPort()).isEqualTo(5000);
    assertThat(w.mappedVia(w.s2).getPort()).isEqualTo(50000);
    SimEndpoint bob = w.nat.host("bob", "192.168.1.11").bind(5000);
    bob.send(w.s1a.address(), new byte[] {0});
    w.net.runFor(Duration.ofMillis(100));
    assertThat(w.s1a.drain().get(0).source().getPort()).isEqualTo(50001);
  }

  @Test
  void sequentialPortsCountUp() {
    World w = new World(NatConfig.builder(NatType.SYMMETRIC).portAssignment(NatConfig.PortAssignment.SEQUENTIAL)
        .firstPort(61000).build());
    assertThat(w.mappedVia(w.s1a).getPort()).isEqualTo(61000);
    assertThat(w.mappedVia(w.s1b).getPort()).isEqualTo(61001);
    assertThat(w.mappedVia(w.s2).getPort()).isEqualTo(61002);
  }

  @Test
  void twoNatsMayUseTheSamePrivateAddresses() {
    SimNet net = new SimNet(5);
    SimNat n1 = net.nat("n1", NatType.FULL_CONE, "203.0.113.1");
    SimNat n2 = net.nat("n2", NatType.FULL_CONE, "203.0.113.2");
    SimEndpoint a = n1.host("a", "192.168.1.10").bind(5000);
    SimEndpoint b = n2.host("b", "192.168.1.10").bind(5000);
    SimEndpoint server = net.host("server", "198.51.100.1").bind(3478);
    a.send(server.address(), new byte[] {1});
    b.send(server.address(), new byte[] {2});
    net.runFor(Duration.ofMillis(10));
    List<Datagram> got = server.drain();
    assertThat(got).extracting(d -> d.source().getAddress().getHostAddress())
        .containsExactly("203.0.113.1", "203.0.113.2");
    // full cone: the server relays b's mapped address to a, and a reaches b
    a.send(got.get(1).source(), new byte[] {3});
    net.runFor(Duration.ofMillis(10));
    assertThat(b.drain()).extracting(Datagram::source).containsExactly(got.get(0).source());
  }

  @Test
  void nestedNatsTranslateTwice() {
    SimNet net = new SimNet(6);
    SimNat cgn = net.nat("cgn", NatType.PORT_RESTRICTED_CONE, "203.0.113.9");
    SimNat home = cgn.nat("home", NatType.FULL_CONE, "100.64.0.5");
    SimEndpoint a = home.host("a", "192.168.1.10").bind(5000);
    SimEndpoint server = net.host("server", "198.51.100.1").bind(3478);
    a.send(server.address(), new byte[] {1});
    net.runFor(Duration.ofMillis(10));
    Datagram got = server.drain().get(0);
    assertThat(got.source().getAddress()).isEqualTo(SimNet.ip("203.0.113.9"));
    server.send(got.source(), new byte[] {2});
    net.runFor(Duration.ofMillis(10));
    Datagram back = a.drain().get(0);
    assertThat(back.source()).isEqualTo(server.address());
    assertThat(back.destination()).isEqualTo(a.address());
    assertThat(home.mappings()).hasSize(1);
    assertThat(cgn.mappings()).hasSize(1);
    assertThat(cgn.mappings().get(0).internal().getAddress()).isEqualTo(SimNet.ip("100.64.0.5"));
  }

  @Test
  void ipv6NeedsAnExternalIpv6AddressAndMatchingFamilies() {
    SimNet net = new SimNet(7);
    SimNat nat = net.nat("nat", NatType.FULL_CONE, "203.0.113.1");
    SimHost a = nat.host("a", "192.168.1.10", "fd00::10");
    SimEndpoint a4 = a.bind("192.168.1.10", 5000);
    SimEndpoint a6 = a.bind("fd00::10", 5000);
    SimHost server = net.host("server", "198.51.100.1", "2001:db8::1");
    SimEndpoint s4 = server.bind("198.51.100.1", 3478);
    SimEndpoint s6 = server.bind("2001:db8::1", 3478);
    a6.send(s6.address(), new byte[] {1}); // NAT has no IPv6 address
    a4.send(s6.address(), new byte[] {2}); // families differ
    a4.send(s4.address(), new byte[] {3});
    net.runFor(Duration.ofMillis(10));
    assertThat(s6.pending()).isZero();
    assertThat(s4.pending()).isEqualTo(1);
    assertThat(net.stats().droppedNoRoute()).isEqualTo(2);

    SimNat nat66 = net.nat("nat66", NatType.FULL_CONE, "203.0.113.2", "2001:db8:ffff::1");
    SimEndpoint b6 = nat66.host("b", "fd00::20").bind(7000);
    b6.send(s6.address(), new byte[] {4});
    net.runFor(Duration.ofMillis(10));
    assertThat(s6.drain()).extracting(d -> d.source().getAddress()).containsExactly(SimNet.ip("2001:db8:ffff::1"));
  }

  @Test
  void nodesNeedUniqueNamesAndAddressesAndLiteralIps() {
    SimNet net = new SimNet(8);
    net.host("a", "10.0.0.1");
    assertThatThrownBy(() -> net.host("a", "10.0.0.2")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> net.host("b", "10.0.0.1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> net.host("c", "example.org")).isInstanceOf(IllegalArgumentException.class);
    SimHost d = net.host("d", "10.0.0.4");
    d.bind(1);
    assertThatThrownBy(() -> d.bind(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> d.bind("10.0.0.1", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(d.bind(0).address().getPort()).isEqualTo(49152);
    assertThat(NatConfig.of(NatType.SYMMETRIC).type()).isEqualTo(NatType.SYMMETRIC);
    assertThat(NatConfig.builder(NatType.Behavior.ADDRESS_DEPENDENT, NatType.Behavior.ENDPOINT_INDEPENDENT).build().type())
        .isNull();
  }
}
