package org.rtc4j.sctp.dcep;

import java.nio.ByteBuffer;
import org.rtc4j.sctp.SctpParseException;

/**
 * DATA_CHANNEL_ACK (RFC 8832 §5.2): one byte, sent with PPID 50 in answer to an OPEN.
 *
 * <pre>
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+
 * |  Message Type |
 * +-+-+-+-+-+-+-+-+
 * </pre>
 */
public record DataChannelAck() {
  public static final int MESSAGE_TYPE = 0x02;

  public int encodedLength() {
    return 1;
  }

  public void encodeTo(ByteBuffer out) {
    out.put((byte) MESSAGE_TYPE);
  }

  public ByteBuffer encode() {
    return ByteBuffer.wrap(new byte[] {MESSAGE_TYPE});
  }

  /** Parses an ACK (consumes one byte; trailing bytes are an error). */
  public static DataChannelAck parse(ByteBuffer b) throws SctpParseException {
    if (b.remaining() != 1 || (b.get(b.position()) & 0xFF) != MESSAGE_TYPE) {
      throw new SctpParseException("not a DATA_CHANNEL_ACK", 0);
    }
    b.get();
    return new DataChannelAck();
  }
}
