package org.rtc4j.ice;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rtc4j.net.Datagram;
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
 * Two {@link IceAgent}s on a {@link SimNet}, with our {@link TurnServerCore} (which answers STUN
 * Binding too) on 20.0.0.1:3478 and instant trickle signalling between the agents' event handlers.
 */
final class IceSim {

  static final InetSocketAddress SERVER = SimNet.addr("20.0.0.1", 3478);
  static final String USER = "ice";
  static final String PASSWORD = "sim-password";
  static final IceServer STUN = IceServer.parse("stun:20.0.0.1:3478", null, null);
  static final IceServer TURN_UDP = IceServer.parse("turn:20.0.0.1:3478", USER, PASSWORD);
  static final IceServer TURN_TCP = IceServer.parse("turn:20.0.0.1:3478?transport=tcp", USER, PASSWORD);
  static final IceServer TURNS = IceServer.parse("turns:20.0.0.1:3478", USER, PASSWORD);

  final SimNet net;
  TurnServerCore turn;
  private final Map<InetSocketAddress, SimEndpoint> relays = new HashMap<>();
  private int nextRelayPort = 50000;

  IceSim(long seed) {
    net = new SimNet(seed);
  }

  long now() {
    return net.clock().nanos();
  }

  /** Starts the STUN/TURN server on 20.0.0.1:3478. */
  IceSim withServer() {
    long start = net.clock().nanos();
    TurnServerConfig config = TurnServerConfig.builder().realm("sim.rtc4j").user(USER, PASSWORD)
        .peerPolicy(PeerAddressPolicy.builder().allow("20.0.0.0/24").allow("30.0.0.0/8").allow("40.0.0.0/8").build())
        .epochSecondsAt(n -> 1_900_000_000L + Math.floorDiv(n - start, 1_000_000_000L)).build();
    turn = new TurnServerCore(config, new TurnSharedState(config, new byte[32]), new SplittableRandom(7));
    SimHost h = net.host("turn", "20.0.0.1");
    SimCore<TurnEvent> server = h.attach("turn-server",
        SansIo.of(turn::handleReceive, turn::handleTimeout, turn::pollTransmit, turn::pollEvent, turn::pollTimeout));
    server.bind(SERVER);
    server.onEvent(e -> {
      if (e instanceof TurnEvent.RelayRequested r) {
        InetSocketAddress relay = SimNet.addr("20.0.0.1", nextRelayPort++);
        relays.put(relay, server.bind(relay));
        turn.handleRelayBound(net.clock().nanos(), r.requestId(), relay);
      } else if (e instanceof TurnEvent.RelayReleased r) {
        SimEndpoint ep = relays.remove(r.relay());
        if (ep != null) {
          ep.close();
        }
      }
    });
    return this;
  }

  /** One agent on a host, bound on port 5000, with what it received. */
  static final class Peer {
    final IceSim sim;
    final String name;
    final IceAgent agent;
    final SimCore<IceEvent> core;
    final SimHost host;
    final List<ByteBuffer> received = new ArrayList<>();
    final List<IceConnectionState> states = new ArrayList<>();
    final List<CandidatePair> selections = new ArrayList<>();
    Peer other;
    boolean signalling = true;
    private int nextTcpPort = 6000;

    Peer(IceSim sim, String name, SimHost host, IceConfig config, long seed) {
      this.sim = sim;
      this.name = name;
      this.host = host;
      this.agent = new IceAgent(config, new SplittableRandom(seed));
      this.core = host.attach(name, SansIo.of(agent::handleReceive, agent::handleTimeout, this::transmit,
          agent::pollEvent, agent::pollTimeout));
      for (InetSocketAddress a : config.hostAddresses()) {
        core.bind(a);
      }
      core.onEvent(this::onEvent);
    }

    /** Application datagrams this agent put on the wire: virtual time and destination. */
    final List<long[]> appSendTimes = new ArrayList<>();
    final List<InetSocketAddress> appSendDestinations = new ArrayList<>();

