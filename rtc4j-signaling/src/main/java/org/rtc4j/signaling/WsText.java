package org.rtc4j.signaling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Server-to-client text frames encoded in one step (RFC 6455 §5.2: FIN, opcode 1, no mask):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |1|0|0|0|  0x1  |0| len (7)     | extended len (16 or 64), opt. |
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |                     UTF-8 payload ...                         |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Header and payload go into one pooled buffer that passes the WebSocket encoder untouched
 * (it encodes frame objects only): no {@code TextWebSocketFrame}, and not the encoder's second
 * allocation and copy of every payload under 1 KiB.
 */
final class WsText {

  private WsText() {}

  /** The whole frame for {@code text}. */
  static ByteBuf encode(ByteBufAllocator alloc, String text) {
    int len = ByteBufUtil.utf8Bytes(text);
    ByteBuf b = alloc.buffer(headerLength(len) + len);
    write(b, text, len);
    return b;
  }

  /** Appends the whole frame for {@code text}, whose UTF-8 form is {@code len} bytes, to {@code b}. */
  static void write(ByteBuf b, String text, int len) {
    writeHeader(b, len);
    ByteBufUtil.reserveAndWriteUtf8(b, text, len);
  }

  /** The header length of a frame whose payload is {@code len} bytes. */
  static int headerLength(int len) {
    return len <= 125 ? 2 : len <= 0xFFFF ? 4 : 10;
  }

  /** Writes the header of a frame whose payload of {@code len} bytes follows. */
  static void writeHeader(ByteBuf b, int len) {
    b.writeByte(0x81);
    if (len <= 125) {
      b.writeByte(len);
    } else if (len <= 0xFFFF) {
      b.writeByte(126);
      b.writeShort(len);
    } else {
      b.writeByte(127);
      b.writeLong(len);
    }
  }

  /** The text of a frame {@link #encode} (or the relay path) wrote; {@code frame} is not consumed. */
  static String decode(ByteBuf frame) {
    int i = frame.readerIndex();
    int l7 = frame.getByte(i + 1) & 0x7F;
    int header = l7 <= 125 ? 2 : l7 == 126 ? 4 : 10;
    return frame.toString(i + header, frame.readableBytes() - header, java.nio.charset.StandardCharsets.UTF_8);
  }
}
