package org.rtc4j.sdp;

import java.util.Objects;

/**
 * The o= line (RFC 8866 §5.2).
 *
 * <pre>
 * origin-field =  %d111 "=" username SP sess-id SP sess-version SP
 *                 nettype SP addrtype SP unicast-address CRLF
 * sess-id      =  1*DIGIT
 * sess-version =  1*DIGIT
 * </pre>
 *
 * Session id and version are kept as digit strings: browsers send 64-bit values and RFC 8866 puts
 * no upper bound on them.
 */
public record Origin(String username, String sessionId, String sessionVersion, String netType,
    String addrType, String address) {
  public Origin {
    Objects.requireNonNull(username);
    Objects.requireNonNull(sessionId);
    Objects.requireNonNull(sessionVersion);
    Objects.requireNonNull(netType);
    Objects.requireNonNull(addrType);
    Objects.requireNonNull(address);
  }

  static Origin parse(String value) throws SdpParseException {
    String[] t = Text.split(value, 6);
    if (t.length != 6) {
      throw SdpParseException.reason(
          "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>");
    }
    if (!Text.isDigits(t[1]) || !Text.isDigits(t[2])) {
      throw SdpParseException.reason("o= sess-id and sess-version must be digits");
    }
    return new Origin(t[0], t[1], t[2], t[3], t[4], t[5]);
  }

  public String value() {
    return username + " " + sessionId + " " + sessionVersion + " " + netType + " " + addrType + " "
        + address;
  }
}
