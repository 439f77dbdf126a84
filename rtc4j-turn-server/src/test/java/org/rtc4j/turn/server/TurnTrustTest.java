package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rtc4j.turn.server.TestClient.errorCode;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.ChannelNumber;
import org.rtc4j.stun.Lifetime;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedAddressFamily;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.StunAttribute;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.Username;
import org.rtc4j.stun.XorPeerAddress;

/** The trust-test rows of issue 2 that the sans-IO core can prove by itself (trust-tests.md). */
class TurnTrustTest {

  static final InetSocketAddress PEER = CoreHarness.addr("8.8.8.8", 4000);

  /** A REST-credential client for user {@code user} valid for an hour. */
  static TestClient restClient(CoreHarness h, String user, InetSocketAddress address) {
    String username = (h.epochSeconds() + 3600) + ":" + user;
    return h.client(Transport.UDP, address, CoreHarness.SERVER, username, LongTermCredentials.restApiPassword("secret", username));
  }

  /** Allocates on a fresh 5-tuple with a known nonce; returns the response. */
  static StunMessage allocateWith(CoreHarness h, TestClient template, int port, StunAttribute... extra) {
    TestClient c = h.client(Transport.UDP, new InetSocketAddress(template.address.getAddress(), port), CoreHarness.SERVER,
        template.user, template.password);
    c.realm = template.realm;
    c.nonce = template.nonce;
    StunAttribute[] attrs = new StunAttribute[extra.length + 1];
    attrs[0] = new RequestedTransport(17);
    System.arraycopy(extra, 0, attrs, 1, extra.length);
    return c.signedOnce(StunMethod.ALLOCATE, attrs);
  }

  // ---------------------------------------------------------------------------------------------
  // LD-1

