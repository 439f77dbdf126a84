package org.rtc4j.sdp;

import java.util.Locale;

/**
 * The DTLS role attribute (RFC 8842 §3, RFC 4145 §4).
 *
 * <pre>
 * setup-attr =  "a=setup:" role
 * role       =  "active" / "passive" / "actpass" / "holdconn"
 * </pre>
 */
public enum Setup {
  ACTIVE, PASSIVE, ACTPASS, HOLDCONN;

  public static Setup parse(String value) throws SdpParseException {
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "active": return ACTIVE;
      case "passive": return PASSIVE;
      case "actpass": return ACTPASS;
      case "holdconn": return HOLDCONN;
      default: throw SdpParseException.reason("setup must be active, passive, actpass or holdconn");
    }
  }

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
