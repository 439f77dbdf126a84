package org.rtc4j.sctp.dcep;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.rtc4j.sctp.SctpParseException;

/**
 * DATA_CHANNEL_OPEN (RFC 8832 §5.1), sent with PPID 50 on the stream of the new channel.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Message Type |  Channel Type |            Priority           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Reliability Parameter                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Label Length          |       Protocol Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                             Label                             \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                            Protocol                           \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param channelType the reliability/order type
 * @param priority the priority (256 = normal, as browsers send)
 * @param reliabilityParameter max retransmissions or lifetime in ms; 0 for reliable types
 * @param label the label (UTF-8)
 * @param protocol the sub-protocol (UTF-8)
 */
public record DataChannelOpen(ChannelType channelType, int priority, long reliabilityParameter, String label,
    String protocol) {
  public static final int MESSAGE_TYPE = 0x03;
  public static final int FIXED_LENGTH = 12;

  public DataChannelOpen {
    Objects.requireNonNull(channelType, "channelType");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(protocol, "protocol");
    if (label.getBytes(StandardCharsets.UTF_8).length > 0xFFFF
        || protocol.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
      throw new IllegalArgumentException("label and protocol are limited to 65535 UTF-8 bytes");
    }
  }

  public int encodedLength() {
    return FIXED_LENGTH + label.getBytes(StandardCharsets.UTF_8).length
        + protocol.getBytes(StandardCharsets.UTF_8).length;
  }

  public void encodeTo(ByteBuffer out) {
    byte[] l = label.getBytes(StandardCharsets.UTF_8);
    byte[] p = protocol.getBytes(StandardCharsets.UTF_8);
    out.put((byte) MESSAGE_TYPE).put((byte) channelType.code()).putShort((short) priority)
        .putInt((int) reliabilityParameter).putShort((short) l.length).putShort((short) p.length).put(l).put(p);
  }

  public ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(encodedLength());
    encodeTo(b);
    return b.flip();
  }

  /**
   * Parses a DATA_CHANNEL_OPEN at the buffer position (consumes it). Label and protocol lengths
   * are added as ints, so their sum cannot wrap at 16 bits.
   */
  public static DataChannelOpen parse(ByteBuffer b) throws SctpParseException {
    int base = b.position();
    if (b.remaining() < FIXED_LENGTH) {
      throw new SctpParseException("DATA_CHANNEL_OPEN shorter than 12 bytes", 0);
    }
    int type = b.get(base) & 0xFF;
    if (type != MESSAGE_TYPE) {
      throw new SctpParseException("not a DATA_CHANNEL_OPEN: type " + type, 0);
    }
    int ct = b.get(base + 1) & 0xFF;
    ChannelType channelType = ChannelType.fromCode(ct);
    if (channelType == null) {
      throw new SctpParseException("unknown channel type 0x" + Integer.toHexString(ct), 1);
    }
    int priority = b.getShort(base + 2) & 0xFFFF;
    long rel = b.getInt(base + 4) & 0xFFFFFFFFL;
    int ll = b.getShort(base + 8) & 0xFFFF;
    int pl = b.getShort(base + 10) & 0xFFFF;
    long total = (long) FIXED_LENGTH + ll + pl;
    if (total > b.remaining()) {
      throw new SctpParseException("label+protocol length " + ((long) ll + pl) + " past the end", 8);
    }
    byte[] l = new byte[ll];
    byte[] p = new byte[pl];
    b.position(base + FIXED_LENGTH);
    b.get(l).get(p);
    return new DataChannelOpen(channelType, priority, rel, new String(l, StandardCharsets.UTF_8),
        new String(p, StandardCharsets.UTF_8));
  }
}
