package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * CONNECTION-ID (RFC 6062 §6.2.1): identifies a peer data connection of a TCP allocation; a 32-bit
 * unsigned integer.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Connection ID                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param id 0..2^32-1
 */
public record ConnectionId(long id) implements StunAttribute {

  public ConnectionId {
    if (id < 0 || id > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("must be an unsigned 32-bit value: " + id);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.CONNECTION_ID;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putInt((int) id);
  }
}
