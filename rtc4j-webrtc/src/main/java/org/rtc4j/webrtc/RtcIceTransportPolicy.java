package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCIceTransportPolicy}: which candidates ICE may use. */
public enum RtcIceTransportPolicy {
  /** {@code "all"}. */
  ALL("all"),
  /** {@code "relay"}. */
  RELAY("relay");

  private final String value;

  RtcIceTransportPolicy(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcIceTransportPolicy fromValue(String value) {
    for (RtcIceTransportPolicy v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcIceTransportPolicy value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
