package org.rtc4j.webrtc;

import java.util.Objects;

/**
 * W3C {@code RTCSessionDescriptionInit}: a description type and its SDP text (RFC 8866, JSEP
 * RFC 9429). What {@link PeerConnection#createOffer()} and {@link PeerConnection#createAnswer()}
 * produce and what {@link PeerConnection#setRemoteDescription} takes.
 *
 * @param type offer, pranswer, answer or rollback
 * @param sdp the SDP text; may be empty for {@link RtcSdpType#ROLLBACK} (and for an implicit
 *     {@code setLocalDescription}), never null
 */
public record RtcSessionDescription(RtcSdpType type, String sdp) {

  public RtcSessionDescription {
    Objects.requireNonNull(type, "type");
    sdp = sdp == null ? "" : sdp;
  }

  /** An offer. */
  public static RtcSessionDescription offer(String sdp) {
    return new RtcSessionDescription(RtcSdpType.OFFER, sdp);
  }

  /** An answer. */
  public static RtcSessionDescription answer(String sdp) {
    return new RtcSessionDescription(RtcSdpType.ANSWER, sdp);
  }

  /** A provisional answer. */
  public static RtcSessionDescription pranswer(String sdp) {
    return new RtcSessionDescription(RtcSdpType.PRANSWER, sdp);
  }

  /** A rollback (the SDP is ignored). */
  public static RtcSessionDescription rollback() {
    return new RtcSessionDescription(RtcSdpType.ROLLBACK, "");
  }

  @Override
  public String toString() {
    return type.value() + ":\n" + sdp;
  }
}
