package org.rtc4j.ice.mdns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A resource record (RFC 1035 §4.1.3), with the mDNS cache-flush bit in the top bit of CLASS (RFC
 * 6762 §10.2).
 *
 * <pre>
 *                                     1  1  1  1  1  1
 *       0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     /                      NAME                     /
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                      TYPE                     |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |CF|                   CLASS                    |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                      TTL                      |
 *     |                                               |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                   RDLENGTH                    |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--|
 *     /                     RDATA                     /
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * </pre>
 *
 * RDATA is kept as raw bytes (names inside other record types may be compressed against the
 * message; this codec interprets only A and AAAA).
 *
 * @param name owner name (no trailing dot)
 * @param type TYPE
 * @param rclass CLASS without the cache-flush bit
 * @param cacheFlush the cache-flush bit
 * @param ttl seconds, unsigned 32-bit
 * @param rdata the RDATA bytes (copied in and out)
 */
public record MdnsRecord(String name, int type, int rclass, boolean cacheFlush, long ttl, byte[] rdata) {

  public MdnsRecord {
    name = DnsNames.validate(name);
    Objects.requireNonNull(rdata, "rdata");
    if (type < 0 || type > 0xFFFF || rclass < 0 || rclass > 0x7FFF || ttl < 0 || ttl > 0xFFFFFFFFL
        || rdata.length > 0xFFFF) {
      throw new IllegalArgumentException("record field out of range");
    }
    rdata = rdata.clone();
  }

  /** An A (IPv4) or AAAA (IPv6) record for {@code address}, class IN. */
  public static MdnsRecord address(String name, InetAddress address, long ttl, boolean cacheFlush) {
    byte[] raw = address.getAddress();
    return new MdnsRecord(name, raw.length == 4 ? MdnsMessage.TYPE_A : MdnsMessage.TYPE_AAAA, MdnsMessage.CLASS_IN,
        cacheFlush, ttl, raw);
  }

  @Override
  public byte[] rdata() {
    return rdata.clone();
  }

  /** The address of an A (4-byte RDATA) or AAAA (16-byte RDATA) record of class IN. */
  public Optional<InetAddress> address() {
    if (rclass != MdnsMessage.CLASS_IN) {
      return Optional.empty();
    }
    if ((type == MdnsMessage.TYPE_A && rdata.length == 4) || (type == MdnsMessage.TYPE_AAAA && rdata.length == 16)) {
      try {
        return Optional.of(InetAddress.getByAddress(rdata));
      } catch (UnknownHostException e) {
        return Optional.empty(); // unreachable: the length is checked
      }
    }
    return Optional.empty();
  }

  /** Encoded size (no compression). */
  public int encodedLength() {
    return DnsNames.encodedLength(name) + 10 + rdata.length;
  }

  /** Writes the record at the buffer's position. */
  public void encodeTo(ByteBuffer out) {
    DnsNames.write(out, name);
    out.putShort((short) type);
    out.putShort((short) (rclass | (cacheFlush ? 0x8000 : 0)));
    out.putInt((int) ttl);
    out.putShort((short) rdata.length);
    out.put(rdata);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MdnsRecord r && r.name.equals(name) && r.type == type && r.rclass == rclass
        && r.cacheFlush == cacheFlush && r.ttl == ttl && Arrays.equals(r.rdata, rdata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, rclass, cacheFlush, ttl, Arrays.hashCode(rdata));
  }

  @Override
  public String toString() {
    return "MdnsRecord[" + name + " type " + type + " class " + rclass + (cacheFlush ? " flush" : "") + " ttl " + ttl
        + " " + address().map(InetAddress::getHostAddress).orElse(HexFormat.of().formatHex(rdata)) + "]";
  }
}
