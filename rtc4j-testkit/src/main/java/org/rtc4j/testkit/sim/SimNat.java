package org.rtc4j.testkit.sim;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rtc4j.net.Transport;

/**
 * A NAT between an inner realm (its own private address space, with hosts and maybe further NATs)
 * and the realm it sits in, which sees only its external addresses. Behaviour follows RFC 4787:
 * mapping (§4.1), port assignment (§4.2), mapping refresh and timeout (§4.3), filtering (§5),
 * hairpinning (§6); see {@link NatConfig} and {@link NatType}.
 *
 * <p>Mappings are created by outbound packets and keyed by (transport, internal endpoint) plus, for
 * address(-and-port)-dependent mapping, the remote address (and port). Filter permissions are the
 * remote addresses/endpoints the internal endpoint sent to through that mapping; they and the
 * mapping expire after {@link NatConfig#mappingTimeout()} without outbound traffic.
 */
public final class SimNat extends SimNode {

  private final NatConfig config;
  private final Realm inner;
  private final Map<Key, Mapping> mappings = new LinkedHashMap<>();
  private final Map<External, Mapping> byExternal = new HashMap<>();
  private int nextPort;

  SimNat(SimNet net, Realm realm, String name, List<InetAddress> externalAddresses, NatConfig config) {
    super(net, realm, name, externalAddresses);
    this.config = config;
    this.inner = new Realm(net, this);
    this.nextPort = config.firstPort();
  }

  /** Its configuration. */
  public NatConfig config() {
    return config;
  }

  /** Adds a host inside this NAT (addresses are private to the inside). */
  public SimHost host(String name, String... addresses) {
    return inner.host(name, addresses);
  }

  /** Adds a NAT inside this one (e.g. a home NAT behind a carrier-grade NAT). */
  public SimNat nat(String name, NatType type, String... externalAddresses) {
    return inner.nat(name, NatConfig.of(type), externalAddresses);
  }

  /** Adds a NAT inside this one. */
  public SimNat nat(String name, NatConfig config, String... externalAddresses) {
    return inner.nat(name, config, externalAddresses);
  }

  /** Live mappings (expired ones are removed first), oldest first. */
  public List<NatMapping> mappings() {
    expire(net.clock().nanos());
    List<NatMapping> out = new ArrayList<>();
    for (Mapping m : mappings.values()) {
      out.add(new NatMapping(m.key.transport, m.key.internal, m.external, m.key.remote, m.lastActive));
    }
    return out;
  }

  /**
   * A live mapping, as seen from outside.
   *
   * @param transport UDP, TCP...
   * @param internal the inside endpoint
   * @param external the external endpoint the outside sees
   * @param remote null for endpoint-independent mapping; else the remote address (an
   *     {@link InetAddress}) or endpoint ({@link InetSocketAddress}) the mapping is for
   * @param lastActiveNanos virtual time of the last refresh
   */
  public record NatMapping(Transport transport, InetSocketAddress internal, InetSocketAddress external, Object remote,
      long lastActiveNanos) {}

  Realm inner() {
    return inner;
  }

  /** Outbound translation; null when dropped (counted by the caller's stats via net). */
  SimNet.Packet outbound(SimNet.Packet p) {
    long now = net.clock().nanos();
    expire(now);
    InetAddress ext = externalFor(p.dst().getAddress());
    if (ext == null) {
      net.dropNoRoute(this, p, "no external address of that family");
      return null;
    }
    Object remote = switch (config.mapping()) {
      case ENDPOINT_INDEPENDENT -> null;
      case ADDRESS_DEPENDENT -> p.dst().getAddress();
      case ADDRESS_AND_PORT_DEPENDENT -> p.dst();
    };
    Key key = new Key(p.transport(), p.src(), ext, remote);
    Mapping m = mappings.get(key);
    if (m == null) {
      int port = allocatePort(p.transport(), ext, p.src().getPort());
      if (port < 0) {
        net.dropNoRoute(this, p, "NAT ports exhausted");
        return null;
      }
      m = new Mapping(key, new InetSocketAddress(ext, port));
      mappings.put(key, m);
      byExternal.put(new External(p.transport(), m.external), m);
      net.mappingCreated(this, m.key.internal, m.external, remote);
    }
    m.lastActive = now;
    m.permittedAddresses.put(p.dst().getAddress(), now);
    m.permittedEndpoints.put(p.dst(), now);
    return p.withSource(m.external);
  }

  /** Inbound translation; null when dropped. */
  SimNet.Packet inbound(SimNet.Packet p) {
    long now = net.clock().nanos();
    expire(now);
    Mapping m = byExternal.get(new External(p.transport(), p.dst()));
    if (m == null) {
      net.dropNat(this, p, false);
      return null;
    }
    long timeout = config.mappingTimeout().toNanos();
    boolean allowed = switch (config.filtering()) {
      case ENDPOINT_INDEPENDENT -> true;
      case ADDRESS_DEPENDENT -> live(m.permittedAddresses.get(p.src().getAddress()), now, timeout);
      case ADDRESS_AND_PORT_DEPENDENT -> live(m.permittedEndpoints.get(p.src()), now, timeout);
    };
    if (!allowed) {
      net.dropNat(this, p, true);
      return null;
    }
    if (config.inboundRefresh()) {
      m.lastActive = now;
    }
    return p.withDestination(m.key.internal);
  }

  private static boolean live(Long since, long now, long timeout) {
    return since != null && now - since < timeout;
  }

  private InetAddress externalFor(InetAddress destination) {
    boolean v6 = destination instanceof Inet6Address;
    for (InetAddress a : addresses()) {
      if ((a instanceof Inet6Address) == v6) {
        return a;
      }
    }
    return null;
  }

  private int allocatePort(Transport transport, InetAddress ext, int internalPort) {
    if (config.portAssignment() == NatConfig.PortAssignment.PRESERVE && internalPort >= 1024
        && !byExternal.containsKey(new External(transport, new InetSocketAddress(ext, internalPort)))) {
      return internalPort;
    }
    if (config.portAssignment() == NatConfig.PortAssignment.RANDOM) {
      for (int i = 0; i < 1000; i++) {
        int port = net.random().nextInt(1024, 65536);
        if (!byExternal.containsKey(new External(transport, new InetSocketAddress(ext, port)))) {
          return port;
        }
      }
    }
    for (int i = 0; i < 65536 - 1024; i++) {
      int port = nextPort;
      nextPort = nextPort >= 65535 ? 1024 : nextPort + 1;
      if (!byExternal.containsKey(new External(transport, new InetSocketAddress(ext, port)))) {
        return port;
      }
    }
    return -1;
  }

  private void expire(long now) {
    long timeout = config.mappingTimeout().toNanos();
    for (Iterator<Mapping> it = mappings.values().iterator(); it.hasNext(); ) {
      Mapping m = it.next();
      if (now - m.lastActive >= timeout) {
        it.remove();
        byExternal.remove(new External(m.key.transport, m.external));
        net.mappingExpired(this, m.key.internal, m.external);
      }
    }
  }

  private record Key(Transport transport, InetSocketAddress internal, InetAddress externalIp, Object remote) {}

  private record External(Transport transport, InetSocketAddress address) {}

  private static final class Mapping {
    final Key key;
    final InetSocketAddress external;
    final Map<InetAddress, Long> permittedAddresses = new HashMap<>();
    final Map<InetSocketAddress, Long> permittedEndpoints = new HashMap<>();
    long lastActive;

    Mapping(Key key, InetSocketAddress external) {
      this.key = key;
      this.external = external;
    }
  }
}
