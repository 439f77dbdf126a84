package org.rtc4j.webrtc.engine;

import java.nio.ByteBuffer;
import org.rtc4j.ice.IceEvent;
import org.rtc4j.sctp.dcep.DataChannelInfo;
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

  /** The SCTP association is up (W3C RTCSctpTransport connected). */
  record SctpConnected(long remoteMaxMessageSize) implements PeerEvent {}

  /**
   * A channel created by {@link PeerEngine#createDataChannel} (or opened by the peer, {@code remote})
   * is open; {@code handle} is the engine's key for it, {@code info} carries the stream id.
   */
  record ChannelOpened(int handle, DataChannelInfo info, boolean remote) implements PeerEvent {}

  /** A message: the bytes (owned by the receiver) and whether it is text (PPID 51/56). */
  record ChannelMessage(int handle, ByteBuffer data, boolean text) implements PeerEvent {}

  /** The channel is closing (W3C closing). */
  record ChannelClosing(int handle) implements PeerEvent {}

  /** The channel is closed (W3C close). Terminal. */
  record ChannelClosed(int handle) implements PeerEvent {}

  /** bufferedAmount fell to the channel's threshold (W3C bufferedamountlow). */
  record ChannelBufferedAmountLow(int handle, long bufferedAmount) implements PeerEvent {}

  /** A channel-level error (W3C error), e.g. the stream id is beyond the negotiated streams. */
  record ChannelError(int handle, String message) implements PeerEvent {}
}
