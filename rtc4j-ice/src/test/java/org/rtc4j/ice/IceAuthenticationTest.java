package org.rtc4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
import org.rtc4j.testkit.MiniJson;

/**
 * SC-2: checks with the wrong USERNAME, a wrong MESSAGE-INTEGRITY (valid FINGERPRINT), no
 * MESSAGE-INTEGRITY, and responses with the wrong password or an unknown transaction id change no
 * ICE state (no valid pair, no prflx candidate, no nomination, no consent refresh) and are counted.
 * Uses {@code stun/malformed-derived.json} and the RFC 5769 §2.1 request as the positive control.
 */
class IceAuthenticationTest {

  /** RFC 5769's credentials: the vectors' USERNAME is evtj:h6vY, the password VOkJxbRl1RmTxUk/WvJxBt. */
  private static final IceCredentials LOCAL = new IceCredentials("evtj", "VOkJxbRl1RmTxUk/WvJxBt");
  private static final IceCredentials REMOTE = new IceCredentials("h6vY", "remotePasswordRemotePassword");
  private static final InetSocketAddress HOST = new InetSocketAddress(ip("30.0.0.1"), 5000);
  private static final InetSocketAddress PEER = new InetSocketAddress(ip("30.0.0.9"), 4000);

  private long now = 1_000_000_000L;

