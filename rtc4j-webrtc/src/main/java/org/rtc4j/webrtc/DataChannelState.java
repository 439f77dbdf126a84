package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCDataChannelState}. */
public enum DataChannelState {
  /** {@code "connecting"}. */
  CONNECTING("connecting"),
  /** {@code "open"}. */
  OPEN("open"),
  /** {@code "closing"}. */
  CLOSING("closing"),
  /** {@code "closed"}. */
  CLOSED("closed");

  private final String value;

  DataChannelState(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static DataChannelState fromValue(String value) {
    for (DataChannelState v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a DataChannelState value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
