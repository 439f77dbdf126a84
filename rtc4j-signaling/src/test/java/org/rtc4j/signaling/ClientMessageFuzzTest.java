package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/**
 * BI-18 at the parser: any text either parses to a message whose relay frame is valid JSON with
 * exactly the envelope fields, or fails with {@link SignalingMessageException}; nothing else escapes;
 * and the byte parser of the relay path ({@link AsciiEnvelope}) agrees with the reference parser.
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
    // The byte path (AsciiEnvelope, then the reference on anything it is unsure of) must give the
    // reference parser's answer: the same message, or the same error text.
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    String decoded = new String(utf8, StandardCharsets.UTF_8); // lone surrogates become '?'
    Object viaBytes;
    Object viaString;
    try {
      viaBytes = ClientMessage.parse(MAPPER, utf8);
    } catch (SignalingMessageException e) {
      viaBytes = e.getMessage();
    }
    try {
      viaString = ClientMessage.parse(MAPPER, decoded);
    } catch (SignalingMessageException e) {
      viaString = e.getMessage();
    }
    assertThat(viaBytes).isEqualTo(viaString);
    // The relay path's encoded frame (built from the byte ranges) is the reference relay frame,
    // byte for byte, behind a correct WebSocket header; "a\"b" checks an id that needs escaping.
    int[] r = new int[AsciiEnvelope.RANGES];
    if (AsciiEnvelope.ranges(utf8, utf8.length, r) && r[AsciiEnvelope.DST_START] >= 0) {
      ClientMessage ref = (ClientMessage) viaString;
      for (String src : new String[] {"me", "a\"b"}) {
        io.netty.buffer.ByteBuf f = ClientMessage.encodedRelayFrame(io.netty.buffer.Unpooled.buffer(1),
            utf8, r, ClientMessage.escapedUtf8(src));
        try {
          String expected = ClientMessage.relayFrame(MAPPER, ref.type(), src, ref.dst(), ref.payload());
          io.netty.buffer.ByteBuf e = WsText.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, expected);
          byte[] whole = new byte[e.readableBytes()];
          e.getBytes(e.readerIndex(), whole);
          e.release();
          byte[] got = new byte[f.readableBytes()];
          f.getBytes(f.readerIndex(), got);
          assertThat(got).isEqualTo(whole);
          assertThat(WsText.decode(f)).isEqualTo(expected);
        } finally {
          f.release();
        }
      }
    }
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
