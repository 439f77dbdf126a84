package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * ERROR-CODE (RFC 8489 §14.8): the error response code (300..699) and a reason phrase.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Reserved, should be 0         |Class|     Number    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Reason Phrase (variable)                                ..
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Class is the hundreds digit (3..6), Number the code modulo 100 (0..99). The constants are the
 * codes of RFC 8489 §14.8, RFC 8656 §19 and RFC 6062 §6.3 with their registered reason phrases.
 *
 * @param code the error code, 300..699
 * @param reason the UTF-8 reason phrase (informational)
 */
public record ErrorCode(int code, String reason) implements StunAttribute {

  /** 300 Try Alternate (RFC 8489). */
  public static final ErrorCode TRY_ALTERNATE = of(300);
  /** 400 Bad Request (RFC 8489). */
  public static final ErrorCode BAD_REQUEST = of(400);
  /** 401 Unauthenticated (RFC 8489; "Unauthorized" in RFC 5389). */
  public static final ErrorCode UNAUTHENTICATED = of(401);
  /** 403 Forbidden (RFC 8656). */
  public static final ErrorCode FORBIDDEN = of(403);
  /** 420 Unknown Attribute (RFC 8489). */
  public static final ErrorCode UNKNOWN_ATTRIBUTE = of(420);
  /** 437 Allocation Mismatch (RFC 8656). */
  public static final ErrorCode ALLOCATION_MISMATCH = of(437);
  /** 438 Stale Nonce (RFC 8489). */
  public static final ErrorCode STALE_NONCE = of(438);
  /** 440 Address Family not Supported (RFC 8656). */
  public static final ErrorCode ADDRESS_FAMILY_NOT_SUPPORTED = of(440);
  /** 441 Wrong Credentials (RFC 8656). */
  public static final ErrorCode WRONG_CREDENTIALS = of(441);
  /** 442 Unsupported Transport Protocol (RFC 8656). */
  public static final ErrorCode UNSUPPORTED_TRANSPORT_PROTOCOL = of(442);
  /** 443 Peer Address Family Mismatch (RFC 8656). */
  public static final ErrorCode PEER_ADDRESS_FAMILY_MISMATCH = of(443);
  /** 446 Connection Already Exists (RFC 6062). */
  public static final ErrorCode CONNECTION_ALREADY_EXISTS = of(446);
  /** 447 Connection Timeout or Failure (RFC 6062). */
  public static final ErrorCode CONNECTION_TIMEOUT_OR_FAILURE = of(447);
  /** 486 Allocation Quota Reached (RFC 8656). */
  public static final ErrorCode ALLOCATION_QUOTA_REACHED = of(486);
  /** 487 Role Conflict (RFC 8445). */
  public static final ErrorCode ROLE_CONFLICT = of(487);
  /** 500 Server Error (RFC 8489). */
  public static final ErrorCode SERVER_ERROR = of(500);
  /** 508 Insufficient Capacity (RFC 8656). */
  public static final ErrorCode INSUFFICIENT_CAPACITY = of(508);

  public ErrorCode {
    if (code < 300 || code > 699) {
      throw new IllegalArgumentException("error code must be 300..699, got " + code);
    }
    Objects.requireNonNull(reason, "reason");
  }

  /** The code with its registered reason phrase (or "Error" for unregistered codes). */
  public static ErrorCode of(int code) {
    return new ErrorCode(code, defaultReason(code));
  }

  /** The same code with another reason phrase. */
  public ErrorCode withReason(String newReason) {
    return new ErrorCode(code, newReason);
  }

  /** The registered reason phrase for a code, or "Error". */
  public static String defaultReason(int code) {
    switch (code) {
      case 300: return "Try Alternate";
      case 400: return "Bad Request";
      case 401: return "Unauthenticated";
      case 403: return "Forbidden";
      case 405: return "Mobility Forbidden";
      case 420: return "Unknown Attribute";
      case 437: return "Allocation Mismatch";
      case 438: return "Stale Nonce";
      case 440: return "Address Family not Supported";
      case 441: return "Wrong Credentials";
      case 442: return "Unsupported Transport Protocol";
      case 443: return "Peer Address Family Mismatch";
      case 446: return "Connection Already Exists";
      case 447: return "Connection Timeout or Failure";
      case 486: return "Allocation Quota Reached";
      case 487: return "Role Conflict";
      case 500: return "Server Error";
      case 508: return "Insufficient Capacity";
      default: return "Error";
    }
  }

  @Override
  public int type() {
    return StunAttributeType.ERROR_CODE;
  }

  @Override
  public int valueLength() {
    return 4 + Utf8.length(reason);
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    out.putShort((short) 0);
    out.put((byte) (code / 100));
    out.put((byte) (code % 100));
    Utf8.write(out, reason);
  }
}
