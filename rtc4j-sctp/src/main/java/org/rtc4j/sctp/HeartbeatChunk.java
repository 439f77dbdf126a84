package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * HEARTBEAT (RFC 9260 §3.3.5): Heartbeat Info TLV(s), echoed verbatim by HEARTBEAT ACK.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 4    |  Chunk Flags  |         Chunk Length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                             Value                              * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param flags chunk flags (unused, kept for exact re-encoding)
 * @param value the chunk value (read-only view)
 */
public record HeartbeatChunk(int flags, ByteBuffer value) implements Chunk {
  public HeartbeatChunk {
    value = Wire.ro(value);
  }

  @Override
  public int type() {
    return HEARTBEAT;
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
