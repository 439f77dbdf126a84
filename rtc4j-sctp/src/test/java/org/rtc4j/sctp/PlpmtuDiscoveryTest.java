package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtc4j.testkit.sim.SimClock;

/** The RFC 8899 search as a state machine on a simulated clock, and the probe packet's bytes. */
class PlpmtuDiscoveryTest {

  private static final long PROBE = 1_000_000_000L;
  private static final long RAISE = 600_000_000_000L;

  /** Drives the search against a path that carries packets up to {@code pathLimit}; returns the probe sizes sent. */
  private static List<Integer> settle(PlpmtuDiscovery d, SimClock clock, int pathLimit) {
    List<Integer> probes = new ArrayList<>();
    for (int i = 0; i < 100 && d.state() == PlpmtuDiscovery.State.SEARCHING; i++) {
      assertThat(d.pollTimeout()).isLessThanOrEqualTo(clock.nanos());
      int size = d.pollProbe(clock.nanos());
      assertThat(size).as("a probe is due").isPositive();
      assertThat(d.pollProbe(clock.nanos())).as("one outstanding probe at a time").isZero();
      probes.add(size);
      if (size <= pathLimit) {
        clock.advance(java.time.Duration.ofMillis(1));
        d.onProbeAcked(clock.nanos(), size);
      } else {
        clock.advance(java.time.Duration.ofMillis(1));
        d.onPeerHeard(clock.nanos()); // data keeps flowing: the probe was lost for its size
        clock.advanceTo(d.pollTimeout());
        d.handleTimeout(clock.nanos());
      }
    }
    return probes;
  }

