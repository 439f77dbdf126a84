package org.rtc4j.turn.server;

import java.net.InetSocketAddress;

/**
 * What a {@link TurnServerCore} asks of, or tells, its driver; returned by
 * {@link TurnServerCore#pollEvent()}.
 *
 * <p>The driver must answer every {@link RelayRequested} with
 * {@link TurnServerCore#handleRelayBound} or {@link TurnServerCore#handleRelayFailed}, and must
 * close the relay socket named by every {@link RelayReleased}.
 */
public sealed interface TurnEvent {

  /**
   * An authenticated Allocate needs a relayed transport address: the driver binds a UDP socket
   * and answers with {@link TurnServerCore#handleRelayBound} (or
   * {@link TurnServerCore#handleRelayFailed}, which the client sees as 508 Insufficient Capacity).
   *
   * @param requestId the id to quote in the answer
   * @param family 1 = IPv4, 2 = IPv6 (the REQUESTED-ADDRESS-FAMILY values of RFC 8656 §18.9)
   * @param evenPort the client asked for an even port (EVEN-PORT, RFC 8656 §18.8); the driver
   *     should bind an even port or fail
   */
  record RelayRequested(long requestId, int family, boolean evenPort) implements TurnEvent {
  }

  /**
   * The relay socket bound at {@code relay} is no longer used (its allocation was deleted, or the
   * Allocate it was bound for was abandoned): the driver closes it.
   *
   * @param relay the relayed transport address
   */
  record RelayReleased(InetSocketAddress relay) implements TurnEvent {
  }

  /**
   * An allocation was created and its success response queued.
   *
   * @param user the authenticated user (for REST credentials: the user part, or the whole username)
   * @param fiveTuple the client's 5-tuple
   * @param relay the relayed transport address
   * @param lifetimeSeconds the granted lifetime
   */
  record AllocationCreated(String user, FiveTuple fiveTuple, InetSocketAddress relay, long lifetimeSeconds)
      implements TurnEvent {
  }

  /**
   * An allocation was deleted; a {@link RelayReleased} for its relay follows.
   *
   * @param user the user it belonged to
   * @param fiveTuple the client's 5-tuple
   * @param relay the relayed transport address
   * @param reason why
   */
  record AllocationDeleted(String user, FiveTuple fiveTuple, InetSocketAddress relay, Reason reason)
      implements TurnEvent {
  }

  /** Why an allocation ended. */
  enum Reason {
    /** The client sent a Refresh with LIFETIME 0. */
    REFRESH_ZERO,
    /** Its lifetime ran out. */
    EXPIRED,
    /** Its TCP or TLS client connection closed. */
    CONNECTION_CLOSED,
    /** The core was shut down. */
    SHUTDOWN
  }
}
