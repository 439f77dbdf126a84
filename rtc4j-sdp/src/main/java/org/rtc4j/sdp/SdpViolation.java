package org.rtc4j.sdp;

/**
 * One reason a parsed description must not be applied.
 *
 * @param mediaIndex the m= section (0-based), or -1 for the session level
 * @param rule a stable short name, e.g. {@code fingerprint-missing}
 */
public record SdpViolation(int mediaIndex, String rule, String message) {
  @Override
  public String toString() {
    return (mediaIndex < 0 ? "session" : "m-section " + mediaIndex) + ": " + rule + ": " + message;
  }
}
