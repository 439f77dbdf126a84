package org.rtc4j.ice.mdns;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A DNS message as Multicast DNS uses it (RFC 1035 §4.1, RFC 6762 §18): header, questions,
 * answers, authority and additional records.
 *
 * <pre>
 *                                     1  1  1  1  1  1
 *       0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                      ID                       |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    QDCOUNT                    |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    ANCOUNT                    |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    NSCOUNT                    |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    ARCOUNT                    |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * </pre>
 *
 * <p>{@link #parse} follows name compression (RFC 1035 §4.1.4; pointers must point backwards),
 * checks every length against the bytes present, and throws only {@link MdnsParseException}.
 * Encoding writes names uncompressed (queries and small responses need no more).
 *
 * @param id message id (0 for multicast queries, RFC 6762 §18.1)
 * @param flags the 16 flag bits (QR, opcode, AA, TC, RD, RA, Z, RCODE)
 * @param questions question section
 * @param answers answer section
 * @param authorities authority section
 * @param additionals additional section
 */
public record MdnsMessage(int id, int flags, List<MdnsQuestion> questions, List<MdnsRecord> answers,
    List<MdnsRecord> authorities, List<MdnsRecord> additionals) {

  /** TYPE A (RFC 1035). */
  public static final int TYPE_A = 1;
  /** TYPE AAAA (RFC 3596). */
  public static final int TYPE_AAAA = 28;
  /** CLASS IN. */
  public static final int CLASS_IN = 1;
  /** QR bit: a response. */
  public static final int FLAG_RESPONSE = 0x8000;
  /** AA bit: authoritative (set on every mDNS response, RFC 6762 §18.4). */
  public static final int FLAG_AUTHORITATIVE = 0x0400;
  /** Header length. */
  public static final int HEADER_LENGTH = 12;

  public MdnsMessage {
    if (id < 0 || id > 0xFFFF || flags < 0 || flags > 0xFFFF) {
      throw new IllegalArgumentException("id and flags are 16 bits");
    }
    questions = List.copyOf(questions);
    answers = List.copyOf(answers);
    authorities = List.copyOf(authorities);
    additionals = List.copyOf(additionals);
    if (questions.size() > 0xFFFF || answers.size() > 0xFFFF || authorities.size() > 0xFFFF
        || additionals.size() > 0xFFFF) {
      throw new IllegalArgumentException("section larger than 65535 entries");
    }
  }

  /**
   * A one-shot query for A and AAAA records of {@code name} with the QU bit set (RFC 6762 §5.4):
   * id 0, no flags.
   */
  public static MdnsMessage query(String name) {
    return new MdnsMessage(0, 0, List.of(new MdnsQuestion(name, TYPE_A, CLASS_IN, true),
        new MdnsQuestion(name, TYPE_AAAA, CLASS_IN, true)), List.of(), List.of(), List.of());
  }

  /** An authoritative response carrying {@code answers} (RFC 6762 §18). */
  public static MdnsMessage response(List<MdnsRecord> answers) {
    return new MdnsMessage(0, FLAG_RESPONSE | FLAG_AUTHORITATIVE, List.of(), answers, List.of(), List.of());
  }

  /** Whether the QR bit is set. */
  public boolean isResponse() {
    return (flags & FLAG_RESPONSE) != 0;
  }

  /** The 4-bit opcode (0 = standard query, the only one mDNS uses). */
  public int opcode() {
    return (flags >> 11) & 0xF;
  }

  /** The 4-bit RCODE. */
  public int rcode() {
    return flags & 0xF;
  }

  /** Encoded size. */
  public int encodedLength() {
    int n = HEADER_LENGTH;
    for (MdnsQuestion q : questions) {
      n += q.encodedLength();
    }
    for (List<MdnsRecord> section : List.of(answers, authorities, additionals)) {
      for (MdnsRecord r : section) {
        n += r.encodedLength();
      }
    }
    return n;
  }

  /** Writes the message at the buffer's position (big-endian regardless of the buffer's order). */
  public void encodeTo(ByteBuffer out) {
    Objects.requireNonNull(out, "out");
    java.nio.ByteOrder order = out.order();
    out.order(java.nio.ByteOrder.BIG_ENDIAN);
    try {
      out.putShort((short) id);
      out.putShort((short) flags);
      out.putShort((short) questions.size());
      out.putShort((short) answers.size());
      out.putShort((short) authorities.size());
      out.putShort((short) additionals.size());
      for (MdnsQuestion q : questions) {
        q.encodeTo(out);
      }
      for (List<MdnsRecord> section : List.of(answers, authorities, additionals)) {
        for (MdnsRecord r : section) {
          r.encodeTo(out);
        }
      }
    } finally {
      out.order(order);
    }
  }

  /** Encodes to a new array. */
  public byte[] encode() {
    byte[] b = new byte[encodedLength()];
    encodeTo(ByteBuffer.wrap(b));
    return b;
  }

  /**
   * Parses the buffer's remaining bytes as one message (a UDP datagram); the buffer's position is
   * not moved. Trailing bytes after the last record are ignored.
   *
   * @throws MdnsParseException with the offset relative to the buffer's position
   */
  public static MdnsMessage parse(ByteBuffer buf) throws MdnsParseException {
    Objects.requireNonNull(buf, "buf");
    ByteBuffer msg = buf.slice().order(java.nio.ByteOrder.BIG_ENDIAN);
    int limit = msg.limit();
    if (limit < HEADER_LENGTH) {
      throw new MdnsParseException("shorter than the 12-byte header: " + limit + " bytes", 0);
    }
    int id = u16(msg, 0);
    int flags = u16(msg, 2);
    int qd = u16(msg, 4);
    int an = u16(msg, 6);
    int ns = u16(msg, 8);
    int ar = u16(msg, 10);
    // Every question takes at least 5 bytes and every record 11: refuse counts the bytes cannot hold
    // before allocating anything for them.
    long minimum = HEADER_LENGTH + 5L * qd + 11L * (an + ns + ar);
    if (minimum > limit) {
      throw new MdnsParseException("section counts " + qd + "/" + an + "/" + ns + "/" + ar + " need at least "
          + minimum + " bytes, " + limit + " present", 4);
    }
    int[] end = new int[1];
    int off = HEADER_LENGTH;
    List<MdnsQuestion> questions = new ArrayList<>(qd);
    for (int i = 0; i < qd; i++) {
      String name = DnsNames.read(msg, off, end);
      off = end[0];
      if (off + 4 > limit) {
        throw new MdnsParseException("question " + i + " truncated", off);
      }
      int type = u16(msg, off);
      int cls = u16(msg, off + 2);
      questions.add(question(name, type, cls, off));
      off += 4;
    }
    List<List<MdnsRecord>> sections = new ArrayList<>(3);
    for (int count : new int[] {an, ns, ar}) {
      List<MdnsRecord> records = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int start = off;
        String name = DnsNames.read(msg, off, end);
        off = end[0];
        if (off + 10 > limit) {
          throw new MdnsParseException("record truncated", off);
        }
        int type = u16(msg, off);
        int cls = u16(msg, off + 2);
        long ttl = msg.getInt(off + 4) & 0xFFFFFFFFL;
        int rdlen = u16(msg, off + 8);
        off += 10;
        if (off + rdlen > limit) {
          throw new MdnsParseException("RDATA length " + rdlen + " runs past the end", off - 2);
        }
        byte[] rdata = new byte[rdlen];
        msg.get(off, rdata);
        off += rdlen;
        records.add(record(name, type, cls, ttl, rdata, start));
      }
      sections.add(records);
    }
    return new MdnsMessage(id, flags, questions, sections.get(0), sections.get(1), sections.get(2));
  }

  private static MdnsQuestion question(String name, int type, int cls, int off) throws MdnsParseException {
    try {
      return new MdnsQuestion(name, type, cls & 0x7FFF, (cls & 0x8000) != 0);
    } catch (IllegalArgumentException e) {
      throw new MdnsParseException("unusable question: " + e.getMessage(), off);
    }
  }

  private static MdnsRecord record(String name, int type, int cls, long ttl, byte[] rdata, int off)
      throws MdnsParseException {
    try {
      return new MdnsRecord(name, type, cls & 0x7FFF, (cls & 0x8000) != 0, ttl, rdata);
    } catch (IllegalArgumentException e) {
      throw new MdnsParseException("unusable record: " + e.getMessage(), off);
    }
  }

  private static int u16(ByteBuffer b, int i) {
    return ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
  }
}
