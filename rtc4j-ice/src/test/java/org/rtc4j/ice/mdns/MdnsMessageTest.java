package org.rtc4j.ice.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DNS/mDNS codec: queries as we send them, responses as responders send them (with compression), and refusals. */
class MdnsMessageTest {

  static final String NAME = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";

  @Test
  void queryHasIdZeroTwoQuestionsAndTheQuBit() throws Exception {
    byte[] q = MdnsMessage.query(NAME).encode();
    // header: id 0, flags 0, QDCOUNT 2, others 0
    assertThat(HexFormat.of().formatHex(q, 0, 12)).isEqualTo("000000000002000000000000");
    int nameLen = 1 + 36 + 1 + 5 + 1;
    assertThat(q).hasSize(12 + 2 * (nameLen + 4));
    assertThat(q[12]).isEqualTo((byte) 36);
    // QTYPE A, QCLASS IN with the top (QU) bit
    assertThat(HexFormat.of().formatHex(q, 12 + nameLen, 12 + nameLen + 4)).isEqualTo("00018001");
    MdnsMessage m = MdnsMessage.parse(ByteBuffer.wrap(q));
    assertThat(m.questions()).containsExactly(new MdnsQuestion(NAME, MdnsMessage.TYPE_A, 1, true),
        new MdnsQuestion(NAME, MdnsMessage.TYPE_AAAA, 1, true));
    assertThat(m.isResponse()).isFalse();
  }

  @Test
  void responseRoundTrip() throws Exception {
    MdnsMessage r = MdnsMessage.response(List.of(
        MdnsRecord.address(NAME, InetAddress.getByName("192.168.1.23"), 120, true),
        MdnsRecord.address(NAME, InetAddress.getByName("fe80::1"), 120, true)));
    byte[] b = r.encode();
    assertThat(b).hasSize(r.encodedLength());
    MdnsMessage p = MdnsMessage.parse(ByteBuffer.wrap(b));
    assertThat(p).isEqualTo(r);
    assertThat(p.isResponse()).isTrue();
    assertThat(p.answers().get(0).address()).contains(InetAddress.getByName("192.168.1.23"));
    assertThat(p.answers().get(1).address()).contains(InetAddress.getByName("fe80::1"));
    assertThat(p.answers().get(0).cacheFlush()).isTrue();
  }

  /** As Chrome's responder writes it: the answer's name is a pointer to the question's. */
  @Test
  void parsesCompressedNames() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(200);
    b.putShort((short) 0).putShort((short) 0x8400).putShort((short) 1).putShort((short) 2).putShort((short) 0)
        .putShort((short) 0);
    int nameAt = b.position(); // 12
    b.put((byte) 3).put("abc".getBytes()).put((byte) 5).put("local".getBytes()).put((byte) 0);
    b.putShort((short) 1).putShort((short) 1);
    // answer 1: pointer to the whole name
    b.putShort((short) (0xC000 | nameAt)).putShort((short) 1).putShort((short) 0x8001).putInt(120).putShort((short) 4)
        .put(new byte[] {10, 0, 0, 7});
    // answer 2: label "x" then a pointer to "local"
    b.put((byte) 1).put((byte) 'x').putShort((short) (0xC000 | (nameAt + 4))).putShort((short) 1).putShort((short) 1)
        .putInt(0).putShort((short) 4).put(new byte[] {10, 0, 0, 8});
    b.flip();
    MdnsMessage m = MdnsMessage.parse(b);
    assertThat(m.questions().get(0).name()).isEqualTo("abc.local");
    assertThat(m.questions().get(0).unicastResponse()).isFalse();
    assertThat(m.answers().get(0).name()).isEqualTo("abc.local");
    assertThat(m.answers().get(0).address()).contains(InetAddress.getByName("10.0.0.7"));
    assertThat(m.answers().get(1).name()).isEqualTo("x.local");
    assertThat(m.answers().get(1).ttl()).isZero();
    assertThat(b.position()).isZero(); // parse does not move the caller's buffer
  }

  @Test
  void refusesMalformedMessages() {
    // too short
    assertRefused("0000");
    // QDCOUNT 1 but no bytes
    assertRefused("000000000001000000000000");
    // huge counts
    assertRefused("0000000000ff00ff00ff00ff" + "00".repeat(20));
    // pointer to itself (a loop)
    assertRefused("000000000001000000000000" + "c00c" + "00010001");
    // forward pointer
    assertRefused("000000000001000000000000" + "c010" + "00010001" + "0000");
    // label past the end
    assertRefused("000000000001000000000000" + "05616263");
    // reserved label type 01xxxxxx
    assertRefused("000000000001000000000000" + "40" + "00010001");
    // RDATA longer than the message
    assertRefused("000084000000000100000000" + "0161" + "00" + "00010001" + "00000078" + "0010" + "0a000001");
    // a label with a dot in it
    assertRefused("000000000001000000000000" + "03612e62" + "00" + "00010001");
    // a name longer than 255 bytes
    assertRefused("000000000001000000000000" + ("3f" + "61".repeat(63)).repeat(5) + "00" + "00010001");
  }

  private static void assertRefused(String hex) {
    ByteBuffer b = ByteBuffer.wrap(HexFormat.of().parseHex(hex));
    assertThatThrownBy(() -> MdnsMessage.parse(b)).isInstanceOf(MdnsParseException.class);
  }

  @Test
  void addressOnlyForWellFormedAAndAaaa() {
    assertThat(new MdnsRecord("a.local", MdnsMessage.TYPE_A, 1, false, 1, new byte[5]).address()).isEmpty();
    assertThat(new MdnsRecord("a.local", MdnsMessage.TYPE_AAAA, 1, false, 1, new byte[4]).address()).isEmpty();
    assertThat(new MdnsRecord("a.local", 16, 1, false, 1, new byte[4]).address()).isEmpty();
    assertThat(new MdnsRecord("a.local", MdnsMessage.TYPE_A, 3, false, 1, new byte[4]).address()).isEmpty();
  }
}
