package org.rtc4j.ice;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.rtc4j.sdp.IceCandidate;

/** What an {@link IceAgent} reports to the layer above (the peer engine). */
public sealed interface IceEvent {

  /** A new local candidate to signal (trickle ICE, RFC 8838). */
  record LocalCandidate(IceCandidate candidate) implements IceEvent {}

  /** Gathering progressed; COMPLETE means end-of-candidates. */
  record GatheringStateChanged(IceGatheringState state) implements IceEvent {}

  /** The connection state changed. */
  record ConnectionStateChanged(IceConnectionState state) implements IceEvent {}

  /** Data now goes over this pair. */
  record SelectedPairChanged(CandidatePair pair) implements IceEvent {}

  /**
   * A non-STUN packet (DTLS, SRTP, ... first byte outside 0..3) from the remote peer, directly or
   * through a TURN relay.
   *
   * @param payload the bytes: a buffer the receiver owns (position..limit)
   * @param via the pair it arrived on
   */
  record ApplicationData(ByteBuffer payload, CandidatePair via) implements IceEvent {}

  /** The role changed after a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1). */
  record RoleChanged(IceRole role) implements IceEvent {}

  /**
   * The runtime should open a TCP (or TLS) connection to a TURN server and report the outcome with
   * {@link IceAgent#handleTcpConnected} or {@link IceAgent#handleTcpFailed}.
   *
   * @param connectionId the agent's id for the connection
   * @param server where to connect
   * @param tls whether to run TLS on it (turns:)
   * @param localHint the local address to bind, if the runtime can (a host address of the same family)
   */
  record TcpConnectRequested(long connectionId, InetSocketAddress server, boolean tls, InetSocketAddress localHint)
      implements IceEvent {}

  /** The runtime should close this TCP connection. */
  record TcpCloseRequested(long connectionId) implements IceEvent {}

  /** The runtime should resolve this {@code .local} name with mDNS and call {@link IceAgent#handleMdnsResolved}. */
  record MdnsQueryRequested(String name) implements IceEvent {}
}
