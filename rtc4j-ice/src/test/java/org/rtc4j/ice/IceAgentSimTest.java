package org.rtc4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.ice.IceSim.Peer;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.testkit.sim.Impairment;
import org.rtc4j.testkit.sim.NatConfig;
import org.rtc4j.testkit.sim.NatType;
import org.rtc4j.testkit.sim.SimEndpoint;
import org.rtc4j.testkit.sim.SimHost;
import org.rtc4j.testkit.sim.SimNat;
import org.rtc4j.testkit.sim.SimNet;

/**
 * Two {@link IceAgent}s on SimNet (seeded, virtual time): plain network, the four NAT types with
 * STUN and TURN inside the simulation, loss and latency (FT-7), consent loss (FT-9, SC-13), ICE
 * restart, NAT rebinding (FT-8), role conflicts, relay-only policy, TURN over TCP, mDNS.
 */
class IceAgentSimTest {

  private static final Duration T10 = Duration.ofSeconds(10);

  private static Peer publicPeer(IceSim sim, String name, String ip, IceRole role, long tb, IceServer... servers) {
    SimHost h = sim.net.host(name, ip);
    return new Peer(sim, name, h, IceSim.config(role, tb, ip, servers).build(), tb);
  }

  @Test
  void plainNetworkConnectsOnHostCandidates() {
    IceSim sim = new IceSim(1);
    Peer a = publicPeer(sim, "a", "30.0.0.1", IceRole.CONTROLLING, 11);
    Peer b = publicPeer(sim, "b", "30.0.0.2", IceRole.CONTROLLED, 22);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(3));
    CandidatePair pa = a.agent.selectedPair().orElseThrow();
    assertThat(pa.local().type()).isEqualTo(IceCandidate.Type.HOST);
    assertThat(pa.remoteAddress()).isEqualTo(SimNet.addr("30.0.0.2", 5000));
    assertThat(b.agent.selectedPair().orElseThrow().remoteAddress()).isEqualTo(SimNet.addr("30.0.0.1", 5000));
    // Regular nomination: the controlling agent nominated, the controlled agent follows it.
    sim.net.runFor(Duration.ofSeconds(2));
    assertThat(a.agent.selectedPair().orElseThrow().nominated()).isTrue();
    assertThat(b.agent.selectedPair().orElseThrow().nominated()).isTrue();
    assertThat(a.agent.state()).isIn(IceConnectionState.CONNECTED, IceConnectionState.COMPLETED);
    assertThat(a.agent.gatheringState()).isEqualTo(IceGatheringState.COMPLETE);
    // Consent keeps it up for a minute with no traffic.
    sim.net.runFor(Duration.ofSeconds(60));
    assertThat(a.connected() && b.connected()).isTrue();
    assertThat(a.states).doesNotContain(IceConnectionState.DISCONNECTED, IceConnectionState.FAILED);
    assertThat(a.agent.stats().badIntegrity()).isZero();
  }

  @Test
  void turnWithWrongCredentialsStillCompletesGatheringAndConnectsDirectly() {
    IceSim sim = new IceSim(15).withServer();
    IceServer wrong = IceServer.parse("turn:20.0.0.1:3478", IceSim.USER, "not-the-password");
    Peer a = publicPeer(sim, "a", "30.0.0.1", IceRole.CONTROLLING, 11, wrong);
    Peer b = publicPeer(sim, "b", "30.0.0.2", IceRole.CONTROLLED, 22, wrong);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(3));
    sim.net.await(Duration.ofSeconds(45), "gathering complete", () -> a.agent.gatheringState() == IceGatheringState.COMPLETE);
    assertThat(a.agent.localCandidates()).extracting(IceCandidate::type).doesNotContain(IceCandidate.Type.RELAY);
    assertThat(a.connected()).isTrue();
  }

  @Test
  void dualStackPairsOnlyWithinAFamily() {
    IceSim sim = new IceSim(14);
    SimHost ha = sim.net.host("a", "30.0.0.1", "2001:db8::1");
    SimHost hb = sim.net.host("b", "30.0.0.2", "2001:db8::2");
    Peer a = new Peer(sim, "a", ha, IceSim.config(IceRole.CONTROLLING, 11, "30.0.0.1")
        .hostAddresses(java.util.List.of(SimNet.addr("2001:db8::1", 5000), SimNet.addr("30.0.0.1", 5000))).build(), 11);
    Peer b = new Peer(sim, "b", hb, IceSim.config(IceRole.CONTROLLED, 22, "30.0.0.2")
        .hostAddresses(java.util.List.of(SimNet.addr("2001:db8::2", 5000), SimNet.addr("30.0.0.2", 5000))).build(), 22);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(3));
    assertThat(a.agent.localCandidates()).hasSize(2);
    assertThat(a.agent.stats().pairs()).hasSize(2).allSatisfy(p -> assertThat(
        p.pair().localBase().getAddress().getClass()).isEqualTo(p.pair().remoteAddress().getAddress().getClass()));
    // The first host address (IPv6 here) has the higher local preference, so its pair wins.
    assertThat(a.agent.selectedPair().orElseThrow().remoteAddress()).isEqualTo(SimNet.addr("2001:db8::2", 5000));
  }

  /** FT-10 flavour: 10 % duplicated and 10 % reordered datagrams change nothing visible. */
  @Test
  void duplicatesAndReorderingAreHarmless() {
    IceSim sim = new IceSim(16).withServer();
    sim.net.defaultImpairment(Impairment.builder().delay(Duration.ofMillis(20)).duplicate(0.1)
        .reorder(0.1, Duration.ofMillis(30)).build());
    Peer a = natPeer(sim, "a", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "40.0.0.1", "192.168.1.10",
        IceRole.CONTROLLING, 11, IceSim.STUN, IceSim.TURN_UDP);
    Peer b = natPeer(sim, "b", NatConfig.of(NatType.FULL_CONE), "40.0.0.2", "192.168.2.10", IceRole.CONTROLLED, 22,
        IceSim.STUN, IceSim.TURN_UDP);
    sim.start(a, b);
    sim.connect(a, b, T10);
    sim.net.runFor(Duration.ofSeconds(30));
    assertThat(a.connected() && b.connected()).isTrue();
    assertThat(a.states).doesNotContain(IceConnectionState.DISCONNECTED, IceConnectionState.FAILED);
    assertThat(b.states).doesNotContain(IceConnectionState.DISCONNECTED, IceConnectionState.FAILED);
    assertThat(a.agent.stats().badIntegrity() + b.agent.stats().badIntegrity()).isZero();
    assertThat(a.agent.stats().roleConflicts() + b.agent.stats().roleConflicts()).isZero();
    sim.exchange(a, b, "dup", T10);
  }

  private Peer natPeer(IceSim sim, String name, NatConfig nat, String natIp, String ip, IceRole role, long tb,
      IceServer... servers) {
    SimNat n = sim.net.nat(name + "-nat", nat, natIp);
    SimHost h = n.host(name, ip);
    return new Peer(sim, name, h, IceSim.config(role, tb, ip, servers).build(), tb);
  }

  @ParameterizedTest
  @EnumSource(value = NatType.class, names = {"FULL_CONE", "ADDRESS_RESTRICTED_CONE", "PORT_RESTRICTED_CONE"})
  void conesOnBothSidesConnectWithoutRelay(NatType type) {
    IceSim sim = new IceSim(2).withServer();
    Peer a = natPeer(sim, "a", NatConfig.of(type), "40.0.0.1", "192.168.1.10", IceRole.CONTROLLING, 11,
        IceSim.STUN, IceSim.TURN_UDP);
    Peer b = natPeer(sim, "b", NatConfig.of(type), "40.0.0.2", "192.168.2.10", IceRole.CONTROLLED, 22,
        IceSim.STUN, IceSim.TURN_UDP);
    sim.start(a, b);
    sim.net.await(T10, "gathering complete", () -> a.agent.gatheringState() == IceGatheringState.COMPLETE
        && b.agent.gatheringState() == IceGatheringState.COMPLETE);
    assertThat(a.agent.localCandidates()).extracting(IceCandidate::type)
        .contains(IceCandidate.Type.HOST, IceCandidate.Type.SRFLX, IceCandidate.Type.RELAY);
    sim.connect(a, b, T10);
    sim.net.runFor(Duration.ofSeconds(3));
    CandidatePair pa = a.agent.selectedPair().orElseThrow();
    assertThat(pa.relayed()).as("cone NATs need no relay: %s", pa).isFalse();
    assertThat(pa.remoteAddress().getAddress()).isEqualTo(SimNet.ip("40.0.0.2"));
    assertThat(b.agent.selectedPair().orElseThrow().relayed()).isFalse();
    // FT-7: the nominated pair is the highest-priority pair that works.
    long best = a.agent.stats().pairs().stream().filter(IceStats.PairStats::valid)
        .mapToLong(p -> p.pair().priority()).reduce(0L, (x, y) -> Long.compareUnsigned(x, y) >= 0 ? x : y);
    assertThat(Long.compareUnsigned(pa.priority(), best)).isGreaterThanOrEqualTo(0);
    assertThat(pa.nominated()).isTrue();
    sim.exchange(a, b, "after", T10);
  }

  @Test
  void symmetricNatsOnBothSidesNeedTheRelay() {
    IceSim sim = new IceSim(3).withServer();
    Peer a = natPeer(sim, "a", NatConfig.of(NatType.SYMMETRIC), "40.0.0.1", "192.168.1.10", IceRole.CONTROLLING, 11,
        IceSim.STUN, IceSim.TURN_UDP);
    Peer b = natPeer(sim, "b", NatConfig.of(NatType.SYMMETRIC), "40.0.0.2", "192.168.2.10", IceRole.CONTROLLED, 22,
        IceSim.STUN, IceSim.TURN_UDP);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(15));
    sim.net.runFor(Duration.ofSeconds(3));
    CandidatePair pa = a.agent.selectedPair().orElseThrow();
    CandidatePair pb = b.agent.selectedPair().orElseThrow();
    assertThat(pa.relayed() || pb.relayed() || pa.remote().type() == IceCandidate.Type.RELAY)
        .as("a symmetric NAT on both sides needs a relay: %s / %s", pa, pb).isTrue();
    sim.exchange(a, b, "relayed", T10);
  }

  @Test
  void symmetricNatWithoutTurnFails() {
    IceSim sim = new IceSim(4).withServer();
    Peer a = natPeer(sim, "a", NatConfig.of(NatType.SYMMETRIC), "40.0.0.1", "192.168.1.10", IceRole.CONTROLLING, 11,
        IceSim.STUN);
    Peer b = natPeer(sim, "b", NatConfig.of(NatType.SYMMETRIC), "40.0.0.2", "192.168.2.10", IceRole.CONTROLLED, 22,
        IceSim.STUN);
    sim.start(a, b);
    sim.net.await(Duration.ofSeconds(40), "checklist failed",
        () -> a.agent.state() == IceConnectionState.FAILED && b.agent.state() == IceConnectionState.FAILED);
    assertThat(a.agent.selectedPair()).isEmpty();
  }

  @Test
  void relayPolicySignalsAndUsesOnlyRelayCandidates() {
    IceSim sim = new IceSim(5).withServer();
    SimHost ha = sim.net.host("a", "30.0.0.1");
    SimHost hb = sim.net.host("b", "30.0.0.2");
    Peer a = new Peer(sim, "a", ha, IceSim.config(IceRole.CONTROLLING, 11, "30.0.0.1", IceSim.STUN, IceSim.TURN_UDP)
        .policy(IceTransportPolicy.RELAY).build(), 11);
    Peer b = new Peer(sim, "b", hb, IceSim.config(IceRole.CONTROLLED, 22, "30.0.0.2", IceSim.STUN, IceSim.TURN_UDP)
        .build(), 22);
    sim.start(a, b);
    sim.connect(a, b, T10);
    assertThat(a.agent.localCandidates()).isNotEmpty().allMatch(c -> c.type() == IceCandidate.Type.RELAY);
    assertThat(a.agent.selectedPair().orElseThrow().relayed()).isTrue();
    // b sees a only through the relay.
    assertThat(b.agent.selectedPair().orElseThrow().remoteAddress().getAddress()).isEqualTo(SimNet.ip("20.0.0.1"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void turnOverTcpOrTlsGivesARelayCandidate(boolean tls) {
    IceSim sim = new IceSim(6).withServer();
    IceServer server = tls ? IceSim.TURNS : IceSim.TURN_TCP;
    Peer a = natPeer(sim, "a", NatConfig.of(NatType.SYMMETRIC), "40.0.0.1", "192.168.1.10", IceRole.CONTROLLING, 11,
        server);
    Peer b = natPeer(sim, "b", NatConfig.of(NatType.SYMMETRIC), "40.0.0.2", "192.168.2.10", IceRole.CONTROLLED, 22,
        server);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(15));
    assertThat(a.core.hasEvent(e -> e instanceof IceEvent.TcpConnectRequested t && t.tls() == tls)).isTrue();
    assertThat(a.agent.localCandidates()).extracting(IceCandidate::type).contains(IceCandidate.Type.RELAY);
    sim.exchange(a, b, "tcp", T10);
    a.agent.close(sim.now());
    b.agent.close(sim.now());
    sim.net.runFor(Duration.ofSeconds(5));
    assertThat(sim.turn.allocationCount()).as("close() deallocates").isZero();
    assertThat(a.core.hasEvent(e -> e instanceof IceEvent.TcpCloseRequested)).isTrue();
  }

  /** FT-7: 20 % loss and 300 ms RTT during checks: connected within 10 s (several seeds). */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void connectsUnderLossAndLatency(long seed) {
    IceSim sim = new IceSim(100 + seed).withServer();
    Peer a = natPeer(sim, "a", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "40.0.0.1", "192.168.1.10",
        IceRole.CONTROLLING, 11 + seed, IceSim.STUN);
    Peer b = natPeer(sim, "b", NatConfig.of(NatType.ADDRESS_RESTRICTED_CONE), "40.0.0.2", "192.168.2.10",
        IceRole.CONTROLLED, 22 + seed, IceSim.STUN);
    // 20 % loss each way and 150 ms each way (300 ms RTT) on every internet path: NAT to NAT, NAT to server.
    Impairment bad = Impairment.builder().loss(0.2).delay(Duration.ofMillis(150)).build();
    SimNat na = (SimNat) sim.net.node("a-nat");
    SimNat nb = (SimNat) sim.net.node("b-nat");
    sim.net.impairBoth(na, nb, bad);
    sim.net.impairBoth(na, sim.net.node("turn"), bad);
    sim.net.impairBoth(nb, sim.net.node("turn"), bad);
    long start = sim.now();
    sim.start(a, b);
    sim.net.await(T10, "both connected (FT-7)", () -> a.connected() && b.connected());
    assertThat(sim.now() - start).isLessThanOrEqualTo(T10.toNanos());
    sim.exchange(a, b, "lossy", T10);
  }

  /** FT-9 and SC-13: the peer vanishes; disconnected, then failed, then not one application datagram. */
  @Test
  void consentLossDisconnectsThenFailsAndStopsData() {
    IceSim sim = new IceSim(7);
    Peer a = publicPeer(sim, "a", "30.0.0.1", IceRole.CONTROLLING, 11);
    Peer b = publicPeer(sim, "b", "30.0.0.2", IceRole.CONTROLLED, 22);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(3));
    sim.net.runFor(Duration.ofSeconds(2));
    // Black-hole b: everything from and to it is lost.
    long cut = sim.now();
    sim.net.impairBoth(a.host, b.host, Impairment.builder().loss(1.0).build());
    long lastResponse = a.agent.stats().pairs().stream().filter(IceStats.PairStats::selected)
        .mapToLong(IceStats.PairStats::lastResponseNanos).max().orElseThrow();
    long[] disconnectedAt = {0};
    long[] failedAt = {0};
    while (sim.now() - cut < Duration.ofSeconds(40).toNanos()) {
      a.send("media"); // the application keeps sending every 20 ms
      sim.net.runFor(Duration.ofMillis(20));
      if (disconnectedAt[0] == 0 && a.agent.state() == IceConnectionState.DISCONNECTED) {
        disconnectedAt[0] = sim.now();
      }
      if (failedAt[0] == 0 && a.agent.state() == IceConnectionState.FAILED) {
        failedAt[0] = sim.now();
      }
    }
    assertThat(disconnectedAt[0]).as("disconnected").isPositive();
    assertThat(disconnectedAt[0] - lastResponse).isLessThanOrEqualTo(Duration.ofMillis(5100).toNanos());
    assertThat(failedAt[0]).as("failed").isPositive();
    assertThat(failedAt[0] - lastResponse).isLessThanOrEqualTo(Duration.ofMillis(30100).toNanos());
    assertThat(a.appSendsAfter(failedAt[0] + Duration.ofSeconds(1).toNanos())).as("SC-13: no data after expiry").isZero();
    assertThat(a.appSendsAfter(failedAt[0])).isZero();
    assertThat(a.agent.stats().dropped()).isPositive();
    assertThat(a.states).containsSubsequence(IceConnectionState.CONNECTED, IceConnectionState.DISCONNECTED,
        IceConnectionState.FAILED);
  }

  /** ICE restart after a failure: new credentials, new checklist, connected again. */
  @Test
  void restartRecoversAfterFailure() {
    IceSim sim = new IceSim(8);
    Peer a = publicPeer(sim, "a", "30.0.0.1", IceRole.CONTROLLING, 11);
    Peer b = publicPeer(sim, "b", "30.0.0.2", IceRole.CONTROLLED, 22);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(3));
    sim.net.impairBoth(a.host, b.host, Impairment.builder().loss(1.0).build());
    sim.net.await(Duration.ofSeconds(40), "both failed",
        () -> a.agent.state() == IceConnectionState.FAILED && b.agent.state() == IceConnectionState.FAILED);
    sim.net.impairBoth(a.host, b.host, Impairment.NONE);
    IceCredentials oldA = a.agent.localCredentials();
    long now = sim.now();
    a.agent.restart(now, IceCredentials.random(new SplittableRandom(99)));
    b.agent.restart(now, IceCredentials.random(new SplittableRandom(98)));
    assertThat(a.agent.localCredentials()).isNotEqualTo(oldA);
    a.agent.setRemoteCredentials(now, b.agent.localCredentials());
    b.agent.setRemoteCredentials(now, a.agent.localCredentials());
    sim.connect(a, b, Duration.ofSeconds(5));
    assertThat(a.states).containsSubsequence(IceConnectionState.FAILED, IceConnectionState.CONNECTED);
  }

  /** ICE restart while connected: data keeps flowing on the old pair until the new one is selected. */
  @Test
  void restartWhileConnectedKeepsDataFlowing() {
    IceSim sim = new IceSim(9);
    Peer a = publicPeer(sim, "a", "30.0.0.1", IceRole.CONTROLLING, 11);
    Peer b = publicPeer(sim, "b", "30.0.0.2", IceRole.CONTROLLED, 22);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(3));
    long now = sim.now();
    a.signalling = false;
    b.signalling = false;
    a.agent.restart(now, IceCredentials.random(new SplittableRandom(99)));
    b.agent.restart(now, IceCredentials.random(new SplittableRandom(98)));
    // No signalling yet: the old pair still carries data.
    assertThat(a.agent.selectedPair()).isPresent();
    sim.exchange(a, b, "during-restart", Duration.ofSeconds(2));
    a.signalling = true;
    b.signalling = true;
    now = sim.now();
    a.agent.setRemoteCredentials(now, b.agent.localCredentials());
    b.agent.setRemoteCredentials(now, a.agent.localCredentials());
    for (IceCandidate c : a.agent.localCandidates()) {
      b.agent.addRemoteCandidate(now, c);
    }
    for (IceCandidate c : b.agent.localCandidates()) {
      a.agent.addRemoteCandidate(now, c);
    }
    int selectionsBefore = a.selections.size();
    sim.net.await(Duration.ofSeconds(5), "new generation selected", () -> a.selections.size() > selectionsBefore);
    sim.exchange(a, b, "after-restart", Duration.ofSeconds(2));
    assertThat(a.states).doesNotContain(IceConnectionState.DISCONNECTED, IceConnectionState.FAILED);
  }

  /** A restart reuses the TURN allocations (RFC 8445 §9) and re-signals relay and srflx candidates. */
  @Test
  void restartReusesTurnAllocations() {
    IceSim sim = new IceSim(13).withServer();
    Peer a = natPeer(sim, "a", NatConfig.of(NatType.SYMMETRIC), "40.0.0.1", "192.168.1.10", IceRole.CONTROLLING, 11,
        IceSim.TURN_UDP);
    Peer b = natPeer(sim, "b", NatConfig.of(NatType.SYMMETRIC), "40.0.0.2", "192.168.2.10", IceRole.CONTROLLED, 22,
        IceSim.TURN_UDP);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(10));
    assertThat(sim.turn.allocationCount()).isEqualTo(2);
    long now = sim.now();
    a.agent.restart(now, IceCredentials.random(new SplittableRandom(99)));
    b.agent.restart(now, IceCredentials.random(new SplittableRandom(98)));
    assertThat(a.agent.localCandidates()).extracting(IceCandidate::type)
        .contains(IceCandidate.Type.RELAY, IceCandidate.Type.SRFLX);
    a.agent.setRemoteCredentials(now, b.agent.localCredentials());
    b.agent.setRemoteCredentials(now, a.agent.localCredentials());
    int before = a.selections.size();
    sim.net.await(Duration.ofSeconds(10), "new generation selected", () -> a.selections.size() > before);
    sim.exchange(a, b, "after-restart", Duration.ofSeconds(5));
    assertThat(sim.turn.allocationCount()).as("no new allocations").isEqualTo(2);
  }

  /**
   * FT-8: b's NAT rebinds (its mapping expires during a short outage and comes back on a new port).
   * Authenticated checks from the new address make a peer-reflexive pair and data continues within
   * 5 s; a stranger's packets from another address are never answered.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void survivesNatRebinding(boolean rebindingSideControls) {
    IceSim sim = new IceSim(10);
    Peer a = publicPeer(sim, "a", "30.0.0.1", rebindingSideControls ? IceRole.CONTROLLED : IceRole.CONTROLLING, 11);
    NatConfig nat = NatConfig.builder(NatType.PORT_RESTRICTED_CONE).mappingTimeout(Duration.ofSeconds(2)).build();
    Peer b = natPeer(sim, "b", nat, "40.0.0.2", "192.168.2.10",
        rebindingSideControls ? IceRole.CONTROLLING : IceRole.CONTROLLED, 22);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(3));
    SimNat bNat = (SimNat) sim.net.node("b-nat");
    InetSocketAddress before = a.agent.selectedPair().orElseThrow().remoteAddress();
    for (int i = 0; i < 100; i++) { // steady traffic both ways for 2 s
      a.send("a" + i);
      b.send("b" + i);
      sim.net.runFor(Duration.ofMillis(20));
    }
    // Outage of b's uplink longer than the mapping timeout: the mapping expires.
    sim.net.impair(b.host, bNat, Impairment.builder().loss(1.0).build());
    sim.net.runFor(Duration.ofMillis(2500));
    sim.net.impair(b.host, bNat, null);
    long restored = sim.now();
    int aReceivedBefore = a.received.size();
    int bReceivedBefore = b.received.size();
    long firstBothWays = 0;
    for (int i = 0; i < 400 && firstBothWays == 0; i++) {
      a.send("a-after" + i);
      b.send("b-after" + i);
      sim.net.runFor(Duration.ofMillis(20));
      if (a.received.size() > aReceivedBefore && b.received.size() > bReceivedBefore) {
        firstBothWays = sim.now();
      }
    }
    assertThat(firstBothWays).as("data flows both ways again").isPositive();
    assertThat(firstBothWays - restored).as("FT-8: within 5 s").isLessThanOrEqualTo(Duration.ofSeconds(5).toNanos());
    InetSocketAddress after = a.agent.selectedPair().orElseThrow().remoteAddress();
    assertThat(after).as("rebound to a new port").isNotEqualTo(before);
    assertThat(a.agent.selectedPair().orElseThrow().remote().type()).isEqualTo(IceCandidate.Type.PRFLX);
    // a never sent application data to the new address before it was selected (validated).
    for (int i = 0; i < a.appSendDestinations.size(); i++) {
      InetSocketAddress d = a.appSendDestinations.get(i);
      assertThat(d).isIn(before, after);
    }

    // (2) A stranger sends data and unauthenticated checks from another address: never answered.
    SimHost stranger = sim.net.host("stranger", "30.0.0.66");
    SimEndpoint ep = stranger.bind(4444);
    long unknownBefore = a.agent.stats().unknownSource();
    for (int i = 0; i < 20; i++) {
      ep.send(SimNet.addr("30.0.0.1", 5000), new byte[] {(byte) 0x80, 1, 2, 3, 4});
      ep.send(SimNet.addr("30.0.0.1", 5000), StunVectors.unauthenticatedBindingRequest());
      sim.net.runFor(Duration.ofMillis(50));
    }
    assertThat(ep.drain()).as("nothing goes back to the stranger").isEmpty();
    assertThat(a.agent.stats().unknownSource() - unknownBefore).isEqualTo(20);
  }

  /** Both start controlling (or both controlled): the 487 / tie-breaker rule leaves exactly one controlling. */
  @ParameterizedTest
  @EnumSource(IceRole.class)
  void roleConflictIsResolved(IceRole both) {
    IceSim sim = new IceSim(11);
    Peer a = publicPeer(sim, "a", "30.0.0.1", both, 1000);
    Peer b = publicPeer(sim, "b", "30.0.0.2", both, 2000);
    sim.start(a, b);
    sim.connect(a, b, Duration.ofSeconds(5));
    sim.net.runFor(Duration.ofSeconds(3));
    assertThat(a.agent.role()).isNotEqualTo(b.agent.role());
    // The larger tie-breaker controls (RFC 8445 §7.3.1.1).
    assertThat(b.agent.role()).isEqualTo(IceRole.CONTROLLING);
    assertThat(a.agent.stats().roleConflicts() + b.agent.stats().roleConflicts()).isPositive();
    assertThat(a.agent.selectedPair().orElseThrow().nominated()).isTrue();
  }

  /** A .local remote candidate asks for mDNS; meanwhile peer-reflexive learning still connects. */
  @Test
  void mdnsRemoteCandidateIsResolvedAndPrflxWorksMeanwhile() {
    IceSim sim = new IceSim(12);
    Peer a = publicPeer(sim, "a", "30.0.0.1", IceRole.CONTROLLING, 11);
    Peer b = publicPeer(sim, "b", "30.0.0.2", IceRole.CONTROLLED, 22);
    a.other = b;
    b.other = a;
    b.signalling = false; // b's candidates reach a as .local names only
    a.signalling = true;
    long now = sim.now();
    a.agent.setRemoteCredentials(now, b.agent.localCredentials());
    b.agent.setRemoteCredentials(now, a.agent.localCredentials());
    a.agent.startGathering(now);
    b.agent.startGathering(now);
    String name = "8b9d2f6e-1c2a-4b9e-9a55-0f2d6c1e7a11.local";
    for (IceCandidate c : b.agent.localCandidates()) {
      a.agent.addRemoteCandidate(now, new IceCandidate(c.foundation(), 1, c.transport(), c.priority(), name, c.port(),
          c.type(), null, -1, null, java.util.List.of()));
    }
    sim.net.runFor(Duration.ofMillis(1));
    assertThat(a.core.hasEvent(e -> e instanceof IceEvent.MdnsQueryRequested q && q.name().equals(name))).isTrue();
    sim.connect(a, b, Duration.ofSeconds(5));
    assertThat(a.agent.selectedPair().orElseThrow().remote().type()).isEqualTo(IceCandidate.Type.PRFLX);
    a.agent.handleMdnsResolved(sim.now(), name, java.util.Optional.of(SimNet.ip("30.0.0.2")));
    sim.net.runFor(Duration.ofSeconds(1));
    assertThat(a.agent.stats().pairs()).anyMatch(p -> p.pair().remote().address().equals(name));
    sim.exchange(a, b, "mdns", Duration.ofSeconds(2));
  }
}
