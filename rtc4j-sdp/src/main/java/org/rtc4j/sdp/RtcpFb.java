package org.rtc4j.sdp;

import java.util.Objects;

/**
 * RTCP feedback capability (RFC 4585 §4.2).
 *
 * <pre>
 * rtcp-fb-syntax = "a=rtcp-fb:" rtcp-fb-pt SP rtcp-fb-val CRLF
 * rtcp-fb-pt     = "*" / fmt
 * </pre>
 *
 * @param payloadType the payload type, or -1 for {@code *} (all formats)
 * @param feedback the feedback type and parameters as written, e.g. {@code nack pli}
 */
public record RtcpFb(int payloadType, String feedback) {
  public RtcpFb {
    Objects.requireNonNull(feedback);
  }

  public static RtcpFb parse(String value) throws SdpParseException {
    String[] t = Text.split(value, 2);
    if (t.length != 2) {
      throw SdpParseException.reason("rtcp-fb needs <payload type> <feedback>");
    }
    int pt = t[0].equals("*") ? -1 : Text.integer(t[0], 0, 127, "payload type");
    return new RtcpFb(pt, t[1]);
  }

  public String value() {
    return (payloadType < 0 ? "*" : Integer.toString(payloadType)) + " " + feedback;
  }
}
