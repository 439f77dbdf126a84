package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * USE-CANDIDATE (RFC 8445 §7.1.2, §16.1): the controlling agent nominates this pair. It has no
 * value (length 0).
 */
public record UseCandidate() implements StunAttribute {

  @Override
  public int type() {
    return StunAttributeType.USE_CANDIDATE;
  }

  @Override
  public int valueLength() {
    return 0;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    // no value
  }
}
