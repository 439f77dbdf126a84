package org.rtc4j.turn.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.TransactionId;

/**
 * One TURN allocation (RFC 8656 §3): the client's 5-tuple, its relayed transport address, its
 * permissions by peer IP and its channel bindings by number and by peer transport address.
 * Owned by one {@link TurnServerCore}; not thread-safe.
 */
final class Allocation extends Expiring {

  final FiveTuple fiveTuple;
  final String username;
  final String quotaUser;
  final byte[] key;
  final InetSocketAddress relay;
  final int family;
  /** The Allocate that created it, and the response sent, for retransmissions (RFC 8656 §7.2). */
  final TransactionId allocateTransaction;
  byte[] allocateResponse;
  final HashMap<InetAddress, Permission> permissions = new HashMap<>();
  final IntObjectMap<Channel> channelsByNumber = new IntObjectMap<>();
  final HashMap<InetSocketAddress, Channel> channelsByPeer = new HashMap<>();
  /** Bandwidth caps, null when unlimited. */
  final TokenBucket clientToPeer;
  final TokenBucket peerToClient;
  /** Next allocation whose client transport address is the same (other server address or transport). */
  Allocation nextSameClient;

  Allocation(FiveTuple fiveTuple, String username, String quotaUser, byte[] key, InetSocketAddress relay,
      TransactionId allocateTransaction, long maxBps, long now) {
    this.fiveTuple = fiveTuple;
    this.username = username;
    this.quotaUser = quotaUser;
    this.key = key;
    this.relay = relay;
    this.family = relay.getAddress().getAddress().length == 4 ? 1 : 2;
    this.allocateTransaction = allocateTransaction;
    boolean capped = maxBps > 0 && maxBps <= TokenBucket.MAX_RATE;
    this.clientToPeer = capped ? new TokenBucket(maxBps, now) : null;
    this.peerToClient = capped ? new TokenBucket(maxBps, now) : null;
  }

  boolean matches(Transport transport, InetSocketAddress server) {
    return fiveTuple.transport() == transport && fiveTuple.server().equals(server);
  }

  @Override
  public String toString() {
    return "Allocation[" + fiveTuple + " relay " + relay + "]";
  }

  /** A permission for one peer IP (RFC 8656 §9). */
  static final class Permission extends Expiring {
    final Allocation owner;
    final InetAddress peer;

    Permission(Allocation owner, InetAddress peer) {
      this.owner = owner;
      this.peer = peer;
    }

    @Override
    public String toString() {
      return "Permission[" + peer + " on " + owner + "]";
    }
  }

  /** A channel binding (RFC 8656 §12). */
  static final class Channel extends Expiring {
    final Allocation owner;
    final int number;
    final InetSocketAddress peer;
    /** The permission for the peer's IP; re-resolved when it has died. */
    Permission permission;

    Channel(Allocation owner, int number, InetSocketAddress peer) {
      this.owner = owner;
      this.number = number;
      this.peer = peer;
    }

    @Override
    public String toString() {
      return "Channel[" + Integer.toHexString(number) + " " + peer + " on " + owner + "]";
    }
  }
}
