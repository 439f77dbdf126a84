package org.rtc4j.testkit.sim;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One address space: the simulated internet, or the inside of a NAT. Addresses are unique within a
 * realm only, so two NATs can both hide a 192.168.1.10. A destination not found in a realm goes to
 * its gateway NAT (the default route); on the internet it has no route.
 */
final class Realm {
  final SimNet net;
  final SimNat gateway;
  final Map<InetAddress, SimNode> nodes = new HashMap<>();

  Realm(SimNet net, SimNat gateway) {
    this.net = net;
    this.gateway = gateway;
  }

  SimHost host(String name, String... addresses) {
    List<InetAddress> list = parseAll(name, addresses);
    SimHost h = new SimHost(net, this, name, list);
    register(h, list);
    return h;
  }

  SimNat nat(String name, NatConfig config, String... externalAddresses) {
    List<InetAddress> list = parseAll(name, externalAddresses);
    SimNat n = new SimNat(net, this, name, list, config);
    register(n, list);
    return n;
  }

  private List<InetAddress> parseAll(String name, String... addresses) {
    if (addresses.length == 0) {
      throw new IllegalArgumentException(name + ": give at least one address");
    }
    List<InetAddress> list = new ArrayList<>();
    for (String a : addresses) {
      InetAddress ip = SimNet.ip(a);
      if (nodes.containsKey(ip) || list.contains(ip)) {
        throw new IllegalArgumentException(name + ": address " + a + " is already used in this realm"
            + (nodes.containsKey(ip) ? " by " + nodes.get(ip).name() : ""));
      }
      list.add(ip);
    }
    return list;
  }

  private void register(SimNode node, List<InetAddress> list) {
    net.registerName(node);
    for (InetAddress ip : list) {
      nodes.put(ip, node);
    }
  }

  @Override
  public String toString() {
    return gateway == null ? "internet" : "inside " + gateway.name();
  }
}
