package org.rtc4j.sdp;

import java.util.Objects;

/**
 * Media stream identification (RFC 8830 §2).
 *
 * <pre>
 * msid-value = msid-id [ SP msid-appdata ]
 * msid-id = 1*64token-char
 * msid-appdata = 1*64token-char
 * </pre>
 *
 * @param appData the track id, {@code null} when absent
 */
public record Msid(String streamId, String appData) {
  public Msid {
    Objects.requireNonNull(streamId);
  }

  public static Msid parse(String value) throws SdpParseException {
    String[] t = Text.split(value, 2);
    if (t.length == 0) {
      throw SdpParseException.reason("msid needs <stream id> [<track id>]");
    }
    return new Msid(t[0], t.length == 2 ? t[1] : null);
  }

  public String value() {
    return appData == null ? streamId : streamId + " " + appData;
  }
}
