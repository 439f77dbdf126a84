package org.rtc4j.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Trust test BI-16 under fuzzing: the candidate-line parser throws only
 * {@link SdpParseException}; what it accepts is in range and survives write + re-parse.
 *
 * <p>Seeds: {@code src/test/resources/org/rtc4j/sdp/IceCandidateFuzzTestInputs/parseWriteReparse/}
 * (every candidate line of the vectors, good and bad, and fuzzer findings).
 */
class IceCandidateFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void parseWriteReparse(byte[] input) {
    String line = new String(input, StandardCharsets.UTF_8);
    IceCandidate c;
    try {
      c = IceCandidate.parse(line);
    } catch (SdpParseException e) {
      assertThat(e.reason()).isNotBlank();
      return;
    }
    assertThat(c.priority()).isBetween(1L, 0x7FFFFFFFL);
    assertThat(c.component()).isBetween(1, 256);
    assertThat(c.port()).isBetween(0, 65535);
    assertThat(c.relatedPort()).isBetween(-1, 65535);
    assertThat(c.foundation().length()).isBetween(1, 32);
    assertThat(IcePriority.componentId(c.priority()) >= -255).isTrue();
    try {
      assertThat(IceCandidate.parse(c.toCandidateLine())).isEqualTo(c);
      assertThat(IceCandidate.parse("a=" + c.toAttribute().toLine().substring(2))).isEqualTo(c);
    } catch (SdpParseException e) {
      throw new AssertionError("written candidate does not re-parse: " + e.getMessage(), e);
    }
  }
}
