package org.rtc4j.testkit.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated machine with one or more IPv4/IPv6 addresses, on the internet or behind a
 * {@link SimNat}. Programs on it are {@link SimEndpoint}s (bound sockets) or attached sans-IO cores
 * ({@link #attach(SansIo)}).
 */
public final class SimHost extends SimNode {

  private static final int EPHEMERAL_FIRST = 49152;

  private final Map<InetSocketAddress, SimEndpoint> endpoints = new LinkedHashMap<>();
  private int nextEphemeral = EPHEMERAL_FIRST;

  SimHost(SimNet net, Realm realm, String name, List<InetAddress> addresses) {
    super(net, realm, name, addresses);
  }

  /** Binds {@code port} on the first address; port 0 picks a free ephemeral port (49152 up). */
  public SimEndpoint bind(int port) {
    return bind(new InetSocketAddress(address(), port));
  }

  /** Binds {@code ip:port}; {@code ip} must be one of this host's addresses; port 0 picks one. */
  public SimEndpoint bind(String ip, int port) {
    return bind(new InetSocketAddress(SimNet.ip(ip), port));
  }

  /** Binds {@code address}; its IP must be one of this host's; port 0 picks a free one. */
  public SimEndpoint bind(InetSocketAddress address) {
    return bind(address, null);
  }

  SimEndpoint bind(InetSocketAddress address, SimCore<?> owner) {
    if (!addresses().contains(address.getAddress())) {
      throw new IllegalArgumentException(address.getAddress() + " is not an address of host " + name()
          + " " + addresses());
    }
    InetSocketAddress bound = address;
    if (address.getPort() == 0) {
      bound = new InetSocketAddress(address.getAddress(), ephemeral(address.getAddress()));
    }
    if (endpoints.containsKey(bound)) {
      throw new IllegalStateException("address in use on " + name() + ": " + SimNet.format(bound));
    }
    SimEndpoint ep = new SimEndpoint(this, bound, owner);
    endpoints.put(bound, ep);
    return ep;
  }

  private int ephemeral(InetAddress ip) {
    for (int i = 0; i < 65536 - EPHEMERAL_FIRST; i++) {
      int p = nextEphemeral;
      nextEphemeral = nextEphemeral == 65535 ? EPHEMERAL_FIRST : nextEphemeral + 1;
      if (!endpoints.containsKey(new InetSocketAddress(ip, p))) {
        return p;
      }
    }
    throw new IllegalStateException("no free ephemeral port on " + name());
  }

  /**
   * Attaches a sans-IO core to this host; bind its addresses with {@link SimCore#bind}. The
   * network's driver loop ({@link SimNet#runUntil}) then runs it.
   */
  public <E> SimCore<E> attach(SansIo<E> core) {
    return attach(name(), core);
  }

  /** Attaches a sans-IO core with a name used in traces and errors. */
  public <E> SimCore<E> attach(String name, SansIo<E> core) {
    SimCore<E> c = new SimCore<>(this, name, core);
    net.register(c);
    return c;
  }

  /** The endpoint bound at {@code address}, or null. */
  public SimEndpoint endpoint(InetSocketAddress address) {
    return endpoints.get(address);
  }

  /** All bound endpoints, in bind order. */
  public List<SimEndpoint> endpoints() {
    return new ArrayList<>(endpoints.values());
  }

  void unbind(SimEndpoint ep) {
    endpoints.remove(ep.address(), ep);
  }

  void deliver(SimNet.Packet p) {
    SimEndpoint ep = endpoints.get(p.dst());
    if (ep == null) {
      net.dropNoListener(this, p);
      return;
    }
    net.delivered(this, p);
    ep.deliver(p.toDatagram());
  }
}
