package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * EVEN-PORT (RFC 8656 §18.4): the client wants an even relayed port; with R set, the server also
 * reserves the next-higher port for a later allocation.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+
 *  |R|    RFFU     |
 *  +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param reserve the R bit
 */
public record EvenPort(boolean reserve) implements StunAttribute {

  @Override
  public int type() {
    return StunAttributeType.EVEN_PORT;
  }

  @Override
  public int valueLength() {
    return 1;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.put((byte) (reserve ? 0x80 : 0));
  }
}
