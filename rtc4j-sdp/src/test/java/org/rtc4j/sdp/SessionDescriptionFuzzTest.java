package org.rtc4j.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Trust test BI-15: the description parser is safe on any input. Harness: parse; on success,
 * read every typed accessor and run the validator (none may throw on a parsed description), then
 * write and re-parse: the model must be equal and the text stable. Only {@link SdpParseException}
 * may escape the parser.
 *
 * <p>{@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/sdp/SessionDescriptionFuzzTestInputs/parseWriteReparse/}
 * (the browser and malformed vectors, and any finding of the fuzzer);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=SessionDescriptionFuzzTest} fuzzes.
 */
class SessionDescriptionFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void parseWriteReparse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    SessionDescription sd;
    try {
      sd = SessionDescription.parse(text);
    } catch (SdpParseException e) {
      assertThat(e.lineNumber()).isBetween(0, SdpLimits.MAX_LINES + 1);
      assertThat(e.reason()).isNotBlank();
      assertThat(e.line().length()).isLessThanOrEqualTo(203);
      return;
    }
    Object summary = BrowserCorpusTest.summary(sd);
    assertThat(SdpValidator.validate(sd)).isNotNull();
    for (MediaDescription m : sd.media()) {
      assertThat(m.rejectedCandidates().size() + m.candidates().size())
          .isEqualTo(m.attributes("candidate").size());
      assertThat(m.iceOptions()).isNotNull();
      m.fmtps().forEach(f -> assertThat(f.parameterMap()).isNotNull());
      m.fingerprints().forEach(f -> f.problem());
    }
    assertThat(sd.iceOptions()).isNotNull();

    String written = sd.write();
    if (written.length() > SdpLimits.MAX_DESCRIPTION_LENGTH) {
      return; // LF input grows by one CR per line; the cap then refuses the re-parse by design
    }
    SessionDescription again;
    try {
      again = SessionDescription.parse(written);
    } catch (SdpParseException e) {
      throw new AssertionError("written description does not re-parse: " + e.getMessage(), e);
    }
    assertThat(again).isEqualTo(sd);
    assertThat(BrowserCorpusTest.summary(again)).isEqualTo(summary);
    assertThat(again.write()).isEqualTo(written);
  }
}
