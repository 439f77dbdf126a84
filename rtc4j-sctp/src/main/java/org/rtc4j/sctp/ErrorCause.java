package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An error cause of ABORT and ERROR chunks (RFC 9260 §3.3.10): the same TLV layout as
 * {@link Parameter}.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Cause Code          |       Cause Length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                    Cause-Specific Information                 /
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param code cause code
 * @param value cause-specific information
 */
public record ErrorCause(int code, ByteBuffer value) {
  public static final int INVALID_STREAM_IDENTIFIER = 1;
  public static final int MISSING_MANDATORY_PARAMETER = 2;
  public static final int STALE_COOKIE = 3;
  public static final int OUT_OF_RESOURCE = 4;
  public static final int UNRECOGNIZED_CHUNK_TYPE = 6;
  public static final int INVALID_MANDATORY_PARAMETER = 7;
  public static final int UNRECOGNIZED_PARAMETERS = 8;
  public static final int NO_USER_DATA = 9;
  public static final int PROTOCOL_VIOLATION = 13;
  public static final int USER_INITIATED_ABORT = 12;

  public ErrorCause {
    if (code < 0 || code > 0xFFFF) {
      throw new IllegalArgumentException("code " + code);
    }
    value = Wire.ro(value);
    if (value.remaining() > 0xFFFF - 4) {
      throw new IllegalArgumentException("cause too long");
    }
  }

  /** A cause whose information is UTF-8 text (user-initiated abort reason, protocol violation). */
  public static ErrorCause text(int code, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (b.length > 1024) {
      b = java.util.Arrays.copyOf(b, 1024);
    }
    return new ErrorCause(code, ByteBuffer.wrap(b));
  }

  /** The information decoded as UTF-8 (for logs and events). */
  public String textValue() {
    ByteBuffer d = value.duplicate();
    byte[] b = new byte[d.remaining()];
    d.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  public int length() {
    return 4 + value.remaining();
  }

  public int encodedLength() {
    return Wire.pad4(length());
  }

  public void encodeTo(ByteBuffer out) {
    out.putShort((short) code).putShort((short) length());
    Wire.putBytes(out, value);
    Wire.zeros(out, encodedLength() - length());
  }

  static List<ErrorCause> parseAll(ByteBuffer b) throws SctpParseException {
    List<Parameter> ps = Parameter.parseAll(b);
    List<ErrorCause> out = new ArrayList<>(ps.size());
    for (Parameter p : ps) {
      out.add(new ErrorCause(p.type(), p.value()));
    }
    return List.copyOf(out);
  }

  static int encodedLength(List<ErrorCause> cs) {
    int n = 0;
    for (ErrorCause c : cs) {
      n += c.encodedLength();
    }
    return n;
  }

  static int unpaddedLength(List<ErrorCause> cs) {
    if (cs.isEmpty()) {
      return 0;
    }
    ErrorCause last = cs.get(cs.size() - 1);
    return encodedLength(cs) - last.encodedLength() + last.length();
  }

  /** Writes {@code causes} back to back, without the padding after the last (the chunk pads itself). */
  static void encodeAll(List<ErrorCause> causes, ByteBuffer out) {
    for (ErrorCause c : causes) {
      c.encodeTo(out);
    }
    out.position(out.position() - (encodedLength(causes) - unpaddedLength(causes)));
  }

  /** The causes as text, for events and logs (ABORT and ERROR chunks). */
  static String describe(List<ErrorCause> causes) {
    StringBuilder sb = new StringBuilder();
    for (ErrorCause c : causes) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append("cause ").append(c.code());
      if (c.code() == USER_INITIATED_ABORT || c.code() == PROTOCOL_VIOLATION) {
        sb.append(": ").append(c.textValue());
      }
    }
    return sb.toString();
  }
}
