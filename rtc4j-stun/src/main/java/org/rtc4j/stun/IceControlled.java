package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * ICE-CONTROLLED (RFC 8445 §7.1.3, §16.1): the sender is in the controlled role; carries its
 * 64-bit tie-breaker.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                    Tie-breaker (64 bits)                      |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param tieBreaker the 64-bit tie-breaker (any bit pattern)
 */
public record IceControlled(long tieBreaker) implements StunAttribute {

  @Override
  public int type() {
    return StunAttributeType.ICE_CONTROLLED;
  }

  @Override
  public int valueLength() {
    return 8;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putLong(tieBreaker);
  }
}
