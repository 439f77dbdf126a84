package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * PRIORITY (RFC 8445 §7.1.1, §16.1): the priority the peer-reflexive candidate learned from this
 * check would get; a 32-bit unsigned integer.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           Priority                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param priority 0..2^32-1
 */
public record Priority(long priority) implements StunAttribute {

  public Priority {
    if (priority < 0 || priority > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("must be an unsigned 32-bit value: " + priority);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.PRIORITY;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putInt((int) priority);
  }
}
