package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * REQUESTED-TRANSPORT (RFC 8656 §18.7): the transport protocol of the relayed address, an IANA
 * protocol number: 17 (UDP), or 6 (TCP, RFC 6062).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Protocol   |                    RFFU                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param protocol the 8-bit IP protocol number
 */
public record RequestedTransport(int protocol) implements StunAttribute {

  public RequestedTransport {
    if (protocol < 0 || protocol > 0xFF) {
      throw new IllegalArgumentException("protocol must be 8 bits: " + protocol);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.REQUESTED_TRANSPORT;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putInt(protocol << 24);
  }
}
