package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * USERHASH (RFC 8489 §14.4): SHA-256(username ":" OpaqueString(realm)), sent instead of
 * USERNAME when the client wants to hide the user name (see {@link LongTermCredentials#userhash}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                   Userhash (32 bytes)                         |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param value the 32-byte hash (copied in and out)
 */
public record Userhash(byte[] value) implements StunAttribute {

  public Userhash {
    value = Objects.requireNonNull(value, "value").clone();
    if (!(value.length == 32)) {
      throw new IllegalArgumentException("USERHASH must be 32 bytes, got " + value.length);
    }
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public int type() {
    return StunAttributeType.USERHASH;
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
    return o instanceof Userhash other && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Userhash[" + HexFormat.of().formatHex(value) + "]";
  }
}
