package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * ADDRESS-ERROR-CODE (RFC 8656 §18.12): in an Allocate success response, why the relayed address
 * of one requested family could not be allocated.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Family       |    Reserved             |Class|     Number    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Reason Phrase (variable)                                ..
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param family the address family (0x01 IPv4, 0x02 IPv6)
 * @param code the error code, 300..699
 * @param reason the UTF-8 reason phrase
 */
public record AddressErrorCode(int family, int code, String reason) implements StunAttribute {

  public AddressErrorCode {
    if (family < 0 || family > 0xFF) {
      throw new IllegalArgumentException("family must be 8 bits: " + family);
    }
    if (code < 300 || code > 699) {
      throw new IllegalArgumentException("error code must be 300..699, got " + code);
    }
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public int type() {
    return StunAttributeType.ADDRESS_ERROR_CODE;
  }

  @Override
  public int valueLength() {
    return 4 + Utf8.length(reason);
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.put((byte) family);
    out.put((byte) 0);
    out.put((byte) (code / 100));
    out.put((byte) (code % 100));
    Utf8.write(out, reason);
  }
}