    private java.util.Optional<Datagram> transmit() {
      java.util.Optional<Datagram> d = agent.pollTransmit();
      if (d.isPresent() && isApplication(d.get())) {
        appSendTimes.add(new long[] {sim.now()});
        appSendDestinations.add(d.get().destination());
      }
      return d;
    }

    long appSendsAfter(long nanos) {
      return appSendTimes.stream().filter(t -> t[0] > nanos).count();
    }

    private void onEvent(IceEvent e) {
      long now = sim.now();
      if (e instanceof IceEvent.LocalCandidate c && signalling) {
        other.agent.addRemoteCandidate(now, c.candidate());
      } else if (e instanceof IceEvent.GatheringStateChanged g && g.state() == IceGatheringState.COMPLETE && signalling) {
        other.agent.addRemoteEndOfCandidates(now);
      } else if (e instanceof IceEvent.ApplicationData d) {
        received.add(d.payload());
      } else if (e instanceof IceEvent.ConnectionStateChanged s) {
        states.add(s.state());
      } else if (e instanceof IceEvent.SelectedPairChanged s) {
        selections.add(s.pair());
      } else if (e instanceof IceEvent.TcpConnectRequested t) {
        InetSocketAddress local = new InetSocketAddress(host.address(), nextTcpPort++);
        core.bind(local);
        agent.handleTcpConnected(now, t.connectionId(), local);
      }
    }

    boolean connected() {
      return agent.state() == IceConnectionState.CONNECTED || agent.state() == IceConnectionState.COMPLETED;
    }

    void send(String text) {
      agent.send(sim.now(), ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    boolean got(String text) {
      for (ByteBuffer b : received) {
        if (java.nio.charset.StandardCharsets.UTF_8.decode(b.duplicate()).toString().equals(text)) {
          return true;
        }
      }
      return false;
    }
  }

  static IceConfig.Builder config(IceRole role, long tieBreaker, String ip, IceServer... servers) {
    return IceConfig.builder().role(role).tieBreaker(tieBreaker)
        .localCredentials(IceCredentials.random(new SplittableRandom(tieBreaker)))
        .hostAddresses(List.of(SimNet.addr(ip, 5000))).servers(List.of(servers));
  }

  /** Wires two peers' signalling and starts both (credentials, gathering). */
  void start(Peer a, Peer b) {
    a.other = b;
    b.other = a;
    long now = now();
    a.agent.setRemoteCredentials(now, b.agent.localCredentials());
    b.agent.setRemoteCredentials(now, a.agent.localCredentials());
    a.agent.startGathering(now);
    b.agent.startGathering(now);
  }

  /** Runs until both are connected and can exchange one datagram each way. */
  void connect(Peer a, Peer b, Duration within) {
    net.await(within, "both connected", () -> a.connected() && b.connected());
    exchange(a, b, "hello-" + now(), within);
  }

  /** Sends text both ways until it arrives (data may be lost on impaired links). */
  void exchange(Peer a, Peer b, String text, Duration within) {
    long deadline = now() + within.toNanos();
    while (!(b.got(text + "-ab") && a.got(text + "-ba"))) {
      if (now() > deadline) {
        throw new AssertionError("no data exchange within " + within + ": a " + a.agent.state() + " b " + b.agent.state());
      }
      if (!b.got(text + "-ab")) {
        a.send(text + "-ab");
      }
      if (!a.got(text + "-ba")) {
        b.send(text + "-ba");
      }
      net.runUntil(Duration.ofMillis(200), () -> b.got(text + "-ab") && a.got(text + "-ba"));
    }
  }

  /** Whether a transmitted datagram is application data (not STUN/TURN) on UDP. */
  static boolean isApplication(Datagram d) {
    return d.transport() == Transport.UDP && d.length() > 0 && (d.payload().get(d.payload().position()) & 0xFF) > 3;
  }
}
