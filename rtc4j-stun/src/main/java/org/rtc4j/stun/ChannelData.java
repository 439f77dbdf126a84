package org.rtc4j.stun;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A TURN ChannelData message (RFC 8656 §12.4): application data for a bound channel with a 4-byte
 * header instead of a Send/Data indication's 36+ bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Channel Number        |            Length             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  /                       Application Data                        /
 *  /                                                               /
 *  |                                                               |
 *  |                               +-------------------------------+
 *  |                               |
 *  +-------------------------------+
 * </pre>
 *
 * Channel numbers are 0x4000-0x4FFF (§12), so the first byte is 64..79 (RFC 7983). Over TCP and
 * TLS the message is padded to a multiple of 4 bytes (the padding is not counted in Length); over
 * UDP padding is optional and ignored (§12.5).
 *
 * <p>A parsed ChannelData's data is a zero-copy read-only view of the parsed buffer, valid while
 * those bytes are; {@link #data()} returns a fresh view each call.
 *
 * @param channelNumber the channel, 0x4000-0x4FFF
 * @param data the application data from position to limit
 */
public record ChannelData(int channelNumber, ByteBuffer data) {

  /** First valid channel number. */
  public static final int MIN_CHANNEL = 0x4000;
  /** Last valid channel number. */
  public static final int MAX_CHANNEL = 0x4FFF;
  /** Header length. */
  public static final int HEADER_LENGTH = 4;

  public ChannelData {
    if (!isValidChannel(channelNumber)) {
      throw new IllegalArgumentException(String.format("channel number 0x%x outside 0x4000-0x4FFF", channelNumber));
    }
    Objects.requireNonNull(data, "data");
    data = data.isReadOnly() ? data.slice() : data.asReadOnlyBuffer().slice();
    if (data.remaining() > 0xFFFF) {
      throw new IllegalArgumentException("ChannelData longer than 65535 bytes: " + data.remaining());
    }
  }

  /** Whether {@code n} is a channel number (0x4000-0x4FFF). */
  public static boolean isValidChannel(int n) {
    return n >= MIN_CHANNEL && n <= MAX_CHANNEL;
  }

  /** Cheap demultiplexing check: at least 4 bytes and a first byte in 64..79 (RFC 7983). Does not move the position. */
  public static boolean looksLikeChannelData(ByteBuffer buf) {
    if (buf.remaining() < HEADER_LENGTH) {
      return false;
    }
    int b0 = buf.get(buf.position()) & 0xFF;
    return b0 >= 0x40 && b0 <= 0x4F;
  }

  /**
   * Parses one ChannelData message at the buffer's position and advances the position past it:
   * by 4 + Length over UDP (trailing padding is left for the caller to ignore), by 4 + Length
   * rounded up to a multiple of 4 on reliable transports. On failure the position is unchanged.
   *
   * @param reliableTransport TCP or TLS: the padding must be present and is consumed
   * @throws StunParseException when shorter than the header, the channel is outside
   *     0x4000-0x4FFF, or Length (plus padding, on reliable transports) exceeds the bytes present
   */
  public static ChannelData parse(ByteBuffer buf, boolean reliableTransport) throws StunParseException {
    int start = buf.position();
    int avail = buf.remaining();
    if (avail < HEADER_LENGTH) {
      throw new StunParseException("shorter than the 4-byte ChannelData header: " + avail + " bytes", 0);
    }
    int channel = ((buf.get(start) & 0xFF) << 8) | (buf.get(start + 1) & 0xFF);
    if (!isValidChannel(channel)) {
      throw new StunParseException(String.format("channel number 0x%04x outside 0x4000-0x4FFF", channel), 0);
    }
    int length = ((buf.get(start + 2) & 0xFF) << 8) | (buf.get(start + 3) & 0xFF);
    if (length > avail - HEADER_LENGTH) {
      throw new StunParseException("ChannelData length " + length + " exceeds the " + (avail - HEADER_LENGTH)
          + " bytes present", 2);
    }
    int consumed = HEADER_LENGTH + (reliableTransport ? (length + 3) & ~3 : length);
    if (consumed > avail) {
      throw new StunParseException("ChannelData padding missing on a stream transport", HEADER_LENGTH + length);
    }
    ByteBuffer view = (buf.isReadOnly() ? buf : buf.asReadOnlyBuffer()).slice(start + HEADER_LENGTH, length);
    buf.position(start + consumed);
    return new ChannelData(channel, view);
  }

  /**
   * Length of the whole frame a stream transport must read for the message starting at the
   * buffer's position, padding included, or -1 when fewer than 4 bytes are present. Does not
   * validate the channel number.
   */
  public static int streamFrameLength(ByteBuffer buf) {
    if (buf.remaining() < HEADER_LENGTH) {
      return -1;
    }
    int p = buf.position();
    int length = ((buf.get(p + 2) & 0xFF) << 8) | (buf.get(p + 3) & 0xFF);
    return HEADER_LENGTH + ((length + 3) & ~3);
  }

  /** A fresh read-only view of the data (position 0). */
  @Override
  public ByteBuffer data() {
    return data.duplicate();
  }

  /** Number of data bytes (the Length field). */
  public int length() {
    return data.remaining();
  }

  /** Encoded size; with {@code pad}, rounded up to a multiple of 4 (required on TCP/TLS). */
  public int encodedLength(boolean pad) {
    int n = HEADER_LENGTH + data.remaining();
    return pad ? (n + 3) & ~3 : n;
  }

  /**
   * Writes the message at the buffer's position and advances it by {@link #encodedLength}.
   *
   * @param pad append zero padding to a multiple of 4 (TCP/TLS)
   * @throws BufferOverflowException if there is not enough room
   */
  public void encodeTo(ByteBuffer out, boolean pad) {
    if (out.remaining() < encodedLength(pad)) {
      throw new BufferOverflowException();
    }
    writeHeader(out, channelNumber, data.remaining());
    out.put(data.duplicate());
    if (pad) {
      for (int i = data.remaining(); (i & 3) != 0; i++) {
        out.put((byte) 0);
      }
    }
  }

  /** Encodes to a new array. */
  public byte[] encode(boolean pad) {
    byte[] b = new byte[encodedLength(pad)];
    encodeTo(ByteBuffer.wrap(b), pad);
    return b;
  }

  /**
   * Writes just the 4-byte header at the buffer's position, for hot paths that then copy the
   * payload straight in after it. Big-endian regardless of the buffer's byte order.
   */
  public static void writeHeader(ByteBuffer out, int channelNumber, int length) {
    if (!isValidChannel(channelNumber)) {
      throw new IllegalArgumentException(String.format("channel number 0x%x outside 0x4000-0x4FFF", channelNumber));
    }
    if (length < 0 || length > 0xFFFF) {
      throw new IllegalArgumentException("length must be 0..65535: " + length);
    }
    out.put((byte) (channelNumber >>> 8));
    out.put((byte) channelNumber);
    out.put((byte) (length >>> 8));
    out.put((byte) length);
  }

  @Override
  public String toString() {
    return String.format("ChannelData[0x%04x, %d bytes]", channelNumber, data.remaining());
  }
}
