package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6): HMAC-SHA256 over the message up to (excluding)
 * this attribute, with the header length field set to end just after this attribute, possibly
 * truncated to 16..32 bytes (a multiple of 4). Produced by the builder, checked by
 * {@link StunMessage#verifyMessageIntegritySha256(byte[])}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                  HMAC-SHA256 (16 to 32 bytes)                 |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param value the (possibly truncated) HMAC (copied in and out)
 */
public record MessageIntegritySha256(byte[] value) implements StunAttribute {

  public MessageIntegritySha256 {
    value = Objects.requireNonNull(value, "value").clone();
    if (!(value.length >= 16 && value.length <= 32 && value.length % 4 == 0)) {
      throw new IllegalArgumentException("MESSAGE-INTEGRITY-SHA256 must be 16..32 bytes, a multiple of 4, got " + value.length);
    }
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public int type() {
    return StunAttributeType.MESSAGE_INTEGRITY_SHA256;
  }

  @Override
  public int valueLength() {
    return value.length;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.put(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageIntegritySha256 other && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "MessageIntegritySha256[" + HexFormat.of().formatHex(value) + "]";
  }
}
