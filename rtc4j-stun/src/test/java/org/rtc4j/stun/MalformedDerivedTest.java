package org.rtc4j.stun;

import org.rtc4j.testkit.MiniJson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Trust test BI-2: the 15 cases of stun/malformed-derived.json give exactly their stated outcome. */
class MalformedDerivedTest {

  static final Map<String, Object> FILE = Vectors.json("stun/malformed-derived.json");
  static final byte[] KEY = ShortTermCredentials.key((String) FILE.get("password_for_integrity"));
  static final Map<String, byte[]> CASES = new LinkedHashMap<>();

  static {
    for (Object o : MiniJson.arr(FILE.get("cases"))) {
      Map<String, Object> c = MiniJson.obj(o);
      CASES.put((String) c.get("name"), Vectors.unhex((String) c.get("hex")));
    }
  }

  /** Cases the parser must reject, with the offset it reports. */
  static final Map<String, Integer> REJECTED_BY_PARSER = Map.ofEntries(
      Map.entry("truncated-header-19-bytes", 0),
      Map.entry("wrong-magic-cookie", 4),
      Map.entry("length-not-multiple-of-4", 2),
      Map.entry("length-exceeds-datagram", 2),
      Map.entry("top-two-bits-set", 0),
      Map.entry("attribute-length-overruns-message", 22),
      Map.entry("bad-fingerprint", 104),
      Map.entry("attribute-after-fingerprint", 108),
      Map.entry("xor-mapped-address-bad-family", 36),
      Map.entry("xor-mapped-address-too-short", 36),
      Map.entry("zero-length-datagram", 0));

  static Stream<String> rejectedNames() {
    return REJECTED_BY_PARSER.keySet().stream().sorted();
  }

  @Test
  void theFileHasExactlyTheFifteenCasesThisTestCovers() {
    assertThat(CASES).hasSize(15);
    assertThat(CASES.keySet()).containsAll(REJECTED_BY_PARSER.keySet()).contains(
        "bad-message-integrity-valid-fingerprint", "wrong-username-valid-integrity",
        "attribute-between-integrity-and-fingerprint", "unknown-comprehension-required-attribute");
  }

  @ParameterizedTest
  @MethodSource("rejectedNames")
  void rejectedByTheParserWithoutOverRead(String name) {
    byte[] b = CASES.get(name);
    // Parse from a buffer whose limit is the datagram inside a larger array filled with a marker:
    // a parser that read past the limit would see the marker bytes (and the exact-offset checks fail).
    byte[] big = new byte[b.length + 64];
    java.util.Arrays.fill(big, (byte) 0x5A);
    System.arraycopy(b, 0, big, 16, b.length);
    ByteBuffer buf = ByteBuffer.wrap(big, 16, b.length);
    assertThatThrownBy(() -> StunMessage.parseDatagram(buf)).isInstanceOfSatisfying(StunParseException.class,
        e -> assertThat(e.offset()).isEqualTo(REJECTED_BY_PARSER.get(name)));
    assertThat(buf.position()).as("position unchanged on failure").isEqualTo(16);
    assertThatThrownBy(() -> StunMessage.parse(b)).isInstanceOf(StunParseException.class);
  }

  @Test
  void notStunCasesFailTheDemuxCheck() {
    for (String n : List.of("truncated-header-19-bytes", "wrong-magic-cookie", "top-two-bits-set", "zero-length-datagram")) {
      assertThat(StunMessage.looksLikeStun(ByteBuffer.wrap(CASES.get(n)))).as(n).isFalse();
    }
    // The header of these is valid: a server knows the transaction and could answer 400.
    StunParseException e = Rfc5769VectorsTest.catchParse(CASES.get("attribute-length-overruns-message"));
    assertThat(e.messageType()).isEqualTo(0x0001);
    assertThat(e.transactionId()).contains(TransactionId.fromHex("b7e7a701bc34d686fa87dfae"));
    assertThat(Rfc5769VectorsTest.catchParse(CASES.get("wrong-magic-cookie")).transactionId()).isEmpty();
  }

  @Test
  void badMessageIntegrityWithValidFingerprintParsesButFailsIntegrity() throws Exception {
    StunMessage m = StunMessage.parse(CASES.get("bad-message-integrity-valid-fingerprint"));
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(m.verifyMessageIntegrity(KEY)).isFalse();
  }

  @Test
  void wrongUsernameWithValidIntegrityIsLeftToTheIceLayer() throws Exception {
    // Integrity is fine; the codec exposes USERNAME so the agent can reject the wrong ufrag pair.
    StunMessage m = StunMessage.parse(CASES.get("wrong-username-valid-integrity"));
    assertThat(m.verifyMessageIntegrity(KEY)).isTrue();
    assertThat(m.attribute(Username.class).orElseThrow().value()).isEqualTo("xxxx:h6vY").isNotEqualTo("evtj:h6vY");
  }

  @Test
  void attributeBetweenIntegrityAndFingerprintIsIgnored() throws Exception {
    StunMessage m = StunMessage.parse(CASES.get("attribute-between-integrity-and-fingerprint"));
    assertThat(m.verifyMessageIntegrity(KEY)).isTrue();
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(m.attributes(Software.class)).containsExactly(new Software("STUN test client"));
    assertThat(m.attributes()).extracting(StunAttribute::type).containsExactly(
        StunAttributeType.SOFTWARE, StunAttributeType.PRIORITY, StunAttributeType.ICE_CONTROLLED,
        StunAttributeType.USERNAME, StunAttributeType.MESSAGE_INTEGRITY, StunAttributeType.FINGERPRINT);
  }

  @Test
  void unknownComprehensionRequiredAttributeIsReportedFor420() throws Exception {
    StunMessage m = StunMessage.parse(CASES.get("unknown-comprehension-required-attribute"));
    assertThat(m.verifyMessageIntegrity(KEY)).isTrue();
    assertThat(m.unknownComprehensionRequired()).containsExactly(0x7777);
    assertThat(m.attribute(UnknownAttribute.class)).contains(new UnknownAttribute(0x7777, new byte[4]));
    // What a server answers (RFC 8489 §6.3.1.1): 420 with UNKNOWN-ATTRIBUTES listing the type.
    byte[] answer = StunMessage.builder(m.method(), StunClass.ERROR_RESPONSE, m.transactionId())
        .add(ErrorCode.UNKNOWN_ATTRIBUTE).add(new UnknownAttributes(m.unknownComprehensionRequired()))
        .encode(KEY, true);
    StunMessage r = StunMessage.parse(answer);
    assertThat(r.attribute(ErrorCode.class).orElseThrow().code()).isEqualTo(420);
    assertThat(r.attribute(UnknownAttributes.class).orElseThrow().types()).containsExactly(0x7777);
    assertThat(r.verifyMessageIntegrity(KEY)).isTrue();
  }
}
