package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * FORWARD TSN (RFC 3758 §3.2): tells the receiver to move its cumulative TSN forward past
 * abandoned chunks, and which ordered streams skip up to which SSN.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 192  |  Flags = 0x00 |        Length = Variable      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      New Cumulative TSN                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Stream-1              |       Stream Sequence-1       |
 * /                              ...                              /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record ForwardTsnChunk(long newCumulativeTsn, List<StreamSsn> streams) implements Chunk {

  /** A stream and the largest SSN skipped on it. */
  public record StreamSsn(int streamId, int ssn) {}

  public ForwardTsnChunk {
    streams = List.copyOf(streams);
  }

  @Override
  public int type() {
    return FORWARD_TSN;
  }

  @Override
  public int flags() {
    return 0;
  }

  @Override
  public int length() {
    return 8 + 4 * streams.size();
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    out.putInt((int) newCumulativeTsn);
    for (StreamSsn s : streams) {
      out.putShort((short) s.streamId()).putShort((short) s.ssn());
    }
  }

  static ForwardTsnChunk parseValue(int flags, ByteBuffer v) throws SctpParseException {
    Wire.need(v, 4, 0, "FORWARD TSN");
    long cum = Wire.u32(v);
    List<StreamSsn> s = new ArrayList<>(v.remaining() / 4);
    while (v.remaining() >= 4) {
      s.add(new StreamSsn(Wire.u16(v), Wire.u16(v)));
    }
    return new ForwardTsnChunk(cum, s);
  }
}
