package org.rtc4j.server.webrtc;

/**
 * A trickled ICE candidate as the W3C API hands it out ({@code RTCIceCandidateInit}); an empty
 * {@code candidate} is end-of-candidates.
 */
record Candidate(String candidate, String sdpMid, Integer sdpMLineIndex) {

  static Candidate endOfCandidates(String sdpMid, Integer sdpMLineIndex) {
    return new Candidate("", sdpMid, sdpMLineIndex);
  }

  boolean isEnd() {
    return candidate == null || candidate.isEmpty();
  }
}
