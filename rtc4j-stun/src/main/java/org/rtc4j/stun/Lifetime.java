package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * LIFETIME (RFC 8656 §18.2): the seconds the server keeps the allocation without a refresh; a
 * 32-bit unsigned integer.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           Lifetime                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param seconds seconds, 0..2^32-1
 */
public record Lifetime(long seconds) implements StunAttribute {

  public Lifetime {
    if (seconds < 0 || seconds > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("must be an unsigned 32-bit value: " + seconds);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.LIFETIME;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putInt((int) seconds);
  }
}
