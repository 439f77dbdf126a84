package org.rtc4j.stun;

import org.rtc4j.testkit.MiniJson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Trust test BI-1 and the bit-flip and wrong-password parts of BI-2: the four RFC 5769 vectors. */
class Rfc5769VectorsTest {

  static final Map<String, Object> EXPECTED = MiniJson.obj(Vectors.json("stun/rfc5769-expected.json").get("vectors"));

  static Stream<String> names() {
    return EXPECTED.keySet().stream();
  }

  static Map<String, Object> expected(String name) {
    return MiniJson.obj(EXPECTED.get(name));
  }

  static byte[] bytes(String name) {
    return Vectors.hex("stun/" + expected(name).get("file"));
  }

  /** The key as a receiver derives it from the vector's credentials. */
  static byte[] key(String name) {
    Map<String, Object> e = expected(name);
    if ("long-term".equals(e.get("credential"))) {
      String rawPassword = "The\u00adM\u00aatr\u2168";
      return LongTermCredentials.md5Key((String) e.get("username"), (String) e.get("realm"), rawPassword);
    }
    return ShortTermCredentials.key((String) e.get("password"));
  }

  @Test
  void allFourVectorsArePresent() {
    assertThat(EXPECTED).hasSize(4);
  }

  @ParameterizedTest
  @MethodSource("names")
  void parsesToTheExpectedFields(String name) throws Exception {
    Map<String, Object> e = expected(name);
    byte[] b = bytes(name);
    assertThat(b).hasSize(((Number) e.get("length_bytes")).intValue());
    assertThat(StunMessage.looksLikeStun(ByteBuffer.wrap(b))).isTrue();

    StunMessage m = StunMessage.parse(b);
    assertThat(m.messageType()).isEqualTo(Integer.decode((String) e.get("message_type")));
    assertThat(m.method()).isEqualTo(StunMethod.BINDING);
    assertThat(m.stunClass()).isEqualTo(
        "request".equals(e.get("class")) ? StunClass.REQUEST : StunClass.SUCCESS_RESPONSE);
    assertThat(m.transactionId()).isEqualTo(TransactionId.fromHex((String) e.get("transaction_id")));
    assertThat(m.length()).isEqualTo(b.length);
    assertThat(m.unknownComprehensionRequired()).isEmpty();

    if (e.containsKey("software")) {
      assertThat(m.attribute(Software.class)).contains(new Software((String) e.get("software")));
    }
    if (e.containsKey("priority")) {
      assertThat(m.attribute(Priority.class)).contains(new Priority(Long.parseLong((String) e.get("priority"), 16)));
    }
    if (e.containsKey("ice_controlled")) {
      assertThat(m.attribute(IceControlled.class))
          .contains(new IceControlled(Long.parseUnsignedLong((String) e.get("ice_controlled"), 16)));
    }
    if (e.containsKey("username")) {
      assertThat(m.attribute(Username.class)).contains(new Username((String) e.get("username")));
    }
    if (e.containsKey("realm")) {
      assertThat(m.attribute(Realm.class)).contains(new Realm((String) e.get("realm")));
    }
    if (e.containsKey("nonce")) {
      assertThat(m.attribute(Nonce.class)).contains(new Nonce((String) e.get("nonce")));
    }
    if (e.containsKey("xor_mapped_address")) {
      Map<String, Object> a = MiniJson.obj(e.get("xor_mapped_address"));
      InetSocketAddress expectedAddr = new InetSocketAddress(InetAddress.getByName((String) a.get("ip")),
          ((Number) a.get("port")).intValue());
      assertThat(m.attribute(XorMappedAddress.class)).contains(new XorMappedAddress(expectedAddr));
    }
    assertThat(m.hasMessageIntegrity()).isTrue();
    assertThat(m.hasMessageIntegritySha256()).isFalse();
    assertThat(Vectors.hex(m.attribute(MessageIntegrity.class).orElseThrow().value()))
        .isEqualTo(e.get("message_integrity"));
    if (e.get("fingerprint") == null) {
      assertThat(m.hasFingerprint()).isFalse();
      assertThat(m.attribute(Fingerprint.class)).isEmpty();
    } else {
      assertThat(m.hasFingerprint()).isTrue();
      assertThat(m.attribute(Fingerprint.class))
          .contains(new Fingerprint(Long.parseLong((String) e.get("fingerprint"), 16)));
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void messageIntegrityAndFingerprintVerify(String name) throws Exception {
    Map<String, Object> e = expected(name);
    byte[] b = bytes(name);
    StunMessage m = StunMessage.parse(b);
    byte[] key = key(name);
    if (e.containsKey("long_term_key_md5")) {
      assertThat(Vectors.hex(key)).isEqualTo(e.get("long_term_key_md5"));
    }
    assertThat(m.verifyMessageIntegrity(key)).isTrue();
    IntegrityCalculator calc = new IntegrityCalculator();
    assertThat(calc.verifyMessageIntegrity(m, key)).isTrue();
    assertThat(calc.verifyMessageIntegrity(m, key)).as("cached key path").isTrue();
    if (e.get("fingerprint") != null) {
      // FINGERPRINT is checked by parse; recompute it independently over the bytes before it.
      long fp = calc.fingerprint(ByteBuffer.wrap(b), 0, b.length - 8);
      assertThat(String.format("%08x", fp)).isEqualTo(e.get("fingerprint"));
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void integrityVerifiesFromDirectAndReadOnlyBuffers(String name) throws Exception {
    byte[] b = bytes(name);
    ByteBuffer direct = ByteBuffer.allocateDirect(b.length + 7);
    direct.position(7);
    direct.put(b).position(7);
    StunMessage fromDirect = StunMessage.parse(direct);
    assertThat(direct.position()).isEqualTo(7 + b.length);
    StunMessage fromReadOnly = StunMessage.parse(ByteBuffer.wrap(b).asReadOnlyBuffer());
    IntegrityCalculator calc = new IntegrityCalculator();
    assertThat(calc.verifyMessageIntegrity(fromDirect, key(name))).isTrue();
    assertThat(calc.verifyMessageIntegrity(fromReadOnly, key(name))).isTrue();
    assertThat(fromDirect.attributes()).isEqualTo(fromReadOnly.attributes());
  }

  @ParameterizedTest
  @MethodSource("names")
  void reEncodingReproducesTheBytesExactly(String name) throws Exception {
    byte[] b = bytes(name);
    StunMessage m = StunMessage.parse(b);
    // RFC 5769 pads with 0x20 in 2.1-2.3 and with zeros in 2.4.
    int pad = name.startsWith("2.4") ? 0x00 : 0x20;
    StunMessage.Builder builder = m.toBuilder().paddingByte(pad);
    byte[] key = key(name);
    assertThat(builder.encode(key, m.hasFingerprint())).isEqualTo(b);

    // encodeTo into a direct, little-endian-ordered buffer at an offset gives the same bytes.
    ByteBuffer out = ByteBuffer.allocateDirect(b.length + 3).order(ByteOrder.LITTLE_ENDIAN);
    out.position(3);
    int n = builder.encodeTo(out, key, m.hasFingerprint(), new IntegrityCalculator());
    assertThat(n).isEqualTo(b.length);
    assertThat(out.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    byte[] copy = new byte[b.length];
    out.get(3, copy);
    assertThat(copy).isEqualTo(b);

    // With zero padding the bytes differ, but the message is valid and carries the same attributes.
    byte[] zeroPadded = m.toBuilder().encode(key, m.hasFingerprint());
    StunMessage again = StunMessage.parse(zeroPadded);
    assertThat(again.verifyMessageIntegrity(key)).isTrue();
    assertThat(again.toBuilder().attributes()).isEqualTo(m.toBuilder().attributes());
  }

  @ParameterizedTest
  @MethodSource("names")
  void wrongPasswordIsRejected(String name) throws Exception {
    StunMessage m = StunMessage.parse(bytes(name));
    assertThat(m.verifyMessageIntegrity(ShortTermCredentials.key("VOkJxbRl1RmTxUk/WvJxBu"))).isFalse();
    byte[] key = key(name);
    byte[] longer = java.util.Arrays.copyOf(key, key.length + 1);
    longer[key.length] = 'x';
    assertThat(m.verifyMessageIntegrity(longer)).isFalse();
    assertThat(m.verifyMessageIntegrity(new byte[0])).isFalse();
    assertThat(m.verifyMessageIntegritySha256(key)).as("no MESSAGE-INTEGRITY-SHA256 present").isFalse();
  }

  /**
   * Every single-bit flip is rejected: by the parser (header, lengths, FINGERPRINT), or by
   * MESSAGE-INTEGRITY. One family is rejected differently: a flip in FINGERPRINT's type field
   * turns it into an attribute after MESSAGE-INTEGRITY, which RFC 8489 §14.5 says to ignore, so
   * the message parses with valid integrity but without its FINGERPRINT; a receiver that expects
   * FINGERPRINT (ICE, RFC 8445 §7.2.2, and the RFC 7983 demux) rejects it for that.
   */
  @ParameterizedTest
  @MethodSource("names")
  void everySingleBitFlipIsRejected(String name) {
    byte[] b = bytes(name);
    byte[] key = key(name);
    boolean expectsFingerprint = expected(name).get("fingerprint") != null;
    int byParse = 0;
    int byIntegrity = 0;
    int byMissingFingerprint = 0;
    IntegrityCalculator calc = new IntegrityCalculator();
    for (int bit = 0; bit < b.length * 8; bit++) {
      byte[] f = b.clone();
      f[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
      StunMessage m;
      try {
        m = StunMessage.parse(f);
      } catch (StunParseException e) {
        byParse++;
        continue;
      }
      if (!calc.verifyMessageIntegrity(m, key)) {
        byIntegrity++;
        continue;
      }
      assertThat(expectsFingerprint && !m.hasFingerprint())
          .as("bit %d (byte %d) flipped and still accepted: %s", bit, bit / 8, m).isTrue();
      assertThat(bit / 8).as("only FINGERPRINT's type field").isBetween(b.length - 8, b.length - 7);
      byMissingFingerprint++;
    }
    assertThat(byParse + byIntegrity + byMissingFingerprint).isEqualTo(b.length * 8);
    assertThat(byParse).isPositive();
    if (!expectsFingerprint) {
      // Without FINGERPRINT, flips in the body reach MESSAGE-INTEGRITY (with it, CRC-32 catches
      // every single-bit error first).
      assertThat(byIntegrity).isPositive();
    }
    assertThat(byMissingFingerprint).isLessThanOrEqualTo(16);
  }

  @Test
  void saslprepOfTheRfc5769Password() {
    assertThat(Saslprep.prepare("The\u00adM\u00aatr\u2168")).isEqualTo("TheMatrIX");
  }

  @Test
  void erratumRfc8489B1AsPrintedIsNotAccepted() throws Exception {
    byte[] b = Vectors.hex("stun/rfc8489-B.1-as-printed-ERRATUM.hex");
    assertThatThrownBy(() -> StunMessage.parse(b)).isInstanceOf(StunParseException.class)
        .hasMessageContaining("exceeds");
    StunParseException ex = catchParse(b);
    assertThat(ex.offset()).isEqualTo(2);
    assertThat(ex.transactionId()).contains(TransactionId.fromHex("78ad3433c6ad72c029da412e"));

    // With the length corrected to the real body the message parses, but the printed
    // MESSAGE-INTEGRITY-SHA256 does not verify: it was computed over the wrong length.
    byte[] fixed = b.clone();
    fixed[2] = 0;
    fixed[3] = (byte) (b.length - 20);
    StunMessage m = StunMessage.parse(fixed);
    String user = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    assertThat(m.attribute(Userhash.class).orElseThrow().value())
        .isEqualTo(LongTermCredentials.userhash(user, "example.org"));
    assertThat(m.attribute(Nonce.class).orElseThrow().value()).startsWith("obMatJos2");
    assertThat(m.hasMessageIntegritySha256()).isTrue();
    byte[] key = LongTermCredentials.sha256Key(user, "example.org", "TheMatrIX");
    assertThat(m.verifyMessageIntegritySha256(key)).isFalse();
    assertThat(m.hasMessageIntegrity()).isFalse();
    assertThat(m.verifyMessageIntegrity(key)).isFalse();

    // Document the erratum: the printed MAC is HMAC-SHA256 over the bytes with the printed length 0x9c.
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    mac.update(b, 0, b.length - 36);
    byte[] printed = java.util.Arrays.copyOfRange(b, b.length - 32, b.length);
    assertThat(mac.doFinal()).isEqualTo(printed);
  }

  static StunParseException catchParse(byte[] b) {
    try {
      StunMessage.parse(b);
    } catch (StunParseException e) {
      return e;
    }
    throw new AssertionError("expected a parse failure");
  }
}
