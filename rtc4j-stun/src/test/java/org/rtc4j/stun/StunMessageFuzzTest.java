package org.rtc4j.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Trust test BI-3: the STUN parser is safe on any input. Harness: decode, check integrity with a
 * fixed key, iterate the attributes, re-encode, re-parse; plus a differential check between heap,
 * read-only and direct buffers. Only {@link StunParseException} may escape the parser.
 *
 * <p>{@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/stun/StunMessageFuzzTestInputs/parseVerifyReencode/} (RFC
 * 5769 vectors, the malformed cases, generated TURN messages, and any crash the fuzzer found);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=StunMessageFuzzTest} fuzzes.
 */
class StunMessageFuzzTest {

  static final byte[] KEY = ShortTermCredentials.key("VOkJxbRl1RmTxUk/WvJxBt");
  final IntegrityCalculator calc = new IntegrityCalculator();

  @FuzzTest(maxDuration = "5m")
  void parseVerifyReencode(byte[] input) {
    StunMessage m;
    try {
      m = StunMessage.parse(ByteBuffer.wrap(input));
    } catch (StunParseException e) {
      assertThat(e.offset()).isBetween(0, Math.max(0, input.length));
      differentialMustFailToo(input);
      return;
    }
    assertThat(StunMessage.looksLikeStun(ByteBuffer.wrap(input))).isTrue();
    assertThat(m.length()).isLessThanOrEqualTo(input.length).isEqualTo(StunMessage.streamFrameLength(ByteBuffer.wrap(input)));
    boolean mi = calc.verifyMessageIntegrity(m, KEY);
    boolean mi256 = calc.verifyMessageIntegritySha256(m, KEY);
    assertThat(mi).isEqualTo(m.verifyMessageIntegrity(KEY));
    assertThat(mi && !m.hasMessageIntegrity()).isFalse();
    assertThat(mi256 && !m.hasMessageIntegritySha256()).isFalse();

    long bodyLength = 0;
    for (StunAttribute a : m.attributes()) {
      assertThat(a.type()).isBetween(0, 0xFFFF);
      int vlen = a.valueLength();
      assertThat(vlen).isBetween(0, 0xFFFF);
      bodyLength += 4 + ((vlen + 3) & ~3);
      assertThat(a.toString()).isNotNull();
      assertThat(a).isEqualTo(a).hasSameHashCodeAs(a);
    }
    for (int t : m.unknownComprehensionRequired()) {
      assertThat(t).isBetween(0, 0x7FFF);
    }
    m.attribute(Data.class).ifPresent(d -> assertThat(d.toByteArray()).hasSize(d.length()));

    // Differential: the same bytes behind direct and read-only buffers parse and verify the same.
    ByteBuffer direct = ByteBuffer.allocateDirect(input.length);
    direct.put(input).flip();
    StunMessage fromDirect = parseOrFail(direct);
    StunMessage fromReadOnly = parseOrFail(ByteBuffer.wrap(input).asReadOnlyBuffer());
    assertThat(fromDirect.attributes()).isEqualTo(m.attributes());
    assertThat(fromReadOnly.attributes()).isEqualTo(m.attributes());
    assertThat(calc.verifyMessageIntegrity(fromDirect, KEY)).isEqualTo(mi);
    assertThat(calc.verifyMessageIntegritySha256(fromReadOnly, KEY)).isEqualTo(mi256);

    // Re-encode with integrity and fingerprint, when it still fits the 16-bit length.
    if (StunMessage.HEADER_LENGTH + bodyLength + 24 + 36 + 8 > StunMessage.MAX_LENGTH) {
      return;
    }
    StunMessage.Builder b = m.toBuilder();
    List<StunAttribute> plain = b.attributes();
    byte[] again = b.encode(KEY, true);
    StunMessage m2 = parseOrFail(ByteBuffer.wrap(again));
    assertThat(m2.toBuilder().attributes()).isEqualTo(plain);
    assertThat(m2.method()).isEqualTo(m.method());
    assertThat(m2.stunClass()).isEqualTo(m.stunClass());
    assertThat(m2.transactionId()).isEqualTo(m.transactionId());
    assertThat(m2.hasFingerprint()).isTrue();
    assertThat(m2.verifyMessageIntegrity(KEY) || m2.verifyMessageIntegritySha256(KEY)).isTrue();
    assertThat(m2.unknownComprehensionRequired()).isEqualTo(m.unknownComprehensionRequired());
    // Encoding is deterministic and stable under a second round trip.
    assertThat(m2.toBuilder().encode(KEY, true)).isEqualTo(again);
  }

  private static void differentialMustFailToo(byte[] input) {
    ByteBuffer direct = ByteBuffer.allocateDirect(input.length);
    direct.put(input).flip();
    try {
      StunMessage.parse(direct);
      throw new AssertionError("direct buffer parsed what the heap buffer rejected");
    } catch (StunParseException expected) {
      assertThat(direct.position()).isZero();
    }
  }

  private static StunMessage parseOrFail(ByteBuffer buf) {
    try {
      return StunMessage.parse(buf);
    } catch (StunParseException e) {
      throw new AssertionError("must parse: " + e.getMessage(), e);
    }
  }
}
