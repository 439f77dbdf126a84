package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * RESERVATION-TOKEN (RFC 8656 §18.9): a token that identifies a relayed transport address the
 * server holds in reserve (after EVEN-PORT with R=1).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                     Token (8 bytes)                           |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param value the 8-byte token (copied in and out)
 */
public record ReservationToken(byte[] value) implements StunAttribute {

  public ReservationToken {
    value = Objects.requireNonNull(value, "value").clone();
    if (!(value.length == 8)) {
      throw new IllegalArgumentException("RESERVATION-TOKEN must be 8 bytes, got " + value.length);
    }
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public int type() {
    return StunAttributeType.RESERVATION_TOKEN;
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
    return o instanceof ReservationToken other && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "ReservationToken[" + HexFormat.of().formatHex(value) + "]";
  }
}
