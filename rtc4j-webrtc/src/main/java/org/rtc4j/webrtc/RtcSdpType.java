package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCSdpType}: the kind of a session description (JSEP, RFC 9429 §4.1.8). */
public enum RtcSdpType {
  /** {@code "offer"}. */
  OFFER("offer"),
  /** {@code "pranswer"}. */
  PRANSWER("pranswer"),
  /** {@code "answer"}. */
  ANSWER("answer"),
  /** {@code "rollback"}. */
  ROLLBACK("rollback");

  private final String value;

  RtcSdpType(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcSdpType fromValue(String value) {
    for (RtcSdpType v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcSdpType value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
