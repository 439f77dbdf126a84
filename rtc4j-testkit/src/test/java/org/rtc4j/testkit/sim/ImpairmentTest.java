package org.rtc4j.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Transport;

/** Each impairment, with fixed seeds and statistical bounds wide enough for any seed's honest outcome. */
class ImpairmentTest {

  private static final long MS = 1_000_000L;

  /** A sender and a receiver on the internet; payload = 4-byte sequence number, padded. */
  static final class Pair {
    final SimNet net;
    final SimHost a;
    final SimHost b;
    final SimEndpoint sender;
    final SimEndpoint receiver;
    final Map<Integer, Long> sentAt = new HashMap<>();
    final List<Integer> arrivals = new ArrayList<>();
    final List<Long> latencies = new ArrayList<>();

    Pair(long seed, Impairment imp) {
      this(seed, imp, "10.0.0.1", "10.0.0.2");
    }

    Pair(long seed, Impairment imp, String ipA, String ipB) {
      net = new SimNet(seed);
      a = net.host("a", ipA);
      b = net.host("b", ipB);
      net.impair(a, b, imp);
      sender = a.bind(1000);
      receiver = b.bind(2000);
      receiver.onReceive(d -> {
        int seq = d.payload().getInt(d.payload().position());
        arrivals.add(seq);
        latencies.add(net.clock().nanos() - sentAt.get(seq));
      });
    }

    void send(int seq, int size) {
      send(seq, size, Transport.UDP);
    }

    void send(int seq, int size, Transport transport) {
      ByteBuffer buf = ByteBuffer.allocate(Math.max(size, 4));
      buf.putInt(0, seq);
      sentAt.put(seq, net.clock().nanos());
      sender.send(new org.rtc4j.net.Datagram(transport, sender.address(), receiver.address(), buf));
    }

    /** Sends {@code n} packets, one every {@code intervalNanos}, then runs until all could arrive. */
    void sendPaced(int n, long intervalNanos, int size) {
      for (int i = 0; i < n; i++) {
        int seq = i;
        net.clock().schedule(net.clock().nanos() + i * intervalNanos, () -> send(seq, size));
      }
      net.runUntilIdle(Duration.ofHours(1));
    }
  }

  @Test
  void perfectLinkDeliversEverythingInOrderAtOnce() {
    Pair p = new Pair(1, Impairment.NONE);
    p.sendPaced(100, MS, 100);
    assertThat(p.arrivals).hasSize(100).isSorted();
    assertThat(p.latencies).containsOnly(0L);
    SimStats s = p.net.stats();
    assertThat(s.sent()).isEqualTo(100);
    assertThat(s.delivered()).isEqualTo(100);
    assertThat(s.dropped()).isZero();
  }

  @Test
  void lossDropsTheConfiguredFraction() {
    Pair p = new Pair(11, Impairment.builder().loss(0.1).build());
    p.sendPaced(10_000, MS, 100);
    assertThat(p.arrivals.size()).isBetween(8_800, 9_200);
    assertThat(p.net.stats().lost()).isEqualTo(10_000 - p.arrivals.size());
    assertThat(p.net.linkStats(p.a, p.b).lost()).isEqualTo(p.net.stats().lost());
    assertThat(p.arrivals).isSorted(); // loss alone never reorders
  }

  @Test
  void burstLossLosesRunsOfTheExpectedLength() {
    // enter 1%, exit 25%: about 3.8% of packets in bursts averaging 4 packets
    Pair p = new Pair(21, Impairment.builder().burstLoss(0.01, 0.25).build());
    p.sendPaced(50_000, MS, 100);
    java.util.Set<Integer> got = new java.util.HashSet<>(p.arrivals);
    long lost = 50_000 - got.size();
    assertThat(lost).isBetween(1_500L, 2_400L);
    List<Integer> runs = new ArrayList<>();
    int run = 0;
    for (int i = 0; i < 50_000; i++) {
      if (!got.contains(i)) {
        run++;
      } else if (run > 0) {
        runs.add(run);
        run = 0;
      }
    }
    double meanRun = runs.stream().mapToInt(Integer::intValue).average().orElseThrow();
    assertThat(meanRun).isBetween(3.3, 4.8);
    assertThat(runs.stream().mapToInt(Integer::intValue).max().orElseThrow()).isGreaterThan(8);
  }

  @Test
  void aLinkCanGoDownAndComeBackDuringARun() {
    Pair p = new Pair(22, Impairment.NONE);
    p.net.clock().scheduleAfter(Duration.ofMillis(100), () -> p.net.impair(p.a, p.b, Impairment.builder().loss(1.0).build()));
    p.net.clock().scheduleAfter(Duration.ofMillis(200), () -> p.net.impair(p.a, p.b, null));
    p.sendPaced(300, MS, 10);
    assertThat(p.arrivals).hasSize(200);
    assertThat(p.arrivals).doesNotContain(100, 150, 199).contains(99, 200);
  }

