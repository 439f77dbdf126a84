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
   *     binds an even port or fails
   * @param reserveNext EVEN-PORT with the R bit: the driver also reserves port + 1 on the same IP
   *     (keeps it out of its port pool, bound or not) for a later Allocate that quotes the
   *     RESERVATION-TOKEN; the reservation ends with a {@link RelayReleased} for that address
   * @param requestedPort 0 for any port; otherwise the port reserved earlier by a
   *     {@code reserveNext} request (the Allocate carried its RESERVATION-TOKEN): the driver binds
   *     exactly that port, on the relay IP of {@code family}. After {@link TurnServerCore#handleRelayFailed}
   *     for such a request, the reservation is the driver's to drop.
   */
  record RelayRequested(long requestId, int family, boolean evenPort, boolean reserveNext, int requestedPort)
      implements TurnEvent {

    /** A request for any port (no EVEN-PORT reservation involved). */
    public RelayRequested(long requestId, int family, boolean evenPort) {
      this(requestId, family, evenPort, false, 0);
    }
  }

  /**
   * The relay socket bound at {@code relay} is no longer used (its allocation was deleted, or the
   * Allocate it was bound for was abandoned), or a port reserved by
   * {@link RelayRequested#reserveNext()} expired unused: the driver closes the socket or drops
   * the reservation.
   *
   * @param relay the relayed transport address (or the reserved one)
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
