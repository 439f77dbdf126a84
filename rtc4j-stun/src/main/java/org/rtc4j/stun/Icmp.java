package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * ICMP (RFC 8656 §18.13): in a Data indication, an ICMP error the server received for the peer.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Reserved                     |  ICMP Type  |  ICMP Code      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Error Data                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param icmpType the 8-bit ICMP (or ICMPv6) type
 * @param icmpCode the 8-bit ICMP code
 * @param errorData the 32-bit error data (e.g. the MTU for "fragmentation needed"), unsigned
 */
public record Icmp(int icmpType, int icmpCode, long errorData) implements StunAttribute {

  public Icmp {
    if (icmpType < 0 || icmpType > 0xFF || icmpCode < 0 || icmpCode > 0xFF) {
      throw new IllegalArgumentException("ICMP type and code must be 8 bits: " + icmpType + "/" + icmpCode);
    }
    if (errorData < 0 || errorData > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("error data must be 32 bits unsigned: " + errorData);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.ICMP;
  }

  @Override
  public int valueLength() {
    return 8;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putShort((short) 0);
    out.put((byte) icmpType);
    out.put((byte) icmpCode);
    out.putInt((int) errorData);
  }
}
