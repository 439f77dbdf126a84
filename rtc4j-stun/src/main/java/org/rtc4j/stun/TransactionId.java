package org.rtc4j.stun;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The 96-bit STUN transaction id (RFC 8489 §5, §6): chosen uniformly at random by the client,
 * echoed by the server, used to match responses to requests. A value type: equality by content.
 *
 * @param bytes the 12 bytes (copied in and out)
 */
public record TransactionId(byte[] bytes) {

  /** Length in bytes. */
  public static final int LENGTH = 12;

  public TransactionId {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("transaction id must be 12 bytes, got " + bytes.length);
    }
    bytes = bytes.clone();
  }

  /** A fresh random id; pass a {@link java.security.SecureRandom} where ids must be unguessable. */
  public static TransactionId random(RandomGenerator random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    return new TransactionId(b);
  }

  /** From 24 hex digits. */
  public static TransactionId fromHex(String hex) {
    return new TransactionId(HexFormat.of().parseHex(hex));
  }

  /** A copy of the 12 bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The internal array, for codecs in this package that only read it. */
  byte[] raw() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TransactionId t && Arrays.equals(bytes, t.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
