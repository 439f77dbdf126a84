package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): the comprehension-required attribute types a server did
 * not understand, sent with 420 (Unknown Attribute).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Attribute 1 Type         |       Attribute 2 Type        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Attribute 3 Type         |       Attribute 4 Type    ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * An odd count is padded with ordinary padding (RFC 8489), not by repeating a type (RFC 3489).
 *
 * @param types 16-bit attribute types
 */
public record UnknownAttributes(List<Integer> types) implements StunAttribute {

  public UnknownAttributes {
    types = List.copyOf(types);
    for (int t : types) {
      if (t < 0 || t > 0xFFFF) {
        throw new IllegalArgumentException("attribute type out of range: " + t);
      }
    }
  }

  @Override
  public int type() {
    return StunAttributeType.UNKNOWN_ATTRIBUTES;
  }

  @Override
  public int valueLength() {
    return 2 * types.size();
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    for (int t : types) {
      out.putShort((short) t);
    }
  }
}
