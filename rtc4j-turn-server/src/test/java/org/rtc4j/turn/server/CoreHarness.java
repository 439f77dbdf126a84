package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunParseException;

/**
 * Drives one {@link TurnServerCore} with a fake clock and plays the driver: it answers
 * {@link TurnEvent.RelayRequested} by "binding" relay addresses itself (unless told not to) and
 * records every event. No sockets.
 */
final class CoreHarness {

  static final InetSocketAddress SERVER = addr("203.0.113.1", 3478);
  static final InetSocketAddress SERVER_V6 = addr("2001:db8::1", 3478);
  static final InetAddress RELAY_IP = ip("198.51.100.1");
  static final InetAddress RELAY_IP_V6 = ip("2001:db8::100");
  static final long EPOCH_AT_ZERO = 1_700_000_000L; // Unix time when nowNanos == 0
  static final String REALM = "north.gov";

  final TurnServerConfig config;
  final TurnSharedState shared;
  final TurnServerCore core;
  final TurnCounters counters;
  final List<TurnEvent> events = new ArrayList<>();
  final List<TurnEvent.RelayRequested> unanswered = new ArrayList<>();
  long now = 1_000_000_000L;
  boolean autoBind = true;
  private int relays;

  CoreHarness(Consumer<TurnServerConfig.Builder> customize) {
    TurnServerConfig.Builder b = TurnServerConfig.builder()
        .realm(REALM)
        .user("alice", "alice-password")
        .user("bob", "bob-password")
        .authSecret("secret")
        .epochSecondsAt(nanos -> EPOCH_AT_ZERO + Math.floorDiv(nanos, 1_000_000_000L));
    customize.accept(b);
    this.config = b.build();
    this.shared = new TurnSharedState(config, new byte[32]);
    this.core = new TurnServerCore(config, shared, new SplittableRandom(7));
    this.counters = shared.counters();
  }

  CoreHarness() {
    this(b -> { });
  }

  private CoreHarness(CoreHarness sibling) {
    this.config = sibling.config;
    this.shared = sibling.shared;
    this.core = new TurnServerCore(config, shared, new SplittableRandom(8));
    this.counters = shared.counters();
    this.now = sibling.now;
    this.relays = 1000; // other relay ports than the sibling's
  }

  /** Another shard of the same server (same config and shared state), at the same time. */
  CoreHarness newShard() {
    return new CoreHarness(this);
  }

  /** Unix seconds now. */
  long epochSeconds() {
    return config.epochSecondsAt().applyAsLong(now);
  }

  /** Feeds a datagram in and returns what the core sends in reply (events are processed). */
  List<Datagram> receive(Datagram in) {
    core.handleReceive(now, in);
    pumpEvents();
    return drain();
  }

  List<Datagram> drain() {
    List<Datagram> out = new ArrayList<>();
    for (Datagram d; (d = core.pollTransmit().orElse(null)) != null; ) {
      out.add(d);
    }
    return out;
  }

  void pumpEvents() {
    for (TurnEvent e; (e = core.pollEvent().orElse(null)) != null; ) {
      events.add(e);
      if (e instanceof TurnEvent.RelayRequested r) {
        if (autoBind) {
          // 50000, 50002, ... on the first relay IP, then further IPs for the 10k-allocation tests.
          int n = relays++;
          byte[] ip = (r.family() == 1 ? RELAY_IP : RELAY_IP_V6).getAddress();
          ip[ip.length - 1] += (byte) (n / 5000);
          try {
            int port = r.requestedPort() != 0 ? r.requestedPort() : 50000 + 2 * (n % 5000);
            if (r.requestedPort() != 0) {
              ip = (r.family() == 1 ? RELAY_IP : RELAY_IP_V6).getAddress();
            }
            core.handleRelayBound(now, r.requestId(), new InetSocketAddress(InetAddress.getByAddress(ip), port));
          } catch (UnknownHostException ex) {
            throw new AssertionError(ex);
          }
        } else {
          unanswered.add(r);
        }
      }
    }
  }

  /** Advances the clock, running every timer that comes due on the way; returns what was sent. */
  List<Datagram> advanceSeconds(double seconds) {
    long target = now + (long) (seconds * 1e9);
    while (core.pollTimeout() - target <= 0) {
      now = Math.max(now, core.pollTimeout());
      core.handleTimeout(now);
      pumpEvents();
    }
    now = target;
    core.handleTimeout(now);
    pumpEvents();
    return drain();
  }

  <T extends TurnEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** A datagram from a peer to a relay address. */
  List<Datagram> fromPeer(InetSocketAddress peer, InetSocketAddress relay, byte[] data) {
    return receive(Datagram.udp(peer, relay, data));
  }

  static StunMessage parse(Datagram d) {
    try {
      return StunMessage.parse(d.payload().duplicate());
    } catch (StunParseException e) {
      throw new AssertionError("not a STUN message: " + d, e);
    }
  }

  static StunMessage single(List<Datagram> out) {
    assertThat(out).hasSize(1);
    return parse(out.get(0));
  }

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static InetSocketAddress addr(String literal, int port) {
    return new InetSocketAddress(ip(literal), port);
  }

  /** A client on this harness. */
  TestClient client(String literal, int port) {
    return new TestClient(this, Transport.UDP, addr(literal, port), SERVER, "alice", "alice-password");
  }

  TestClient client(Transport transport, InetSocketAddress address, InetSocketAddress server, String user, String password) {
    return new TestClient(this, transport, address, server, user, password);
  }
}
