package org.rtc4j.ice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rtc4j.ice.turn.TurnSim.Client;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.testkit.sim.Impairment;
import org.rtc4j.testkit.sim.NatType;
import org.rtc4j.testkit.sim.SimNat;
import org.rtc4j.testkit.sim.SimEndpoint;
import org.rtc4j.testkit.sim.SimHost;
import org.rtc4j.testkit.sim.SimNet;
import org.rtc4j.turn.server.TurnEvent;

/**
 * {@link TurnAllocation} against our {@link org.rtc4j.turn.server.TurnServerCore} on SimNet:
 * deterministic (seeded), virtual time, so refreshes over an hour and 20% loss run in milliseconds.
 */
class TurnAllocationSimTest {

  private static final Duration WAIT = Duration.ofSeconds(45);

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(ByteBuffer b) {
    return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
  }

  /** A UDP echo peer on 30.0.0.9:7000 that answers every datagram with "echo:" + payload. */
  private static SimEndpoint echoPeer(TurnSim sim) {
    SimHost h = sim.net.host("peer", "30.0.0.9");
    SimEndpoint ep = h.bind(7000);
    ep.onReceive(d -> {
      byte[] in = d.bytes();
      byte[] out = new byte[in.length + 5];
      System.arraycopy("echo:".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 5);
      System.arraycopy(in, 0, out, 5, in.length);
      ep.send(d.source(), out);
    });
    return ep;
  }

