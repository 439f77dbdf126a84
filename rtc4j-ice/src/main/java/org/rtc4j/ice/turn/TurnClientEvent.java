package org.rtc4j.ice.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** What a {@link TurnAllocation} reports to the layer above (the ICE agent). */
public sealed interface TurnClientEvent {

  /**
   * The allocation exists (RFC 8656 §7.3).
   *
   * @param relayed the relayed transport address (XOR-RELAYED-ADDRESS): the relay candidate
   * @param mapped the client's address as the server saw it (XOR-MAPPED-ADDRESS): a srflx candidate
   */
  record Allocated(InetSocketAddress relayed, InetSocketAddress mapped) implements TurnClientEvent {}

  /**
   * The allocation could not be made, or was lost later (a Refresh failed).
   *
   * @param code the STUN error code (300..699), or {@link #NO_RESPONSE} when the server never
   *     answered, or {@link #PROTOCOL_ERROR} when its answer was unusable
   * @param reason human-readable; for 300 it names the ALTERNATE-SERVER (not followed)
   */
  record AllocationFailed(int code, String reason) implements TurnClientEvent {
    /** The transaction timed out. */
    public static final int NO_RESPONSE = 0;
    /** A success response without the attributes it must carry. */
    public static final int PROTOCOL_ERROR = 1;
  }

  /**
   * A CreatePermission for {@code peer} failed (e.g. 403: the server's policy forbids that peer).
   *
   * @param peer the peer IP
   * @param code the error code, or {@link AllocationFailed#NO_RESPONSE}
   */
  record PermissionFailed(InetAddress peer, int code) implements TurnClientEvent {}

  /**
   * Bytes a peer sent to the relayed address (from a Data indication or ChannelData).
   *
   * @param peer the peer's transport address
   * @param data the bytes: a private copy the receiver owns (position 0)
   */
  record PeerData(InetSocketAddress peer, ByteBuffer data) implements TurnClientEvent {}

  /** The allocation was released (Refresh with LIFETIME 0 answered or timed out) after {@link TurnAllocation#close}. */
  record Closed() implements TurnClientEvent {}
}
