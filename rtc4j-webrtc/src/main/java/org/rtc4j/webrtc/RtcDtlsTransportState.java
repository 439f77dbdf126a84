package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCDtlsTransportState}. */
public enum RtcDtlsTransportState {
  /** {@code "new"}. */
  NEW("new"),
  /** {@code "connecting"}. */
  CONNECTING("connecting"),
  /** {@code "connected"}. */
  CONNECTED("connected"),
  /** {@code "closed"}. */
  CLOSED("closed"),
  /** {@code "failed"}. */
  FAILED("failed");

  private final String value;

  RtcDtlsTransportState(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcDtlsTransportState fromValue(String value) {
    for (RtcDtlsTransportState v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcDtlsTransportState value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
