package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rtc4j.testkit.MiniJson;

/** Trust test BI-7 (checksum and tag) with the shared vectors in vectors/sctp. */
class VectorsTest {

  @Test
  void crc32cVectors() {
    for (Object o : MiniJson.arr(Vectors.json("crc32c.json").get("vectors"))) {
      Map<String, Object> v = MiniJson.obj(o);
      byte[] in = v.containsKey("ascii") ? ((String) v.get("ascii")).getBytes(StandardCharsets.US_ASCII)
          : Vectors.unhex((String) v.get("hex"));
      long expected = Long.parseLong(((String) v.get("crc32c")).substring(2), 16);
      assertThat(Crc32c.compute(ByteBuffer.wrap(in), 0, in.length) & 0xFFFFFFFFL).as((String) v.get("name"))
          .isEqualTo(expected);
    }
  }

  @Test
  void pionPacketsParseAndReencodeExactly() throws Exception {
    List<Object> packets = MiniJson.arr(Vectors.json("pion-sctp-packets.json").get("packets"));
    assertThat(packets).hasSize(2);
    for (Object o : packets) {
      Map<String, Object> v = MiniJson.obj(o);
      byte[] wire = Vectors.unhex((String) v.get("hex"));
      SctpPacket p = SctpPacket.parse(ByteBuffer.wrap(wire));
      assertThat(p.sourcePort()).isEqualTo(5000);
      assertThat(p.destinationPort()).isEqualTo(5000);
      assertThat(p.verificationTag()).isZero();
      ByteBuffer again = p.encode();
      assertThat(Vectors.hex(toArray(again))).isEqualTo(v.get("hex"));
    }
    SctpPacket init = SctpPacket.parse(ByteBuffer.wrap(Vectors.unhex((String) MiniJson.obj(packets.get(1)).get("hex"))));
    InitChunk c = (InitChunk) init.chunks().get(0);
    assertThat(c.initiateTag()).isEqualTo(0x55b964a5L);
    assertThat(c.aRwnd()).isEqualTo(131072);
    assertThat(c.outboundStreams()).isEqualTo(1024);
    assertThat(c.inboundStreams()).isEqualTo(2048);
    assertThat(c.initialTsn()).isEqualTo(0xe86d1030L);
    assertThat(c.parameters()).extracting(Parameter::type)
        .containsExactly(0xC000, 0x8008, 0x8002, 0x8004, 0x8003);
    assertThat(c.forwardTsnSupported()).isTrue();
    assertThat(c.reconfigSupported()).isTrue();
    assertThat(c.length()).isEqualTo(86);
  }

  @Test
  void browserInitIsAnsweredWithInitAck() {
    byte[] wire = Vectors.unhex((String) MiniJson.obj(MiniJson.arr(Vectors.json("pion-sctp-packets.json")
        .get("packets")).get(1)).get("hex"));
    SctpAssociation a = new SctpAssociation(SctpConfig.defaults(), new Random(1));
    a.handleReceive(0, ByteBuffer.wrap(wire));
    ByteBuffer out = a.pollTransmit().orElseThrow();
    SctpPacket p = parse(out);
    assertThat(p.verificationTag()).isEqualTo(0x55b964a5L);
    InitAckChunk ack = (InitAckChunk) p.chunks().get(0);
    assertThat(ack.stateCookie()).isPresent();
    assertThat(ack.initiateTag()).isNotZero();
    assertThat(a.state()).isEqualTo(SctpState.CLOSED); // stateless until COOKIE-ECHO
  }

  @Test
  void wrongChecksumOrTagIsDroppedSilently() {
    Pair p = new Pair(5);
    p.connect();
    // A valid DATA packet from a to b, then corrupted copies.
    p.a.send(p.link.now, 0, 51, ByteBuffer.wrap("x".getBytes()), false, -1, -1);
    ByteBuffer good = p.a.pollTransmit().orElseThrow();
    byte[] bytes = toArray(good);
    byte[] badCrc = bytes.clone();
    badCrc[8] ^= 1;
    byte[] badTag = bytes.clone();
    badTag[4] ^= 1;
    Crc32c.writeField(ByteBuffer.wrap(badTag), 0, badTag.length);
    long before = p.b.stats().packetsReceived();
    p.b.handleReceive(p.link.now, ByteBuffer.wrap(badCrc));
    p.b.handleReceive(p.link.now, ByteBuffer.wrap(badTag));
    assertThat(p.b.stats().badChecksums()).isEqualTo(1);
    assertThat(p.b.stats().badTags()).isEqualTo(1);
    assertThat(p.b.stats().packetsReceived()).isEqualTo(before);
    assertThat(p.b.pollTransmit()).isEmpty(); // nothing answered
    assertThat(p.b.pollEvent()).isEmpty();
    p.b.handleReceive(p.link.now, ByteBuffer.wrap(bytes));
    assertThat(p.b.pollEvent()).get().isInstanceOf(SctpEvent.Message.class);
    // ABORT with the T bit must carry the receiver's peer tag; with the wrong one it is ignored.
    ByteBuffer abort = new SctpPacket(5000, 5000, 12345, List.of(new AbortChunk(AbortChunk.FLAG_T, List.of())))
        .encode();
    p.b.handleReceive(p.link.now, abort);
    assertThat(p.b.state()).isEqualTo(SctpState.ESTABLISHED);
  }

  @Test
  void malformedChunkLengthsAreRejectedWithoutLooping() {
    // zero-length chunk, length past the end, parameter length < 4
    assertThatThrownBy(() -> SctpPacket.parse(ByteBuffer.wrap(Vectors.unhex("13881388000000000000000000000000")), false))
        .isInstanceOf(SctpParseException.class);
    assertThatThrownBy(() -> SctpPacket.parse(ByteBuffer.wrap(Vectors.unhex("13881388000000000000000000000040aabb")), false))
        .isInstanceOf(SctpParseException.class);
    assertThatThrownBy(() -> SctpPacket.parse(ByteBuffer.wrap(Vectors.unhex(
        "138813880000000000000000" + "01000018" + "00000001000100000001000100000001" + "c0000002")), false))
        .isInstanceOf(SctpParseException.class);
  }

  static SctpPacket parse(ByteBuffer b) {
    try {
      return SctpPacket.parse(b.duplicate());
    } catch (SctpParseException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] toArray(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
