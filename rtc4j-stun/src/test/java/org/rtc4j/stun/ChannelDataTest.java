package org.rtc4j.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Trust test BI-4 bounds, and ChannelData encoding (RFC 8656 §12). */
class ChannelDataTest {

  static byte[] frame(int channel, int length, int bytesPresent) {
    byte[] b = new byte[4 + bytesPresent];
    b[0] = (byte) (channel >> 8);
    b[1] = (byte) channel;
    b[2] = (byte) (length >> 8);
    b[3] = (byte) length;
    for (int i = 4; i < b.length; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  @Test
  void channelNumbersOutsideTheRangeAreRejected() {
    for (int ch : new int[] {0x0000, 0x3FFF, 0x5000, 0x7FFF, 0x8000, 0xFFFF}) {
      assertThatThrownBy(() -> ChannelData.parse(ByteBuffer.wrap(frame(ch, 4, 4)), false))
          .isInstanceOfSatisfying(StunParseException.class, e -> assertThat(e.offset()).isZero());
    }
    for (int ch : new int[] {0x4000, 0x4001, 0x4FFF}) {
      assertThat(ch).satisfies(c -> assertThat(parse(frame(c, 4, 4), false).channelNumber()).isEqualTo(c));
    }
  }

  @Test
  void lengthBeyondTheBytesPresentIsDropped() {
    assertThatThrownBy(() -> ChannelData.parse(ByteBuffer.wrap(frame(0x4000, 5, 4)), false))
        .isInstanceOfSatisfying(StunParseException.class, e -> assertThat(e.offset()).isEqualTo(2));
    assertThatThrownBy(() -> ChannelData.parse(ByteBuffer.wrap(frame(0x4000, 0xFFFF, 100)), true))
        .isInstanceOf(StunParseException.class);
    assertThatThrownBy(() -> ChannelData.parse(ByteBuffer.wrap(new byte[] {0x40, 0, 0}), false))
        .isInstanceOf(StunParseException.class);
    assertThatThrownBy(() -> ChannelData.parse(ByteBuffer.allocate(0), false)).isInstanceOf(StunParseException.class);
    // Over a buffer limit inside a bigger array: the bytes past the limit must not count.
    byte[] big = frame(0x4000, 8, 8);
    ByteBuffer limited = ByteBuffer.wrap(big, 0, 10);
    assertThatThrownBy(() -> ChannelData.parse(limited, false)).isInstanceOf(StunParseException.class);
    assertThat(limited.position()).isZero();
  }

  @Test
  void udpIgnoresPaddingStreamsRequireAndConsumeIt() throws Exception {
    byte[] b = frame(0x4123, 5, 8); // 5 data bytes + 3 padding
    ByteBuffer udp = ByteBuffer.wrap(b);
    ChannelData cd = ChannelData.parse(udp, false);
    assertThat(cd.length()).isEqualTo(5);
    assertThat(udp.position()).isEqualTo(9);
    ByteBuffer tcp = ByteBuffer.wrap(b);
    assertThat(ChannelData.parse(tcp, true).length()).isEqualTo(5);
    assertThat(tcp.position()).isEqualTo(12);
    assertThat(ChannelData.streamFrameLength(ByteBuffer.wrap(b))).isEqualTo(12);
    assertThatThrownBy(() -> ChannelData.parse(ByteBuffer.wrap(frame(0x4000, 5, 5)), true))
        .isInstanceOf(StunParseException.class).hasMessageContaining("padding");
    assertThat(parse(frame(0x4000, 5, 5), false).length()).isEqualTo(5);
  }

  @Test
  void emptyAndMaximalPayloads() throws Exception {
    assertThat(parse(frame(0x4000, 0, 0), true).length()).isZero();
    ChannelData max = parse(frame(0x4FFF, 0xFFFF, 0xFFFF + 1), true);
    assertThat(max.length()).isEqualTo(0xFFFF);
  }

  @Test
  void encodesWithAndWithoutPadding() throws Exception {
    ChannelData cd = new ChannelData(0x4001, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
    assertThat(cd.encodedLength(false)).isEqualTo(9);
    assertThat(cd.encodedLength(true)).isEqualTo(12);
    assertThat(Vectors.hex(cd.encode(false))).isEqualTo("400100050102030405");
    assertThat(Vectors.hex(cd.encode(true))).isEqualTo("400100050102030405000000");
    assertThat(parse(cd.encode(true), true)).isEqualTo(cd);
    assertThat(parse(cd.encode(false), false)).isEqualTo(cd);

    ByteBuffer out = ByteBuffer.allocateDirect(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    ChannelData.writeHeader(out, 0x4ABC, 0x0102);
    out.flip();
    assertThat(out.get(0)).isEqualTo((byte) 0x4A);
    assertThat(out.get(1)).isEqualTo((byte) 0xBC);
    assertThat(out.get(2)).isEqualTo((byte) 0x01);
    assertThat(out.get(3)).isEqualTo((byte) 0x02);
    assertThatThrownBy(() -> ChannelData.writeHeader(ByteBuffer.allocate(4), 0x3FFF, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ChannelData(0x5000, ByteBuffer.allocate(0))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cd.encodeTo(ByteBuffer.allocate(11), true))
        .isInstanceOf(java.nio.BufferOverflowException.class);
  }

  @Test
  void dataIsAReadOnlyZeroCopyView() throws Exception {
    byte[] b = frame(0x4000, 4, 4);
    ChannelData cd = ChannelData.parse(ByteBuffer.wrap(b), false);
    assertThat(cd.data().isReadOnly()).isTrue();
    b[4] = 99;
    assertThat(cd.data().get(0)).isEqualTo((byte) 99);
    ByteBuffer v = cd.data();
    v.get();
    assertThat(cd.data().position()).isZero();
  }

  @Test
  void demux() {
    for (int first = 0; first < 256; first++) {
      byte[] b = {(byte) first, 0, 0, 0};
      assertThat(ChannelData.looksLikeChannelData(ByteBuffer.wrap(b))).isEqualTo(first >= 64 && first <= 79);
    }
    assertThat(ChannelData.looksLikeChannelData(ByteBuffer.wrap(new byte[] {0x40, 0, 0}))).isFalse();
  }

  static ChannelData parse(byte[] b, boolean reliable) throws StunParseException {
    return ChannelData.parse(ByteBuffer.wrap(b), reliable);
  }
}
