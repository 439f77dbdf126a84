package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * FINGERPRINT (RFC 8489 §14.7): CRC-32 (ISO HDLC, as in {@link java.util.zip.CRC32}) of the message
 * up to (excluding) this attribute, XORed with 0x5354554e; always the last attribute. Produced by
 * the builder and checked by {@link StunMessage#parse}; the record only carries the received value.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       CRC-32 XOR 0x5354554e                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param value the 32-bit value as received
 */
public record Fingerprint(long value) implements StunAttribute {

  public Fingerprint {
    if (value < 0 || value > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("must be an unsigned 32-bit value: " + value);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.FINGERPRINT;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putInt((int) value);
  }
}
