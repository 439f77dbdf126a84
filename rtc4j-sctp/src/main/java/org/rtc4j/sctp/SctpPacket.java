package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An SCTP packet (RFC 9260 §3.1): the common header and its chunks.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Source Port Number        |     Destination Port Number   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Verification Tag                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Checksum                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The checksum is CRC-32C, little-endian on the wire ({@link Crc32c}).
 */
public record SctpPacket(int sourcePort, int destinationPort, long verificationTag, List<Chunk> chunks) {
  public static final int HEADER_LENGTH = 12;

  public SctpPacket {
    chunks = List.copyOf(chunks);
  }

  /** Parses and verifies the checksum. The chunks are views of {@code b}'s bytes. */
  public static SctpPacket parse(ByteBuffer b) throws SctpParseException {
    return parse(b, true);
  }

  /**
   * Parses a packet occupying position..limit of {@code b} (consumed).
   *
   * @param verifyChecksum false only for fuzzing, so that mutated inputs reach the chunk parsers
   */
  public static SctpPacket parse(ByteBuffer b, boolean verifyChecksum) throws SctpParseException {
    int base = b.position();
    int len = b.remaining();
    if (len < HEADER_LENGTH) {
      throw new SctpParseException("packet shorter than the common header", 0);
    }
    if (verifyChecksum && Crc32c.readField(b, base) != Crc32c.packetChecksum(b, base, len)) {
      throw new SctpParseException("bad CRC32c", 8);
    }
    ByteBuffer d = b.duplicate();
    int sp = Wire.u16(d);
    int dp = Wire.u16(d);
    long tag = Wire.u32(d);
    d.position(base + HEADER_LENGTH);
    List<Chunk> chunks = new ArrayList<>(4);
    while (d.remaining() >= 4) {
      int at = d.position();
      try {
        chunks.add(Chunk.parse(d));
      } catch (SctpParseException e) {
        throw new SctpParseException(e.getMessage(), at - base + e.offset());
      }
    }
    b.position(b.limit());
    return new SctpPacket(sp, dp, tag, chunks);
  }

  public int encodedLength() {
    int n = HEADER_LENGTH;
    for (Chunk c : chunks) {
      n += c.encodedLength();
    }
    return n;
  }

  /** Writes the packet with its checksum at the buffer position. */
  public void encodeTo(ByteBuffer out) {
    int start = out.position();
    out.putShort((short) sourcePort).putShort((short) destinationPort).putInt((int) verificationTag).putInt(0);
    for (Chunk c : chunks) {
      c.encodeTo(out);
    }
    Crc32c.writeField(out, start, out.position() - start);
  }

  /** The packet as a new heap buffer (position 0, limit = length). */
  public ByteBuffer encode() {
    ByteBuffer out = ByteBuffer.allocate(encodedLength());
    encodeTo(out);
    return out.flip();
  }
}
