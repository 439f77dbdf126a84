package org.rtc4j.sctp.dcep;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import org.rtc4j.sctp.SctpParseException;

/** BI-8 parser half: DATA_CHANNEL_OPEN/ACK parsing is safe and round-trips on any input. */
class DcepFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void parse(byte[] input) throws Exception {
    try {
      DataChannelOpen open = DataChannelOpen.parse(ByteBuffer.wrap(input));
      assertThat(open.encodedLength()).isGreaterThanOrEqualTo(DataChannelOpen.FIXED_LENGTH);
      assertThat(DataChannelOpen.parse(open.encode())).isEqualTo(open);
    } catch (SctpParseException e) {
      assertThat(e.offset()).isBetween(0, 12);
    }
    try {
      DataChannelAck.parse(ByteBuffer.wrap(input));
      assertThat(input).containsExactly((byte) 2);
    } catch (SctpParseException e) {
      assertThat(input).isNotEqualTo(new byte[] {2});
    }
  }
}
