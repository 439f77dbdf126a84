package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * DATA (RFC 9260 §3.3.1; the I bit is RFC 7053).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 0    |  Res  |I|U|B|E|            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                              TSN                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Stream Identifier S      |   Stream Sequence Number n    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Payload Protocol Identifier                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                 User Data (seq n of Stream S)                 \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param flags I (0x08), U unordered (0x04), B beginning (0x02), E ending (0x01)
 * @param tsn transmission sequence number (unsigned 32)
 * @param streamId stream identifier
 * @param ssn stream sequence number
 * @param ppid payload protocol identifier (raw 32 bits)
 * @param userData the user data (read-only view; may be empty on the wire only as a protocol error)
 */
public record DataChunk(int flags, long tsn, int streamId, int ssn, int ppid, ByteBuffer userData) implements Chunk {
  public static final int FLAG_E = 0x01;
  public static final int FLAG_B = 0x02;
  public static final int FLAG_U = 0x04;
  public static final int FLAG_I = 0x08;
  /** Type, flags, length, TSN, stream, SSN, PPID. */
  public static final int HEADER_LENGTH = 16;

  public DataChunk {
    userData = Wire.ro(userData);
  }

  public boolean unordered() {
    return (flags & FLAG_U) != 0;
  }

  public boolean beginning() {
    return (flags & FLAG_B) != 0;
  }

  public boolean ending() {
    return (flags & FLAG_E) != 0;
  }

  @Override
  public int type() {
    return DATA;
  }

  @Override
  public int length() {
    return HEADER_LENGTH + userData.remaining();
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    out.putInt((int) tsn).putShort((short) streamId).putShort((short) ssn).putInt(ppid);
    Wire.putBytes(out, userData);
  }

  static DataChunk parseValue(int flags, ByteBuffer v) throws SctpParseException {
    Wire.need(v, 12, 0, "DATA header");
    long tsn = Wire.u32(v);
    int sid = Wire.u16(v);
    int ssn = Wire.u16(v);
    int ppid = v.getInt();
    return new DataChunk(flags, tsn, sid, ssn, ppid, v.slice());
  }
}
