package org.rtc4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.stun.IceControlling;
import org.rtc4j.stun.Priority;
import org.rtc4j.stun.ShortTermCredentials;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.UseCandidate;
import org.rtc4j.stun.Username;
import org.rtc4j.stun.XorMappedAddress;

/** The agent driven by hand: a browser-like controlling peer, demultiplexing, drops, close. */
class IceAgentUnitTest {

  private static final IceCredentials LOCAL = new IceCredentials("locl", "localPasswordLocalPassword");
  private static final IceCredentials REMOTE = new IceCredentials("rmte", "remotePasswordRemotePassword");
  private final InetSocketAddress host = addr("30.0.0.1", 5000);
  private final InetSocketAddress peer = addr("30.0.0.9", 4000);
  private long now = 1_000_000_000L;
  private final List<IceEvent> events = new ArrayList<>();

  private static InetSocketAddress addr(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private IceAgent agent(IceRole role) {
    IceAgent a = new IceAgent(IceConfig.builder().role(role).tieBreaker(5).localCredentials(LOCAL)
        .hostAddresses(List.of(host)).build(), new SplittableRandom(3));
    a.startGathering(now);
    a.setRemoteCredentials(now, REMOTE);
    return a;
  }

  private List<Datagram> drain(IceAgent a) {
    List<Datagram> out = new ArrayList<>();
    Optional<Datagram> d;
    while ((d = a.pollTransmit()).isPresent()) {
      out.add(d.get());
    }
    Optional<IceEvent> e;
    while ((e = a.pollEvent()).isPresent()) {
      events.add(e.get());
    }
    return out;
  }

  private byte[] browserCheck(boolean useCandidate) {
    StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TransactionId.random(new SplittableRandom(now)))
        .add(new Username(LOCAL.ufrag() + ":" + REMOTE.ufrag())).add(new Priority(1845501695L))
        .add(new IceControlling(Long.MAX_VALUE));
    if (useCandidate) {
      b.add(new UseCandidate());
    }
    return b.encode(ShortTermCredentials.key(LOCAL.pwd()), true);
  }

  private static StunMessage parse(Datagram d) {
    try {
      return StunMessage.parse(d.bytes());
    } catch (org.rtc4j.stun.StunParseException e) {
      throw new AssertionError(e);
    }
  }

  /** A browser nominating aggressively (USE-CANDIDATE on its first check) before we know its candidate. */
  @Test
  void controlledAgentFollowsAnEarlyUseCandidate() {
    IceAgent a = agent(IceRole.CONTROLLED);
    drain(a);
    a.handleReceive(now, Datagram.udp(peer, host, browserCheck(true)));
    List<Datagram> out = drain(a);
    assertThat(out).singleElement().extracting(d -> parse(d).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(a.selectedPair()).isEmpty(); // not yet validated by our own check
    now += 25_000_000L;
    a.handleTimeout(now);
    StunMessage triggered = null;
    for (Datagram d : drain(a)) {
      StunMessage m = parse(d);
      if (m.stunClass() == StunClass.REQUEST) {
        triggered = m;
        assertThat(d.destination()).isEqualTo(peer);
      }
    }
    assertThat(triggered).as("triggered check").isNotNull();
    a.handleReceive(now, Datagram.udp(peer, host, StunMessage.builder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE,
        triggered.transactionId()).add(new XorMappedAddress(host)).encode(ShortTermCredentials.key(REMOTE.pwd()), true)));
    drain(a);
    CandidatePair p = a.selectedPair().orElseThrow();
    assertThat(p.nominated()).isTrue();
    assertThat(p.remote().type()).isEqualTo(IceCandidate.Type.PRFLX);
    assertThat(p.remote().priority()).isEqualTo(1845501695L);
    assertThat(a.state()).isEqualTo(IceConnectionState.CONNECTED);
    assertThat(events).anyMatch(e -> e instanceof IceEvent.SelectedPairChanged);

    // Application data: first byte outside 0..3, from the pair's address -> ApplicationData, a private copy.
    byte[] dtls = {22, (byte) 0xfe, (byte) 0xfd, 0, 1};
    ByteBuffer in = ByteBuffer.wrap(dtls.clone());
    a.handleReceive(now, Datagram.udp(peer, host, in));
    in.put(0, (byte) 99); // the driver reuses its buffer
    drain(a);
    IceEvent.ApplicationData data = (IceEvent.ApplicationData) events.get(events.size() - 1);
    byte[] got = new byte[data.payload().remaining()];
    data.payload().duplicate().get(got);
    assertThat(got).containsExactly(dtls);
    assertThat(data.via().remoteAddress()).isEqualTo(peer);

    // send() goes to the selected pair, from the host socket, and does not consume the caller's buffer.
    ByteBuffer payload = ByteBuffer.wrap(new byte[] {(byte) 0x80, 7, 7});
    a.send(now, payload);
    assertThat(payload.remaining()).isEqualTo(3);
    List<Datagram> sent = drain(a);
    assertThat(sent).singleElement().satisfies(d -> {
      assertThat(d.source()).isEqualTo(host);
      assertThat(d.destination()).isEqualTo(peer);
      assertThat(d.bytes()).containsExactly((byte) 0x80, 7, 7);
    });
    assertThat(a.stats().packetsSent()).isEqualTo(1);
    assertThat(a.stats().packetsReceived()).isEqualTo(1);

    a.close(now);
    a.send(now, ByteBuffer.wrap(new byte[] {(byte) 0x80}));
    assertThat(drain(a)).isEmpty();
    assertThat(a.state()).isEqualTo(IceConnectionState.CLOSED);
  }

