package org.rtc4j.turn.server;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;

/**
 * The sans-IO TURN server (RFC 8656) and STUN Binding server (RFC 8489): one instance per shard
 * (event loop). Work in progress: the API is final, the internals are being written.
 */
public final class TurnServerCore {

  private final TurnServerConfig config;
  private final TurnSharedState shared;
  private final RandomGenerator random;
  private final ArrayDeque<Datagram> transmits = new ArrayDeque<>();
  private final ArrayDeque<TurnEvent> events = new ArrayDeque<>();

  /** A shard of the server described by {@code config}, sharing quotas, nonces and counters through {@code shared}. */
  public TurnServerCore(TurnServerConfig config, TurnSharedState shared, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.shared = Objects.requireNonNull(shared, "shared");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Bytes from a client (to a listening address) or from a peer (to a relay address). */
  public void handleReceive(long nowNanos, Datagram in) {
    shared.counters().malformed.increment();
  }

  /** Expires allocations, permissions and channels due at or before {@code nowNanos}. */
  public void handleTimeout(long nowNanos) {
  }

  /** The next datagram to send, if any. */
  public Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(transmits.poll());
  }

  /** The next event for the driver, if any. */
  public Optional<TurnEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} should next be called; {@link Long#MAX_VALUE} if nothing is scheduled. */
  public long pollTimeout() {
    return Long.MAX_VALUE;
  }

  /** The driver bound the relay socket asked for by {@link TurnEvent.RelayRequested} {@code requestId}. */
  public void handleRelayBound(long nowNanos, long requestId, InetSocketAddress relayAddress) {
  }

  /** The driver could not bind the relay socket for {@code requestId}: the client gets 508. */
  public void handleRelayFailed(long nowNanos, long requestId) {
  }

  /** A TCP or TLS client connection closed: its allocations are deleted (RFC 8656 §3.1). */
  public void handleConnectionClosed(long nowNanos, Transport transport, InetSocketAddress local, InetSocketAddress remote) {
  }
}
