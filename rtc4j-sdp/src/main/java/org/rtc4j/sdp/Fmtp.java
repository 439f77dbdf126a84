package org.rtc4j.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Format parameters (RFC 8866 §6.15).
 *
 * <pre>
 * a=fmtp:&lt;format&gt; &lt;format specific parameters&gt;
 * </pre>
 *
 * The parameters are kept as written; {@link #parameterMap()} reads the usual
 * {@code key=value;key=value} form.
 */
public record Fmtp(int payloadType, String parameters) {
  public Fmtp {
    Objects.requireNonNull(parameters);
  }

  public static Fmtp parse(String value) throws SdpParseException {
    int sp = value.indexOf(' ');
    String pt = sp < 0 ? value : value.substring(0, sp);
    return new Fmtp(Text.integer(pt, 0, 127, "payload type"), sp < 0 ? "" : value.substring(sp + 1));
  }

  public String value() {
    return parameters.isEmpty() ? Integer.toString(payloadType) : payloadType + " " + parameters;
  }

  /** {@code key=value} pairs separated by ';' (a part without '=' maps to ""). */
  public Map<String, String> parameterMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : parameters.split(";")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      m.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1));
    }
    return Collections.unmodifiableMap(m);
  }
}
