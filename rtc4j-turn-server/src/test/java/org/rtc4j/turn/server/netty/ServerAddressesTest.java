package org.rtc4j.turn.server.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnServerConfig;

/** The server's own addresses (denied as peers, SC-3) and the choice of relay address. */
class ServerAddressesTest {

  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void listeningRelayAndExternalAddressesJoinThePolicyKeepingConfiguredOnes() throws Exception {
    TurnServerConfig config = TurnServerConfig.builder()
        .peerPolicy(PeerAddressPolicy.builder().serverAddress(ip("198.51.100.1")).build()).build();
    TurnServerConfig out = ServerAddresses.withServerAddresses(config,
        ServerAddresses.of(List.of(ip("127.0.0.1")), List.of(ip("127.0.0.2"), ip("203.0.113.5"))));
    assertThat(out.peerPolicy().serverAddresses())
        .contains(ip("198.51.100.1"), ip("127.0.0.1"), ip("127.0.0.2"), ip("203.0.113.5"));
    assertThat(out.realm()).isEqualTo(config.realm());
  }

  @Test
  void aWildcardListenerMeansEveryInterfaceAddress() throws Exception {
    assertThat(ServerAddresses.of(List.of(ip("0.0.0.0")), List.of())).contains(ip("127.0.0.1"));
  }

  @Test
  void relayAddressFollowsTheListeningAddressOrTheOption() throws Exception {
    assertThat(TurnServer.resolveRelayIps(TurnServerOptions.builder().listeningIp(ip("127.0.0.1")).build()))
        .containsExactly(ip("127.0.0.1"));
    assertThat(TurnServer.resolveRelayIps(TurnServerOptions.builder().listeningIp(ip("127.0.0.1"))
        .listeningIp(ip("::1")).build())).containsExactly(ip("127.0.0.1"), ip("::1"));
    assertThat(TurnServer.resolveRelayIps(TurnServerOptions.builder().listeningIp(ip("127.0.0.1"))
        .relayIp(ip("127.0.0.3")).build())).containsExactly(ip("127.0.0.3"));
    // Wildcard: some concrete IPv4 address of this machine (loopback when that is all there is).
    List<InetAddress> wild = TurnServer.resolveRelayIps(TurnServerOptions.builder().build());
    assertThat(wild).hasSize(1);
    assertThat(wild.get(0).isAnyLocalAddress()).isFalse();
    assertThat(wild.get(0).isLinkLocalAddress()).isFalse();
  }

  @Test
  void externalAddressMapping() throws Exception {
    TurnServerOptions o = TurnServerOptions.builder().externalIp(ip("198.51.100.7"), ip("10.0.0.5"))
        .externalIp(ip("203.0.113.9"), null).build();
    assertThat(o.advertisedAddress(ip("10.0.0.5"))).isEqualTo(ip("198.51.100.7"));
    assertThat(o.advertisedAddress(ip("10.0.0.6"))).isEqualTo(ip("203.0.113.9"));
    assertThat(o.advertisedAddress(ip("::1"))).isEqualTo(ip("::1"));
  }
}
