package org.rtc4j.ice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
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
}
