package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A re-configuration parameter of a {@link ReconfigChunk} (RFC 6525 §4). */
public sealed interface ReconfigParameter {
  int OUTGOING_SSN_RESET_REQUEST = 13;
  int INCOMING_SSN_RESET_REQUEST = 14;
  int SSN_TSN_RESET_REQUEST = 15;
  int RECONFIG_RESPONSE = 16;
  int ADD_OUTGOING_STREAMS = 17;
  int ADD_INCOMING_STREAMS = 18;

  /** Length field value (header + value, no padding). */
  int length();

  /** Writes the TLV without trailing padding. */
  void encodeTo(ByteBuffer out);

  /**
   * Outgoing SSN Reset Request (RFC 6525 §4.1).
   *
   * <pre>
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |     Parameter Type = 13       | Parameter Length = 16 + 2 * N |
   * |           Re-configuration Request Sequence Number            |
   * |           Re-configuration Response Sequence Number           |
   * |                Sender's Last Assigned TSN                     |
   * |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
   * /                            ......                             /
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   * An empty stream list means all streams.
   */
  record OutgoingSsnResetRequest(long requestSeq, long responseSeq, long senderLastTsn, List<Integer> streams)
      implements ReconfigParameter {
    public OutgoingSsnResetRequest {
      streams = List.copyOf(streams);
    }

    @Override
    public int length() {
      return 16 + 2 * streams.size();
    }

    @Override
    public void encodeTo(ByteBuffer out) {
      out.putShort((short) OUTGOING_SSN_RESET_REQUEST).putShort((short) length());
      out.putInt((int) requestSeq).putInt((int) responseSeq).putInt((int) senderLastTsn);
      for (int s : streams) {
        out.putShort((short) s);
      }
    }
  }

  /**
   * Incoming SSN Reset Request (RFC 6525 §4.2): asks the peer to reset its outgoing streams.
   *
   * <pre>
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |     Parameter Type = 14       |  Parameter Length = 8 + 2 * N |
   * |          Re-configuration Request Sequence Number             |
   * |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record IncomingSsnResetRequest(long requestSeq, List<Integer> streams) implements ReconfigParameter {
    public IncomingSsnResetRequest {
      streams = List.copyOf(streams);
    }

    @Override
    public int length() {
      return 8 + 2 * streams.size();
    }

    @Override
    public void encodeTo(ByteBuffer out) {
      out.putShort((short) INCOMING_SSN_RESET_REQUEST).putShort((short) length());
      out.putInt((int) requestSeq);
      for (int s : streams) {
        out.putShort((short) s);
      }
    }
  }

  /**
   * Re-configuration Response (RFC 6525 §4.4); the optional TSN fields are kept when present.
   *
   * <pre>
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |     Parameter Type = 16       |      Parameter Length         |
   * |         Re-configuration Response Sequence Number             |
   * |                            Result                             |
   * |                   Sender's Next TSN (optional)                |
   * |                  Receiver's Next TSN (optional)               |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   *
   * @param optionalTsns 0 or 2 values
   */
  record ReconfigResponse(long responseSeq, long result, List<Long> optionalTsns) implements ReconfigParameter {
    public static final long SUCCESS_NOTHING_TO_DO = 0;
    public static final long SUCCESS_PERFORMED = 1;
    public static final long DENIED = 2;
    public static final long ERROR_WRONG_SSN = 3;
    public static final long ERROR_REQUEST_ALREADY_IN_PROGRESS = 4;
    public static final long ERROR_BAD_SEQUENCE_NUMBER = 5;
    public static final long IN_PROGRESS = 6;

    public ReconfigResponse {
      optionalTsns = List.copyOf(optionalTsns);
    }

    @Override
    public int length() {
      return 12 + 4 * optionalTsns.size();
    }

    @Override
    public void encodeTo(ByteBuffer out) {
      out.putShort((short) RECONFIG_RESPONSE).putShort((short) length());
      out.putInt((int) responseSeq).putInt((int) result);
      for (long t : optionalTsns) {
        out.putInt((int) t);
      }
    }
  }

  /** Any other parameter (SSN/TSN reset, add streams), kept verbatim. */
  record Other(int type, ByteBuffer value) implements ReconfigParameter {
    public Other {
      value = Wire.ro(value);
    }

    @Override
    public int length() {
      return 4 + value.remaining();
    }

    @Override
    public void encodeTo(ByteBuffer out) {
      out.putShort((short) type).putShort((short) length());
      Wire.putBytes(out, value);
    }
  }

  /** Decodes a generic TLV into its typed form; a malformed known type stays {@link Other}. */
  static ReconfigParameter of(Parameter p) throws SctpParseException {
    ByteBuffer v = p.value().duplicate();
    switch (p.type()) {
      case OUTGOING_SSN_RESET_REQUEST -> {
        if (v.remaining() >= 12 && v.remaining() % 2 == 0) {
          long rq = Wire.u32(v);
          long rs = Wire.u32(v);
          long last = Wire.u32(v);
          return new OutgoingSsnResetRequest(rq, rs, last, streams(v));
        }
      }
      case INCOMING_SSN_RESET_REQUEST -> {
        if (v.remaining() >= 4 && v.remaining() % 2 == 0) {
          long rq = Wire.u32(v);
          return new IncomingSsnResetRequest(rq, streams(v));
        }
      }
      case RECONFIG_RESPONSE -> {
        if (v.remaining() == 8 || v.remaining() == 16) {
          long rs = Wire.u32(v);
          long res = Wire.u32(v);
          List<Long> opt = new ArrayList<>(2);
          while (v.remaining() >= 4) {
            opt.add(Wire.u32(v));
          }
          return new ReconfigResponse(rs, res, opt);
        }
      }
      default -> {
        return new Other(p.type(), p.value());
      }
    }
    throw new SctpParseException("malformed re-config parameter type " + p.type(), 0);
  }

  private static List<Integer> streams(ByteBuffer v) {
    List<Integer> s = new ArrayList<>(v.remaining() / 2);
    while (v.remaining() >= 2) {
      s.add(Wire.u16(v));
    }
    return s;
  }
}