  @Test
  void ld1_quotasAtTenThousandAllocationsAndBackToBaseline() {
    int users = 10;
    int perUser = 1_000;
    CoreHarness h = new CoreHarness(b -> b.totalQuota(users * perUser).userQuota(perUser));
    // Baseline: the tables after one allocation came and went (learnt server addresses stay).
    TestClient warm = restClient(h, "warm", CoreHarness.addr("192.0.2.200", 1));
    warm.allocate();
    warm.request(StunMethod.REFRESH, new Lifetime(0));
    int baselineState = h.core.stateSize();
    h.events.clear();

    List<TestClient> templates = new ArrayList<>();
    for (int u = 0; u <= users; u++) {
      TestClient t = restClient(h, "u" + u, CoreHarness.addr("192.0.2." + (u + 1), 1));
      t.unsigned(StunMethod.ALLOCATE, new RequestedTransport(17)); // learn realm and nonce
      templates.add(t);
    }
    long heapBefore = usedHeapAfterGc();
    int port = 2;
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < perUser; i++) {
        StunMessage r = allocateWith(h, templates.get(u), port++);
        assertThat(r.stunClass()).as("allocation %d of u%d: %s", i, u, r).isEqualTo(StunClass.SUCCESS_RESPONSE);
      }
    }
    long heapAfter = usedHeapAfterGc();
    int total = users * perUser;
    assertThat(h.core.allocationCount()).isEqualTo(total);
    assertThat(h.shared.allocationCount()).isEqualTo(total);
    assertThat(h.counters.allocations()).isEqualTo(total);
    double bytesPerAllocation = (heapAfter - heapBefore) / (double) total;
    System.out.printf("LD-1: %d allocations, about %.0f bytes of heap each%n", total, bytesPerAllocation);
    assertThat(bytesPerAllocation).as("heap per idle allocation (proposed limit 20 KB)").isLessThan(20_000);

    // Total quota + 1: a user with no allocation at all gets 486.
    StunMessage overTotal = allocateWith(h, templates.get(users), port++);
    assertThat(errorCode(overTotal)).isEqualTo(486);
    assertThat(overTotal.verifyMessageIntegrity(templates.get(users).key())).isTrue();
    // Per-user quota + 1: make room in the total, then u0's 1001st allocation gets 486.
    TestClient u1 = templates.get(1);
    for (int p = 1_002; p < 1_007; p++) { // u1's first five 5-tuples (ports 1002..1006)
      TestClient c = h.client(Transport.UDP, new InetSocketAddress(u1.address.getAddress(), p), CoreHarness.SERVER, u1.user, u1.password);
      c.realm = u1.realm;
      c.nonce = u1.nonce;
      assertThat(c.signedOnce(StunMethod.REFRESH, new Lifetime(0)).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
    assertThat(errorCode(allocateWith(h, templates.get(0), port++))).isEqualTo(486);
    assertThat(allocateWith(h, templates.get(users), port++).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(h.counters.quotaRejections()).isEqualTo(2);

    // Everything expires: counts and tables return to the baseline.
    h.advanceSeconds(601);
    assertThat(h.core.allocationCount()).isZero();
    assertThat(h.shared.allocationCount()).isZero();
    assertThat(h.shared.usersWithAllocations()).isZero();
    assertThat(h.counters.allocations()).isZero();
    assertThat(h.core.stateSize()).isEqualTo(baselineState);
    assertThat(h.events(TurnEvent.RelayReleased.class)).hasSize(total + 1);
    assertThat(h.core.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    assertThat(h.core.timerEntries()).isZero();
    h.events.clear(); // the harness's own record of 30,000 events is not server state
    long heapEnd = usedHeapAfterGc();
    System.out.printf("LD-1: heap before %d KB, with allocations %d KB, after expiry %d KB%n",
        heapBefore / 1024, heapAfter / 1024, heapEnd / 1024);
  }

  @Test
  void ld1_refreshZeroReleasesQuotaImmediately() {
    CoreHarness h = new CoreHarness(b -> b.userQuota(2).totalQuota(3));
    TestClient a = restClient(h, "x", CoreHarness.addr("192.0.2.1", 1));
    a.allocate();
    TestClient b = restClient(h, "x", CoreHarness.addr("192.0.2.1", 2));
    b.allocate();
    TestClient c = restClient(h, "x", CoreHarness.addr("192.0.2.1", 3));
    assertThat(errorCode(c.allocateRaw())).isEqualTo(486);
    a.request(StunMethod.REFRESH, new Lifetime(0));
    assertThat(h.shared.allocationCount("x")).isEqualTo(1);
    c.allocate();
    TestClient d = restClient(h, "y", CoreHarness.addr("192.0.2.2", 1));
    d.allocate();
    TestClient e = restClient(h, "z", CoreHarness.addr("192.0.2.3", 1));
    assertThat(errorCode(e.allocateRaw())).isEqualTo(486); // total 3
  }

  static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  // ---------------------------------------------------------------------------------------------
  // LD-3

  @Test
  void ld3_unauthenticatedFloodCreatesNoStateAndLegitimateClientsStillAllocate() {
    CoreHarness h = new CoreHarness();
    TestClient legit = h.client("192.0.2.10", 40000);
    legit.allocate();
    int baselineState = h.core.stateSize();
    SplittableRandom rnd = new SplittableRandom(3);
    int requests = 50_000;
    long heapBefore = usedHeapAfterGc();
    long start = System.nanoTime();
    int responses = 0;
    for (int i = 0; i < requests; i++) {
      byte[] ip = new byte[4];
      rnd.nextBytes(ip);
      ip[0] = (byte) (11 + rnd.nextInt(100));
      InetSocketAddress spoofed;
      try {
        spoofed = new InetSocketAddress(InetAddress.getByAddress(ip), 1 + rnd.nextInt(65000));
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError(e);
      }
      StunMessage.Builder b = StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TestClient.newTransaction())
          .add(new RequestedTransport(17));
      byte[] bytes;
      switch (i % 3) {
        case 0 -> bytes = b.encode();
        case 1 -> bytes = b.add(new Username("alice")).add(new Realm(CoreHarness.REALM)).add(new Nonce("garbage"))
            .encode(new byte[16], false); // garbage MESSAGE-INTEGRITY
        default -> bytes = b.add(new Username((h.epochSeconds() + 60) + ":u" + i)).add(new Realm(CoreHarness.REALM))
            .add(new Nonce("x".repeat(27))).encode(new byte[16], true);
      }
      List<Datagram> out = h.receive(Datagram.udp(spoofed, CoreHarness.SERVER, bytes));
      for (Datagram d : out) {
        responses++;
        assertThat(d.length()).isLessThanOrEqualTo(4 * bytes.length);
        assertThat(errorCode(CoreHarness.parse(d))).isEqualTo(401);
      }
      if (i % 10_000 == 0) {
        // A legitimate client allocates in the middle of the flood.
        TestClient c = h.client("192.0.2.20", 30000 + i / 10_000);
        c.allocate();
        c.request(StunMethod.REFRESH, new Lifetime(0));
      }
    }
    double micros = (System.nanoTime() - start) / 1e3 / requests;
    long heapAfter = usedHeapAfterGc();
    System.out.printf("LD-3: %d spoofed requests, %.1f µs each, heap %+d KB%n", requests, micros, (heapAfter - heapBefore) / 1024);
    assertThat(responses).isEqualTo(requests);
    assertThat(h.core.stateSize()).isEqualTo(baselineState);
    assertThat(h.shared.usersWithAllocations()).isEqualTo(1);
    assertThat(h.core.allocationCount()).isEqualTo(1);
    assertThat(heapAfter - heapBefore).as("retained heap after the flood").isLessThan(50L << 20);
    assertThat(legit.request(StunMethod.REFRESH).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
  }

  @Test
  void ld3_unauthenticatedResponsesCanBeRateLimitedPerSource() {
    CoreHarness h = new CoreHarness(b -> b.unauthenticatedRateLimit(5));
    InetSocketAddress source = CoreHarness.addr("192.0.2.66", 1);
    byte[] req = StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TestClient.newTransaction())
        .add(new RequestedTransport(17)).encode();
    int answered = 0;
    for (int i = 0; i < 100; i++) {
      answered += h.receive(Datagram.udp(source, CoreHarness.SERVER, req)).size();
    }
    assertThat(answered).isEqualTo(5);
    h.advanceSeconds(1.5);
    answered = 0;
    for (int i = 0; i < 100; i++) {
      answered += h.receive(Datagram.udp(source, CoreHarness.SERVER, req)).size();
    }
    assertThat(answered).isEqualTo(5);
    // Another source has its own budget, and Binding is not limited.
    h.client("192.0.2.67", 1).allocate();
    for (int i = 0; i < 20; i++) {
      assertThat(h.client("192.0.2.66", 1).unsigned(StunMethod.BINDING).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // LD-4

  @Test
  void ld4_atMost1024PermissionsAndChannelNumbersInRange() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    int n = 0;
    for (int r = 0; r < 128; r++) {
      InetSocketAddress[] peers = new InetSocketAddress[8];
      for (int i = 0; i < 8; i++, n++) {
        peers[i] = CoreHarness.addr("11.0." + (n / 256) + "." + (n % 256), 9);
      }
      assertThat(c.createPermission(peers).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
    assertThat(h.counters.permissions()).isEqualTo(1024);
    StunMessage over = c.createPermission(CoreHarness.addr("11.1.0.0", 9));
    assertThat(errorCode(over)).isIn(403, 508);
    assertThat(over.verifyMessageIntegrity(c.key())).isTrue();
    // A request that refreshes an existing one and adds one more installs neither.
    assertThat(errorCode(c.createPermission(CoreHarness.addr("11.0.0.0", 9), CoreHarness.addr("11.1.0.1", 9)))).isEqualTo(508);
    assertThat(errorCode(c.channelBind(0x4000, CoreHarness.addr("11.1.0.2", 9)))).isEqualTo(508);
    assertThat(h.counters.permissions()).isEqualTo(1024);
    assertThat(h.counters.permissionLimitRejections()).isEqualTo(3);
    // Existing permissions are refreshed; channels to permitted IPs still bind, all 4096 numbers of them.
    assertThat(c.createPermission(CoreHarness.addr("11.0.0.5", 1)).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    for (int ch = 0x4000; ch <= 0x4FFF; ch++) {
      StunMessage r = c.request(StunMethod.CHANNEL_BIND, new ChannelNumber(ch),
          new XorPeerAddress(CoreHarness.addr("11.0.0.7", ch)));
      assertThat(r.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
    assertThat(h.counters.channels()).isEqualTo(4096);
    assertThat(errorCode(c.channelBind(0x5000, CoreHarness.addr("11.0.0.8", 1)))).isEqualTo(400);
    assertThat(errorCode(c.channelBind(0x3FFF, CoreHarness.addr("11.0.0.8", 1)))).isEqualTo(400);
    assertThat(h.counters.permissions()).isEqualTo(1024);
    // Deleting the allocation gives everything back.
    c.request(StunMethod.REFRESH, new Lifetime(0));
    assertThat(h.counters.permissions()).isZero();
    assertThat(h.counters.channels()).isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // LD-5

  @Test
  void ld5_bandwidthCapPerAllocationAndDirectionWithinTenPercent() {
    long cap = 100_000; // bytes per second
    CoreHarness h = new CoreHarness(b -> b.maxBps(cap));
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    c.channelBind(0x4000, PEER);
    byte[] packet = new byte[1000];
    long up = 0;
    long down = 0;
    double seconds = 10;
    int steps = (int) (seconds * 200); // 200 packets/s each way = 2 × the cap
    long startUp = h.counters.clientToPeerBytes();
    for (int i = 0; i < steps; i++) {
      h.advanceSeconds(0.005);
      for (Datagram d : c.channelData(0x4000, packet, false)) {
        up += d.length();
      }
      for (Datagram d : h.fromPeer(PEER, c.relay, packet)) {
        down += d.length() - 4;
      }
    }
    System.out.printf("LD-5: cap %d B/s, relayed %.0f B/s up, %.0f B/s down%n", cap, up / seconds, down / seconds);
    assertThat(up).isLessThanOrEqualTo((long) (cap * seconds * 1.10)).isGreaterThan((long) (cap * seconds * 0.9));
    assertThat(down).isLessThanOrEqualTo((long) (cap * seconds * 1.10)).isGreaterThan((long) (cap * seconds * 0.9));
    assertThat(h.counters.clientToPeerBytes() - startUp).isEqualTo(up);
    assertThat(h.counters.bandwidthDroppedPackets()).isGreaterThan(1000);
    // Send indications draw on the same budget: right after the burst they are dropped too.
    for (int i = 0; i < 300; i++) {
      c.send(PEER, packet);
    }
    assertThat(h.counters.clientToPeerBytes() - startUp - up).isLessThanOrEqualTo(cap / 10 + 1000);
  }

  @Test
  void ld5_bandwidthCapacityLimitsAllocationsWith486() {
    CoreHarness h = new CoreHarness(b -> b.maxBps(100_000).bpsCapacity(250_000));
    h.client("192.0.2.1", 1).allocate();
    h.client("192.0.2.2", 1).allocate();
    TestClient third = h.client("192.0.2.3", 1);
    assertThat(errorCode(third.allocateRaw())).isEqualTo(486);
    assertThat(h.shared.reservedBps()).isEqualTo(200_000);
    h.advanceSeconds(601);
    assertThat(h.shared.reservedBps()).isZero();
    third.allocate();
  }

  // ---------------------------------------------------------------------------------------------
  // SC-3 through the protocol

  @Test
  void sc3_deniedPeersGet403InEveryEncodingAndSendIsDropped() {
    CoreHarness h = new CoreHarness();
    TestClient v4 = h.client("192.0.2.10", 40000);
    v4.allocate();
    TestClient v6 = h.client("192.0.2.10", 40001);
    v6.allocate(new RequestedAddressFamily(2));
    int checked = 0;
    List<InetAddress> all = new ArrayList<>();
    for (String s : PeerAddressPolicyTest.DENIED_V4) {
      all.addAll(PeerAddressPolicyTest.encodings(s).values());
    }
    for (String s : PeerAddressPolicyTest.DENIED_V6) {
      all.add(CoreHarness.ip(s));
    }
    for (InetAddress ip : all) {
      InetSocketAddress peer = new InetSocketAddress(ip, 3000);
      TestClient c = ip.getAddress().length == 4 ? v4 : v6;
      assertThat(errorCode(c.createPermission(peer))).as("CreatePermission %s", ip).isEqualTo(403);
      assertThat(errorCode(c.channelBind(0x4000, peer))).as("ChannelBind %s", ip).isEqualTo(403);
      assertThat(c.send(peer, new byte[] {1})).as("Send %s", ip).isEmpty();
      assertThat(h.fromPeer(peer, c.relay, new byte[] {1})).isEmpty();
      checked++;
    }
    assertThat(checked).isGreaterThan(250);
    assertThat(h.counters.peerDenied()).isEqualTo(2L * checked);
    assertThat(h.counters.permissions()).isZero();
    assertThat(h.counters.clientToPeerPackets()).isZero();
  }

  @Test
  void sc3_allowListAndLoopbackFlagOverride() {
    PeerAddressPolicy policy = PeerAddressPolicy.builder().allow("10.1.0.0/16").allowLoopback(true).build();
    CoreHarness h = new CoreHarness(b -> b.peerPolicy(policy));
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    InetSocketAddress allowed = CoreHarness.addr("10.1.2.3", 7);
    InetSocketAddress loop = CoreHarness.addr("127.0.0.1", 7);
    assertThat(c.createPermission(allowed, loop).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(c.send(allowed, new byte[] {1})).hasSize(1);
    assertThat(c.channelBind(0x4000, loop).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(errorCode(c.createPermission(CoreHarness.addr("10.2.0.1", 7)))).isEqualTo(403);
    assertThat(errorCode(c.createPermission(CoreHarness.addr("0.0.0.0", 7)))).isEqualTo(403);
  }

  // ---------------------------------------------------------------------------------------------
  // SC-5 pieces not covered by the flow tests

  @Test
  void sc5_authenticationRequiredOnEveryTurnMethod() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    for (int method : new int[] {StunMethod.ALLOCATE, StunMethod.REFRESH, StunMethod.CREATE_PERMISSION, StunMethod.CHANNEL_BIND}) {
      StunMessage r = CoreHarness.single(c.sendRawToMe(StunMessage.builder(method, StunClass.REQUEST, TestClient.newTransaction())
          .add(new RequestedTransport(17)).add(new XorPeerAddress(PEER)).add(new ChannelNumber(0x4000)).encode()));
      assertThat(errorCode(r)).as(StunMethod.name(method)).isEqualTo(401);
      assertThat(r.attribute(Realm.class)).isPresent();
      assertThat(r.attribute(Nonce.class)).isPresent();
    }
    assertThat(h.counters.permissions()).isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // SC-8

  @Test
  void sc8_unauthenticatedResponsesAreAtMostFourTimesTheRequest() {
    CoreHarness h = new CoreHarness();
    InetSocketAddress v4 = CoreHarness.addr("192.0.2.10", 1);
    InetSocketAddress v6 = CoreHarness.addr("2001:db8::10", 1);
    List<byte[]> requests = new ArrayList<>();
    requests.add(StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TestClient.newTransaction()).add(new RequestedTransport(17)).encode());
    requests.add(StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TestClient.newTransaction()).encode()); // 20 bytes
    requests.add(StunMessage.builder(StunMethod.REFRESH, StunClass.REQUEST, TestClient.newTransaction()).encode(null, true));
    requests.add(StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TestClient.newTransaction()).encode());
    requests.add(StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TestClient.newTransaction()).encode(null, true));
    requests.add(StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TestClient.newTransaction())
        .add(new RequestedTransport(17)).add(new Username("nobody")).add(new Realm(CoreHarness.REALM)).add(new Nonce("n"))
        .encode(new byte[16], false));
    for (InetSocketAddress source : List.of(v4, v6)) {
      for (byte[] req : requests) {
        List<Datagram> out = h.receive(Datagram.udp(source, source == v4 ? CoreHarness.SERVER : CoreHarness.SERVER_V6, req));
        assertThat(out).as("a response to a %d-byte request", req.length).hasSize(1);
        assertThat(out.get(0).length()).as("response to a %d-byte request", req.length).isLessThanOrEqualTo(4 * req.length);
      }
    }
    // With a realm so long that even a bare 401 would exceed 4x, the server stays silent.
    CoreHarness longRealm = new CoreHarness(b -> b.realm("r".repeat(120)));
    byte[] bare = StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TestClient.newTransaction()).encode();
    assertThat(longRealm.receive(Datagram.udp(v4, CoreHarness.SERVER, bare))).isEmpty();
    assertThat(longRealm.counters.droppedPackets()).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------
  // SC-14

  @Test
  void sc14_noSecretInAnyToString() {
    String password = "pa55-W0rd-42";
    String secret = "REST-s3cret-xyz";
    TurnServerConfig.Builder b = TurnServerConfig.builder().user("alice", password).authSecret(secret).realm("example.org");
    TurnServerConfig config = b.build();
    TurnSharedState shared = new TurnSharedState(config, new byte[32]);
    String key = java.util.HexFormat.of().formatHex(LongTermCredentials.md5Key("alice", "example.org", password));
    List<String> texts = List.of(config.toString(), b.toString(), shared.toString(), config.peerPolicy().toString(),
        shared.counters().toString(), new TurnEvent.AllocationCreated("alice", new FiveTuple(Transport.UDP, PEER, PEER), PEER, 600).toString());
    for (String t : texts) {
      assertThat(t).doesNotContain(password).doesNotContain(secret).doesNotContainIgnoringCase(key);
    }
    assertThat(config.toString()).contains("alice").contains("<redacted>");
    assertThat(config.userNames()).containsExactly("alice");
    assertThat(config.hasAuthSecret()).isTrue();
  }
}
