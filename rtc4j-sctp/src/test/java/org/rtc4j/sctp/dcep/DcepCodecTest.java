package org.rtc4j.sctp.dcep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rtc4j.sctp.SctpParseException;
import org.rtc4j.sctp.Vectors;
import org.rtc4j.testkit.MiniJson;

/** BI-8 at the codec level: the RFC 8832 vectors parse and re-encode exactly; malformed ones are rejected. */
class DcepCodecTest {

  @Test
  void vectors() throws Exception {
    Map<String, Object> v = Vectors.json("dcep-rfc8832.json");
    for (Object o : MiniJson.arr(v.get("messages"))) {
      Map<String, Object> m = MiniJson.obj(o);
      byte[] bytes = Vectors.unhex((String) m.get("hex"));
      if (m.get("name").equals("ack")) {
        assertThat(DataChannelAck.parse(ByteBuffer.wrap(bytes))).isEqualTo(new DataChannelAck());
        assertThat(new DataChannelAck().encode()).isEqualTo(ByteBuffer.wrap(bytes));
        continue;
      }
      DataChannelOpen open = DataChannelOpen.parse(ByteBuffer.wrap(bytes));
      assertThat(open.channelType().code()).isEqualTo(Integer.parseInt(((String) m.get("channel_type")).substring(2), 16));
      assertThat(open.priority()).isEqualTo(((Number) m.get("priority")).intValue());
      assertThat(open.reliabilityParameter()).isEqualTo(((Number) m.get("reliability_parameter")).longValue());
      assertThat(open.label()).isEqualTo(m.get("label"));
      assertThat(open.protocol()).isEqualTo(m.get("protocol"));
      assertThat(Vectors.hex(open.encode().array())).isEqualTo(m.get("hex"));
    }
    for (Object o : MiniJson.arr(v.get("malformed"))) {
      byte[] bytes = Vectors.unhex((String) MiniJson.obj(o).get("hex"));
      assertThatThrownBy(() -> DataChannelOpen.parse(ByteBuffer.wrap(bytes))).isInstanceOf(SctpParseException.class);
    }
  }
}
