package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * CHANNEL-NUMBER (RFC 8656 §18.1): the channel number of a ChannelBind. Valid channels are
 * 0x4000-0x4FFF (RFC 8656 §12); the record holds any 16-bit value so a server can answer an
 * invalid one with 400 (see {@link #isValidChannel()}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Channel Number         |         RFFU = 0              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param number the 16-bit channel number
 */
public record ChannelNumber(int number) implements StunAttribute {

  public ChannelNumber {
    if (number < 0 || number > 0xFFFF) {
      throw new IllegalArgumentException("channel number must be 16 bits: " + number);
    }
  }

  @Override
  public int type() {
    return StunAttributeType.CHANNEL_NUMBER;
  }

  @Override
  public int valueLength() {
    return 4;
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putShort((short) number);
    out.putShort((short) 0);
  }

  /** Whether the number is in the channel range 0x4000-0x4FFF (RFC 8656 §12). */
  public boolean isValidChannel() {
    return number >= 0x4000 && number <= 0x4FFF;
  }
}