  private static java.net.InetAddress ip(String s) {
    try {
      return java.net.InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private IceAgent agent(IceRole role) {
    IceAgent a = new IceAgent(IceConfig.builder().role(role).tieBreaker(5).localCredentials(LOCAL)
        .hostAddresses(List.of(HOST)).build(), new SplittableRandom(1));
    a.startGathering(now);
    a.setRemoteCredentials(now, REMOTE);
    drain(a);
    return a;
  }

  private static List<Datagram> drain(IceAgent a) {
    List<Datagram> out = new ArrayList<>();
    Optional<Datagram> d;
    while ((d = a.pollTransmit()).isPresent()) {
      out.add(d.get());
    }
    while (a.pollEvent().isPresent()) {
      // events are not under test here
    }
    return out;
  }

  private void feed(IceAgent a, byte[] bytes) {
    a.handleReceive(now, Datagram.udp(PEER, HOST, bytes));
  }

  private static void assertNoStateChange(IceAgent a) {
    IceStats s = a.stats();
    assertThat(s.pairs()).as("no prflx candidate or pair learned").isEmpty();
    assertThat(a.selectedPair()).isEmpty();
    assertThat(s.checksReceived()).isZero();
    assertThat(s.responsesSent()).isZero();
  }

  @Test
  void rfc5769RequestIsAcceptedAsThePositiveControl() {
    IceAgent a = agent(IceRole.CONTROLLING);
    feed(a, StunVectors.rfc5769Request());
    List<Datagram> out = drain(a);
    assertThat(a.stats().checksReceived()).isEqualTo(1);
    assertThat(a.stats().pairs()).hasSize(1);
    assertThat(a.stats().pairs().get(0).pair().remote().type()).isEqualTo(IceCandidate.Type.PRFLX);
    StunMessage response = out.stream().map(d -> parse(d.bytes())).filter(m -> m.stunClass() == StunClass.SUCCESS_RESPONSE)
        .findFirst().orElseThrow();
    assertThat(response.verifyMessageIntegrity(ShortTermCredentials.key(LOCAL.pwd()))).isTrue();
    assertThat(response.attribute(XorMappedAddress.class).orElseThrow().address()).isEqualTo(PEER);
  }

  @Test
  void wrongUsernameWithValidIntegrityChangesNothing() {
    IceAgent a = agent(IceRole.CONTROLLING);
    feed(a, StunVectors.malformed("wrong-username-valid-integrity"));
    assertThat(drain(a)).isEmpty();
    assertNoStateChange(a);
    assertThat(a.stats().badIntegrity()).isEqualTo(1);
  }

  @Test
  void badIntegrityWithValidFingerprintChangesNothing() {
    IceAgent a = agent(IceRole.CONTROLLING);
    feed(a, StunVectors.malformed("bad-message-integrity-valid-fingerprint"));
    assertThat(drain(a)).isEmpty();
    assertNoStateChange(a);
    assertThat(a.stats().badIntegrity()).isEqualTo(1);
  }

  @Test
  void missingIntegrityChangesNothing() {
    IceAgent a = agent(IceRole.CONTROLLING);
    feed(a, StunVectors.unauthenticatedBindingRequest());
    assertThat(drain(a)).isEmpty();
    assertNoStateChange(a);
    assertThat(a.stats().badIntegrity()).isEqualTo(1);
  }

  @Test
  void everyMalformedVectorIsDroppedWithoutThrowing() {
    IceAgent a = agent(IceRole.CONTROLLING);
    int n = 0;
    for (Object o : StunVectors.malformedCases()) {
      Map<String, Object> c = MiniJson.obj(o);
      String name = (String) c.get("name");
      if (name.equals("attribute-between-integrity-and-fingerprint")) {
        continue; // a valid, authenticated request (the extra attribute is ignored): accepted
      }
      feed(a, HexFormat.of().parseHex((String) c.get("hex")));
      List<Datagram> out = drain(a);
      if (name.equals("unknown-comprehension-required-attribute")) {
        // Authenticated, but with an unknown comprehension-required attribute: 420, nothing else.
        assertThat(out).hasSize(1);
        StunMessage m = parse(out.get(0).bytes());
        assertThat(m.stunClass()).isEqualTo(StunClass.ERROR_RESPONSE);
        assertThat(m.attribute(org.rtc4j.stun.ErrorCode.class).orElseThrow().code()).isEqualTo(420);
        assertThat(m.attribute(org.rtc4j.stun.UnknownAttributes.class).orElseThrow().types()).contains(0x7777);
      } else {
        assertThat(out).as(name).isEmpty();
      }
      assertThat(a.stats().pairs()).as(name).isEmpty();
      assertThat(a.selectedPair()).isEmpty();
      n++;
    }
    assertThat(n).isGreaterThan(10);
    assertThat(a.internalErrors()).isZero();
  }

  /** A request with USE-CANDIDATE but a bad MESSAGE-INTEGRITY nominates nothing. */
  @Test
  void forgedNominationIsIgnored() {
    IceAgent a = agent(IceRole.CONTROLLED);
    byte[] forged = request(new IceCredentials("evtj", "wrongPasswordWrongPassword"), true);
    feed(a, forged);
    assertThat(drain(a)).isEmpty();
    assertNoStateChange(a);
    assertThat(a.stats().badIntegrity()).isEqualTo(1);
  }

  private byte[] request(IceCredentials signingLocal, boolean useCandidate) {
    StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TransactionId.random(new SplittableRandom(now)))
        .add(new Username(LOCAL.ufrag() + ":" + REMOTE.ufrag())).add(new Priority(1862270975L))
        .add(new IceControlling(99));
    if (useCandidate) {
      b.add(new UseCandidate());
    }
    return b.encode(ShortTermCredentials.key(signingLocal.pwd()), true);
  }

  private static StunMessage parse(byte[] b) {
    try {
      return StunMessage.parse(b);
    } catch (org.rtc4j.stun.StunParseException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] response(StunMessage request, String password) {
    return StunMessage.builder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, request.transactionId())
        .add(new XorMappedAddress(HOST)).encode(ShortTermCredentials.key(password), true);
  }

  /** The agent with one remote host candidate; returns its first check to the peer. */
  private StunMessage firstCheck(IceAgent a) {
    a.addRemoteCandidate(now, new IceCandidate("1", 1, IceCandidate.Transport.UDP, 2130706431L, "30.0.0.9", 4000,
        IceCandidate.Type.HOST, null, -1, null, List.of()));
    now += 50_000_000L;
    a.handleTimeout(now);
    List<Datagram> out = drain(a);
    assertThat(out).isNotEmpty();
    return parse(out.get(0).bytes());
  }

  @Test
  void responsesWithTheWrongPasswordOrAnUnknownTransactionChangeNothing() {
    IceAgent a = agent(IceRole.CONTROLLING);
    StunMessage check = firstCheck(a);
    assertThat(check.verifyMessageIntegrity(ShortTermCredentials.key(REMOTE.pwd()))).isTrue();
    assertThat(check.attribute(Username.class).orElseThrow().value()).isEqualTo("h6vY:evtj");
    // Wrong password.
    feed(a, response(check, "notTheRemotePasswordAtAll"));
    // Right password, unknown transaction.
    StunMessage other = parse(StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST,
        TransactionId.fromHex("00112233445566778899aabb")).encode());
    feed(a, response(other, REMOTE.pwd()));
    drain(a);
    assertThat(a.stats().pairs()).allMatch(p -> p.state() != IceStats.PairState.SUCCEEDED);
    assertThat(a.selectedPair()).isEmpty();
    assertThat(a.stats().badIntegrity()).isEqualTo(1);
    assertThat(a.stats().responsesReceived()).isZero();
    // Positive control: the right response validates the pair.
    feed(a, response(check, REMOTE.pwd()));
    drain(a);
    assertThat(a.selectedPair()).isPresent();
  }

  /** Consent (RFC 7675) is refreshed only by authenticated responses: forged ones let it expire. */
  @Test
  void forgedConsentResponsesDoNotRefreshConsent() {
    IceAgent a = agent(IceRole.CONTROLLING);
    StunMessage check = firstCheck(a);
    feed(a, response(check, REMOTE.pwd()));
    drain(a);
    assertThat(a.state()).isEqualTo(IceConnectionState.CONNECTED);
    long start = now;
    long forged = 0;
    while (now - start < 35_000_000_000L) {
      now = Math.max(now + 1_000_000L, Math.min(a.pollTimeout(), now + 100_000_000L));
      a.handleTimeout(now);
      for (Datagram d : drain(a)) {
        StunMessage m = parse(d.bytes());
        if (m.stunClass() == StunClass.REQUEST) {
          feed(a, response(m, "forgedPasswordForgedPassword"));
          forged++;
        }
      }
    }
    assertThat(forged).isGreaterThan(5);
    assertThat(a.state()).isEqualTo(IceConnectionState.FAILED);
    assertThat(a.stats().badIntegrity()).isEqualTo(forged);
    a.send(now, ByteBuffer.wrap(new byte[] {(byte) 0x80, 0}));
    assertThat(drain(a)).isEmpty();
  }
}
