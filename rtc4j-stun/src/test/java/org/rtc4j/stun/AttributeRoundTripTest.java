package org.rtc4j.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every attribute type survives encode and parse, for IPv4 and IPv6 addresses. */
class AttributeRoundTripTest {

  static final TransactionId TID = TransactionId.fromHex("0102030405060708090a0b0c");

  static InetSocketAddress v4() throws Exception {
    return new InetSocketAddress(InetAddress.getByName("192.0.2.77"), 54321);
  }

  static InetSocketAddress v6() throws Exception {
    return new InetSocketAddress(InetAddress.getByName("2001:db8::ab:cdef"), 1);
  }

  static List<StunAttribute> samples() throws Exception {
    List<StunAttribute> l = new ArrayList<>();
    for (InetSocketAddress a : List.of(v4(), v6())) {
      l.add(new MappedAddress(a));
      l.add(new XorMappedAddress(a));
      l.add(new XorPeerAddress(a));
      l.add(new XorRelayedAddress(a));
      l.add(new AlternateServer(a));
      l.add(new ResponseOrigin(a));
      l.add(new OtherAddress(a));
    }
    l.add(new Username("evtj:h6vY"));
    l.add(new Username("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9 \uD83D\uDE00"));
    l.add(new Username(""));
    l.add(new Userhash(new byte[32]));
    l.add(new Realm("example.org"));
    l.add(new Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"));
    l.add(ErrorCode.STALE_NONCE);
    l.add(new ErrorCode(699, "\u00e9rror"));
    l.add(new UnknownAttributes(List.of(0x7777)));
    l.add(new UnknownAttributes(List.of(0x0001, 0x7777, 0xFFFF)));
    l.add(new UnknownAttributes(List.of()));
    l.add(new Software("rtc4j"));
    l.add(new AlternateDomain("turn.example.com"));
    l.add(new PasswordAlgorithms(List.of(PasswordAlgorithm.of(PasswordAlgorithm.SHA256),
        PasswordAlgorithm.of(PasswordAlgorithm.MD5), new PasswordAlgorithm(0x1234, new byte[] {1, 2, 3}))));
    l.add(PasswordAlgorithm.of(PasswordAlgorithm.SHA256));
    l.add(new PasswordAlgorithm(7, new byte[] {9, 8, 7, 6, 5}));
    l.add(new Priority(0x6e0001ffL));
    l.add(new Priority(0xFFFFFFFFL));
    l.add(new UseCandidate());
    l.add(new IceControlled(-7840773886262756554L));
    l.add(new IceControlling(Long.MAX_VALUE));
    l.add(new ChannelNumber(0x4000));
    l.add(new ChannelNumber(0xFFFF));
    l.add(new Lifetime(600));
    l.add(new Lifetime(0xFFFFFFFFL));
    l.add(Data.wrap(new byte[] {1, 2, 3, 4, 5}));
    l.add(Data.wrap(new byte[0]));
    l.add(new RequestedTransport(17));
    l.add(new EvenPort(true));
    l.add(new EvenPort(false));
    l.add(new DontFragment());
    l.add(new ReservationToken(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    l.add(new RequestedAddressFamily(2));
    l.add(new AdditionalAddressFamily(2));
    l.add(new AddressErrorCode(2, 440, "Address Family not Supported"));
    l.add(new Icmp(3, 4, 1400));
    l.add(new ConnectionId(0xDEADBEEFL));
    l.add(new UnknownAttribute(0x7F00, new byte[] {1}));
    l.add(new UnknownAttribute(0xC001, new byte[0]));
    return l;
  }

  static Stream<StunAttribute> sampleStream() throws Exception {
    return samples().stream();
  }

  @ParameterizedTest
  @MethodSource("sampleStream")
  void roundTrips(StunAttribute a) throws Exception {
    for (int method : new int[] {StunMethod.BINDING, StunMethod.ALLOCATE, StunMethod.CONNECTION_ATTEMPT}) {
      for (StunClass cls : StunClass.values()) {
        byte[] bytes = StunMessage.builder(method, cls, TID).add(a).encode();
        assertThat(bytes.length % 4).isZero();
        StunMessage m = StunMessage.parse(bytes);
        assertThat(m.method()).isEqualTo(method);
        assertThat(m.stunClass()).isEqualTo(cls);
        assertThat(m.transactionId()).isEqualTo(TID);
        assertThat(m.attributes()).containsExactly(a);
        assertThat(m.attributes().get(0).hashCode()).isEqualTo(a.hashCode());
        assertThat(m.toBuilder().encode()).isEqualTo(bytes);
      }
    }
  }

  @Test
  void everyAttributeRecordHasARoundTripSample() throws Exception {
    Set<Class<?>> covered = new HashSet<>();
    for (StunAttribute a : samples()) {
      covered.add(a.getClass());
    }
    // The three integrity records are produced by encode(key, fingerprint); see integrityRoundTrips.
    covered.add(MessageIntegrity.class);
    covered.add(MessageIntegritySha256.class);
    covered.add(Fingerprint.class);
    assertThat(covered).containsExactlyInAnyOrder(StunAttribute.class.getPermittedSubclasses());
  }

  @Test
  void allAttributesTogetherWithEveryIntegrityMode() throws Exception {
    byte[] key = LongTermCredentials.md5Key("user", "realm", "pass");
    for (boolean sha1 : new boolean[] {true, false}) {
      for (boolean sha256 : new boolean[] {true, false}) {
        if (!sha1 && !sha256) {
          continue;
        }
        for (boolean fp : new boolean[] {true, false}) {
          StunMessage.Builder b = StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, TID)
              .addAll(samples()).integrity(sha1, sha256);
          byte[] bytes = b.encode(key, fp);
          assertThat(bytes).hasSize(b.encodedLength(true, fp));
          StunMessage m = StunMessage.parse(bytes);
          assertThat(m.hasMessageIntegrity()).isEqualTo(sha1);
          assertThat(m.hasMessageIntegritySha256()).isEqualTo(sha256);
          assertThat(m.hasFingerprint()).isEqualTo(fp);
          assertThat(m.verifyMessageIntegrity(key)).isEqualTo(sha1);
          assertThat(m.verifyMessageIntegritySha256(key)).isEqualTo(sha256);
          byte[] other = LongTermCredentials.md5Key("user", "realm", "pasS");
          assertThat(m.verifyMessageIntegrity(other) || m.verifyMessageIntegritySha256(other)).isFalse();
          assertThat(m.toBuilder().encode(key, fp)).isEqualTo(bytes);
          assertThat(m.attributes().subList(0, samples().size())).isEqualTo(samples());
        }
      }
    }
  }

  @Test
  void truncatedSha256IntegrityVerifies() throws Exception {
    // RFC 8489 §14.6 lets senders truncate MESSAGE-INTEGRITY-SHA256 to 16..32 bytes; build one by hand.
    byte[] key = LongTermCredentials.sha256Key("u", "r", "p");
    byte[] full = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TID).add(new Username("u"))
        .sha256Integrity(true).encode(key, false);
    int miAt = full.length - 36;
    byte[] t = java.util.Arrays.copyOf(full, full.length - 16);
    t[3] = (byte) (t.length - 20);
    t[miAt + 3] = 16;
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    mac.update(t, 0, miAt);
    System.arraycopy(mac.doFinal(), 0, t, miAt + 4, 16);
    StunMessage m = StunMessage.parse(t);
    assertThat(m.attribute(MessageIntegritySha256.class).orElseThrow().value()).hasSize(16);
    assertThat(m.verifyMessageIntegritySha256(key)).isTrue();
    t[miAt + 4 + 15] ^= 1;
    assertThat(StunMessage.parse(t).verifyMessageIntegritySha256(key)).isFalse();
  }

  @Test
  void emptyKeyIsTheHmacOfTheEmptyKey() throws Exception {
    // RFC 2104 by hand with an empty key (K zero-padded to 64 bytes).
    byte[] msg = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TID).encode(new byte[0], false);
    StunMessage m = StunMessage.parse(msg);
    assertThat(m.verifyMessageIntegrity(new byte[0])).isTrue();
    java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
    byte[] ipad = new byte[64];
    byte[] opad = new byte[64];
    java.util.Arrays.fill(ipad, (byte) 0x36);
    java.util.Arrays.fill(opad, (byte) 0x5c);
    sha1.update(ipad);
    sha1.update(msg, 0, msg.length - 24);
    byte[] inner = sha1.digest();
    sha1.update(opad);
    byte[] expected = sha1.digest(inner);
    assertThat(m.attribute(MessageIntegrity.class).orElseThrow().value()).isEqualTo(expected);
  }

