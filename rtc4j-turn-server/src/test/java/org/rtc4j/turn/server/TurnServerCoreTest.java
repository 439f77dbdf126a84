package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rtc4j.turn.server.TestClient.errorCode;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.AdditionalAddressFamily;
import org.rtc4j.stun.AddressErrorCode;
import org.rtc4j.stun.Data;
import org.rtc4j.stun.DontFragment;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.EvenPort;
import org.rtc4j.stun.Lifetime;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedAddressFamily;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.ReservationToken;
import org.rtc4j.stun.Software;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.UnknownAttribute;
import org.rtc4j.stun.UnknownAttributes;
import org.rtc4j.stun.XorMappedAddress;
import org.rtc4j.stun.XorPeerAddress;
import org.rtc4j.stun.XorRelayedAddress;

/** RFC 8656 flows through the sans-IO core with a fake clock. */
class TurnServerCoreTest {

  static final InetSocketAddress PEER = CoreHarness.addr("8.8.8.8", 4000);
  static final InetSocketAddress PEER2 = CoreHarness.addr("1.1.1.1", 5000);
  static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

  @Test
  void challengeThenAllocateThenPermissionSendAndData() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    StunMessage challenge = c.unsigned(StunMethod.ALLOCATE, new RequestedTransport(17));
    assertThat(challenge.stunClass()).isEqualTo(StunClass.ERROR_RESPONSE);
    assertThat(errorCode(challenge)).isEqualTo(401);
    assertThat(challenge.attribute(Realm.class)).map(Realm::value).contains(CoreHarness.REALM);
    assertThat(challenge.attribute(Nonce.class)).isPresent();
    assertThat(challenge.hasMessageIntegrity()).isFalse();

    StunMessage ok = c.allocate();
    assertThat(ok.attribute(Lifetime.class)).map(Lifetime::seconds).contains(600L);
    assertThat(ok.attribute(XorMappedAddress.class)).map(XorMappedAddress::address).contains(c.address);
    assertThat(ok.attribute(Software.class)).map(Software::value).contains("rtc4j");
    assertThat(c.relay.getAddress()).isEqualTo(CoreHarness.RELAY_IP);
    assertThat(h.events(TurnEvent.AllocationCreated.class)).singleElement()
        .satisfies(e -> {
          assertThat(e.user()).isEqualTo("alice");
          assertThat(e.relay()).isEqualTo(c.relay);
          assertThat(e.fiveTuple()).isEqualTo(new FiveTuple(Transport.UDP, c.address, CoreHarness.SERVER));
        });
    assertThat(h.counters.allocations()).isEqualTo(1);

    // Without a permission, Send is dropped and peer data too.
    assertThat(c.send(PEER, HELLO)).isEmpty();
    assertThat(h.fromPeer(PEER, c.relay, HELLO)).isEmpty();

    StunMessage perm = c.createPermission(PEER);
    assertThat(perm.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(perm.verifyMessageIntegrity(c.key())).isTrue();
    assertThat(h.counters.permissions()).isEqualTo(1);

    List<Datagram> sent = c.send(PEER, HELLO);
    assertThat(sent).singleElement().satisfies(d -> {
      assertThat(d.transport()).isEqualTo(Transport.UDP);
      assertThat(d.source()).isEqualTo(c.relay);
      assertThat(d.destination()).isEqualTo(PEER);
      assertThat(d.bytes()).isEqualTo(HELLO);
    });
    // The permission covers every port of the peer's IP.
    List<Datagram> back = h.fromPeer(CoreHarness.addr("8.8.8.8", 4999), c.relay, "world".getBytes(StandardCharsets.US_ASCII));
    StunMessage data = CoreHarness.single(back);
    assertThat(back.get(0).source()).isEqualTo(CoreHarness.SERVER);
    assertThat(back.get(0).destination()).isEqualTo(c.address);
    assertThat(data.method()).isEqualTo(StunMethod.DATA);
    assertThat(data.stunClass()).isEqualTo(StunClass.INDICATION);
    assertThat(data.attribute(XorPeerAddress.class)).map(XorPeerAddress::address).contains(CoreHarness.addr("8.8.8.8", 4999));
    assertThat(data.attribute(Data.class).orElseThrow().toByteArray()).isEqualTo("world".getBytes(StandardCharsets.US_ASCII));
    // Another IP still has no permission.
    assertThat(h.fromPeer(PEER2, c.relay, HELLO)).isEmpty();
    assertThat(h.counters.clientToPeerPackets()).isEqualTo(1);
    assertThat(h.counters.peerToClientBytes()).isEqualTo(5);
  }

