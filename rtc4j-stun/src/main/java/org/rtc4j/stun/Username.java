package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * USERNAME (RFC 8489 §14.3): the user name and password realm pair selector; UTF-8, fewer than
 * 509 bytes, processed with the OpaqueString profile (RFC 8265) by the sender. For ICE it is
 * {@code <remote ufrag>:<local ufrag>} (RFC 8445 §7.2.2).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  UTF-8 username (variable)                    ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The parser accepts only valid UTF-8; length limits are left to the application.
 *
 * @param value the decoded text
 */
public record Username(String value) implements StunAttribute {

  public Username {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public int type() {
    return StunAttributeType.USERNAME;
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