  @Test
  void sendWithoutASelectedPairIsDroppedAndCounted() {
    IceAgent a = agent(IceRole.CONTROLLING);
    drain(a);
    a.send(now, ByteBuffer.wrap(new byte[] {(byte) 0x80, 1}));
    assertThat(drain(a)).isEmpty();
    assertThat(a.stats().dropped()).isEqualTo(1);
  }

  @Test
  void gatheringSignalsHostCandidatesAndCompletesWithoutServers() {
    IceAgent a = agent(IceRole.CONTROLLING);
    drain(a);
    assertThat(events).first().isEqualTo(new IceEvent.GatheringStateChanged(IceGatheringState.GATHERING));
    assertThat(events).contains(new IceEvent.GatheringStateChanged(IceGatheringState.COMPLETE));
    assertThat(events).filteredOn(e -> e instanceof IceEvent.LocalCandidate).hasSize(1);
    assertThat(a.gatheringState()).isEqualTo(IceGatheringState.COMPLETE);
  }

  @Test
  void allPairsFailedAfterEndOfCandidatesFailsTheChecklist() {
    IceAgent a = agent(IceRole.CONTROLLING);
    a.addRemoteCandidate(now, new IceCandidate("1", 1, IceCandidate.Transport.UDP, 2130706431L, "30.0.0.9", 4000,
        IceCandidate.Type.HOST, null, -1, null, List.of()));
    a.addRemoteEndOfCandidates(now);
    for (int i = 0; i < 400 && a.state() != IceConnectionState.FAILED; i++) {
      now = Math.max(now + 1, a.pollTimeout());
      a.handleTimeout(now);
      drain(a); // nobody answers
    }
    assertThat(a.state()).isEqualTo(IceConnectionState.FAILED);
    assertThat(now - 1_000_000_000L).as("well before the 30 s checklist timeout").isLessThan(15_000_000_000L);
    assertThat(a.pollTimeout()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void checklistKeepsTheHighestPriorityPairsUpToMaxPairs() {
    IceAgent a = new IceAgent(IceConfig.builder().role(IceRole.CONTROLLING).tieBreaker(5).localCredentials(LOCAL)
        .hostAddresses(List.of(host)).maxPairs(3).build(), new SplittableRandom(3));
    a.startGathering(now);
    for (int i = 1; i <= 10; i++) {
      a.addRemoteCandidate(now, new IceCandidate(Integer.toString(i), 1, IceCandidate.Transport.UDP, 1000L * i,
          "30.0.0." + (10 + i), 4000, IceCandidate.Type.HOST, null, -1, null, List.of()));
    }
    assertThat(a.stats().pairs()).hasSize(3).extracting(p -> p.pair().remote().priority())
        .containsExactly(10_000L, 9_000L, 8_000L);
  }

  /**
   * The data path copies once and allocates little: per datagram, the copy plus a few small
   * objects (Datagram or event, Optional), in both directions.
   */
  @Test
  void dataPathAllocatesAboutOneCopyPerDatagram() {
    IceAgent a = agent(IceRole.CONTROLLED);
    drain(a);
    a.handleReceive(now, Datagram.udp(peer, host, browserCheck(true)));
    now += 25_000_000L;
    a.handleTimeout(now);
    for (Datagram d : drain(a)) {
      StunMessage m = parse(d);
      if (m.stunClass() == StunClass.REQUEST) {
        a.handleReceive(now, Datagram.udp(peer, host, StunMessage.builder(StunMethod.BINDING,
            StunClass.SUCCESS_RESPONSE, m.transactionId()).add(new XorMappedAddress(host))
            .encode(ShortTermCredentials.key(REMOTE.pwd()), true)));
      }
    }
    drain(a);
    assertThat(a.selectedPair()).isPresent();
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!(mx instanceof com.sun.management.ThreadMXBean bean) || !bean.isThreadAllocatedMemorySupported()) {
      return;
    }
    ByteBuffer payload = ByteBuffer.allocate(1000);
    payload.put(0, (byte) 0x80);
    Datagram in = Datagram.udp(peer, host, payload);
    int n = 20_000;
    for (int round = 0; round < 2; round++) { // the first round warms up (JIT, lazily built snapshots)
      long t = Thread.currentThread().getId();
      long before = bean.getThreadAllocatedBytes(t);
      for (int i = 0; i < n; i++) {
        a.send(now, payload);
        a.pollTransmit();
        a.handleReceive(now, in);
        a.pollEvent();
      }
      long perPair = (bean.getThreadAllocatedBytes(t) - before) / n;
      if (round == 1) {
        // two 1000-byte copies (out and in) plus headers, Datagram, event, Optionals
        assertThat(perPair).as("bytes allocated per send+receive").isLessThan(2 * 1000 + 400);
      }
    }
  }

  /** RFC 8445 §6.1.2.6 and §6.1.4.2: one Waiting pair per foundation, the rest Frozen; new checks paced by Ta. */
  @Test
  void foundationsFreezeAndChecksArePacedByTa() {
    IceAgent a = agent(IceRole.CONTROLLING);
    drain(a);
    for (int i = 0; i < 5; i++) {
      // foundations "f0" x3 and "f1" x2 (e.g. several addresses of one interface type)
      a.addRemoteCandidate(now, new IceCandidate("f" + (i % 2), 1, IceCandidate.Transport.UDP, 2130706431L - i,
          "30.0.1." + (i + 1), 4000, IceCandidate.Type.HOST, null, -1, null, List.of()));
    }
    assertThat(a.stats().pairs()).extracting(IceStats.PairStats::state).containsExactly(IceStats.PairState.WAITING,
        IceStats.PairState.WAITING, IceStats.PairState.FROZEN, IceStats.PairState.FROZEN, IceStats.PairState.FROZEN);
    List<Long> firstSends = new ArrayList<>();
    java.util.Set<InetSocketAddress> seen = new java.util.HashSet<>();
    for (int i = 0; i < 50 && seen.size() < 5; i++) {
      now = Math.max(now + 1, a.pollTimeout());
      a.handleTimeout(now);
      for (Datagram d : drain(a)) {
        if (seen.add(d.destination())) {
          firstSends.add(now);
        }
      }
    }
    assertThat(firstSends).hasSize(5);
    for (int i = 1; i < firstSends.size(); i++) {
      assertThat(firstSends.get(i) - firstSends.get(i - 1)).isGreaterThanOrEqualTo(20_000_000L);
    }
  }

  @Test
  void wildcardAndMulticastCandidatesAreIgnored() {
    IceAgent a = agent(IceRole.CONTROLLING);
    for (String ip : new String[] {"0.0.0.0", "224.0.0.1", "::"}) {
      a.addRemoteCandidate(now, new IceCandidate("1", 1, IceCandidate.Transport.UDP, 2130706431L, ip, 4000,
          IceCandidate.Type.HOST, null, -1, null, List.of()));
    }
    assertThat(a.stats().pairs()).isEmpty();
  }
}