  @Test
  void channelBindThenChannelDataBothWaysOverUdp() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    StunMessage bind = c.channelBind(0x4001, PEER);
    assertThat(bind.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(h.counters.channels()).isEqualTo(1);
    assertThat(h.counters.permissions()).isEqualTo(1); // ChannelBind installs the permission

    List<Datagram> out = c.channelData(0x4001, HELLO, false);
    assertThat(out).singleElement().satisfies(d -> {
      assertThat(d.source()).isEqualTo(c.relay);
      assertThat(d.destination()).isEqualTo(PEER);
      assertThat(d.bytes()).isEqualTo(HELLO);
    });
    List<Datagram> back = h.fromPeer(PEER, c.relay, HELLO);
    assertThat(back).singleElement().satisfies(d -> {
      assertThat(d.transport()).isEqualTo(Transport.UDP);
      assertThat(d.destination()).isEqualTo(c.address);
      assertThat(d.bytes()).containsExactly(0x40, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'); // no padding on UDP
    });
    // Another port of the same IP has the permission but no channel: Data indication.
    StunMessage viaData = CoreHarness.single(h.fromPeer(CoreHarness.addr("8.8.8.8", 4001), c.relay, HELLO));
    assertThat(viaData.method()).isEqualTo(StunMethod.DATA);
    // A channel that is not bound: dropped.
    assertThat(c.channelData(0x4002, HELLO, false)).isEmpty();
  }

  @Test
  void channelDataOverTcpIsPaddedBothWays() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client(Transport.TCP, CoreHarness.addr("192.0.2.10", 40000), CoreHarness.SERVER, "alice", "alice-password");
    c.allocate();
    assertThat(c.channelBind(0x4000, PEER).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    List<Datagram> out = c.channelData(0x4000, HELLO, true); // 5 bytes + 3 padding from the client
    assertThat(out).singleElement().satisfies(d -> {
      assertThat(d.transport()).isEqualTo(Transport.UDP);
      assertThat(d.bytes()).isEqualTo(HELLO);
    });
    List<Datagram> back = h.fromPeer(PEER, c.relay, HELLO);
    assertThat(back).singleElement().satisfies(d -> {
      assertThat(d.transport()).isEqualTo(Transport.TCP);
      assertThat(d.source()).isEqualTo(CoreHarness.SERVER);
      assertThat(d.bytes()).containsExactly(0x40, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0);
    });
    byte[] four = {1, 2, 3, 4};
    assertThat(h.fromPeer(PEER, c.relay, four).get(0).length()).isEqualTo(8);
  }

  @Test
  void allocationExpiresAndRefreshExtendsIt() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    assertThat(h.core.pollTimeout()).isEqualTo(h.now + 600_000_000_000L);
    h.advanceSeconds(500);
    StunMessage r = c.request(StunMethod.REFRESH, new Lifetime(1200));
    assertThat(r.attribute(Lifetime.class)).map(Lifetime::seconds).contains(1200L);
    h.advanceSeconds(1199);
    assertThat(h.core.allocationCount()).isEqualTo(1);
    h.advanceSeconds(2);
    assertThat(h.core.allocationCount()).isZero();
    assertThat(h.events(TurnEvent.AllocationDeleted.class)).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(TurnEvent.Reason.EXPIRED));
    assertThat(h.events(TurnEvent.RelayReleased.class)).extracting(TurnEvent.RelayReleased::relay).containsExactly(c.relay);
    assertThat(h.counters.allocations()).isZero();
    assertThat(h.counters.allocationsExpired()).isEqualTo(1);
    assertThat(h.shared.allocationCount()).isZero();
    assertThat(h.core.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    // The 5-tuple has no allocation any more.
    assertThat(errorCode(c.request(StunMethod.REFRESH))).isEqualTo(437);
  }

