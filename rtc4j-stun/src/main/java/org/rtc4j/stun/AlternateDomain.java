package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * ALTERNATE-DOMAIN (RFC 8489 §14.16): the domain name the client uses to verify the certificate
 * of the ALTERNATE-SERVER over (D)TLS; ASCII, fewer than 256 characters.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Domain (ASCII)  (variable)                    ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The parser accepts only valid UTF-8 (ASCII is a subset); length limits are left to the application.
 *
 * @param value the decoded text
 */
public record AlternateDomain(String value) implements StunAttribute {

  public AlternateDomain {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public int type() {
    return StunAttributeType.ALTERNATE_DOMAIN;
  }

  @Override
  public int valueLength() {
    return Utf8.length(value);
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    Utf8.write(out, value);
  }
}
