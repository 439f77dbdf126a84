package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCBundlePolicy}. rtc4j always bundles everything on one transport, so every value behaves as {@code max-bundle}. */
public enum RtcBundlePolicy {
  /** {@code "balanced"}. */
  BALANCED("balanced"),
  /** {@code "max-compat"}. */
  MAX_COMPAT("max-compat"),
  /** {@code "max-bundle"}. */
  MAX_BUNDLE("max-bundle");

  private final String value;

  RtcBundlePolicy(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcBundlePolicy fromValue(String value) {
    for (RtcBundlePolicy v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcBundlePolicy value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
