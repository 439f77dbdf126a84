package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCPeerConnectionState}: the aggregate of the ICE and DTLS transport states. */
public enum RtcPeerConnectionState {
  /** {@code "new"}. */
  NEW("new"),
  /** {@code "connecting"}. */
  CONNECTING("connecting"),
  /** {@code "connected"}. */
  CONNECTED("connected"),
  /** {@code "disconnected"}. */
  DISCONNECTED("disconnected"),
  /** {@code "failed"}. */
  FAILED("failed"),
  /** {@code "closed"}. */
  CLOSED("closed");

  private final String value;

  RtcPeerConnectionState(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcPeerConnectionState fromValue(String value) {
    for (RtcPeerConnectionState v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcPeerConnectionState value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
