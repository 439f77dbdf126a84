package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): the address family of the relayed address the client
 * wants: 0x01 IPv4, 0x02 IPv6. Other values are kept so a server can answer 440.
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
public record RequestedAddressFamily(int family) implements StunAttribute {

  public RequestedAddressFamily {
    if (family < 0 || family > 0xFF) {
      throw new IllegalArgumentException("family must be 8 bits: " + family);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.REQUESTED_ADDRESS_FAMILY;
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
