package org.rtc4j.ice.turn;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.rtc4j.net.Transport;
import org.rtc4j.testkit.sim.SansIo;
import org.rtc4j.testkit.sim.SimCore;
import org.rtc4j.testkit.sim.SimEndpoint;
import org.rtc4j.testkit.sim.SimHost;
import org.rtc4j.testkit.sim.SimNet;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnEvent;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.TurnServerCore;
import org.rtc4j.turn.server.TurnSharedState;

/**
 * A SimNet with our {@link TurnServerCore} on 20.0.0.1:3478 (relays on the same IP from port
 * 50000, bound by the event handler as the netty driver would) and helpers to attach
 * {@link TurnAllocation}s on other hosts. Peers on 20.0.0.0/24 (relay to relay) are allowed.
 */
final class TurnSim {

  static final String REALM = "sim.rtc4j";
  static final String USER = "alice";
  static final String PASSWORD = "wonderland";
  static final InetSocketAddress SERVER = SimNet.addr("20.0.0.1", 3478);

  final SimNet net;
  final TurnServerConfig config;
  final TurnSharedState shared;
  final TurnServerCore core;
  final SimHost serverHost;
  final SimCore<TurnEvent> server;
  private final Map<InetSocketAddress, SimEndpoint> relays = new HashMap<>();
  private int nextRelayPort = 50000;

  TurnSim(long seed, Consumer<TurnServerConfig.Builder> customize) {
    net = new SimNet(seed);
    long start = net.clock().nanos();
    TurnServerConfig.Builder b = TurnServerConfig.builder().realm(REALM).user(USER, PASSWORD).user("bob", "builder")
        .peerPolicy(PeerAddressPolicy.builder().allow("20.0.0.0/24").build())
        .epochSecondsAt(n -> 1_900_000_000L + Math.floorDiv(n - start, 1_000_000_000L));
    customize.accept(b);
    config = b.build();
    shared = new TurnSharedState(config, new byte[32]);
    core = new TurnServerCore(config, shared, new SplittableRandom(seed));
    serverHost = net.host("turn", "20.0.0.1");
    server = serverHost.attach("turn-server",
        SansIo.of(core::handleReceive, core::handleTimeout, core::pollTransmit, core::pollEvent, core::pollTimeout));
    server.bind(SERVER);
    server.onEvent(e -> {
      if (e instanceof TurnEvent.RelayRequested r) {
        InetSocketAddress relay = SimNet.addr("20.0.0.1", nextRelayPort++);
        relays.put(relay, server.bind(relay));
        core.handleRelayBound(net.clock().nanos(), r.requestId(), relay);
      } else if (e instanceof TurnEvent.RelayReleased r) {
        SimEndpoint ep = relays.remove(r.relay());
        if (ep != null) {
          ep.close();
        }
      }
    });
  }

  TurnSim(long seed) {
    this(seed, b -> { });
  }

  /** A client on a new host {@code ip}, port 40000, not started. */
  Client client(String name, String ip, Transport transport, String user, String password,
      Consumer<TurnClientConfig.Builder> customize) {
    return client(net.host(name, ip), transport, user, password, customize);
  }

  /** A client on an existing host (e.g. one behind a NAT), port 40000 of its first address, not started. */
  Client client(SimHost h, Transport transport, String user, String password,
      Consumer<TurnClientConfig.Builder> customize) {
    String name = h.name();
    InetSocketAddress local = new InetSocketAddress(h.address(), 40000);
    TurnClientConfig.Builder b = TurnClientConfig.builder(SERVER, local, user, password).transport(transport)
        .software("rtc4j-test");
    customize.accept(b);
    TurnAllocation a = new TurnAllocation(b.build(), new SplittableRandom(name.hashCode()));
    SimCore<TurnClientEvent> c = h.attach(name,
        SansIo.of(a::handleReceive, a::handleTimeout, a::pollTransmit, a::pollEvent, a::pollTimeout));
    c.bind(local);
    return new Client(this, a, c, local);
  }

  Client client(String name, String ip, Transport transport) {
    return client(name, ip, transport, USER, PASSWORD, b -> { });
  }

  long now() {
    return net.clock().nanos();
  }

  int relaysBound() {
    return relays.size();
  }

  /** A started-on-demand TURN client in the simulation. */
  record Client(TurnSim sim, TurnAllocation alloc, SimCore<TurnClientEvent> core, InetSocketAddress local) {

    void start() {
      alloc.start(sim.now());
    }

    /** Starts and waits for Allocated. */
    InetSocketAddress allocate(Duration within) {
      start();
      sim.net.await(within, core.name() + " allocated", () -> core.hasEvent(e -> e instanceof TurnClientEvent.Allocated));
      return alloc.relayedAddress().orElseThrow();
    }

    long peerData() {
      return core.events().stream().filter(e -> e instanceof TurnClientEvent.PeerData).count();
    }
  }
}
