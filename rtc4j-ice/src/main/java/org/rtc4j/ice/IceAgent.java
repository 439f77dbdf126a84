package org.rtc4j.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.rtc4j.net.Datagram;
import org.rtc4j.sdp.IceCandidate;

/** RFC 8445 full ICE agent (skeleton; implementation follows). */
public final class IceAgent {
  private final IceConfig config;
  private final RandomGenerator random;
  private final ArrayDeque<Datagram> transmits = new ArrayDeque<>();
  private final ArrayDeque<IceEvent> events = new ArrayDeque<>();
  private IceRole role;
  private IceCredentials local;

  public IceAgent(IceConfig config, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.random = Objects.requireNonNull(random, "random");
    this.role = config.role();
    this.local = config.localCredentials();
  }

  public void handleReceive(long nowNanos, Datagram in) {}

  public void handleTimeout(long nowNanos) {}

  public Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(transmits.poll());
  }

  public Optional<IceEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  public long pollTimeout() {
    return Long.MAX_VALUE;
  }

  public void startGathering(long nowNanos) {}

  public void setRemoteCredentials(long nowNanos, IceCredentials remote) {}

  public void addRemoteCandidate(long nowNanos, IceCandidate candidate) {}

  public void addRemoteEndOfCandidates(long nowNanos) {}

  public void setRole(IceRole role) {
    this.role = role;
  }

  public IceRole role() {
    return role;
  }

  public void send(long nowNanos, ByteBuffer payload) {}

  public void restart(long nowNanos, IceCredentials newLocal) {
    this.local = newLocal;
  }

  public void handleTcpConnected(long nowNanos, long connectionId, InetSocketAddress localAddress) {}

  public void handleTcpFailed(long nowNanos, long connectionId, String reason) {}

  public void handleTcpClosed(long nowNanos, long connectionId) {}

  public void handleMdnsResolved(long nowNanos, String name, Optional<InetAddress> address) {}

  public IceCredentials localCredentials() {
    return local;
  }

  public List<IceCandidate> localCandidates() {
    return List.of();
  }

  public Optional<CandidatePair> selectedPair() {
    return Optional.empty();
  }

  public IceConnectionState state() {
    return IceConnectionState.NEW;
  }

  public IceGatheringState gatheringState() {
    return IceGatheringState.NEW;
  }

  public IceStats stats() {
    return new IceStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of());
  }

  public void close(long nowNanos) {}
}
