package org.rtc4j.testkit.sim;

import java.net.InetAddress;
import java.util.List;

/**
 * Something with addresses in one of a {@link SimNet}'s address realms: a {@link SimHost}, or a
 * {@link SimNat} (whose addresses are its external ones). Links, and so impairments, connect two
 * nodes of the same realm.
 */
public abstract sealed class SimNode permits SimHost, SimNat {

  final SimNet net;
  final Realm realm;
  private final String name;
  private final List<InetAddress> addresses;

  SimNode(SimNet net, Realm realm, String name, List<InetAddress> addresses) {
    this.net = net;
    this.realm = realm;
    this.name = name;
    this.addresses = List.copyOf(addresses);
  }

  /** The name given at creation (unique in the simulation). */
  public String name() {
    return name;
  }

  /** The node's addresses in its realm (for a NAT: its external addresses). */
  public List<InetAddress> addresses() {
    return addresses;
  }

  /** The first address. */
  public InetAddress address() {
    return addresses.get(0);
  }

  /** The first address of the given family ({@code java.net.Inet4Address} or {@code Inet6Address}), or null. */
  public InetAddress address(Class<? extends InetAddress> family) {
    for (InetAddress a : addresses) {
      if (family.isInstance(a)) {
        return a;
      }
    }
    return null;
  }

  /** The NAT this node sits behind, or null when it is on the simulated internet. */
  public SimNat behind() {
    return realm.gateway;
  }

  /** The simulation. */
  public SimNet net() {
    return net;
  }

  @Override
  public String toString() {
    return name;
  }
}
