package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * COOKIE ACK (RFC 9260 §3.3.12).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 11    |  Chunk Flags  |      Length = 4               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param flags chunk flags
 */
public record CookieAckChunk(int flags) implements Chunk {
  @Override
  public int type() {
    return COOKIE_ACK;
  }

  @Override
  public int length() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out) {}
}
