package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An attribute whose type this module does not decode, kept as raw bytes (RFC 8489 §14): types
 * 0x0000-0x7FFF are comprehension-required (the message lists them in
 * {@link StunMessage#unknownComprehensionRequired()}), 0x8000-0xFFFF may be ignored.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Type                  |            Length             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Value (variable)                ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param type the 16-bit type
 * @param value the value bytes without padding (copied in and out)
 */
public record UnknownAttribute(int type, byte[] value) implements StunAttribute {

  public UnknownAttribute {
    if (type < 0 || type > 0xFFFF) {
      throw new IllegalArgumentException("type out of range: " + type);
    }
    value = Objects.requireNonNull(value, "value").clone();
    if (value.length > 0xFFFF) {
      throw new IllegalArgumentException("value too long: " + value.length);
    }
  }

  @Override
  public byte[] value() {
    return value.clone();
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
    return o instanceof UnknownAttribute u && u.type == type && Arrays.equals(u.value, value);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "UnknownAttribute[" + StunAttributeType.name(type) + ", " + HexFormat.of().formatHex(value) + "]";
  }
}