  @Test
  void fixedDelayIsExactAndKeepsOrder() {
    Pair p = new Pair(2, Impairment.delay(Duration.ofMillis(25)));
    p.sendPaced(500, MS, 100);
    assertThat(p.latencies).hasSize(500).containsOnly(25 * MS);
    assertThat(p.arrivals).isSorted();
  }

  @Test
  void jitterSpreadsLatencyUniformlyOverTheRange() {
    Pair p = new Pair(3, Impairment.builder().delay(Duration.ofMillis(20)).jitter(Duration.ofMillis(10)).build());
    p.sendPaced(10_000, 5 * MS, 100);
    assertThat(p.latencies).hasSize(10_000).allSatisfy(l -> assertThat(l).isBetween(20 * MS, 30 * MS));
    double mean = p.latencies.stream().mapToLong(Long::longValue).average().orElseThrow();
    assertThat(mean).isBetween(24.8e6, 25.2e6);
    assertThat(p.latencies.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(20 * MS + MS / 10);
    assertThat(p.latencies.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(30 * MS - MS / 10);
    // packets 5 ms apart with 10 ms of jitter overtake each other sometimes
    assertThat(inversions(p.arrivals)).isGreaterThan(0);
  }

  @Test
  void reorderHoldsBackTheConfiguredFraction() {
    Pair p = new Pair(4, Impairment.builder().delay(Duration.ofMillis(5)).reorder(0.1, Duration.ofMillis(10)).build());
    p.sendPaced(10_000, MS, 100);
    assertThat(p.arrivals).hasSize(10_000);
    long reordered = p.net.stats().reordered();
    assertThat(reordered).isBetween(900L, 1_100L);
    assertThat(p.latencies).containsOnly(5 * MS, 15 * MS);
    assertThat(p.latencies.stream().filter(l -> l == 15 * MS).count()).isEqualTo(reordered);
    // exactly the held-back packets are overtaken by later ones
    assertThat(overtaken(p.arrivals)).isEqualTo(reordered);
  }

  @Test
  void duplicationDeliversSomePacketsTwice() {
    Pair p = new Pair(5, Impairment.builder().duplicate(0.05).delay(Duration.ofMillis(1)).build());
    p.sendPaced(10_000, MS, 100);
    long dups = p.net.stats().duplicated();
    assertThat(dups).isBetween(400L, 600L);
    assertThat(p.arrivals).hasSize(10_000 + (int) dups);
    Map<Integer, Integer> counts = new HashMap<>();
    p.arrivals.forEach(s -> counts.merge(s, 1, Integer::sum));
    assertThat(counts).hasSize(10_000);
    assertThat(counts.values()).containsOnly(1, 2);
    assertThat(counts.values().stream().filter(c -> c == 2).count()).isEqualTo(dups);
  }

  @Test
  void duplicatesHaveTheirOwnJitter() {
    Pair p = new Pair(6, Impairment.builder().duplicate(1.0).jitter(Duration.ofMillis(10)).build());
    p.sendPaced(200, 50 * MS, 10);
    Map<Integer, List<Long>> lat = new HashMap<>();
    for (int i = 0; i < p.arrivals.size(); i++) {
      lat.computeIfAbsent(p.arrivals.get(i), k -> new ArrayList<>()).add(p.latencies.get(i));
    }
    assertThat(lat.values()).allSatisfy(l -> assertThat(l).hasSize(2));
    assertThat(lat.values().stream().filter(l -> !l.get(0).equals(l.get(1))).count()).isGreaterThan(190);
  }

  @Test
  void mtuDropsOversizeIpv4Packets() {
    Pair p = new Pair(7, Impairment.builder().mtu(1500).build());
    p.send(1, 1472); // 1472 + 8 UDP + 20 IPv4 = 1500
    p.send(2, 1473);
    p.net.runUntilIdle(Duration.ofSeconds(1));
    assertThat(p.arrivals).containsExactly(1);
    assertThat(p.net.stats().droppedMtu()).isEqualTo(1);
  }

  @Test
  void mtuCountsTheLargerIpv6Header() {
    Pair p = new Pair(8, Impairment.builder().mtu(1280).build(), "2001:db8::1", "2001:db8::2");
    p.send(1, 1232); // 1232 + 8 + 40 = 1280, the IPv6 minimum MTU
    p.send(2, 1233);
    p.net.runUntilIdle(Duration.ofSeconds(1));
    assertThat(p.arrivals).containsExactly(1);
    assertThat(p.net.stats().droppedMtu()).isEqualTo(1);
  }

  @Test
  void rateLimitQueuesAtTheLinkRate() {
    // 1 Mbit/s = 125 000 B/s; 1250-byte IP packets take 10 ms each after the 2500-byte burst.
    Pair p = new Pair(9, Impairment.builder().rate(1_000_000, 2_500, 1_000_000).build());
    for (int i = 0; i < 100; i++) {
      p.send(i, 1250 - 28);
    }
    p.net.runUntilIdle(Duration.ofSeconds(10));
    assertThat(p.arrivals).hasSize(100).isSorted();
    assertThat(p.latencies.get(0)).isZero();
    assertThat(p.latencies.get(1)).isZero();
    assertThat(p.latencies.get(2)).isEqualTo(10 * MS);
    // 98 packets waited for tokens: 98 * 10 ms
    assertThat(p.latencies.get(99)).isBetween(980 * MS - MS / 100, 980 * MS + MS / 100);
    assertThat(p.net.stats().droppedRate()).isZero();
  }

  @Test
  void rateLimitTailDropsWhenTheQueueIsFull() {
    Pair p = new Pair(10, Impairment.builder().rate(1_000_000, 2_500, 5_000).build());
    for (int i = 0; i < 100; i++) {
      p.send(i, 1250 - 28);
    }
    p.net.runUntilIdle(Duration.ofSeconds(10));
    // 2 pass on the burst, 4 fit in the 5000-byte queue, the rest are dropped
    assertThat(p.arrivals).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(p.net.stats().droppedRate()).isEqualTo(94);
  }

  @Test
  void rateLimitPassesTrafficBelowTheRate() {
    Pair p = new Pair(11, Impairment.builder().rate(1_000_000, 1_500, 0).build());
    p.sendPaced(1_000, 20 * MS, 1250 - 28); // 500 kbit/s through a 1 Mbit/s policer
    assertThat(p.arrivals).hasSize(1_000);
    assertThat(p.latencies).containsOnly(0L);
  }

  @Test
  void reliableTransportsOnlyGetDelay() {
    Pair p = new Pair(12, Impairment.builder().loss(0.5).duplicate(0.5).reorder(0.5, Duration.ofMillis(50))
        .jitter(Duration.ofMillis(30)).delay(Duration.ofMillis(10)).mtu(576).build());
    for (int i = 0; i < 1_000; i++) {
      p.send(i, 2000, Transport.TCP);
    }
    p.net.runUntilIdle(Duration.ofSeconds(10));
    assertThat(p.arrivals).hasSize(1_000).isSorted();
    assertThat(p.latencies).containsOnly(10 * MS);
  }

  @Test
  void linkImpairmentIsPerDirectionAndOthersUseTheDefault() {
    SimNet net = new SimNet(13);
    SimHost a = net.host("a", "10.0.0.1");
    SimHost b = net.host("b", "10.0.0.2");
    net.defaultImpairment(Impairment.delay(Duration.ofMillis(7)));
    net.impair(a, b, Impairment.delay(Duration.ofMillis(30)));
    SimEndpoint ea = a.bind(1);
    SimEndpoint eb = b.bind(2);
    ea.send(eb.address(), new byte[] {1});
    eb.send(ea.address(), new byte[] {2});
    assertThat(net.runUntil(Duration.ofSeconds(1), () -> ea.pending() == 1)).isTrue();
    assertThat(net.clock().elapsed()).isEqualTo(Duration.ofMillis(7));
    assertThat(net.runUntil(Duration.ofSeconds(1), () -> eb.pending() == 1)).isTrue();
    assertThat(net.clock().elapsed()).isEqualTo(Duration.ofMillis(30));
    net.impair(a, b, null);
    ea.send(eb.address(), new byte[] {3});
    long t0 = net.clock().nanos();
    net.runUntil(Duration.ofSeconds(1), () -> eb.pending() == 2);
    assertThat(net.clock().nanos() - t0).isEqualTo(7 * MS);
  }

  @Test
  void rejectsBadImpairments() {
    assertThatThrownBy(() -> Impairment.builder().loss(1.5).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Impairment.builder().loss(Double.NaN).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Impairment.builder().mtu(10).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Impairment.builder().delay(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Impairment.builder().rate(1000, 0, 0).build()).isInstanceOf(IllegalArgumentException.class);
    assertThat(Impairment.builder().loss(0.3).build().toBuilder().build().loss()).isEqualTo(0.3);
  }

  /** How many packets arrive after some packet sent later than them. */
  static long overtaken(List<Integer> arrivals) {
    long n = 0;
    int maxSoFar = Integer.MIN_VALUE;
    for (int seq : arrivals) {
      if (seq < maxSoFar) {
        n++;
      }
      maxSoFar = Math.max(maxSoFar, seq);
    }
    return n;
  }

  static long inversions(List<Integer> seq) {
    long n = 0;
    for (int i = 1; i < seq.size(); i++) {
      if (seq.get(i) < seq.get(i - 1)) {
        n++;
      }
    }
    return n;
  }
}
