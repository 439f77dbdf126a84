package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * NONCE (RFC 8489 §14.10): the server's nonce for long-term credentials; a qdtext/quoted-pair
 * sequence, fewer than 128 characters. RFC 8489 §9.2 puts the nonce cookie {@code obMatJos2} and the
 * security feature bits at its start.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Nonce (UTF-8)   (variable)                    ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The parser accepts only valid UTF-8; length limits are left to the application.
 *
 * @param value the decoded text
 */
public record Nonce(String value) implements StunAttribute {

  public Nonce {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public int type() {
    return StunAttributeType.NONCE;
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
