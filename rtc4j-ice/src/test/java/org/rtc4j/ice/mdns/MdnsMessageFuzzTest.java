package org.rtc4j.ice.mdns;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.rtc4j.net.Datagram;

/**
 * Fuzzes {@link MdnsMessage#parse}: only {@link MdnsParseException} may escape; whatever parses
 * re-encodes (uncompressed) to bytes that parse to the same message; and a resolver waiting for a
 * name never throws on the same bytes. {@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/ice/mdns/MdnsMessageFuzzTestInputs/parse/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=MdnsMessageFuzzTest} fuzzes.
 */
class MdnsMessageFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void parse(byte[] input) throws Exception {
    MdnsMessage m = null;
    try {
      m = MdnsMessage.parse(ByteBuffer.wrap(input));
    } catch (MdnsParseException expected) {
      // the one allowed failure
    }
    if (m != null) {
      byte[] again = m.encode();
      assertThat(again).hasSize(m.encodedLength());
      assertThat(MdnsMessage.parse(ByteBuffer.wrap(again))).isEqualTo(m);
    }
    InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
    MdnsResolver r = new MdnsResolver(local, null);
    r.resolve(0, "abc.local");
    r.handleReceive(1, Datagram.udp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353), local, input));
    r.handleTimeout(5_000_000_000L);
    while (r.pollEvent().isPresent()) {
      // drain
    }
  }
}
