package org.rtc4j.webrtc;

/**
 * W3C {@code RTCIceCandidateInit}: one trickled ICE candidate (RFC 8838, RFC 8839 §5.1), as
 * {@link PeerConnection#onIceCandidate} delivers it and {@link PeerConnection#addIceCandidate}
 * takes it.
 *
 * <p>An empty {@code candidate} string means end-of-candidates for the generation named by
 * {@code usernameFragment} (or the current one when that is null), as in the W3C API.
 *
 * @param candidate the {@code candidate:...} attribute (with or without {@code a=}), or "" for end-of-candidates
 * @param sdpMid the media section's mid, or null
 * @param sdpMLineIndex the media section's index, or null
 * @param usernameFragment the ICE ufrag this candidate belongs to, or null
 */
public record RtcIceCandidate(String candidate, String sdpMid, Integer sdpMLineIndex, String usernameFragment) {

  public RtcIceCandidate {
    candidate = candidate == null ? "" : candidate;
  }

  /** A candidate for the media section {@code sdpMid}. */
  public RtcIceCandidate(String candidate, String sdpMid) {
    this(candidate, sdpMid, null, null);
  }

  /** Whether this is the end-of-candidates indication (empty candidate string). */
  public boolean isEndOfCandidates() {
    return candidate.isBlank();
  }

  /** A JSON object as the browser's {@code candidate.toJSON()} writes it (for signaling channels). */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{\"candidate\":").append(quote(candidate));
    sb.append(",\"sdpMid\":").append(sdpMid == null ? "null" : quote(sdpMid));
    sb.append(",\"sdpMLineIndex\":").append(sdpMLineIndex == null ? "null" : sdpMLineIndex.toString());
    sb.append(",\"usernameFragment\":").append(usernameFragment == null ? "null" : quote(usernameFragment));
    return sb.append('}').toString();
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
