package org.rtc4j.ice.mdns;

import java.nio.ByteBuffer;

/**
 * One entry of the question section (RFC 1035 §4.1.2), with the mDNS unicast-response bit in the
 * top bit of QCLASS (RFC 6762 §5.4).
 *
 * <pre>
 *                                     1  1  1  1  1  1
 *       0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                                               |
 *     /                     QNAME                     /
 *     /                                               /
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                     QTYPE                     |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |QU|                 QCLASS                     |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * </pre>
 *
 * @param name the name asked for (no trailing dot)
 * @param type QTYPE, e.g. {@link MdnsMessage#TYPE_A}
 * @param qclass QCLASS without the QU bit (1 = IN)
 * @param unicastResponse the QU bit: please answer by unicast
 */
public record MdnsQuestion(String name, int type, int qclass, boolean unicastResponse) {

  public MdnsQuestion {
    name = DnsNames.validate(name);
    if (type < 0 || type > 0xFFFF || qclass < 0 || qclass > 0x7FFF) {
      throw new IllegalArgumentException("type or class out of range: " + type + "/" + qclass);
    }
  }

  /** Encoded size (no compression). */
  public int encodedLength() {
    return DnsNames.encodedLength(name) + 4;
  }

  /** Writes the question at the buffer's position. */
  public void encodeTo(ByteBuffer out) {
    DnsNames.write(out, name);
    out.putShort((short) type);
    out.putShort((short) (qclass | (unicastResponse ? 0x8000 : 0)));
  }
}
