package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * BI-5: the packet and chunk parsers are safe on any input. The checksum check is off (the
 * test-only switch), so mutated inputs reach every chunk parser; a parse either fails with
 * {@link SctpParseException} or yields records that re-encode and parse back equal.
 *
 * <p>{@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/sctp/SctpPacketFuzzTestInputs/} (pion packets, every chunk
 * type we emit, I-DATA, ASCONF, error causes, malformed lengths);
 * {@code JAZZER_FUZZ=1 mvn -o -pl rtc4j-sctp test -Dtest=SctpPacketFuzzTest} fuzzes.
 */
class SctpPacketFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void packet(byte[] input) throws Exception {
    SctpPacket p;
    try {
      p = SctpPacket.parse(ByteBuffer.wrap(input), false);
    } catch (SctpParseException e) {
      assertThat(e.offset()).isBetween(0, input.length + 4);
      return;
    }
    ByteBuffer again = p.encode();
    assertThat(again.remaining()).isEqualTo(p.encodedLength());
    SctpPacket back = SctpPacket.parse(again.duplicate());
    assertThat(back).isEqualTo(p);
    assertThat(back.encode()).isEqualTo(again);
    for (Chunk c : p.chunks()) {
      assertThat(c.length()).isBetween(4, 0xFFFF);
      assertThat(c.toString()).isNotNull();
    }
  }

  @FuzzTest(maxDuration = "5m")
  void chunk(byte[] input) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(input);
    Chunk c;
    try {
      c = Chunk.parse(b);
    } catch (SctpParseException e) {
      return;
    }
    assertThat(b.position()).isPositive();
    ByteBuffer out = ByteBuffer.allocate(c.encodedLength());
    c.encodeTo(out);
    assertThat(out.position()).isEqualTo(c.encodedLength());
    assertThat(Chunk.parse(out.flip())).isEqualTo(c);
  }
}