  @Test
  void permissionsExpireAfterFiveMinutesAndAreRefreshedByRecreation() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    c.createPermission(PEER, PEER2);
    assertThat(h.counters.permissions()).isEqualTo(2);
    h.advanceSeconds(200);
    c.createPermission(PEER); // refreshes PEER only
    h.advanceSeconds(150);    // t = 350: PEER2 expired at 300, PEER lives until 500
    assertThat(h.counters.permissions()).isEqualTo(1);
    assertThat(c.send(PEER, HELLO)).hasSize(1);
    assertThat(c.send(PEER2, HELLO)).isEmpty();
    assertThat(h.fromPeer(PEER2, c.relay, HELLO)).isEmpty();
    h.advanceSeconds(151);
    assertThat(h.counters.permissions()).isZero();
    assertThat(c.send(PEER, HELLO)).isEmpty();
    assertThat(h.fromPeer(PEER, c.relay, HELLO)).isEmpty();
  }

  @Test
  void channelsExpireAfterTenMinutesAndDataFallsBackToIndications() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate(new Lifetime(3600));
    c.channelBind(0x4000, PEER);
    for (int t = 0; t < 2; t++) {
      h.advanceSeconds(250);
      c.createPermission(PEER); // keep the permission, not the channel
    }
    h.advanceSeconds(99); // t = 599
    assertThat(c.channelData(0x4000, HELLO, false)).hasSize(1);
    h.advanceSeconds(2); // t = 601
    assertThat(h.counters.channels()).isZero();
    assertThat(c.channelData(0x4000, HELLO, false)).isEmpty();
    StunMessage d = CoreHarness.single(h.fromPeer(PEER, c.relay, HELLO));
    assertThat(d.method()).isEqualTo(StunMethod.DATA);
    // A channel whose permission expired relays nothing, and rebinding revives both.
    CoreHarness h2 = new CoreHarness();
    TestClient c2 = h2.client("192.0.2.11", 40000);
    c2.allocate();
    c2.channelBind(0x4000, PEER);
    h2.advanceSeconds(301);
    assertThat(c2.channelData(0x4000, HELLO, false)).isEmpty();
    assertThat(h2.fromPeer(PEER, c2.relay, HELLO)).isEmpty();
    c2.channelBind(0x4000, PEER);
    assertThat(c2.channelData(0x4000, HELLO, false)).hasSize(1);
  }

  @Test
  void refreshWithLifetimeZeroDeletes() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    c.createPermission(PEER);
    c.channelBind(0x4000, PEER2);
    StunMessage r = c.request(StunMethod.REFRESH, new Lifetime(0));
    assertThat(r.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(r.attribute(Lifetime.class)).map(Lifetime::seconds).contains(0L);
    assertThat(h.core.allocationCount()).isZero();
    assertThat(h.counters.snapshot()).containsEntry("allocations", 0L).containsEntry("permissions", 0L).containsEntry("channels", 0L);
    assertThat(h.events(TurnEvent.AllocationDeleted.class)).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(TurnEvent.Reason.REFRESH_ZERO));
    assertThat(h.events(TurnEvent.RelayReleased.class)).hasSize(1);
    assertThat(h.fromPeer(PEER, c.relay, HELLO)).isEmpty();
    assertThat(errorCode(c.request(StunMethod.REFRESH, new Lifetime(0)))).isEqualTo(437);
    // The stale timers of the deleted allocation do nothing.
    h.advanceSeconds(4000);
    assertThat(h.counters.allocationsDeleted()).isEqualTo(1);
  }

  @Test
  void lifetimeIsClampedToDefaultAndMaximum() {
    CoreHarness h = new CoreHarness();
    assertThat(h.client("192.0.2.1", 1).allocate(new Lifetime(30)).attribute(Lifetime.class)).map(Lifetime::seconds).contains(600L);
    assertThat(h.client("192.0.2.2", 1).allocate(new Lifetime(100_000)).attribute(Lifetime.class)).map(Lifetime::seconds).contains(3600L);
    assertThat(h.client("192.0.2.3", 1).allocate(new Lifetime(1200)).attribute(Lifetime.class)).map(Lifetime::seconds).contains(1200L);
    TestClient c = h.client("192.0.2.4", 1);
    c.allocate();
    assertThat(c.request(StunMethod.REFRESH, new Lifetime(5)).attribute(Lifetime.class)).map(Lifetime::seconds).contains(600L);
    assertThat(c.request(StunMethod.REFRESH).attribute(Lifetime.class)).map(Lifetime::seconds).contains(600L);
  }

  @Test
  void staleNonceGets438WithFreshNonceSignedAndRetrySucceeds() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate(new Lifetime(3600));
    String first = c.nonce;
    h.advanceSeconds(601);
    StunMessage stale = c.signedOnce(StunMethod.REFRESH);
    assertThat(errorCode(stale)).isEqualTo(438);
    assertThat(stale.attribute(Realm.class)).isPresent();
    assertThat(stale.attribute(Nonce.class).map(Nonce::value)).isPresent().get().isNotEqualTo(first);
    assertThat(stale.verifyMessageIntegrity(c.key())).isTrue();
    assertThat(h.counters.staleNonces()).isEqualTo(1);
    assertThat(c.signedOnce(StunMethod.REFRESH).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    // A nonce issued to another IP is not valid here, nor is garbage.
    TestClient other = h.client("192.0.2.99", 1);
    other.realm = CoreHarness.REALM;
    other.nonce = c.nonce;
    assertThat(errorCode(other.signedOnce(StunMethod.ALLOCATE, new RequestedTransport(17)))).isEqualTo(438);
    other.nonce = "not-a-nonce";
    assertThat(errorCode(other.signedOnce(StunMethod.ALLOCATE, new RequestedTransport(17)))).isEqualTo(438);
    assertThat(other.signedOnce(StunMethod.ALLOCATE, new RequestedTransport(17)).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
  }

  @Test
  void wrongPasswordUnknownUserAndWrongRealmGet401AndCount() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.password = "wrong";
    StunMessage r = c.allocateRaw();
    assertThat(errorCode(r)).isEqualTo(401);
    assertThat(r.hasMessageIntegrity()).isFalse();
    assertThat(r.attribute(Nonce.class)).isPresent();
    c.user = "mallory";
    assertThat(errorCode(c.allocateRaw())).isEqualTo(401);
    c.user = "alice";
    c.password = "alice-password";
    c.realm = "other.realm";
    assertThat(errorCode(c.signedOnce(StunMethod.ALLOCATE, new RequestedTransport(17)))).isEqualTo(401);
    assertThat(h.counters.authFailures()).isEqualTo(3);
    assertThat(h.core.allocationCount()).isZero();
    // MESSAGE-INTEGRITY without USERNAME: 400.
    byte[] noUser = StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TestClient.newTransaction())
        .add(new RequestedTransport(17)).add(new Realm(CoreHarness.REALM)).add(new Nonce(c.nonce))
        .encode(new byte[16], false);
    assertThat(errorCode(CoreHarness.single(c.sendRawToMe(noUser)))).isEqualTo(400);
    c.realm = CoreHarness.REALM;
    c.allocate();
  }

  @Test
  void restCredentialsValidExpiredAndWrong() {
    CoreHarness h = new CoreHarness();
    long future = h.epochSeconds() + 3600;
    String username = future + ":carol";
    TestClient c = h.client(Transport.UDP, CoreHarness.addr("192.0.2.10", 1), CoreHarness.SERVER, username,
        LongTermCredentials.restApiPassword("secret", username));
    c.allocate();
    assertThat(h.events(TurnEvent.AllocationCreated.class).get(0).user()).isEqualTo("carol");
    assertThat(h.shared.allocationCount("carol")).isEqualTo(1);

    String bare = Long.toString(future);
    TestClient b = h.client(Transport.UDP, CoreHarness.addr("192.0.2.11", 1), CoreHarness.SERVER, bare,
        LongTermCredentials.restApiPassword("secret", bare));
    b.allocate();

    String expired = (h.epochSeconds() - 1) + ":dave";
    TestClient e = h.client(Transport.UDP, CoreHarness.addr("192.0.2.12", 1), CoreHarness.SERVER, expired,
        LongTermCredentials.restApiPassword("secret", expired));
    assertThat(errorCode(e.allocateRaw())).isEqualTo(401);

    String wrong = future + ":erin";
    TestClient w = h.client(Transport.UDP, CoreHarness.addr("192.0.2.13", 1), CoreHarness.SERVER, wrong,
        LongTermCredentials.restApiPassword("other-secret", wrong));
    assertThat(errorCode(w.allocateRaw())).isEqualTo(401);

    TestClient garbage = h.client(Transport.UDP, CoreHarness.addr("192.0.2.14", 1), CoreHarness.SERVER, "x1700:frank", "pw");
    assertThat(errorCode(garbage.allocateRaw())).isEqualTo(401);

    // The credentials expire while the allocation lives: new requests are refused.
    h.advanceSeconds(3601);
    assertThat(errorCode(c.request(StunMethod.REFRESH))).isEqualTo(401);
  }

  @Test
  void restCredentialVectorsFromCoturnsAlgorithm() throws Exception {
    String json = new String(getClass().getResourceAsStream("rest-api-credentials-derived.json").readAllBytes(), StandardCharsets.UTF_8);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "\"username\": \"([^\"]*)\",\\s*\"shared_secret\": \"([^\"]*)\",\\s*\"realm\": \"([^\"]*)\",\\s*"
            + "\"password\": \"([^\"]*)\",\\s*\"long_term_key_md5\": \"([0-9a-f]*)\"").matcher(json);
    int n = 0;
    while (m.find()) {
      n++;
      String password = LongTermCredentials.restApiPassword(m.group(2), m.group(1));
      assertThat(password).isEqualTo(m.group(4));
      assertThat(java.util.HexFormat.of().formatHex(LongTermCredentials.md5Key(m.group(1), m.group(3), password)))
          .isEqualTo(m.group(5));
    }
    assertThat(n).isEqualTo(3);
  }

  @Test
  void restVectorAuthenticatesThroughTheCore() {
    // coturn's example: secret "secret", realm north.gov; username 1700086400 (a bare timestamp).
    CoreHarness h = new CoreHarness();
    h.now = 1_000_000_000L; // epoch 1700000001 < 1700086400
    TestClient c = h.client(Transport.UDP, CoreHarness.addr("192.0.2.10", 1), CoreHarness.SERVER, "1700086400",
        "+7tLK45WJRiAZhwSImTk5lhKQi8=");
    c.allocate();
    assertThat(java.util.HexFormat.of().formatHex(c.key())).isEqualTo("c7590813589a4aedcb6264bd85e7ec20");
  }

  @Test
  void anotherFiveTupleGets437AndCannotSendOnTheAllocation() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    c.createPermission(PEER);
    TestClient thief = h.client("192.0.2.10", 40001); // same IP and user, other port: another 5-tuple
    assertThat(errorCode(thief.request(StunMethod.REFRESH))).isEqualTo(437);
    assertThat(errorCode(thief.createPermission(PEER))).isEqualTo(437);
    assertThat(errorCode(thief.channelBind(0x4000, PEER))).isEqualTo(437);
    assertThat(thief.send(PEER, HELLO)).isEmpty();
    // Same client address, other server address: another 5-tuple as well.
    TestClient otherServer = h.client(Transport.UDP, c.address, CoreHarness.addr("203.0.113.2", 3478), "alice", "alice-password");
    assertThat(errorCode(otherServer.request(StunMethod.REFRESH))).isEqualTo(437);
    assertThat(otherServer.send(PEER, HELLO)).isEmpty();
    // Same addresses over TCP: another 5-tuple, its own allocation.
    TestClient tcp = h.client(Transport.TCP, c.address, CoreHarness.SERVER, "bob", "bob-password");
    tcp.allocate();
    assertThat(tcp.send(PEER, HELLO)).isEmpty(); // bob has no permission
    assertThat(c.send(PEER, HELLO)).hasSize(1);
    // A second Allocate on an allocated 5-tuple: 437.
    assertThat(errorCode(c.allocateRaw())).isEqualTo(437);
    // Another user on alice's 5-tuple: 441.
    c.user = "bob";
    c.password = "bob-password";
    assertThat(errorCode(c.request(StunMethod.REFRESH))).isEqualTo(441);
  }

  @Test
  void retransmittedAllocateGetsTheCachedResponse() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    byte[] again = c.lastRequest.encode(c.key(), false);
    List<Datagram> first = h.drain();
    assertThat(first).isEmpty();
    List<Datagram> r1 = c.sendRawToMe(again);
    List<Datagram> r2 = c.sendRawToMe(again);
    assertThat(r1.get(0).bytes()).isEqualTo(r2.get(0).bytes());
    assertThat(CoreHarness.parse(r1.get(0)).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(h.core.allocationCount()).isEqualTo(1);
    assertThat(h.events(TurnEvent.RelayRequested.class)).hasSize(1);
  }

  @Test
  void allocateWaitsForTheRelayAndHandlesFailureAndAbandonment() {
    CoreHarness h = new CoreHarness();
    h.autoBind = false;
    TestClient c = h.client("192.0.2.10", 40000);
    c.unsigned(StunMethod.ALLOCATE, new RequestedTransport(17));
    StunMessage.Builder req = c.signedBuilder(StunMethod.ALLOCATE, TestClient.newTransaction(), new RequestedTransport(17));
    byte[] bytes = req.encode(c.key(), false);
    assertThat(c.sendRawToMe(bytes)).isEmpty(); // nothing until the relay is bound
    assertThat(c.sendRawToMe(bytes)).isEmpty(); // a retransmission while pending: still nothing
    assertThat(h.unanswered).hasSize(1);
    assertThat(h.shared.allocationCount()).isEqualTo(1); // quota taken while pending
    h.core.handleRelayFailed(h.now, h.unanswered.get(0).requestId());
    StunMessage r = CoreHarness.single(h.drain());
    assertThat(errorCode(r)).isEqualTo(508);
    assertThat(r.verifyMessageIntegrity(c.key())).isTrue();
    assertThat(h.shared.allocationCount()).isZero();

    // TCP client that goes away before the relay is bound: the late relay is released again.
    TestClient t = h.client(Transport.TCP, CoreHarness.addr("192.0.2.20", 1), CoreHarness.SERVER, "alice", "alice-password");
    t.unsigned(StunMethod.ALLOCATE, new RequestedTransport(17));
    t.sendRawToMe(t.signedBuilder(StunMethod.ALLOCATE, TestClient.newTransaction(), new RequestedTransport(17)).encode(t.key(), false));
    assertThat(h.unanswered).hasSize(2);
    h.core.handleConnectionClosed(h.now, Transport.TCP, CoreHarness.SERVER, t.address);
    assertThat(h.shared.allocationCount()).isZero();
    InetSocketAddress late = CoreHarness.addr("198.51.100.1", 60000);
    h.core.handleRelayBound(h.now, h.unanswered.get(1).requestId(), late);
    assertThat(h.drain()).isEmpty();
    h.pumpEvents();
    assertThat(h.events(TurnEvent.RelayReleased.class)).extracting(TurnEvent.RelayReleased::relay).containsExactly(late);
    h.core.handleRelayFailed(h.now, 12345); // unknown: ignored
  }

  @Test
  void tcpConnectionCloseDeletesItsAllocation() {
    CoreHarness h = new CoreHarness();
    TestClient t = h.client(Transport.TCP, CoreHarness.addr("192.0.2.20", 1), CoreHarness.SERVER, "alice", "alice-password");
    t.allocate();
    t.createPermission(PEER);
    h.core.handleConnectionClosed(h.now, Transport.TCP, CoreHarness.SERVER, t.address);
    h.pumpEvents();
    assertThat(h.core.allocationCount()).isZero();
    assertThat(h.counters.permissions()).isZero();
    assertThat(h.events(TurnEvent.AllocationDeleted.class)).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(TurnEvent.Reason.CONNECTION_CLOSED));
    assertThat(h.fromPeer(PEER, t.relay, HELLO)).isEmpty();
  }

  @Test
  void allocateAttributeChecks() {
    CoreHarness h = new CoreHarness(b -> b.ipv6Relay(false));
    TestClient c = h.client("192.0.2.10", 40000);
    assertThat(errorCode(c.request(StunMethod.ALLOCATE))).isEqualTo(400); // no REQUESTED-TRANSPORT
    assertThat(errorCode(c.request(StunMethod.ALLOCATE, new RequestedTransport(6)))).isEqualTo(442);
    assertThat(errorCode(c.allocateRaw(new ReservationToken(new byte[8])))).isEqualTo(508);
    assertThat(errorCode(c.allocateRaw(new ReservationToken(new byte[8]), new EvenPort(false)))).isEqualTo(400);
    assertThat(errorCode(c.allocateRaw(new RequestedAddressFamily(2)))).isEqualTo(440);
    assertThat(errorCode(c.allocateRaw(new RequestedAddressFamily(2), new AdditionalAddressFamily(2)))).isEqualTo(400);
    assertThat(errorCode(c.allocateRaw(new AdditionalAddressFamily(1)))).isEqualTo(400);
    assertThat(h.shared.allocationCount()).isZero();
    StunMessage dual = c.allocate(new AdditionalAddressFamily(2), new DontFragment());
    assertThat(dual.attribute(AddressErrorCode.class)).hasValueSatisfying(e -> {
      assertThat(e.family()).isEqualTo(2);
      assertThat(e.code()).isEqualTo(440);
    });
    assertThat(c.relay.getAddress().getAddress()).hasSize(4);

    CoreHarness h6 = new CoreHarness();
    TestClient c6 = h6.client("192.0.2.10", 40000);
    c6.allocate(new RequestedAddressFamily(2), new EvenPort(false));
    assertThat(c6.relay.getAddress()).isEqualTo(CoreHarness.RELAY_IP_V6);
    assertThat(h6.events(TurnEvent.RelayRequested.class)).singleElement().satisfies(r -> {
      assertThat(r.family()).isEqualTo(2);
      assertThat(r.evenPort()).isTrue();
    });
    // Peers must match the relay's family.
    assertThat(errorCode(c6.createPermission(PEER))).isEqualTo(443);
    assertThat(errorCode(c6.request(StunMethod.REFRESH, new RequestedAddressFamily(1)))).isEqualTo(443);
    assertThat(c6.createPermission(CoreHarness.addr("2606:4700::1111", 1)).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
  }

  @Test
  void unknownComprehensionRequiredAttributesGet420() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    StunMessage r = c.allocateRaw(new UnknownAttribute(0x0033, new byte[4]));
    assertThat(errorCode(r)).isEqualTo(420);
    assertThat(r.attribute(UnknownAttributes.class)).map(UnknownAttributes::types).contains(List.of(0x0033));
    assertThat(r.verifyMessageIntegrity(c.key())).isTrue();
    // Comprehension-optional unknown attributes are ignored.
    c.allocate(new UnknownAttribute(0x8033, new byte[4]));
    StunMessage binding = c.unsigned(StunMethod.BINDING, new UnknownAttribute(0x0033, new byte[4]));
    assertThat(errorCode(binding)).isEqualTo(420);
  }

  @Test
  void createPermissionChecks() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    assertThat(errorCode(c.request(StunMethod.CREATE_PERMISSION))).isEqualTo(400);
    // All or nothing: one denied peer, no permission installed.
    assertThat(errorCode(c.createPermission(PEER, CoreHarness.addr("10.0.0.1", 1)))).isEqualTo(403);
    assertThat(h.counters.permissions()).isZero();
    assertThat(c.createPermission(PEER, PEER2).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(h.counters.permissions()).isEqualTo(2);
  }

  @Test
  void channelBindRules() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    assertThat(errorCode(c.channelBind(0x3FFF, PEER))).isEqualTo(400);
    assertThat(errorCode(c.channelBind(0x5000, PEER))).isEqualTo(400);
    assertThat(errorCode(c.request(StunMethod.CHANNEL_BIND, new org.rtc4j.stun.ChannelNumber(0x4000)))).isEqualTo(400);
    assertThat(c.channelBind(0x4FFF, PEER).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(c.channelBind(0x4FFF, PEER).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE); // refresh
    assertThat(errorCode(c.channelBind(0x4FFF, PEER2))).isEqualTo(400); // number bound to another peer
    assertThat(errorCode(c.channelBind(0x4000, PEER))).isEqualTo(400);  // peer bound to another number
    assertThat(c.channelBind(0x4000, CoreHarness.addr("8.8.8.8", 4001)).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(h.counters.channels()).isEqualTo(2);
    assertThat(h.counters.permissions()).isEqualTo(1);

    CoreHarness legacy = new CoreHarness(b -> b.legacyChannelRange(true));
    TestClient l = legacy.client("192.0.2.10", 40000);
    l.allocate();
    assertThat(l.channelBind(0x7FFF, PEER).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(l.channelData(0x7FFF, HELLO, false)).hasSize(1);
    assertThat(errorCode(l.channelBind(0x8000, PEER2))).isEqualTo(400);
  }

  @Test
  void bindingRequests() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    StunMessage r = c.unsigned(StunMethod.BINDING);
    assertThat(r.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(r.attribute(XorMappedAddress.class)).map(XorMappedAddress::address).contains(c.address);
    assertThat(r.attribute(Software.class)).isPresent();
    assertThat(r.hasFingerprint()).isFalse();
    c.fingerprint = true;
    assertThat(c.unsigned(StunMethod.BINDING).hasFingerprint()).isTrue();

    TestClient v6 = h.client(Transport.UDP, CoreHarness.addr("2001:db8::55", 5555), CoreHarness.SERVER_V6, "alice", "alice-password");
    assertThat(v6.unsigned(StunMethod.BINDING).attribute(XorMappedAddress.class)).map(XorMappedAddress::address).contains(v6.address);
    assertThat(h.counters.bindingRequests()).isEqualTo(3);

    CoreHarness secure = new CoreHarness(b -> b.secureStun(true));
    TestClient s = secure.client("192.0.2.10", 40000);
    assertThat(errorCode(s.unsigned(StunMethod.BINDING))).isEqualTo(401);
    StunMessage ok = s.request(StunMethod.BINDING);
    assertThat(ok.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(ok.verifyMessageIntegrity(s.key())).isTrue();
    assertThat(new CoreHarness(b -> b.allowAnonymousBinding(false)).client("192.0.2.1", 1).unsigned(StunMethod.BINDING).stunClass())
        .isEqualTo(StunClass.ERROR_RESPONSE);
  }

  @Test
  void malformedAndUnexpectedInputIsDroppedAndCounted() {
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    c.channelBind(0x4000, PEER);
    long malformed = h.counters.malformed();
    assertThat(c.sendRaw(new byte[0])).isEmpty();
    assertThat(c.sendRaw(new byte[] {1, 2, 3})).isEmpty();
    assertThat(c.sendRaw(new byte[] {(byte) 0xC0, 0, 0, 0, 0x21, 0x12, (byte) 0xA4, 0x42})).isEmpty(); // RTP-ish
    assertThat(c.sendRaw(new byte[] {0, 1, 0, 8, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3})).isEmpty(); // truncated STUN
    // A valid Binding request followed by stray bytes in the same datagram: the length field
    // does not cover the datagram, so it is not a STUN message (RFC 8489 §6.3).
    byte[] binding = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TestClient.newTransaction()).encode();
    byte[] trailing = java.util.Arrays.copyOf(binding, binding.length + 4);
    assertThat(c.sendRaw(trailing)).isEmpty();
    assertThat(h.counters.malformed()).isEqualTo(malformed + 5);
    // A response sent to the server: dropped.
    byte[] response = StunMessage.builder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, TestClient.newTransaction()).encode();
    assertThat(c.sendRaw(response)).isEmpty();
    // Indications other than Send, and a Send without DATA: dropped.
    assertThat(c.sendRaw(StunMessage.builder(StunMethod.DATA, StunClass.INDICATION, TestClient.newTransaction())
        .add(new XorPeerAddress(PEER)).add(Data.wrap(HELLO)).encode())).isEmpty();
    assertThat(c.sendRaw(StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, TestClient.newTransaction())
        .add(new XorPeerAddress(PEER)).encode())).isEmpty();
    // RFC 6062 Connect: 400, not supported.
    assertThat(errorCode(c.unsigned(StunMethod.CONNECT, new XorPeerAddress(PEER)))).isEqualTo(400);
    assertThat(h.core.allocationCount()).isEqualTo(1);
  }

  @Test
  void channelDataOutOfRangeOrTruncatedIsDropped() {
    // BI-4: channel numbers outside 0x4000-0x4FFF are rejected; a length beyond the bytes present is dropped.
    CoreHarness h = new CoreHarness();
    TestClient c = h.client("192.0.2.10", 40000);
    c.allocate();
    c.channelBind(0x4FFF, PEER);
    long malformed = h.counters.malformed();
    assertThat(c.sendRaw(new byte[] {0x50, 0x00, 0, 1, 9, 0, 0, 0})).isEmpty(); // 0x5000
    assertThat(c.sendRaw(new byte[] {0x7F, (byte) 0xFF, 0, 1, 9, 0, 0, 0})).isEmpty(); // 0x7FFF
    assertThat(c.sendRaw(new byte[] {0x4F, (byte) 0xFF, 0, 5, 1, 2, 3, 4})).isEmpty(); // 5 announced, 4 present
    assertThat(c.sendRaw(new byte[] {0x4F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})).isEmpty();
    assertThat(h.counters.malformed()).isEqualTo(malformed + 4);
    // Fewer announced than present (UDP): only the announced bytes are relayed.
    List<Datagram> out = c.sendRaw(new byte[] {0x4F, (byte) 0xFF, 0, 2, 7, 8, 9, 9});
    assertThat(out).singleElement().satisfies(d -> assertThat(d.bytes()).containsExactly(7, 8));
    // Empty ChannelData is valid.
    assertThat(c.sendRaw(new byte[] {0x4F, (byte) 0xFF, 0, 0})).singleElement().satisfies(d -> assertThat(d.length()).isZero());
  }

  @Test
  void serverAddressesAndListeningPortAreNotPeers() {
    CoreHarness h = new CoreHarness();
    TestClient a = h.client("192.0.2.10", 40000);
    a.allocate();
    TestClient b = h.client("192.0.2.11", 40000);
    b.allocate();
    // Another allocation's relay address, the own relay, and the listening address: 403.
    assertThat(errorCode(a.createPermission(b.relay))).isEqualTo(403);
    assertThat(errorCode(a.channelBind(0x4000, a.relay))).isEqualTo(403);
    assertThat(errorCode(a.createPermission(CoreHarness.SERVER))).isEqualTo(403);
    assertThat(h.counters.peerDenied()).isEqualTo(3);

    // With loopback allowed and everything on 127.0.0.1, relay to relay works but the listening port never does.
    InetSocketAddress server = CoreHarness.addr("127.0.0.1", 3478);
    CoreHarness l = new CoreHarness(x -> x.peerPolicy(PeerAddressPolicy.builder().allowLoopback(true).build()));
    TestClient la = l.client(Transport.UDP, CoreHarness.addr("127.0.0.1", 40000), server, "alice", "alice-password");
    la.allocate();
    InetSocketAddress otherRelay = CoreHarness.addr("127.0.0.1", 50002);
    assertThat(la.createPermission(otherRelay).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(la.send(otherRelay, HELLO)).hasSize(1);
    assertThat(la.send(server, HELLO)).isEmpty();
    assertThat(errorCode(la.channelBind(0x4000, server))).isEqualTo(403);
  }

  @Test
  void countersSnapshotHasEveryNameOnce() {
    TurnCounters c = new TurnCounters();
    assertThat(c.snapshot()).hasSize(23).containsKeys(TurnCounters.gauges().toArray(String[]::new));
    c.allocations.increment();
    assertThat(c.snapshot()).containsEntry("allocations", 1L);
    assertThat(c.toString()).contains("allocations=1");
  }

  @Test
  void shutdownDeletesEverythingAndReleasesQuota() {
    CoreHarness h = new CoreHarness();
    for (int i = 0; i < 5; i++) {
      h.client("192.0.2.10", 40000 + i).allocate();
    }
    h.autoBind = false;
    TestClient p = h.client("192.0.2.11", 1);
    p.unsigned(StunMethod.ALLOCATE, new RequestedTransport(17));
    p.sendRawToMe(p.signedBuilder(StunMethod.ALLOCATE, TestClient.newTransaction(), new RequestedTransport(17)).encode(p.key(), false));
    assertThat(h.shared.allocationCount()).isEqualTo(6);
    h.core.shutdown(h.now);
    h.pumpEvents();
    assertThat(h.shared.allocationCount()).isZero();
    assertThat(h.counters.allocations()).isZero();
    assertThat(h.events(TurnEvent.RelayReleased.class)).hasSize(5);
    assertThat(h.core.pollTimeout()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void evenPortReservationIsConsumedByTokenOnAnyShardOrExpires() {
    CoreHarness h = new CoreHarness(b -> b.userQuota(3));
    TestClient rtp = h.client("192.0.2.10", 40000);
    StunMessage first = rtp.allocate(new EvenPort(true));
    byte[] token = first.attribute(ReservationToken.class).orElseThrow().value();
    assertThat(token).hasSize(8);
    assertThat(h.events(TurnEvent.RelayRequested.class)).singleElement().satisfies(r -> {
      assertThat(r.evenPort()).isTrue();
      assertThat(r.reserveNext()).isTrue();
      assertThat(r.requestedPort()).isZero();
    });
    assertThat(h.shared.reservationCount()).isEqualTo(1);
    assertThat(h.shared.allocationCount("alice")).isEqualTo(2); // the reservation holds a quota slot

    // Another shard of the same server consumes the token (uclient's RTCP allocation, another 5-tuple).
    CoreHarness other = h.newShard();
    TestClient rtcp = other.client(Transport.UDP, CoreHarness.addr("192.0.2.10", 40001), CoreHarness.SERVER, "bob", "bob-password");
    StunMessage second = rtcp.allocate(new ReservationToken(token));
    assertThat(other.events(TurnEvent.RelayRequested.class)).singleElement()
        .satisfies(r -> assertThat(r.requestedPort()).isEqualTo(rtp.relay.getPort() + 1));
    assertThat(second.attribute(XorRelayedAddress.class)).map(XorRelayedAddress::address)
        .contains(new InetSocketAddress(rtp.relay.getAddress(), rtp.relay.getPort() + 1));
    assertThat(h.shared.reservationCount()).isZero();
    assertThat(h.shared.allocationCount("alice")).isEqualTo(1);
    assertThat(h.shared.allocationCount("bob")).isEqualTo(1);
    // A used token is no longer valid; the owner's timer later finds nothing to release.
    TestClient third = h.client("192.0.2.10", 40002);
    assertThat(errorCode(third.allocateRaw(new ReservationToken(token)))).isEqualTo(508);
    h.advanceSeconds(31);
    assertThat(h.events(TurnEvent.RelayReleased.class)).isEmpty();

    // An unused reservation expires after 30 s: the driver frees the port, the quota slot returns.
    TestClient again = h.client("192.0.2.10", 40003);
    again.allocate(new EvenPort(true));
    assertThat(h.shared.allocationCount("alice")).isEqualTo(3);
    assertThat(errorCode(h.client("192.0.2.10", 40004).allocateRaw())).isEqualTo(486);
    h.advanceSeconds(29);
    assertThat(h.shared.reservationCount()).isEqualTo(1);
    h.advanceSeconds(2);
    assertThat(h.shared.reservationCount()).isZero();
    assertThat(h.events(TurnEvent.RelayReleased.class)).extracting(TurnEvent.RelayReleased::relay)
        .containsExactly(new InetSocketAddress(again.relay.getAddress(), again.relay.getPort() + 1));
    assertThat(h.shared.allocationCount("alice")).isEqualTo(2);
    // Failing the bind gives both quota slots back.
    again.request(StunMethod.REFRESH, new Lifetime(0));
    h.autoBind = false;
    TestClient failing = h.client("192.0.2.10", 40005);
    failing.unsigned(StunMethod.ALLOCATE, new RequestedTransport(17));
    failing.sendRawToMe(failing.signedBuilder(StunMethod.ALLOCATE, TestClient.newTransaction(), new RequestedTransport(17),
        new EvenPort(true)).encode(failing.key(), false));
    assertThat(h.shared.allocationCount("alice")).isEqualTo(3);
    h.core.handleRelayFailed(h.now, h.unanswered.get(0).requestId());
    assertThat(h.shared.allocationCount("alice")).isEqualTo(1);
  }

  static ByteBuffer buf(byte[] b) {
    return ByteBuffer.wrap(b);
  }
}
