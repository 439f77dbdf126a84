package org.rtc4j.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rtc4j.net.Datagram;

/** The driver loop running sans-IO cores, NAT traversal between them, and determinism. */
class SimNetDriverTest {

  /** Two punchers behind NATs, a reflector on the internet, signaling done by event handlers. */
  static final class Scenario {
    final SimNet net;
    final SimCore<Puncher.Event> a;
    final SimCore<Puncher.Event> b;
    final Reflector reflector = new Reflector();

    Scenario(long seed, NatType typeA, NatType typeB, Impairment impairment, List<String> trace) {
      net = new SimNet(seed);
      if (trace != null) {
        net.trace(trace::add);
      }
      net.defaultImpairment(impairment);
      SimHost server = net.host("reflector", "198.51.100.1");
      SimCore<String> r = server.attach(reflector.sansIo());
      InetSocketAddress rAddr = r.bind(3478).address();
      SimNat natA = net.nat("natA", typeA, "203.0.113.1");
      SimNat natB = net.nat("natB", typeB, "203.0.113.2");
      SimHost alice = natA.host("alice", "192.168.1.10");
      SimHost bob = natB.host("bob", "192.168.2.20");
      Puncher pa = new Puncher(net.clock().nanos(), SimNet.addr("192.168.1.10", 5000), rAddr);
      Puncher pb = new Puncher(net.clock().nanos(), SimNet.addr("192.168.2.20", 6000), rAddr);
      a = alice.attach("alice", pa);
      b = bob.attach("bob", pb);
      a.bind(5000);
      b.bind(6000);
      // signaling: each side's mapped address goes to the other as a candidate
      a.onEvent(e -> {
        if (e instanceof Puncher.Mapped m) {
          pb.addRemote(m.address());
        }
      });
      b.onEvent(e -> {
        if (e instanceof Puncher.Mapped m) {
          pa.addRemote(m.address());
        }
      });
    }

    boolean bothConnected() {
      return a.hasEvent(e -> e instanceof Puncher.Connected) && b.hasEvent(e -> e instanceof Puncher.Connected);
    }
  }

