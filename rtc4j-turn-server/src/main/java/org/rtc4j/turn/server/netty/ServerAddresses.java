package org.rtc4j.turn.server.netty;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.rtc4j.turn.server.TurnServerConfig;

/**
 * The server's own addresses, which no allocation may relay to (trust test SC-3: a client must not
 * reach the server's listeners or another allocation's relay through a relay), and the relay
 * address picked when the server listens on a wildcard.
 */
final class ServerAddresses {

  private ServerAddresses() {}

  /** Listening and relay IPs; for a wildcard listening IP, every address of every up interface. */
  static Set<InetAddress> of(List<InetAddress> listeningIps, List<InetAddress> relayIps) {
    Set<InetAddress> out = new LinkedHashSet<>();
    for (InetAddress a : listeningIps) {
      if (a.isAnyLocalAddress()) {
        out.addAll(TurnServer.interfaceAddresses());
      } else {
        out.add(a);
      }
    }
    out.addAll(relayIps);
    return out;
  }

  /** {@code config} with {@code addresses} added to its peer policy's server addresses. */
  static TurnServerConfig withServerAddresses(TurnServerConfig config, Set<InetAddress> addresses) {
    Set<InetAddress> all = new LinkedHashSet<>(config.peerPolicy().serverAddresses());
    all.addAll(addresses);
    return config.withPeerPolicy(config.peerPolicy().toBuilder().serverAddresses(all).build());
  }

  /**
   * The machine's best address of one family for relaying: global first, then private (site-local
   * or ULA), then (IPv4 only) loopback; link-local and multicast never. Null if none.
   */
  static InetAddress detectLocal(boolean ipv6) {
    InetAddress global = null;
    InetAddress priv = null;
    InetAddress loop = null;
    for (InetAddress a : TurnServer.interfaceAddresses()) {
      if ((a instanceof Inet6Address) != ipv6 || a.isLinkLocalAddress() || a.isMulticastAddress()
          || a.isAnyLocalAddress()) {
        continue;
      }
      if (a.isLoopbackAddress()) {
        loop = loop == null ? a : loop;
      } else if (a.isSiteLocalAddress() || isUla(a)) {
        priv = priv == null ? a : priv;
      } else {
        global = global == null ? a : global;
      }
    }
    if (global != null) {
      return global;
    }
    if (priv != null) {
      return priv;
    }
    return ipv6 ? null : (loop != null ? loop : InetAddress.getLoopbackAddress());
  }

  private static boolean isUla(InetAddress a) {
    return a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
  }
}
