package org.rtc4j.sdp;

import java.util.Objects;

/**
 * RTP payload mapping (RFC 8866 §6.6).
 *
 * <pre>
 * a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;encoding parameters&gt;]
 * </pre>
 *
 * @param channels the encoding parameters (audio channels), 0 when absent
 */
public record RtpMap(int payloadType, String encodingName, long clockRate, int channels) {
  public RtpMap {
    Objects.requireNonNull(encodingName);
  }

  public static RtpMap parse(String value) throws SdpParseException {
    String[] t = Text.split(value, 2);
    if (t.length != 2) {
      throw SdpParseException.reason("rtpmap needs <payload type> <encoding>/<clock rate>");
    }
    int pt = Text.integer(t[0], 0, 127, "payload type");
    String[] enc = t[1].strip().split("/", -1);
    if (enc.length < 2 || enc.length > 3 || enc[0].isEmpty()) {
      throw SdpParseException.reason("rtpmap encoding must be <name>/<clock rate>[/<parameters>]");
    }
    long rate = Text.number(enc[1], 1, 0xFFFFFFFFL, "clock rate");
    int ch = enc.length == 3 ? Text.integer(enc[2], 1, 255, "channels") : 0;
    return new RtpMap(pt, enc[0], rate, ch);
  }

  public String value() {
    return payloadType + " " + encodingName + "/" + clockRate + (channels > 0 ? "/" + channels : "");
  }
}
