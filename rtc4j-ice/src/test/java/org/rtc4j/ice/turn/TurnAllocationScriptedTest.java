package org.rtc4j.ice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.AlternateServer;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.Lifetime;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.PasswordAlgorithm;
import org.rtc4j.stun.PasswordAlgorithms;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.Software;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.Username;
import org.rtc4j.stun.XorMappedAddress;
import org.rtc4j.stun.XorRelayedAddress;

/**
 * Paths our server does not produce, played by a hand-written server: 300 Try Alternate (reported,
 * not followed), PASSWORD-ALGORITHMS with SHA-256 keys and MESSAGE-INTEGRITY-SHA256 (RFC 8489
 * §9.2), a success response with a wrong signature (dropped), and the first Allocate's shape.
 */
class TurnAllocationScriptedTest {

  static final InetSocketAddress SERVER = new InetSocketAddress("198.51.100.1", 3478);
  static final InetSocketAddress LOCAL = new InetSocketAddress("192.0.2.5", 40000);
  static final InetSocketAddress RELAY = new InetSocketAddress("198.51.100.1", 50000);

  private static TurnAllocation client() {
    return new TurnAllocation(TurnClientConfig.builder(SERVER, LOCAL, "user", "pass").software("scripted").build(),
        new SplittableRandom(3));
  }

  private static StunMessage sent(TurnAllocation a) throws Exception {
    Datagram d = a.pollTransmit().orElseThrow();
    assertThat(d.source()).isEqualTo(LOCAL);
    assertThat(d.destination()).isEqualTo(SERVER);
    assertThat(d.transport()).isEqualTo(Transport.UDP);
    return StunMessage.parse(d.bytes());
  }

  private static void reply(TurnAllocation a, byte[] bytes) {
    a.handleReceive(0, Datagram.udp(SERVER, LOCAL, bytes));
  }

  private static List<TurnClientEvent> events(TurnAllocation a) {
    List<TurnClientEvent> out = new ArrayList<>();
    for (Optional<TurnClientEvent> e; (e = a.pollEvent()).isPresent(); ) {
      out.add(e.get());
    }
    return out;
  }

  @Test
  void tryAlternateIsReportedNotFollowed() throws Exception {
    TurnAllocation a = client();
    a.start(0);
    StunMessage req = sent(a);
    assertThat(req.method()).isEqualTo(StunMethod.ALLOCATE);
    assertThat(req.attribute(RequestedTransport.class)).contains(new RequestedTransport(17));
    assertThat(req.attribute(Software.class)).contains(new Software("scripted"));
    assertThat(req.hasMessageIntegrity()).isFalse();
    InetSocketAddress alt = new InetSocketAddress("203.0.113.9", 3478);
    reply(a, StunMessage.builder(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, req.transactionId())
        .add(ErrorCode.TRY_ALTERNATE).add(new AlternateServer(alt)).encode());
    assertThat(events(a)).singleElement().isInstanceOfSatisfying(TurnClientEvent.AllocationFailed.class, f -> {
      assertThat(f.code()).isEqualTo(300);
      assertThat(f.reason()).contains("203.0.113.9");
    });
    assertThat(a.alternateServer()).contains(alt);
    assertThat(a.pollTransmit()).isEmpty();
    assertThat(a.pollTimeout()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void sha256PasswordAlgorithmWhenOffered() throws Exception {
    TurnAllocation a = client();
    a.start(0);
    StunMessage first = sent(a);
    reply(a, StunMessage.builder(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, first.transactionId())
        .add(ErrorCode.UNAUTHENTICATED).add(new Realm("example.org")).add(new Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"))
        .add(new PasswordAlgorithms(List.of(PasswordAlgorithm.of(PasswordAlgorithm.MD5), PasswordAlgorithm.of(PasswordAlgorithm.SHA256))))
        .encode());
    StunMessage second = sent(a);
    byte[] key = LongTermCredentials.sha256Key("user", "example.org", "pass");
    assertThat(second.hasMessageIntegritySha256()).isTrue();
    assertThat(second.hasMessageIntegrity()).isFalse();
    assertThat(second.verifyMessageIntegritySha256(key)).isTrue();
    assertThat(second.attribute(PasswordAlgorithm.class)).contains(PasswordAlgorithm.of(PasswordAlgorithm.SHA256));
    assertThat(second.attribute(PasswordAlgorithms.class)).isPresent();
    assertThat(second.attribute(Username.class)).contains(new Username("user"));

    StunMessage.Builder ok = StunMessage.builder(StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, second.transactionId())
        .add(new XorRelayedAddress(RELAY)).add(new Lifetime(300)).add(new XorMappedAddress(LOCAL)).sha256Integrity(true);
    // Signed with the wrong key: dropped, still waiting.
    reply(a, ok.encode(LongTermCredentials.md5Key("user", "example.org", "pass"), false));
    assertThat(events(a)).isEmpty();
    assertThat(a.stats().badIntegrity()).isEqualTo(1);
    // Unsigned: dropped too.
    reply(a, ok.encode());
    assertThat(events(a)).isEmpty();
    reply(a, ok.encode(key, false));
    assertThat(events(a)).containsExactly(new TurnClientEvent.Allocated(RELAY, LOCAL));
    assertThat(a.lifetimeSeconds()).isEqualTo(300);
    // 300 s lifetime: refreshed at 240 s.
    assertThat(a.pollTimeout()).isEqualTo(240_000_000_000L);
  }

  @Test
  void tcpConnectionLossFailsTheAllocation() throws Exception {
    TurnAllocation a = new TurnAllocation(TurnClientConfig.builder(SERVER, LOCAL, "user", "pass").transport(Transport.TCP)
        .build(), new SplittableRandom(4));
    a.start(0);
    Datagram d = a.pollTransmit().orElseThrow();
    assertThat(d.transport()).isEqualTo(Transport.TCP);
    a.handleConnectionClosed(5);
    assertThat(events(a)).singleElement().isInstanceOfSatisfying(TurnClientEvent.AllocationFailed.class,
        f -> assertThat(f.code()).isEqualTo(TurnClientEvent.AllocationFailed.NO_RESPONSE));
    assertThat(a.state()).isEqualTo(TurnAllocation.State.FAILED);
    assertThat(a.pollTimeout()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void md5WhenNoAlgorithmsAreOffered() throws Exception {
    TurnAllocation a = client();
    a.start(0);
    StunMessage first = sent(a);
    reply(a, StunMessage.builder(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, first.transactionId())
        .add(ErrorCode.UNAUTHENTICATED).add(new Realm("example.org")).add(new Nonce("n1")).encode());
    StunMessage second = sent(a);
    assertThat(second.verifyMessageIntegrity(LongTermCredentials.md5Key("user", "example.org", "pass"))).isTrue();
    assertThat(second.has(PasswordAlgorithm.class)).isFalse();
    // A 401 again (wrong password): failed, no third try.
    reply(a, StunMessage.builder(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, second.transactionId())
        .add(ErrorCode.UNAUTHENTICATED).add(new Realm("example.org")).add(new Nonce("n2")).encode());
    assertThat(events(a)).singleElement().isEqualTo(new TurnClientEvent.AllocationFailed(401, "Unauthenticated"));
    assertThat(a.pollTransmit()).isEmpty();
    // A 438 without credentials so far would not be retried either; bytes after the end change nothing.
    reply(a, ByteBuffer.allocate(8).array());
    assertThat(a.stats().dropped()).isEqualTo(1);
  }
}
