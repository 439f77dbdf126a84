package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * REALM (RFC 8489 §14.9): the realm of long-term credentials; a quoted-string without the quotes,
 * UTF-8, fewer than 128 characters.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Realm (UTF-8)   (variable)                    ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The parser accepts only valid UTF-8; length limits are left to the application.
 *
 * @param value the decoded text
 */
public record Realm(String value) implements StunAttribute {

  public Realm {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public int type() {
    return StunAttributeType.REALM;
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
