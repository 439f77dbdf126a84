package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * SHUTDOWN ACK (RFC 9260 §3.3.9).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 8    |  Chunk Flags  |      Length = 4               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param flags chunk flags
 */
public record ShutdownAckChunk(int flags) implements Chunk {
  @Override
  public int type() {
    return SHUTDOWN_ACK;
  }

  @Override
  public int length() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out) {}
}
