package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11): ask for a second relayed address of this family (only
 * 0x02 IPv6 is valid) in addition to the IPv4 one.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Family    |            Reserved                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param family the 8-bit family
 */
public record AdditionalAddressFamily(int family) implements StunAttribute {

  public AdditionalAddressFamily {
    if (family < 0 || family > 0xFF) {
      throw new IllegalArgumentException("family must be 8 bits: " + family);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.ADDITIONAL_ADDRESS_FAMILY;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putInt(family << 24);
  }
}
