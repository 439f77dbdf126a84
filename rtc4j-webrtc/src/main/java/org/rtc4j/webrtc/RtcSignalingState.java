package org.rtc4j.webrtc;

import java.util.Locale;

/** W3C {@code RTCSignalingState}: where the offer/answer exchange stands (JSEP, RFC 9429 §3.2). */
public enum RtcSignalingState {
  /** {@code "stable"}. */
  STABLE("stable"),
  /** {@code "have-local-offer"}. */
  HAVE_LOCAL_OFFER("have-local-offer"),
  /** {@code "have-remote-offer"}. */
  HAVE_REMOTE_OFFER("have-remote-offer"),
  /** {@code "have-local-pranswer"}. */
  HAVE_LOCAL_PRANSWER("have-local-pranswer"),
  /** {@code "have-remote-pranswer"}. */
  HAVE_REMOTE_PRANSWER("have-remote-pranswer"),
  /** {@code "closed"}. */
  CLOSED("closed");

  private final String value;

  RtcSignalingState(String value) {
    this.value = value;
  }

  /** The W3C string value, e.g. for logs or for a JavaScript peer. */
  public String value() {
    return value;
  }

  /** The constant for a W3C string value. */
  public static RtcSignalingState fromValue(String value) {
    for (RtcSignalingState v : values()) {
      if (v.value.equals(value.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new TypeException("not a RtcSignalingState value: " + value);
  }

  @Override
  public String toString() {
    return value;
  }
}
