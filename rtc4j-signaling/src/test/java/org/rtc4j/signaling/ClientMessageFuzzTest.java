package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * BI-18 at the parser: any text either parses to a message whose relay frame is valid JSON with
 * exactly the envelope fields, or fails with {@link SignalingMessageException}; nothing else escapes.
 *
 * <p>{@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/signaling/ClientMessageFuzzTestInputs/parse/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ClientMessageFuzzTest} fuzzes.
 */
class ClientMessageFuzzTest {

  private static final ObjectMapper MAPPER = ClientMessage.newMapper();

  @FuzzTest(maxDuration = "5m")
  void parse(FuzzedDataProvider data) throws Exception {
    String text = data.consumeRemainingAsString();
    ClientMessage m;
    try {
      m = ClientMessage.parse(MAPPER, text);
    } catch (SignalingMessageException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(m.type()).isNotNull();
    if (m.dst() != null) {
      assertThat(m.dst()).isNotEmpty();
      String frame = ClientMessage.relayFrame(MAPPER, m.type(), "me", m.dst(), m.payload());
      var tree = MAPPER.readTree(frame);
      assertThat(tree.get("src").asText()).isEqualTo("me");
      assertThat(tree.get("dst").asText()).isEqualTo(m.dst());
      assertThat(tree.size()).isBetween(3, 4);
      if (m.payload() != null) {
        assertThat(tree.get("payload")).isEqualTo(MAPPER.readTree(m.payload())); // forwarded text is valid JSON
      }
    }
  }
}
