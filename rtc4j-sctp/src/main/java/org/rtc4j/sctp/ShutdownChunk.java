package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * SHUTDOWN (RFC 9260 §3.3.8).
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 7    | Chunk  Flags  |      Length = 8               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Cumulative TSN Ack                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record ShutdownChunk(int flags, long cumulativeTsnAck) implements Chunk {
  @Override
  public int type() {
    return SHUTDOWN;
  }

  @Override
  public int length() {
    return 8;
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    out.putInt((int) cumulativeTsnAck);
  }

  static ShutdownChunk parseValue(int flags, ByteBuffer v) throws SctpParseException {
    Wire.need(v, 4, 0, "SHUTDOWN");
    return new ShutdownChunk(flags, Wire.u32(v));
  }
}
