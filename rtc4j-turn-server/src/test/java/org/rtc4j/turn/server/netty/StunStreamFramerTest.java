package org.rtc4j.turn.server.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Framing of TCP/TLS streams into STUN messages and ChannelData frames (RFC 8489 §6.2.2, RFC 8656 §12.5). */
class StunStreamFramerTest {

  private final AtomicInteger garbage = new AtomicInteger();
  private final EmbeddedChannel ch = new EmbeddedChannel(new StunStreamFramer(garbage::incrementAndGet));

  static byte[] stun(int bodyLength) {
    ByteBuffer b = ByteBuffer.allocate(20 + bodyLength);
    b.putShort((short) 0x0001).putShort((short) bodyLength).putInt(StunStreamFramer.MAGIC_COOKIE);
    for (int i = 0; i < 12; i++) {
      b.put((byte) i);
    }
    return b.array();
  }

  static byte[] channelData(int channel, int dataLength, boolean pad) {
    int padded = pad ? (dataLength + 3) & ~3 : dataLength;
    ByteBuffer b = ByteBuffer.allocate(4 + padded);
    b.putShort((short) channel).putShort((short) dataLength);
    return b.array();
  }

  private int readFrame() {
    ByteBuf f = ch.readInbound();
    if (f == null) {
      return -1;
    }
    int n = f.readableBytes();
    f.release();
    return n;
  }

  @Test
  void wholeMessagesPassThrough() {
    ch.writeInbound(Unpooled.wrappedBuffer(stun(8)));
    assertThat(readFrame()).isEqualTo(28);
    ch.writeInbound(Unpooled.wrappedBuffer(channelData(0x4001, 5, true)));
    assertThat(readFrame()).isEqualTo(12); // 4 + 5 padded to 8
    assertThat(ch.isOpen()).isTrue();
    assertThat(garbage).hasValue(0);
  }

  @Test
  void messagesSplitAnywhereAndCoalescedAreReassembled() {
    byte[] a = stun(12);
    byte[] b = channelData(0x4FFF, 3, true);
    byte[] c = stun(0);
    byte[] all = new byte[a.length + b.length + c.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    System.arraycopy(c, 0, all, a.length + b.length, c.length);
    for (int i = 0; i < all.length; i++) { // one byte at a time
      ch.writeInbound(Unpooled.wrappedBuffer(all, i, 1));
    }
    assertThat(readFrame()).isEqualTo(32);
    assertThat(readFrame()).isEqualTo(8);
    assertThat(readFrame()).isEqualTo(20);
    assertThat(readFrame()).isEqualTo(-1);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void legacyChannelRangeIsFramedForTheCoreToJudge() {
    ch.writeInbound(Unpooled.wrappedBuffer(channelData(0x7FFF, 4, true)));
    assertThat(readFrame()).isEqualTo(8);
  }

  @Test
  void wrongMagicCookieClosesTheConnection() {
    byte[] m = stun(0);
    m[4] = 0;
    ch.writeInbound(Unpooled.wrappedBuffer(m));
    assertThat(readFrame()).isEqualTo(-1);
    assertThat(ch.isOpen()).isFalse();
    assertThat(garbage).hasValue(1);
  }

  @Test
  void stunLengthNotMultipleOfFourClosesTheConnection() {
    byte[] m = stun(4);
    m[3] = 5;
    ch.writeInbound(Unpooled.wrappedBuffer(m));
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void firstByteOutsideStunAndChannelDataClosesTheConnection() {
    for (int first : new int[] {0x80, 0xC0, 0x16 /* TLS ClientHello to the plain port */, 0xFF}) {
      EmbeddedChannel c = new EmbeddedChannel(new StunStreamFramer(garbage::incrementAndGet));
      byte[] m = new byte[] {(byte) first, 3, 1, 0, 0, 0, 0, 0, 0, 0};
      c.writeInbound(Unpooled.wrappedBuffer(m));
      assertThat(c.isOpen()).as("first byte 0x%02x", first).isFalse();
    }
  }

  @Test
  void hugeDeclaredLengthIsBoundedByTheSixteenBitField() {
    ByteBuffer b = ByteBuffer.allocate(4).putShort((short) 0x4000).putShort((short) 0xFFFF);
    ch.writeInbound(Unpooled.wrappedBuffer(b.array()));
    assertThat(readFrame()).isEqualTo(-1); // waits for 65536 + 4 bytes, no more
    assertThat(StunStreamFramer.frameLength(Unpooled.wrappedBuffer(b.array()))).isEqualTo(4 + 65536);
    assertThat(ch.isOpen()).isTrue();
  }
}