  static Stream<Arguments> natPairs() {
    List<Arguments> out = new ArrayList<>();
    for (NatType x : NatType.values()) {
      for (NatType y : NatType.values()) {
        boolean symX = x == NatType.SYMMETRIC;
        boolean symY = y == NatType.SYMMETRIC;
        // The classic table: a symmetric NAT defeats hole punching with a port-restricted or symmetric peer.
        boolean expected = !((symX && (symY || y == NatType.PORT_RESTRICTED_CONE))
            || (symY && x == NatType.PORT_RESTRICTED_CONE));
        out.add(Arguments.of(x, y, expected));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} vs {1}: connects={2}")
  @MethodSource("natPairs")
  void holePunchingMatrix(NatType x, NatType y, boolean expected) {
    Scenario s = new Scenario(1, x, y, Impairment.delay(Duration.ofMillis(15)), null);
    boolean connected = s.net.runUntil(Duration.ofSeconds(5), s::bothConnected);
    assertThat(connected).isEqualTo(expected);
    assertThat(s.a.firstEvent(Puncher.Mapped.class)).isPresent();
    assertThat(s.b.firstEvent(Puncher.Mapped.class)).isPresent();
    if (connected) {
      // connects within a few ping rounds of virtual time
      assertThat(s.net.clock().elapsed()).isLessThan(Duration.ofMillis(300));
    } else {
      assertThat(s.net.clock().elapsed()).isEqualTo(Duration.ofSeconds(5));
      assertThat(s.net.stats().droppedNatFiltered()).isPositive();
    }
  }

  @Test
  void sameSeedGivesTheSamePacketsAtTheSameTimes() {
    Impairment rough = Impairment.builder().delay(Duration.ofMillis(20)).jitter(Duration.ofMillis(15)).loss(0.2)
        .duplicate(0.1).reorder(0.1, Duration.ofMillis(30)).build();
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    List<String> other = new ArrayList<>();
    Scenario s1 = new Scenario(42, NatType.SYMMETRIC, NatType.FULL_CONE, rough, first);
    Scenario s2 = new Scenario(42, NatType.SYMMETRIC, NatType.FULL_CONE, rough, second);
    Scenario s3 = new Scenario(43, NatType.SYMMETRIC, NatType.FULL_CONE, rough, other);
    for (Scenario s : List.of(s1, s2, s3)) {
      assertThat(s.net.runUntil(Duration.ofSeconds(10), s::bothConnected)).isTrue();
      s.net.runFor(Duration.ofSeconds(1));
    }
    assertThat(first).hasSizeGreaterThan(20);
    assertThat(second).isEqualTo(first);
    assertThat(s2.net.stats()).isEqualTo(s1.net.stats());
    assertThat(s2.a.events()).isEqualTo(s1.a.events());
    assertThat(s2.net.clock().nanos()).isEqualTo(s1.net.clock().nanos());
    assertThat(other).isNotEqualTo(first);
  }

  /** A core that wants a timeout every {@code period} and records when it got them. */
  static final class Ticker implements SansIo<Long> {
    final long period;
    long next;
    final List<Long> ticks = new ArrayList<>();

    Ticker(long start, long period) {
      this.period = period;
      this.next = start + period;
    }

    @Override
    public void handleReceive(long nowNanos, Datagram in) {}

    @Override
    public void handleTimeout(long nowNanos) {
      if (nowNanos >= next) {
        ticks.add(nowNanos);
        next += period;
      }
    }

    @Override
    public Optional<Datagram> pollTransmit() {
      return Optional.empty();
    }

    @Override
    public Optional<Long> pollEvent() {
      return Optional.empty();
    }

    @Override
    public long pollTimeout() {
      return next;
    }
  }

  @Test
  void timeoutsFireExactlyWhenAskedAndDeadlinesAreExact() {
    SimNet net = new SimNet(1);
    long start = net.clock().nanos();
    Ticker t = new Ticker(start, 100_000_000L);
    net.host("h", "10.0.0.1").attach(t);
    assertThat(net.runUntil(Duration.ofMillis(1050), () -> false)).isFalse();
    assertThat(net.clock().nanos()).isEqualTo(start + 1_050_000_000L);
    assertThat(t.ticks).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(t.ticks.get(i)).isEqualTo(start + (i + 1) * 100_000_000L);
    }
    assertThat(net.runUntil(Duration.ofSeconds(10), () -> t.ticks.size() == 15)).isTrue();
    assertThat(net.clock().nanos()).isEqualTo(start + 1_500_000_000L);
    assertThat(net.idle()).isFalse();
  }

  @Test
  void runUntilIdleStopsWhenNothingIsScheduled() {
    SimNet net = new SimNet(1);
    Reflector r = new Reflector();
    SimCore<String> core = net.host("server", "10.0.0.1").attach(r.sansIo());
    core.bind(3478);
    SimEndpoint client = net.host("client", "10.0.0.2").bind(4000);
    net.defaultImpairment(Impairment.delay(Duration.ofMillis(30)));
    client.send(core.endpoints().get(0).address(), "WHOAMI".getBytes());
    assertThat(net.runUntilIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(net.clock().elapsed()).isEqualTo(Duration.ofMillis(60));
    assertThat(new String(client.receive().orElseThrow().bytes())).isEqualTo("YOU 10.0.0.2:4000");
    assertThat(core.receivedCount()).isEqualTo(1);
    assertThat(core.transmittedCount()).isEqualTo(1);
  }

  @Test
  void aCoreThatAlwaysWantsATimeoutNowIsReported() {
    SimNet net = new SimNet(1);
    SansIo<String> spinner = SansIo.of((now, d) -> {}, now -> {}, Optional::empty, Optional::empty, () -> 0L);
    net.host("h", "10.0.0.1").attach("spinner", spinner);
    assertThatThrownBy(() -> net.runFor(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no progress")
        .hasMessageContaining("spinner");
  }

  @Test
  void transmittingFromAnAddressNotBoundToTheCoreIsAnError() {
    SimNet net = new SimNet(1);
    SimHost h = net.host("h", "10.0.0.1");
    h.bind(9); // bound, but not by the core
    List<Datagram> out = new ArrayList<>(List.of(Datagram.udp(SimNet.addr("10.0.0.1", 9), SimNet.addr("10.0.0.2", 1), new byte[1])));
    SansIo<String> core = SansIo.of((now, d) -> {}, now -> {},
        () -> out.isEmpty() ? Optional.empty() : Optional.of(out.remove(0)), Optional::empty, () -> Long.MAX_VALUE);
    h.attach("bad", core);
    assertThatThrownBy(() -> net.runFor(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not bound to it");
  }

  @Test
  void eventHandlersCanBindEndpointsAndDetachStopsACore() {
    SimNet net = new SimNet(1);
    SimHost h = net.host("h", "10.0.0.1");
    List<String> events = new ArrayList<>(List.of("bind"));
    SansIo<String> core = SansIo.of((now, d) -> {}, now -> {}, Optional::empty,
        () -> events.isEmpty() ? Optional.empty() : Optional.of(events.remove(0)), () -> Long.MAX_VALUE);
    SimCore<String> c = h.attach("c", core);
    c.onEvent(e -> c.bind(7000));
    net.runFor(Duration.ofMillis(1));
    assertThat(c.events()).containsExactly("bind");
    assertThat(c.endpoints()).extracting(SimEndpoint::address).containsExactly(SimNet.addr("10.0.0.1", 7000));
    SimEndpoint other = net.host("o", "10.0.0.2").bind(1);
    other.send(SimNet.addr("10.0.0.1", 7000), new byte[1]);
    net.runFor(Duration.ofMillis(1));
    assertThat(c.receivedCount()).isEqualTo(1);
    c.detach();
    assertThat(c.endpoints()).isEmpty();
    other.send(SimNet.addr("10.0.0.1", 7000), new byte[1]);
    net.runFor(Duration.ofMillis(1));
    assertThat(c.receivedCount()).isEqualTo(1);
    assertThat(net.stats().droppedNoListener()).isEqualTo(1);
  }

  @Test
  void awaitFailsWithTheDescriptionSeedAndCounters() {
    SimNet net = new SimNet(77);
    assertThatThrownBy(() -> net.await(Duration.ofSeconds(3), "the impossible", () -> false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the impossible")
        .hasMessageContaining("seed 77")
        .hasMessageContaining("SimStats");
    assertThat(net.clock().elapsed()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aHostCanSendToItself() {
    SimNet net = new SimNet(1);
    net.defaultImpairment(Impairment.builder().loss(1.0).build());
    SimHost h = net.host("h", "10.0.0.1");
    SimEndpoint x = h.bind(1);
    SimEndpoint y = h.bind(2);
    x.send(y.address(), new byte[] {5});
    net.runFor(Duration.ofMillis(1));
    assertThat(y.receive()).map(Datagram::bytes).hasValueSatisfying(b -> assertThat(b).containsExactly(5));
  }
}
