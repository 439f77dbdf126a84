package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCIceGatheringState}: whether local candidates are still being gathered. */
public enum RtcIceGatheringState {
  /** {@code "new"}. */
  NEW("new"),
  /** {@code "gathering"}. */
  GATHERING("gathering"),
  /** {@code "complete"}. */
  COMPLETE("complete");

  private final String value;

  RtcIceGatheringState(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcIceGatheringState fromValue(String value) {
    for (RtcIceGatheringState v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcIceGatheringState value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
