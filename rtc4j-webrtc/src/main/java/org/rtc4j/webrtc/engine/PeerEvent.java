package org.rtc4j.webrtc.engine;

import org.rtc4j.ice.IceEvent;
import org.rtc4j.webrtc.RtcIceCandidate;
import org.rtc4j.webrtc.RtcIceConnectionState;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.RtcSignalingState;

/** What a {@link PeerEngine} reports through {@link PeerEngine#pollEvent()}, in order. */
public sealed interface PeerEvent {

  /** The JSEP signaling state changed. */
  record SignalingStateChanged(RtcSignalingState state) implements PeerEvent {}

  /** A local candidate to trickle (RFC 8838); {@code candidate} null means gathering completed. */
  record LocalCandidate(RtcIceCandidate candidate) implements PeerEvent {}

  /** W3C iceGatheringState changed. */
  record IceGatheringStateChanged(RtcIceGatheringState state) implements PeerEvent {}

  /** W3C iceConnectionState changed. */
  record IceConnectionStateChanged(RtcIceConnectionState state) implements PeerEvent {}

  /** W3C connectionState changed (ICE and DTLS aggregated). */
  record ConnectionStateChanged(RtcPeerConnectionState state) implements PeerEvent {}

  /**
   * Something only the runtime can do for ICE: {@link IceEvent.TcpConnectRequested},
   * {@link IceEvent.TcpCloseRequested} or {@link IceEvent.MdnsQueryRequested}. The runtime reports
   * back through {@link PeerEngine#handleTcpConnected} and friends.
   */
  record RuntimeRequest(IceEvent request) implements PeerEvent {}
}