  @Test
  void maxAtOrBelowBaseDisablesDiscovery() {
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1150, PROBE, RAISE);
    d.start(0);
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.DISABLED);
    assertThat(d.pollProbe(0)).isZero();
    assertThat(d.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    assertThat(d.current()).isEqualTo(1150);
  }

  @Test
  void pathThatCarriesMaxSettlesWithOneProbe() {
    SimClock clock = new SimClock();
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1410, PROBE, RAISE);
    assertThat(d.max()).as("rounded down to a multiple of 4").isEqualTo(1408);
    assertThat(d.current()).as("nothing confirmed yet").isEqualTo(1150);
    d.start(clock.nanos());
    List<Integer> probes = settle(d, clock, 1500);
    assertThat(probes).containsExactly(1408);
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCH_COMPLETE);
    assertThat(d.current()).isEqualTo(1408);
    assertThat(d.pollTimeout()).as("no raise timer at max").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void searchSettlesAtTheLargestSizeThePathCarries() {
    SimClock clock = new SimClock();
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1408, PROBE, RAISE);
    d.start(clock.nanos());
    long t0 = clock.nanos();
    List<Integer> probes = settle(d, clock, 1301);
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCH_COMPLETE);
    assertThat(d.current()).isEqualTo(1300);
    // Each failed size is tried MAX_PROBES times, a PROBE_TIMER apart, before the search moves on.
    assertThat(probes.subList(0, 3)).containsOnly(1408);
    for (int size : probes) {
      long n = probes.stream().filter(s -> s == size).count();
      assertThat(n).as("probes of %d", size).isEqualTo(size <= 1301 ? 1 : PlpmtuDiscovery.MAX_PROBES);
    }
    assertThat(probes.size()).as("binary search, not a walk").isLessThan(25);
    assertThat(clock.nanos() - t0).isLessThan(30 * PROBE);
    // Below max: the PMTU_RAISE_TIMER searches again later, and finds a grown path.
    assertThat(d.pollTimeout()).isEqualTo(clock.nanos() + RAISE);
    clock.advanceTo(d.pollTimeout());
    d.handleTimeout(clock.nanos());
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCHING);
    assertThat(d.current()).as("the confirmed size stays while searching").isEqualTo(1300);
    settle(d, clock, 1500);
    assertThat(d.current()).isEqualTo(1408);
  }

  @Test
  void blackHoleFallsBackToBaseAndSearchesAgain() {
    SimClock clock = new SimClock();
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1408, PROBE, RAISE);
    d.start(clock.nanos());
    settle(d, clock, 1500);
    assertThat(d.current()).isEqualTo(1408);
    // T3s with progress in between are congestion, not a black hole.
    d.onT3(clock.nanos(), 100);
    d.onT3(clock.nanos(), 200);
    assertThat(d.current()).isEqualTo(1408);
    // Two in a row without progress: black hole.
    d.onT3(clock.nanos(), 200);
    assertThat(d.current()).isEqualTo(1150);
    assertThat(d.counters()[2]).isEqualTo(1);
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCHING);
    settle(d, clock, 1250);
    assertThat(d.current()).isEqualTo(1248);
    // At BASE, T3s are only congestion.
    PlpmtuDiscovery atBase = new PlpmtuDiscovery(1150, 1408, PROBE, RAISE);
    atBase.onT3(0, 5);
    atBase.onT3(0, 5);
    assertThat(atBase.counters()[2]).isZero();
  }

  @Test
  void lateAnswerToAnEarlierProbeIsIgnored() {
    SimClock clock = new SimClock();
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1408, PROBE, RAISE);
    d.start(clock.nanos());
    for (int i = 0; i < PlpmtuDiscovery.MAX_PROBES; i++) {
      assertThat(d.pollProbe(clock.nanos())).isEqualTo(1408);
      clock.advance(java.time.Duration.ofMillis(1));
      d.onPeerHeard(clock.nanos());
      clock.advanceTo(d.pollTimeout());
      d.handleTimeout(clock.nanos());
    }
    int next = d.pollProbe(clock.nanos());
    assertThat(next).isBetween(1151, 1407);
    d.onProbeAcked(clock.nanos(), 1408); // 1408 already failed: its late ACK decides nothing
    assertThat(d.current()).isEqualTo(1150);
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCHING);
  }

  @Test
  void aSilentPathIsNotASmallPath() {
    SimClock clock = new SimClock();
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1408, PROBE, RAISE);
    d.start(clock.nanos());
    assertThat(d.pollProbe(clock.nanos())).isEqualTo(1408);
    // Nothing comes back at all (an outage): no size fails; BASE probes check the path instead.
    for (int i = 0; i < 10; i++) {
      clock.advanceTo(d.pollTimeout());
      d.handleTimeout(clock.nanos());
      assertThat(d.pollProbe(clock.nanos())).as("probe %d", i).isEqualTo(1148); // BASE, a multiple of 4
    }
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCHING);
    // The path is back: BASE is answered, the searched size is probed again at once and confirmed.
    d.onProbeAcked(clock.nanos(), 1148);
    assertThat(d.pollTimeout()).isEqualTo(clock.nanos());
    assertThat(d.pollProbe(clock.nanos())).isEqualTo(1408);
    d.onProbeAcked(clock.nanos(), 1408);
    assertThat(d.current()).isEqualTo(1408);
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCH_COMPLETE);
  }

  @Test
  void onAnIdleAssociationBaseAnswersCountTheLostProbes() {
    SimClock clock = new SimClock();
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1408, PROBE, RAISE);
    d.start(clock.nanos());
    List<Integer> probes = new ArrayList<>();
    // The path carries 1300; the peer sends nothing but answers to probes.
    for (int i = 0; i < 60 && d.state() == PlpmtuDiscovery.State.SEARCHING; i++) {
      clock.advanceTo(Math.max(clock.nanos(), d.pollTimeout()));
      d.handleTimeout(clock.nanos());
      int size = d.pollProbe(clock.nanos());
      if (size == 0) {
        continue;
      }
      probes.add(size);
      if (size <= 1300) {
        d.onProbeAcked(clock.nanos(), size);
      }
    }
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCH_COMPLETE);
    assertThat(d.current()).isEqualTo(1300);
    assertThat(probes.stream().filter(x -> x == 1408).count()).isEqualTo(PlpmtuDiscovery.MAX_PROBES);
  }

  @Test
  void aNewPathStartsFromBase() {
    SimClock clock = new SimClock();
    PlpmtuDiscovery d = new PlpmtuDiscovery(1150, 1408, PROBE, RAISE);
    d.start(clock.nanos());
    settle(d, clock, 1500);
    assertThat(d.current()).isEqualTo(1408);
    d.restart(clock.nanos());
    assertThat(d.current()).isEqualTo(1150);
    assertThat(d.state()).isEqualTo(PlpmtuDiscovery.State.SEARCHING);
    settle(d, clock, 1301);
    assertThat(d.current()).isEqualTo(1300);
  }

  @Test
  void probePacketIsHeartbeatPlusPadOfExactlyTheProbedSize() throws Exception {
    ByteBuffer out = ByteBuffer.allocate(2000);
    ByteBuffer p = PlpmtuDiscovery.writeProbe(out, 5000, 5001, 0xCAFEBABEL, 0x1122334455667788L, 1408);
    assertThat(p.remaining()).isEqualTo(1408);
    SctpPacket parsed = SctpPacket.parse(p.duplicate(), true); // checksum verified
    assertThat(parsed.sourcePort()).isEqualTo(5000);
    assertThat(parsed.verificationTag()).isEqualTo(0xCAFEBABEL);
    assertThat(parsed.chunks()).hasSize(2);
    HeartbeatChunk hb = (HeartbeatChunk) parsed.chunks().get(0);
    UnknownChunk pad = (UnknownChunk) parsed.chunks().get(1);
    assertThat(pad.type()).isEqualTo(0x84);
    assertThat((pad.type() >>> 6) & 3).as("skip, do not report").isEqualTo(2);
    assertThat(12 + hb.encodedLength() + pad.encodedLength()).isEqualTo(1408);
    // The peer echoes the info in its HEARTBEAT-ACK.
    assertThat(PlpmtuDiscovery.probeSize(hb.value(), 0x1122334455667788L)).isEqualTo(1408);
    assertThat(PlpmtuDiscovery.probeSize(hb.value(), 0x1122334455667789L)).as("other nonce").isZero();
  }
}
