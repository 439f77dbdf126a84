package org.rtc4j.ice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.rtc4j.ice.turn.TurnSim.Client;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.testkit.sim.SimEndpoint;
import org.rtc4j.testkit.sim.SimNet;

/**
 * Fuzzes {@link TurnAllocation#handleReceive} with arbitrary datagrams "from the server" for an
 * allocation over UDP and one over TCP, each allocated (on SimNet against TurnServerCore) with a
 * permission and channel 0x4000 bound to a peer: nothing may throw or reach the internal-error
 * counter, and the allocations stay allocated (a forged datagram cannot match a random
 * transaction id). {@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/ice/turn/TurnAllocationFuzzTestInputs/anyDatagramFromTheServer/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=TurnAllocationFuzzTest} fuzzes.
 */
class TurnAllocationFuzzTest {

  /** Two allocated clients with a bound channel each; built once per input (cheap: virtual time). */
  static final class Rig {
    final TurnSim sim = new TurnSim(21);
    final Client udp = sim.client("udp", "30.0.0.1", Transport.UDP);
    final Client tcp = sim.client("tcp", "30.0.0.2", Transport.TCP);
    final SimEndpoint peer = sim.net.host("peer", "30.0.0.9").bind(7000);

    Rig() {
      for (Client c : new Client[] {udp, tcp}) {
        c.allocate(Duration.ofSeconds(5));
        c.alloc().send(sim.now(), peer.address(), ByteBuffer.wrap(new byte[] {1, 2, 3}));
      }
      sim.net.await(Duration.ofSeconds(5), "channels", () -> udp.alloc().channel(peer.address()).isPresent()
          && tcp.alloc().channel(peer.address()).isPresent());
    }
  }

  @FuzzTest(maxDuration = "2m")
  void anyDatagramFromTheServer(byte[] input) {
    Rig r = new Rig();
    for (Client c : new Client[] {r.udp, r.tcp}) {
      TurnAllocation a = c.alloc();
      Transport t = a.config().transport();
      a.handleReceive(r.sim.now(), new Datagram(t, TurnSim.SERVER, c.local(), ByteBuffer.wrap(input)));
      // A read-only direct buffer at an offset, as a runtime may pass it.
      ByteBuffer direct = ByteBuffer.allocateDirect(input.length + 3).put(new byte[3]).put(input).flip();
      direct.position(3);
      a.handleReceive(r.sim.now(), new Datagram(t, TurnSim.SERVER, c.local(), direct.asReadOnlyBuffer()));
      a.handleReceive(r.sim.now(), new Datagram(t, SimNet.addr("30.0.0.66", 3478), c.local(), ByteBuffer.wrap(input)));
      assertThat(a.stats().internalErrors()).isZero();
      assertThat(a.state()).isEqualTo(TurnAllocation.State.ALLOCATED);
      for (var e = a.pollEvent(); e.isPresent(); e = a.pollEvent()) {
        if (e.get() instanceof TurnClientEvent.PeerData p) {
          assertThat(p.data().remaining()).isLessThanOrEqualTo(input.length);
        }
      }
    }
    r.sim.net.runFor(Duration.ofMinutes(1));
    assertThat(r.udp.alloc().state()).isEqualTo(TurnAllocation.State.ALLOCATED);
  }

  /**
   * Operations and time interleaved with forged datagrams, while the real server answers on SimNet:
   * nothing throws, no internal error, and the core never asks to be woken in the past (a busy loop).
   */
  @FuzzTest(maxDuration = "2m")
  void sequences(FuzzedDataProvider data) {
    Rig r = new Rig();
    InetSocketAddress[] peers = {r.peer.address(), SimNet.addr("30.0.0.8", 9), SimNet.addr("10.0.0.1", 9)};
    for (int step = 0; step < 24 && data.remainingBytes() > 0; step++) {
      Client c = data.consumeBoolean() ? r.udp : r.tcp;
      TurnAllocation a = c.alloc();
      switch (data.consumeInt(0, 4)) {
        case 0 -> a.handleReceive(r.sim.now(), new Datagram(a.config().transport(), TurnSim.SERVER, c.local(),
            ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 600)))));
        case 1 -> a.send(r.sim.now(), peers[data.consumeInt(0, 2)], ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 1300))));
        case 2 -> a.createPermission(r.sim.now(), peers[data.consumeInt(0, 2)].getAddress());
        case 3 -> r.sim.net.runFor(Duration.ofSeconds(data.consumeInt(0, 700)));
        default -> a.close(r.sim.now());
      }
      r.sim.net.runFor(Duration.ofMillis(1));
      for (Client x : new Client[] {r.udp, r.tcp}) {
        assertThat(x.alloc().stats().internalErrors()).isZero();
        assertThat(x.alloc().pollTimeout()).isGreaterThan(r.sim.now());
      }
    }
    r.sim.net.runFor(Duration.ofMinutes(2));
  }
}
