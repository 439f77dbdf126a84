package org.rtc4j.turn.server;

import java.net.InetSocketAddress;

/**
 * A relayed transport address held for a later Allocate that quotes its RESERVATION-TOKEN
 * (RFC 8656 §7.2, EVEN-PORT with the R bit: "the server ... reserves the next-higher port";
 * §18.10: about 30 seconds). Lives in {@link TurnSharedState} so that any shard can consume it;
 * the shard that made it owns its timer. It holds one allocation of its creator's quota.
 */
final class Reservation extends Expiring {
  /** RFC 8656 §7.2: the reservation is held for about 30 seconds. */
  static final long LIFETIME_NANOS = 30_000_000_000L;

  final String token;
  final InetSocketAddress address;
  final int family;
  final String quotaUser;

  Reservation(String token, InetSocketAddress address, int family, String quotaUser) {
    this.token = token;
    this.address = address;
    this.family = family;
    this.quotaUser = quotaUser;
  }

  @Override
  public String toString() {
    return "Reservation[" + address + "]";
  }
}
