package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A variable-length parameter or error cause (RFC 9260 §3.2.1): a type-length-value, padded to
 * four bytes, the padding not counted in the length.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Parameter Type       |       Parameter Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                                                               \
 * /                       Parameter Value                         /
 * \                                                               \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param type parameter type (16 bits)
 * @param value the value bytes (read-only view)
 */
public record Parameter(int type, ByteBuffer value) {
  public static final int HEARTBEAT_INFO = 1;
  public static final int STATE_COOKIE = 7;
  public static final int UNRECOGNIZED_PARAMETER = 8;
  public static final int COOKIE_PRESERVATIVE = 9;
  public static final int SUPPORTED_ADDRESS_TYPES = 12;
  public static final int FORWARD_TSN_SUPPORTED = 0xC000;
  public static final int SUPPORTED_EXTENSIONS = 0x8008;
  public static final int RANDOM = 0x8002;
  public static final int HMAC_ALGO = 0x8004;
  public static final int CHUNKS = 0x8003;
  public static final int ZERO_CHECKSUM_ACCEPTABLE = 0x8001;

  public Parameter {
    if (type < 0 || type > 0xFFFF) {
      throw new IllegalArgumentException("type " + type);
    }
    value = Wire.ro(value);
    if (value.remaining() > 0xFFFF - 4) {
      throw new IllegalArgumentException("parameter too long");
    }
  }

  /** Length as written in the length field (header + value, no padding). */
  public int length() {
    return 4 + value.remaining();
  }

  /** Bytes on the wire including padding. */
  public int encodedLength() {
    return Wire.pad4(length());
  }

  public void encodeTo(ByteBuffer out) {
    out.putShort((short) type).putShort((short) length());
    Wire.putBytes(out, value);
    Wire.zeros(out, encodedLength() - length());
  }

  /** Parses one parameter at the position; consumes its padding when present. */
  public static Parameter parse(ByteBuffer b) throws SctpParseException {
    int base = b.position();
    Wire.need(b, 4, base, "parameter header");
    int type = Wire.u16(b);
    int len = Wire.u16(b);
    if (len < 4) {
      throw new SctpParseException("parameter length " + len + " < 4", b.position() - 2 - base);
    }
    Wire.need(b, len - 4, base, "parameter value");
    ByteBuffer v = Wire.slice(b, len - 4);
    int pad = Math.min(Wire.pad4(len) - len, b.remaining());
    b.position(b.position() + pad);
    return new Parameter(type, v);
  }

  /** Parses parameters until the buffer is empty. Never loops without consuming bytes. */
  public static List<Parameter> parseAll(ByteBuffer b) throws SctpParseException {
    List<Parameter> out = new ArrayList<>();
    int base = b.position();
    while (b.hasRemaining()) {
      int before = b.position();
      try {
        out.add(parse(b));
      } catch (SctpParseException e) {
        throw new SctpParseException(e.getMessage(), before - base);
      }
    }
    return List.copyOf(out);
  }

  /** Encoded length of a list, the last parameter's padding included (the packet pads anyway). */
  static int encodedLength(List<Parameter> ps) {
    int n = 0;
    for (Parameter p : ps) {
      n += p.encodedLength();
    }
    return n;
  }

  /** Length as the enclosing chunk's length field counts it: the last parameter unpadded. */
  static int unpaddedLength(List<Parameter> ps) {
    if (ps.isEmpty()) {
      return 0;
    }
    Parameter last = ps.get(ps.size() - 1);
    return encodedLength(ps) - last.encodedLength() + last.length();
  }

  static void encodeAll(List<Parameter> ps, ByteBuffer out) {
    for (Parameter p : ps) {
      p.encodeTo(out);
    }
  }

  /** A parameter with the given value bytes. */
  public static Parameter of(int type, byte... value) {
    return new Parameter(type, ByteBuffer.wrap(value.clone()));
  }
}
