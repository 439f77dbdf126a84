package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * DATA (RFC 8656 §18.4): the application data of a Send or Data indication.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Application Data (variable)          ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Zero-copy: a parsed DATA is a read-only view into the buffer the message was parsed from, so
 * it is valid only while that buffer's bytes are. The TURN relay path copies it once, straight
 * into the outgoing datagram ({@link #copyTo}). {@link #value()} returns a fresh read-only view
 * (position 0) on each call, so readers cannot disturb each other.
 *
 * @param value the data bytes from position to limit
 */
public record Data(ByteBuffer value) implements StunAttribute {

  public Data {
    Objects.requireNonNull(value, "value");
    // Own read-only view from position 0, so the caller's later position changes do not leak in.
    value = value.isReadOnly() ? value.slice() : value.asReadOnlyBuffer().slice();
    if (value.remaining() > 0xFFFF) {
      throw new IllegalArgumentException("DATA longer than 65535 bytes: " + value.remaining());
    }
  }

  /** Wraps {@code bytes} without copying. */
  public static Data wrap(byte[] bytes) {
    return new Data(ByteBuffer.wrap(bytes));
  }

  /** A fresh read-only view of the data (position 0, limit = length). */
  @Override
  public ByteBuffer value() {
    return value.duplicate();
  }

  /** Number of data bytes. */
  public int length() {
    return value.remaining();
  }

  /** Copies the data to {@code out} at its position, advancing it; no allocation for heap/direct pairs. */
  public void copyTo(ByteBuffer out) {
    out.put(value.duplicate());
  }

  /** A copy of the data as a byte array. */
  public byte[] toByteArray() {
    byte[] b = new byte[value.remaining()];
    value.get(value.position(), b);
    return b;
  }

  @Override
  public int type() {
    return StunAttributeType.DATA;
  }

  @Override
  public int valueLength() {
    return value.remaining();
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.put(value.duplicate());
  }

  @Override
  public String toString() {
    return "Data[" + value.remaining() + " bytes]";
  }
}
