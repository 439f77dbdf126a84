package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * DONT-FRAGMENT (RFC 8656 §18.8): the client asks the server to set the DF bit on packets it relays
 * to the peer. It has no value (length 0).
 */
public record DontFragment() implements StunAttribute {

  @Override
  public int type() {
    return StunAttributeType.DONT_FRAGMENT;
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
