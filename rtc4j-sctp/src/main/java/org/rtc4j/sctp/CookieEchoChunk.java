package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * COOKIE ECHO (RFC 9260 §3.3.11): the State Cookie from the INIT ACK, verbatim.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 10    |  Chunk Flags  |         Chunk Length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                             Value                              * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param flags chunk flags (unused, kept for exact re-encoding)
 * @param value the chunk value (read-only view)
 */
public record CookieEchoChunk(int flags, ByteBuffer value) implements Chunk {
  public CookieEchoChunk {
    value = Wire.ro(value);
  }

  @Override
  public int type() {
    return COOKIE_ECHO;
  }

  @Override
  public int length() {
    return 4 + value.remaining();
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    Wire.putBytes(out, value);
  }
}
