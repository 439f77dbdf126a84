package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * SACK (RFC 9260 §3.3.4). Gap Ack Block offsets are relative to the Cumulative TSN Ack.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 3    |Chunk  Flags   |        Chunk Length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Cumulative TSN Ack                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Advertised Receiver Window Credit (a_rwnd)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Gap Ack Block #1 Start     |     Gap Ack Block #1 End      |
 * /                              ...                              /
 * |                        Duplicate TSN 1                        |
 * /                              ...                              /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param cumulativeTsnAck highest TSN received in sequence (unsigned 32)
 * @param aRwnd advertised receiver window credit
 * @param gapAckBlocks blocks as (start, end) offsets from the cumulative ack
 * @param duplicateTsns TSNs received more than once since the last SACK
 */
public record SackChunk(long cumulativeTsnAck, long aRwnd, List<GapAckBlock> gapAckBlocks, List<Long> duplicateTsns)
    implements Chunk {

  /** One Gap Ack Block: TSNs cum+start .. cum+end were received. */
  public record GapAckBlock(int start, int end) {}

  public SackChunk {
    gapAckBlocks = List.copyOf(gapAckBlocks);
    duplicateTsns = List.copyOf(duplicateTsns);
  }

  @Override
  public int type() {
    return SACK;
  }

  @Override
  public int flags() {
    return 0;
  }

  @Override
  public int length() {
    return 16 + 4 * gapAckBlocks.size() + 4 * duplicateTsns.size();
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    out.putInt((int) cumulativeTsnAck).putInt((int) aRwnd);
    out.putShort((short) gapAckBlocks.size()).putShort((short) duplicateTsns.size());
    for (GapAckBlock g : gapAckBlocks) {
      out.putShort((short) g.start()).putShort((short) g.end());
    }
    for (Long d : duplicateTsns) {
      out.putInt((int) d.longValue());
    }
  }

  static SackChunk parseValue(int flags, ByteBuffer v) throws SctpParseException {
    Wire.need(v, 12, 0, "SACK fixed part");
    long cum = Wire.u32(v);
    long rwnd = Wire.u32(v);
    int n = Wire.u16(v);
    int m = Wire.u16(v);
    Wire.need(v, 4 * n + 4 * m, 0, "SACK blocks");
    List<GapAckBlock> gaps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      gaps.add(new GapAckBlock(Wire.u16(v), Wire.u16(v)));
    }
    List<Long> dups = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      dups.add(Wire.u32(v));
    }
    return new SackChunk(cum, rwnd, gaps, dups);
  }
}
