package org.rtc4j.sdp;

import java.util.Objects;

/**
 * Source-specific attribute (RFC 5576 §4.1).
 *
 * <pre>
 * ssrc-attr = "ssrc:" ssrc-id SP attribute
 * ssrc-id   = integer ; 0 .. 2**32 - 1
 * </pre>
 *
 * @param attribute e.g. {@code cname}
 * @param value the attribute value, {@code null} when absent
 */
public record Ssrc(long ssrc, String attribute, String value) {
  public Ssrc {
    Objects.requireNonNull(attribute);
  }

  public static Ssrc parse(String text) throws SdpParseException {
    String[] t = Text.split(text, 2);
    if (t.length != 2) {
      throw SdpParseException.reason("ssrc needs <ssrc-id> <attribute>[:<value>]");
    }
    long id = Text.number(t[0], 0, 0xFFFFFFFFL, "ssrc");
    int colon = t[1].indexOf(':');
    return colon < 0 ? new Ssrc(id, t[1], null)
        : new Ssrc(id, t[1].substring(0, colon), t[1].substring(colon + 1));
  }

  public String toValue() {
    return ssrc + " " + attribute + (value == null ? "" : ":" + value);
  }
}
