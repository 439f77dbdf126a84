package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * SHUTDOWN COMPLETE (RFC 9260 §3.3.13); flag T (0x01) means the verification tag is the sender's own.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 14    |  Chunk Flags  |      Length = 4               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param flags chunk flags
 */
public record ShutdownCompleteChunk(int flags) implements Chunk {
  @Override
  public int type() {
    return SHUTDOWN_COMPLETE;
  }

  @Override
  public int length() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out) {}
}
