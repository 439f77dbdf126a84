package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * PASSWORD-ALGORITHM (RFC 8489 §14.12): the algorithm the client chose for the long-term key;
 * also the element type of {@link PasswordAlgorithms} (§14.11).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Algorithm           |  Algorithm Parameters Length   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Algorithm Parameters (variable)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The parameters are padded to a multiple of 4 bytes. MD5 (0x0001) and SHA-256 (0x0002) take no
 * parameters (RFC 8489 §18.5).
 *
 * @param algorithm the 16-bit algorithm number
 * @param params the algorithm parameters (copied in and out)
 */
public record PasswordAlgorithm(int algorithm, byte[] params) implements StunAttribute {

  /** MD5 (RFC 8489 §18.5.1.1). */
  public static final int MD5 = 0x0001;
  /** SHA-256 (RFC 8489 §18.5.1.2). */
  public static final int SHA256 = 0x0002;

  public PasswordAlgorithm {
    if (algorithm < 0 || algorithm > 0xFFFF) {
      throw new IllegalArgumentException("algorithm out of range: " + algorithm);
    }
    params = Objects.requireNonNull(params, "params").clone();
    if (params.length > 0xFFFF - 4) { // the value (4 + params) must fit the 16-bit length
      throw new IllegalArgumentException("parameters too long: " + params.length);
    }
  }

  /** An algorithm without parameters. */
  public static PasswordAlgorithm of(int algorithm) {
    return new PasswordAlgorithm(algorithm, new byte[0]);
  }

  @Override
  public byte[] params() {
    return params.clone();
  }

  @Override
  public int type() {
    return StunAttributeType.PASSWORD_ALGORITHM;
  }

  @Override
  public int valueLength() {
    return 4 + params.length;
  }

  /** Length with the parameters padded, as an element of PASSWORD-ALGORITHMS. */
  int paddedLength() {
    return 4 + ((params.length + 3) & ~3);
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putShort((short) algorithm);
    out.putShort((short) params.length);
    out.put(params);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordAlgorithm p && p.algorithm == algorithm && Arrays.equals(p.params, params);
  }

  @Override
  public int hashCode() {
    return 31 * algorithm + Arrays.hashCode(params);
  }

  @Override
  public String toString() {
    return "PasswordAlgorithm[algorithm=" + algorithm + ", params=" + HexFormat.of().formatHex(params) + "]";
  }
}
