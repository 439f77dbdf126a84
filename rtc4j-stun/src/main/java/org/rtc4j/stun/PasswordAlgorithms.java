package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * PASSWORD-ALGORITHMS (RFC 8489 §14.11): the server's list of supported long-term key
 * algorithms, in order of preference.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Algorithm 1           | Algorithm 1 Parameters Length |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Algorithm 1 Parameters (variable)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Algorithm 2           | Algorithm 2 Parameters Length |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Algorithm 2 Parameters (variable)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                             ...
 * </pre>
 *
 * Each element's parameters are padded to a multiple of 4 bytes (with zeros on encoding).
 *
 * @param algorithms the algorithms, most preferred first
 */
public record PasswordAlgorithms(List<PasswordAlgorithm> algorithms) implements StunAttribute {

  public PasswordAlgorithms {
    algorithms = List.copyOf(algorithms);
  }

  @Override
  public int type() {
    return StunAttributeType.PASSWORD_ALGORITHMS;
  }

  @Override
  public int valueLength() {
    int n = 0;
    for (PasswordAlgorithm a : algorithms) {
      n += a.paddedLength();
    }
    return n;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    for (PasswordAlgorithm a : algorithms) {
      a.encodeValue(out, transactionId);
      for (int i = a.valueLength(); i < a.paddedLength(); i++) {
        out.put((byte) 0);
      }
    }
  }
}