  private static List<String> peerTexts(Client c) {
    List<String> out = new ArrayList<>();
    for (TurnClientEvent e : c.core().events()) {
      if (e instanceof TurnClientEvent.PeerData p) {
        out.add(text(p.data()));
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void allocatesAfterTheLongTermCredentialChallenge(Transport transport) {
    TurnSim sim = new TurnSim(1);
    Client c = sim.client("alice", "30.0.0.1", transport);
    InetSocketAddress relayed = c.allocate(WAIT);

    assertThat(relayed.getAddress()).isEqualTo(SimNet.ip("20.0.0.1"));
    assertThat(c.alloc().mappedAddress()).contains(c.local());
    assertThat(c.core().firstEvent(TurnClientEvent.Allocated.class).orElseThrow())
        .isEqualTo(new TurnClientEvent.Allocated(relayed, c.local()));
    assertThat(c.alloc().lifetimeSeconds()).isEqualTo(600);
    assertThat(c.alloc().state()).isEqualTo(TurnAllocation.State.ALLOCATED);
    assertThat(sim.shared.counters().authChallenges()).isEqualTo(1);
    assertThat(sim.core.allocationCount()).isEqualTo(1);
    // 401 round trip, then the authenticated Allocate: two requests, no retransmission on a clean net.
    assertThat(c.alloc().stats().requestsSent()).isEqualTo(2);
  }

  @Test
  void wrongPasswordFailsWith401() {
    TurnSim sim = new TurnSim(2);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP, TurnSim.USER, "not-the-password", b -> { });
    c.start();
    sim.net.await(WAIT, "failure", () -> c.core().hasEvent(e -> e instanceof TurnClientEvent.AllocationFailed));
    TurnClientEvent.AllocationFailed f = c.core().firstEvent(TurnClientEvent.AllocationFailed.class).orElseThrow();
    assertThat(f.code()).isEqualTo(401);
    assertThat(c.alloc().state()).isEqualTo(TurnAllocation.State.FAILED);
    assertThat(c.alloc().relayedAddress()).isEmpty();
    assertThat(sim.core.allocationCount()).isZero();
  }

  @Test
  void noServerMeansAllocationFailedAfterTheRetransmissionSchedule() {
    TurnSim sim = new TurnSim(3);
    sim.server.detach();
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    long t0 = sim.now();
    c.start();
    sim.net.await(Duration.ofSeconds(60), "failure", () -> c.core().hasEvent(e -> e instanceof TurnClientEvent.AllocationFailed));
    assertThat(c.core().firstEvent(TurnClientEvent.AllocationFailed.class).orElseThrow().code())
        .isEqualTo(TurnClientEvent.AllocationFailed.NO_RESPONSE);
    // RFC 8489 §6.2.1: 7 sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; timeout at 39.5 s.
    assertThat(c.alloc().stats().requestsSent()).isEqualTo(7);
    assertThat(sim.now() - t0).isEqualTo(Duration.ofMillis(39_500).toNanos());
  }

  @Test
  void tcpSendsEachRequestOnceAndTimesOutAfterTi() {
    TurnSim sim = new TurnSim(4);
    sim.server.detach();
    Client c = sim.client("alice", "30.0.0.1", Transport.TCP);
    c.start();
    sim.net.await(Duration.ofSeconds(60), "failure", () -> c.core().hasEvent(e -> e instanceof TurnClientEvent.AllocationFailed));
    assertThat(c.alloc().stats().requestsSent()).isEqualTo(1);
  }

  @Test
  void staleNonceIsRetriedWithTheNewNonce() {
    TurnSim sim = new TurnSim(5, b -> b.nonceLifetimeSeconds(30));
    SimEndpoint peer = echoPeer(sim);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    sim.net.runFor(Duration.ofSeconds(60)); // the nonce is now stale
    c.alloc().createPermission(sim.now(), peer.address().getAddress());
    sim.net.await(WAIT, "permission", () -> c.alloc().hasPermission(peer.address().getAddress()));
    assertThat(c.alloc().stats().staleNonces()).isGreaterThanOrEqualTo(1);
    assertThat(sim.shared.counters().staleNonces()).isGreaterThanOrEqualTo(1);
    assertThat(c.core().hasEvent(e -> e instanceof TurnClientEvent.PermissionFailed)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void sendIndicationThenChannelDataBothWays(Transport transport) {
    TurnSim sim = new TurnSim(6);
    SimEndpoint peer = echoPeer(sim);
    Client c = sim.client("alice", "30.0.0.1", transport);
    InetSocketAddress relayed = c.allocate(WAIT);

    // First send: the permission and the channel are not there yet; the data waits for the permission.
    c.alloc().send(sim.now(), peer.address(), bytes("hello"));
    sim.net.await(WAIT, "first echo", () -> c.peerData() >= 1);
    assertThat(c.alloc().stats().sendIndicationsSent()).isEqualTo(1);
    assertThat(c.alloc().channel(peer.address())).hasValue(0x4000);
    assertThat(c.alloc().hasPermission(peer.address().getAddress())).isTrue();

    // Then ChannelData both ways; odd lengths exercise the TCP padding.
    for (int i = 0; i < 5; i++) {
      c.alloc().send(sim.now(), peer.address(), bytes("m" + "x".repeat(i)));
    }
    sim.net.await(WAIT, "all echoes", () -> c.peerData() >= 6);
    assertThat(peerTexts(c)).containsExactly("echo:hello", "echo:m", "echo:mx", "echo:mxx", "echo:mxxx", "echo:mxxxx");
    assertThat(c.alloc().stats().channelDataSent()).isEqualTo(5);
    TurnClientEvent.PeerData last = c.core().lastEvent(TurnClientEvent.PeerData.class).orElseThrow();
    assertThat(last.peer()).isEqualTo(peer.address());
    assertThat(sim.shared.counters().channels()).isEqualTo(1);
    assertThat(c.alloc().stats().malformed()).isZero();
    assertThat(c.alloc().stats().dropped()).isZero();
    assertThat(relayed).isNotEqualTo(peer.address());
  }

  @Test
  void permissionsAskedForTogetherGoInOneRequest() {
    TurnSim sim = new TurnSim(7);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    long before = c.alloc().stats().requestsSent();
    for (int i = 1; i <= 5; i++) {
      c.alloc().createPermission(sim.now(), SimNet.ip("30.0.1." + i));
    }
    sim.net.await(WAIT, "permissions", () -> c.alloc().stats().permissionsInstalled() == 5);
    assertThat(c.alloc().stats().requestsSent() - before).isEqualTo(1);
  }

  @Test
  void forbiddenPeerGivesPermissionFailed403() {
    TurnSim sim = new TurnSim(8);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    c.alloc().createPermission(sim.now(), SimNet.ip("10.1.2.3")); // private range: denied by default
    sim.net.await(WAIT, "permission failure", () -> c.core().hasEvent(e -> e instanceof TurnClientEvent.PermissionFailed));
    TurnClientEvent.PermissionFailed f = c.core().firstEvent(TurnClientEvent.PermissionFailed.class).orElseThrow();
    assertThat(f.peer()).isEqualTo(SimNet.ip("10.1.2.3"));
    assertThat(f.code()).isEqualTo(403);
    assertThat(c.alloc().state()).isEqualTo(TurnAllocation.State.ALLOCATED);
  }

  /** Remote candidates come in bursts with private addresses among them: one 403 must not fail the batch. */
  @Test
  void aForbiddenPeerInABatchDoesNotFailTheOthers() {
    TurnSim sim = new TurnSim(16);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    c.alloc().createPermission(sim.now(), SimNet.ip("30.0.1.1"));
    c.alloc().createPermission(sim.now(), SimNet.ip("192.168.1.20"));
    c.alloc().createPermission(sim.now(), SimNet.ip("30.0.1.2"));
    sim.net.await(WAIT, "settled", () -> c.alloc().stats().permissionsInstalled() == 2
        && c.core().hasEvent(e -> e instanceof TurnClientEvent.PermissionFailed));
    sim.net.runFor(Duration.ofSeconds(1));
    assertThat(c.alloc().hasPermission(SimNet.ip("30.0.1.1"))).isTrue();
    assertThat(c.alloc().hasPermission(SimNet.ip("30.0.1.2"))).isTrue();
    assertThat(c.core().events()).filteredOn(e -> e instanceof TurnClientEvent.PermissionFailed)
        .containsExactly(new TurnClientEvent.PermissionFailed(SimNet.ip("192.168.1.20"), 403));
  }

  @Test
  void refreshesKeepAllocationPermissionAndChannelAliveForAnHour() {
    TurnSim sim = new TurnSim(9);
    SimEndpoint peer = echoPeer(sim);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    long end = sim.now() + Duration.ofMinutes(60).toNanos();
    int sent = 0;
    while (sim.now() < end) {
      c.alloc().send(sim.now(), peer.address(), bytes("tick" + sent++));
      sim.net.runFor(Duration.ofSeconds(20));
    }
    sim.net.runFor(Duration.ofSeconds(1));
    assertThat(c.peerData()).isEqualTo(sent);
    assertThat(c.alloc().state()).isEqualTo(TurnAllocation.State.ALLOCATED);
    // 600 s lifetime refreshed at 540 s: 6 refreshes in an hour; nonces (600 s) went stale on the way.
    assertThat(c.alloc().stats().refreshes()).isBetween(6L, 7L);
    assertThat(c.alloc().stats().staleNonces()).isGreaterThanOrEqualTo(1);
    assertThat(c.alloc().stats().channelsBound()).isEqualTo(1);
    assertThat(sim.shared.counters().allocationsExpired()).isZero();
    assertThat(c.alloc().channel(peer.address())).hasValue(0x4000);
    assertThat(c.alloc().stats().sendIndicationsSent()).isEqualTo(1);
  }

  @Test
  void unusedPermissionLapsesAndAnAbandonedAllocationExpiresAtTheServer() {
    TurnSim sim = new TurnSim(10);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    c.alloc().createPermission(sim.now(), SimNet.ip("30.0.1.1"));
    sim.net.await(WAIT, "permission", () -> c.alloc().hasPermission(SimNet.ip("30.0.1.1")));
    sim.net.runFor(Duration.ofMinutes(6));
    assertThat(c.alloc().hasPermission(SimNet.ip("30.0.1.1"))).isFalse();
    assertThat(c.alloc().state()).isEqualTo(TurnAllocation.State.ALLOCATED);

    c.core().detach(); // the client vanishes without deallocating
    sim.net.runFor(Duration.ofMinutes(11));
    assertThat(sim.core.allocationCount()).isZero();
    assertThat(sim.shared.counters().allocationsExpired()).isEqualTo(1);
    assertThat(sim.relaysBound()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void closeDeallocates(Transport transport) {
    TurnSim sim = new TurnSim(11);
    Client c = sim.client("alice", "30.0.0.1", transport);
    c.allocate(WAIT);
    assertThat(sim.relaysBound()).isEqualTo(1);
    c.alloc().close(sim.now());
    sim.net.await(WAIT, "closed", () -> c.core().hasEvent(e -> e instanceof TurnClientEvent.Closed));
    assertThat(sim.core.allocationCount()).isZero();
    assertThat(sim.relaysBound()).isZero();
    assertThat(sim.server.hasEvent(e -> e instanceof TurnEvent.AllocationDeleted d
        && d.reason() == TurnEvent.Reason.REFRESH_ZERO)).isTrue();
    assertThat(c.alloc().state()).isEqualTo(TurnAllocation.State.CLOSED);
    assertThat(c.alloc().pollTimeout()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aRefreshRefusedByTheServerLosesTheAllocation() {
    TurnSim sim = new TurnSim(15);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    sim.core.shutdown(sim.now()); // the server forgets every allocation (a restart)
    sim.net.await(Duration.ofMinutes(10), "failure", () -> c.core().hasEvent(e -> e instanceof TurnClientEvent.AllocationFailed));
    TurnClientEvent.AllocationFailed f = c.core().firstEvent(TurnClientEvent.AllocationFailed.class).orElseThrow();
    assertThat(f.code()).isEqualTo(437);
    assertThat(f.reason()).startsWith("Refresh failed");
    assertThat(c.alloc().relayedAddress()).isEmpty();
    assertThat(c.alloc().pollTimeout()).isEqualTo(Long.MAX_VALUE);
  }

  /** Behind every NAT type (symmetric too: the relay is what makes that one reachable) the mapped address is the NAT's. */
  @ParameterizedTest
  @EnumSource(NatType.class)
  void worksBehindEveryNatType(NatType type) {
    TurnSim sim = new TurnSim(17);
    SimEndpoint peer = echoPeer(sim);
    SimNat nat = sim.net.nat("home", type, "50.0.0.1");
    Client c = sim.client(nat.host("alice", "192.168.1.10"), Transport.UDP, TurnSim.USER, TurnSim.PASSWORD, b -> { });
    c.allocate(WAIT);
    InetSocketAddress mapped = c.alloc().mappedAddress().orElseThrow();
    assertThat(mapped.getAddress()).isEqualTo(SimNet.ip("50.0.0.1"));
    int n = 0;
    long end = sim.now() + Duration.ofMinutes(12).toNanos();
    while (sim.now() < end) {
      c.alloc().send(sim.now(), peer.address(), bytes("n" + n++)); // like ICE consent: traffic every 15 s
      sim.net.runFor(Duration.ofSeconds(15));
    }
    sim.net.runFor(Duration.ofSeconds(1));
    assertThat(c.peerData()).isEqualTo(n);
    assertThat(c.alloc().stats().refreshes()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void recoversFrom20PercentLoss() {
    TurnSim sim = new TurnSim(12);
    sim.net.defaultImpairment(Impairment.builder().loss(0.2).delay(Duration.ofMillis(30)).build());
    SimEndpoint peer = echoPeer(sim);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(Duration.ofSeconds(40));
    c.alloc().createPermission(sim.now(), peer.address().getAddress());
    sim.net.await(Duration.ofSeconds(40), "permission", () -> c.alloc().hasPermission(peer.address().getAddress()));
    int sent = 0;
    long end = sim.now() + Duration.ofMinutes(30).toNanos();
    while (sim.now() < end) {
      c.alloc().send(sim.now(), peer.address(), bytes("p" + sent++));
      sim.net.runFor(Duration.ofSeconds(2));
    }
    assertThat(c.alloc().state()).isEqualTo(TurnAllocation.State.ALLOCATED);
    assertThat(c.alloc().channel(peer.address())).isPresent();
    assertThat(c.alloc().stats().refreshes()).isGreaterThanOrEqualTo(3);
    // Each echo crosses four lossy links (client→server→peer→server→client): about 0.8^4 = 41% survive.
    assertThat(c.peerData()).isBetween(sent * 30L / 100, sent * 55L / 100);
    // Retransmissions happened (requests lost), the allocation never lapsed.
    assertThat(sim.shared.counters().allocationsExpired()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void twoClientsRelayToEachOther(Transport transport) throws Exception {
    TurnSim sim = new TurnSim(13);
    Client a = sim.client("alice", "30.0.0.1", transport);
    Client b = sim.client("bob", "40.0.0.1", Transport.UDP, "bob", "builder", x -> { });
    InetSocketAddress ra = a.allocate(WAIT);
    InetSocketAddress rb = b.allocate(WAIT);
    a.alloc().createPermission(sim.now(), rb.getAddress());
    b.alloc().createPermission(sim.now(), ra.getAddress());
    sim.net.await(WAIT, "permissions", () -> a.alloc().hasPermission(rb.getAddress()) && b.alloc().hasPermission(ra.getAddress()));

    SplittableRandom rnd = new SplittableRandom(99);
    MessageDigest sentHash = MessageDigest.getInstance("SHA-256");
    long sentBytes = 0;
    int n = 200;
    for (int i = 0; i < n; i++) {
      byte[] p = new byte[1 + rnd.nextInt(1100)];
      rnd.nextBytes(p);
      sentHash.update(p);
      sentBytes += p.length;
      a.alloc().send(sim.now(), rb, ByteBuffer.wrap(p));
      b.alloc().send(sim.now(), ra, ByteBuffer.wrap(("ack" + i).getBytes(StandardCharsets.US_ASCII)));
      sim.net.runFor(Duration.ofMillis(5));
    }
    sim.net.await(WAIT, "all delivered", () -> b.peerData() == n && a.peerData() == n);
    MessageDigest gotHash = MessageDigest.getInstance("SHA-256");
    long got = 0;
    for (TurnClientEvent e : b.core().events()) {
      if (e instanceof TurnClientEvent.PeerData p) {
        assertThat(p.peer()).isEqualTo(ra);
        got += p.data().remaining();
        gotHash.update(p.data().duplicate());
      }
    }
    assertThat(got).isEqualTo(sentBytes);
    assertThat(gotHash.digest()).isEqualTo(sentHash.digest());
    assertThat(peerTexts(a).get(n - 1)).isEqualTo("ack" + (n - 1));
    assertThat(a.alloc().stats().channelDataSent()).isGreaterThan(n - 5L);
  }

  @Test
  void garbageAndForgedResponsesChangeNothing() {
    TurnSim sim = new TurnSim(14);
    Client c = sim.client("alice", "30.0.0.1", Transport.UDP);
    c.allocate(WAIT);
    TurnAllocation a = c.alloc();
    long now = sim.now();
    a.handleReceive(now, Datagram.udp(TurnSim.SERVER, c.local(), new byte[] {1, 2}));
    a.handleReceive(now, Datagram.udp(TurnSim.SERVER, c.local(), new byte[] {0x40, 0x00, 0x00, 0x10, 1}));
    a.handleReceive(now, Datagram.udp(TurnSim.SERVER, c.local(), new byte[] {(byte) 0x80, 0, 0, 0}));
    a.handleReceive(now, Datagram.udp(SimNet.addr("30.0.0.66", 3478), c.local(), new byte[24]));
    // ChannelData on a channel that was never bound.
    a.handleReceive(now, Datagram.udp(TurnSim.SERVER, c.local(), new byte[] {0x40, 0x07, 0x00, 0x01, 9, 0, 0, 0}));
    TurnClientStats s = a.stats();
    assertThat(s.malformed()).isEqualTo(3);
    assertThat(s.dropped()).isEqualTo(2);
    assertThat(s.internalErrors()).isZero();
    assertThat(c.core().events()).hasSize(1);
    assertThat(a.state()).isEqualTo(TurnAllocation.State.ALLOCATED);
  }
}
