package org.rtc4j.turn.server.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts a TCP or TLS byte stream into whole STUN messages and ChannelData frames (RFC 8489
 * §6.2.2, RFC 8656 §12.5), and closes the connection on anything else.
 *
 * <pre>
 *  STUN:        0 0 | type (14 bits) | length (16) | magic cookie 0x2112A442 | transaction id (96)
 *               frame = 20 + length, length a multiple of 4
 *  ChannelData: channel number 0x4000..0x7FFF (16) | length (16) | data | padding to 4 bytes
 *               frame = 4 + length rounded up to a multiple of 4 (padding is mandatory on streams)
 * </pre>
 *
 * <p>A stream has no resynchronisation point: once a frame header is wrong, every later byte is
 * suspect, so the only safe answer is to close the connection (the core is told through
 * {@code channelInactive}). Frames are emitted as retained slices of the cumulation buffer: no copy.
 * The largest frame is 20 + 65532 bytes, so buffering per connection is bounded.
 *
 * <p>Threading: one instance per connection, on its event loop.
 */
final class StunStreamFramer extends ByteToMessageDecoder {

  static final int STUN_HEADER = 20;
  static final int CHANNEL_DATA_HEADER = 4;
  static final int MAGIC_COOKIE = 0x2112A442;

  /** Called once when garbage closes the connection (for the "malformed" counter). */
  private final Runnable onGarbage;

  StunStreamFramer(Runnable onGarbage) {
    this.onGarbage = onGarbage;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int frame = frameLength(in);
      if (frame < 0) {
        in.skipBytes(in.readableBytes());
        onGarbage.run();
        ctx.close();
        return;
      }
      if (frame == 0 || in.readableBytes() < frame) {
        return; // wait for more bytes
      }
      out.add(in.readRetainedSlice(frame));
    }
  }

  /**
   * Length of the frame starting at the reader index: &gt; 0 when known, 0 when more header bytes
   * are needed, -1 when the bytes cannot start a STUN message or ChannelData frame.
   */
  static int frameLength(ByteBuf in) {
    int start = in.readerIndex();
    int available = in.readableBytes();
    int first = in.getUnsignedByte(start);
    switch (first >>> 6) {
      case 0: { // STUN
        if (available < 8) {
          return available >= 4 && (in.getUnsignedShort(start + 2) & 3) != 0 ? -1 : 0;
        }
        int length = in.getUnsignedShort(start + 2);
        if ((length & 3) != 0 || in.getInt(start + 4) != MAGIC_COOKIE) {
          return -1;
        }
        return STUN_HEADER + length;
      }
      case 1: { // ChannelData. RFC 8656 §12 reserves 0x5000-0x7FFF, but RFC 5766 clients (coturn's
        // uclient) use them, so the framer passes 0x4000-0x7FFF and lets the core judge the number.
        if (available < CHANNEL_DATA_HEADER) {
          return 0;
        }
        int length = in.getUnsignedShort(start + 2);
        return CHANNEL_DATA_HEADER + ((length + 3) & ~3);
      }
      default:
        return -1;
    }
  }
}
