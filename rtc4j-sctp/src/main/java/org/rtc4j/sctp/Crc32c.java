package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The SCTP checksum (RFC 9260 §6.8, Appendix A): CRC-32C over the whole packet with the checksum
 * field zeroed, transmitted so that the four bytes on the wire are the little-endian encoding of
 * the CRC value. {@link CRC32C} is a JIT intrinsic.
 */
public final class Crc32c {
  private static final byte[] ZERO4 = new byte[4];

  private Crc32c() {}

  /** CRC-32C of {@code len} bytes of {@code buf} starting at absolute index {@code from}. */
  public static int compute(ByteBuffer buf, int from, int len) {
    CRC32C c = new CRC32C();
    ByteBuffer d = buf.duplicate();
    d.limit(from + len).position(from);
    c.update(d);
    return (int) c.getValue();
  }

  /**
   * The checksum of an SCTP packet occupying {@code len} bytes at absolute index {@code from}:
   * the CRC computed as if bytes 8..11 were zero, as the value to compare with the
   * little-endian field.
   */
  public static int packetChecksum(ByteBuffer buf, int from, int len) {
    CRC32C c = new CRC32C();
    ByteBuffer d = buf.duplicate();
    d.limit(from + 8).position(from);
    c.update(d);
    c.update(ZERO4, 0, 4);
    d.limit(from + len).position(from + 12);
    c.update(d);
    return (int) c.getValue();
  }

  /** Reads the little-endian checksum field of the packet at absolute index {@code from}. */
  public static int readField(ByteBuffer buf, int from) {
    return (buf.get(from + 8) & 0xFF) | (buf.get(from + 9) & 0xFF) << 8
        | (buf.get(from + 10) & 0xFF) << 16 | (buf.get(from + 11) & 0xFF) << 24;
  }

  /** Computes and writes the checksum of the packet of {@code len} bytes at absolute {@code from}. */
  public static void writeField(ByteBuffer buf, int from, int len) {
    buf.putInt(from + 8, 0);
    int crc = packetChecksum(buf, from, len);
    buf.put(from + 8, (byte) crc);
    buf.put(from + 9, (byte) (crc >>> 8));
    buf.put(from + 10, (byte) (crc >>> 16));
    buf.put(from + 11, (byte) (crc >>> 24));
  }
}
