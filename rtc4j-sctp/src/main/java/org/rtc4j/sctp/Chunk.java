package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * An SCTP chunk (RFC 9260 §3.2): type, flags, length, value, padded to four bytes (padding not
 * counted in the length field).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Chunk Type  | Chunk  Flags  |        Chunk Length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                          Chunk Value                          /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public sealed interface Chunk permits DataChunk, InitChunk, InitAckChunk, SackChunk, HeartbeatChunk,
    HeartbeatAckChunk, AbortChunk, ShutdownChunk, ShutdownAckChunk, ErrorChunk, CookieEchoChunk,
    CookieAckChunk, ShutdownCompleteChunk, ForwardTsnChunk, ReconfigChunk, UnknownChunk {

  int DATA = 0;
  int INIT = 1;
  int INIT_ACK = 2;
  int SACK = 3;
  int HEARTBEAT = 4;
  int HEARTBEAT_ACK = 5;
  int ABORT = 6;
  int SHUTDOWN = 7;
  int SHUTDOWN_ACK = 8;
  int ERROR = 9;
  int COOKIE_ECHO = 10;
  int COOKIE_ACK = 11;
  int SHUTDOWN_COMPLETE = 14;
  int I_DATA = 64;
  int ASCONF_ACK = 0x80;
  int RE_CONFIG = 130;
  int FORWARD_TSN = 192;
  int ASCONF = 0xC1;
  int I_FORWARD_TSN = 194;

  /** The chunk type byte. */
  int type();

  /** The flags byte. */
  int flags();

  /** The value of the length field: 4 + value bytes, no trailing padding. */
  int length();

  /** Bytes this chunk occupies in a packet, padding included. */
  default int encodedLength() {
    return Wire.pad4(length());
  }

  /** Writes header, value and padding at the buffer's position. */
  default void encodeTo(ByteBuffer out) {
    int start = out.position();
    out.put((byte) type()).put((byte) flags()).putShort((short) length());
    encodeValue(out);
    Wire.zeros(out, encodedLength() - (out.position() - start));
  }

  /** Writes the value (everything after the 4-byte header, no trailing padding). */
  void encodeValue(ByteBuffer out);

  /**
   * Parses one chunk at the buffer position and consumes it with its padding (padding missing at
   * the very end of a packet is tolerated). A length below 4 or past the end is rejected.
   */
  static Chunk parse(ByteBuffer b) throws SctpParseException {
    int base = b.position();
    Wire.need(b, 4, base, "chunk header");
    int type = b.get(base) & 0xFF;
    int flags = b.get(base + 1) & 0xFF;
    int len = b.getShort(base + 2) & 0xFFFF;
    if (len < 4) {
      throw new SctpParseException("chunk length " + len + " < 4", 2);
    }
    if (len > b.remaining()) {
      throw new SctpParseException("chunk length " + len + " past the end (" + b.remaining() + ")", 2);
    }
    b.position(base + 4);
    ByteBuffer v = Wire.slice(b, len - 4);
    b.position(Math.min(base + Wire.pad4(len), b.limit()));
    try {
      return switch (type) {
        case DATA -> DataChunk.parseValue(flags, v);
        case INIT -> InitChunk.parseValue(flags, v);
        case INIT_ACK -> InitAckChunk.parseValue(flags, v);
        case SACK -> SackChunk.parseValue(flags, v);
        case HEARTBEAT -> new HeartbeatChunk(flags, v);
        case HEARTBEAT_ACK -> new HeartbeatAckChunk(flags, v);
        case ABORT -> new AbortChunk(flags, ErrorCause.parseAll(v));
        case SHUTDOWN -> ShutdownChunk.parseValue(flags, v);
        case SHUTDOWN_ACK -> new ShutdownAckChunk(flags);
        case ERROR -> new ErrorChunk(flags, ErrorCause.parseAll(v));
        case COOKIE_ECHO -> new CookieEchoChunk(flags, v);
        case COOKIE_ACK -> new CookieAckChunk(flags);
        case SHUTDOWN_COMPLETE -> new ShutdownCompleteChunk(flags);
        case FORWARD_TSN -> ForwardTsnChunk.parseValue(flags, v);
        case RE_CONFIG -> ReconfigChunk.parseValue(flags, v);
        default -> new UnknownChunk(type, flags, v);
      };
    } catch (SctpParseException e) {
      throw new SctpParseException("chunk type " + type + ": " + e.getMessage(), 4 + e.offset());
    }
  }
}
