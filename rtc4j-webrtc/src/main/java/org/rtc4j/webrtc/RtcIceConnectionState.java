package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCIceConnectionState}: the state of the ICE transport (RFC 8445 checks, RFC 7675 consent). */
public enum RtcIceConnectionState {
  /** {@code "new"}. */
  NEW("new"),
  /** {@code "checking"}. */
  CHECKING("checking"),
  /** {@code "connected"}. */
  CONNECTED("connected"),
  /** {@code "completed"}. */
  COMPLETED("completed"),
  /** {@code "disconnected"}. */
  DISCONNECTED("disconnected"),
  /** {@code "failed"}. */
  FAILED("failed"),
  /** {@code "closed"}. */
  CLOSED("closed");

  private final String value;

  RtcIceConnectionState(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcIceConnectionState fromValue(String value) {
    for (RtcIceConnectionState v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcIceConnectionState value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