  @Test
  void ipv4MappedIpv6StaysIpv6() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xFF;
    mapped[11] = (byte) 0xFF;
    mapped[12] = 127;
    mapped[15] = 1;
    InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 9);
    byte[] bytes = StunMessage.builder(StunMethod.CREATE_PERMISSION, StunClass.REQUEST, TID)
        .add(new XorPeerAddress(a)).encode();
    StunMessage m = StunMessage.parse(bytes);
    InetSocketAddress back = m.attribute(XorPeerAddress.class).orElseThrow().address();
    assertThat(back.getAddress()).isInstanceOf(Inet6Address.class);
    assertThat(back.getAddress().getAddress()).isEqualTo(mapped);
    assertThat(m.toBuilder().encode()).isEqualTo(bytes);
  }

  @Test
  void xorEncodingMatchesRfc8489() throws Exception {
    // 192.0.2.1:32853 XORed with the cookie is a147 e112a643 (RFC 5769 §2.2).
    byte[] bytes = StunMessage.builder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, TID)
        .add(new XorMappedAddress(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853))).encode();
    assertThat(Vectors.hex(java.util.Arrays.copyOfRange(bytes, 20, 32))).isEqualTo("002000080001a147e112a643");
    byte[] plain = StunMessage.builder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, TID)
        .add(new MappedAddress(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853))).encode();
    assertThat(Vectors.hex(java.util.Arrays.copyOfRange(plain, 20, 32))).isEqualTo("0001000800018055c0000201");
  }

  @Test
  void messageTypeBitsForEveryMethodAndClass() {
    assertThat(StunClass.messageType(StunMethod.BINDING, StunClass.REQUEST)).isEqualTo(0x0001);
    assertThat(StunClass.messageType(StunMethod.BINDING, StunClass.INDICATION)).isEqualTo(0x0011);
    assertThat(StunClass.messageType(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE)).isEqualTo(0x0101);
    assertThat(StunClass.messageType(StunMethod.BINDING, StunClass.ERROR_RESPONSE)).isEqualTo(0x0111);
    assertThat(StunClass.messageType(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE)).isEqualTo(0x0113);
    assertThat(StunClass.messageType(StunMethod.SEND, StunClass.INDICATION)).isEqualTo(0x0016);
    assertThat(StunClass.messageType(StunMethod.DATA, StunClass.INDICATION)).isEqualTo(0x0017);
    assertThat(StunClass.messageType(StunMethod.CONNECTION_ATTEMPT, StunClass.INDICATION)).isEqualTo(0x001C);
    for (int method = 0; method <= 0xFFF; method++) {
      for (StunClass c : StunClass.values()) {
        int t = StunClass.messageType(method, c);
        assertThat(t & 0xC000).isZero();
        assertThat(StunClass.methodOf(t)).isEqualTo(method);
        assertThat(StunClass.ofMessageType(t)).isEqualTo(c);
      }
    }
    assertThat(StunMethod.name(StunMethod.CHANNEL_BIND)).isEqualTo("ChannelBind");
    assertThat(StunMethod.name(0x0AB)).isEqualTo("0x0ab");
    assertThat(StunAttributeType.name(StunAttributeType.XOR_PEER_ADDRESS)).isEqualTo("XOR-PEER-ADDRESS");
  }

  @Test
  void dataIsAZeroCopyReadOnlyView() throws Exception {
    byte[] payload = new byte[300];
    new SplittableRandom(1).nextBytes(payload);
    byte[] bytes = StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, TID)
        .add(new XorPeerAddress(v4())).add(Data.wrap(payload)).encode();
    StunMessage m = StunMessage.parse(bytes);
    Data d = m.attribute(Data.class).orElseThrow();
    assertThat(d.length()).isEqualTo(300);
    assertThat(d.value().isReadOnly()).isTrue();
    assertThat(d.toByteArray()).isEqualTo(payload);
    ByteBuffer v = d.value();
    v.get(new byte[10]);
    assertThat(d.value().position()).as("views are independent").isZero();
    bytes[bytes.length - 1] ^= 1; // the view shares the parsed bytes
    assertThat(d.toByteArray()[299]).isEqualTo((byte) (payload[299] ^ 1));
    ByteBuffer out = ByteBuffer.allocateDirect(300);
    d.copyTo(out);
    assertThat(out.position()).isEqualTo(300);
  }

  @Test
  void parseConsumesExactlyOneMessageFromThePosition() throws Exception {
    byte[] a = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TID).add(new Software("a")).encode(null, true);
    byte[] b = StunMessage.builder(StunMethod.REFRESH, StunClass.REQUEST, TID).add(new Lifetime(0)).encode();
    ByteBuffer buf = ByteBuffer.allocate(3 + a.length + b.length);
    buf.put(new byte[3]).put(a).put(b).flip().position(3);
    assertThat(StunMessage.streamFrameLength(buf)).isEqualTo(a.length);
    assertThat(StunMessage.parse(buf).method()).isEqualTo(StunMethod.BINDING);
    assertThat(buf.position()).isEqualTo(3 + a.length);
    assertThat(StunMessage.parse(buf).method()).isEqualTo(StunMethod.REFRESH);
    assertThat(buf.hasRemaining()).isFalse();
    ByteBuffer both = ByteBuffer.wrap(concat(a, b));
    assertThatThrownBy(() -> StunMessage.parseDatagram(both)).isInstanceOf(StunParseException.class)
        .hasMessageContaining("trailing");
    assertThat(both.position()).isZero();
  }

  @Test
  void builderRejectsMisuse() {
    StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TID);
    assertThatThrownBy(() -> b.add(new MessageIntegrity(new byte[20]))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.add(new Fingerprint(0))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.encodeTo(ByteBuffer.allocate(19), null, false))
        .isInstanceOf(java.nio.BufferOverflowException.class);
    assertThatThrownBy(() -> StunMessage.builder(0x1000, StunClass.REQUEST, TID)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ErrorCode(299, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TransactionId(new byte[11])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new XorPeerAddress(InetSocketAddress.createUnresolved("example.org", 1)))
        .isInstanceOf(IllegalArgumentException.class);
    // Too large for the 16-bit length field.
    StunMessage.Builder huge = StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, TID)
        .add(Data.wrap(new byte[0xFFFF])).add(Data.wrap(new byte[10]));
    assertThatThrownBy(huge::encode).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void transactionIdIsAValue() {
    TransactionId a = TransactionId.random(new SplittableRandom(7));
    TransactionId b = new TransactionId(a.bytes());
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    byte[] leaked = a.bytes();
    leaked[0] ^= 1;
    assertThat(a).isEqualTo(b);
    assertThat(a.toString()).hasSize(24);
  }

  @Test
  void malformedKnownAttributeValuesAreRejected() {
    // type, value: each is the wrong size or format for its attribute.
    Object[][] cases = {
        {StunAttributeType.PRIORITY, new byte[3]},
        {StunAttributeType.USE_CANDIDATE, new byte[1]},
        {StunAttributeType.ICE_CONTROLLING, new byte[4]},
        {StunAttributeType.CHANNEL_NUMBER, new byte[2]},
        {StunAttributeType.LIFETIME, new byte[8]},
        {StunAttributeType.REQUESTED_TRANSPORT, new byte[1]},
        {StunAttributeType.EVEN_PORT, new byte[0]},
        {StunAttributeType.DONT_FRAGMENT, new byte[4]},
        {StunAttributeType.RESERVATION_TOKEN, new byte[7]},
        {StunAttributeType.USERHASH, new byte[31]},
        {StunAttributeType.ERROR_CODE, new byte[] {0, 0, 2, 0}},
        {StunAttributeType.ERROR_CODE, new byte[] {0, 0, 4, 100}},
        {StunAttributeType.ERROR_CODE, new byte[3]},
        {StunAttributeType.UNKNOWN_ATTRIBUTES, new byte[3]},
        {StunAttributeType.USERNAME, new byte[] {(byte) 0xC0, (byte) 0x80}},
        {StunAttributeType.REALM, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}},
        {StunAttributeType.NONCE, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}},
        {StunAttributeType.SOFTWARE, new byte[] {(byte) 0xE2, (byte) 0x82}},
        {StunAttributeType.PASSWORD_ALGORITHM, new byte[] {0, 1, 0, 8, 1, 2, 3, 4}},
        {StunAttributeType.PASSWORD_ALGORITHMS, new byte[] {0, 1, 0, 0, 0, 2}},
        {StunAttributeType.XOR_PEER_ADDRESS, new byte[] {0, 1, 0, 0, 1, 2, 3, 4, 5}},
        {StunAttributeType.MAPPED_ADDRESS, new byte[] {0, 2, 0, 0, 1, 2, 3, 4}},
        {StunAttributeType.ICMP, new byte[4]},
        {StunAttributeType.ADDRESS_ERROR_CODE, new byte[] {1, 0, 7, 0}},
        {StunAttributeType.CONNECTION_ID, new byte[5]},
        {StunAttributeType.MESSAGE_INTEGRITY, new byte[19]},
        {StunAttributeType.MESSAGE_INTEGRITY_SHA256, new byte[12]},
        {StunAttributeType.MESSAGE_INTEGRITY_SHA256, new byte[18]},
        {StunAttributeType.FINGERPRINT, new byte[8]},
    };
    for (Object[] c : cases) {
      byte[] msg = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TID)
          .add(new UnknownAttribute((Integer) c[0], (byte[]) c[1])).encode();
      assertThatThrownBy(() -> StunMessage.parse(msg)).as(StunAttributeType.name((Integer) c[0]))
          .isInstanceOfSatisfying(StunParseException.class, e -> {
            assertThat(e.offset()).isBetween(20, 22);
            assertThat(e.transactionId()).contains(TID);
          });
    }
  }

  @Test
  void errorReasonIsDecodedLeniently() throws Exception {
    byte[] msg = StunMessage.builder(StunMethod.BINDING, StunClass.ERROR_RESPONSE, TID)
        .add(new UnknownAttribute(StunAttributeType.ERROR_CODE, new byte[] {0, 0, 4, 1, (byte) 0xFF})).encode();
    assertThat(StunMessage.parse(msg).attribute(ErrorCode.class).orElseThrow().code()).isEqualTo(401);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
