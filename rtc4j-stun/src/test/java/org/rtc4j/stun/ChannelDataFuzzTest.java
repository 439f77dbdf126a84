package org.rtc4j.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Trust test BI-4: the ChannelData parser is safe on any input; channel numbers outside
 * 0x4000-0x4FFF and lengths beyond the bytes present are rejected. The last input byte selects
 * the transport (FuzzedDataProvider takes primitives from the end; odd: reliable), the rest is the
 * frame.
 *
 * <p>{@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/stun/ChannelDataFuzzTestInputs/parseReencode/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ChannelDataFuzzTest} fuzzes.
 */
class ChannelDataFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void parseReencode(FuzzedDataProvider data) {
    boolean reliable = data.consumeBoolean();
    byte[] input = data.consumeRemainingAsBytes();
    ByteBuffer buf = ByteBuffer.wrap(input);
    int channel = input.length >= 2 ? ((input[0] & 0xFF) << 8) | (input[1] & 0xFF) : -1;
    int length = input.length >= 4 ? ((input[2] & 0xFF) << 8) | (input[3] & 0xFF) : -1;
    ChannelData cd;
    try {
      cd = ChannelData.parse(buf, reliable);
    } catch (StunParseException e) {
      assertThat(buf.position()).isZero();
      boolean shouldFail = input.length < 4 || channel < 0x4000 || channel > 0x4FFF || length > input.length - 4
          || (reliable && 4 + ((length + 3) & ~3) > input.length);
      assertThat(shouldFail).as("rejected a valid frame: %s", e.getMessage()).isTrue();
      return;
    }
    assertThat(ChannelData.looksLikeChannelData(ByteBuffer.wrap(input))).isTrue();
    assertThat(cd.channelNumber()).isEqualTo(channel).isBetween(0x4000, 0x4FFF);
    assertThat(cd.length()).isEqualTo(length).isLessThanOrEqualTo(input.length - 4);
    assertThat(buf.position()).isEqualTo(reliable ? 4 + ((length + 3) & ~3) : 4 + length);
    if (reliable) {
      assertThat(ChannelData.streamFrameLength(ByteBuffer.wrap(input))).isEqualTo(buf.position());
    }
    byte[] encoded = cd.encode(false);
    for (int i = 0; i < encoded.length; i++) {
      assertThat(encoded[i]).isEqualTo(input[i]);
    }
    try {
      assertThat(ChannelData.parse(ByteBuffer.wrap(cd.encode(true)), true)).isEqualTo(cd);
      assertThat(ChannelData.parse(ByteBuffer.wrap(encoded), false)).isEqualTo(cd);
    } catch (StunParseException e) {
      throw new AssertionError("re-encoded frame must parse", e);
    }
    // ChannelData and STUN never both claim the same bytes (RFC 7983 first-byte ranges).
    assertThat(StunMessage.looksLikeStun(ByteBuffer.wrap(input))).isFalse();
  }
}
