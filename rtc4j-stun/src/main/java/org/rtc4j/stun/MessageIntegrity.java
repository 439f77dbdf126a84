package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 over the message up to (excluding) this
 * attribute, with the header length field set to end just after this attribute. Produced by
 * {@link StunMessage.Builder#encode(byte[], boolean)} and checked by
 * {@link StunMessage#verifyMessageIntegrity(byte[])}; the record only carries the received value.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                     HMAC-SHA1 (20 bytes)                      |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param value the 20-byte HMAC (copied in and out)
 */
public record MessageIntegrity(byte[] value) implements StunAttribute {

  public MessageIntegrity {
    value = Objects.requireNonNull(value, "value").clone();
    if (!(value.length == 20)) {
      throw new IllegalArgumentException("MESSAGE-INTEGRITY must be 20 bytes, got " + value.length);
    }
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public int type() {
    return StunAttributeType.MESSAGE_INTEGRITY;
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
    return o instanceof MessageIntegrity other && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "MessageIntegrity[" + HexFormat.of().formatHex(value) + "]";
  }
}
