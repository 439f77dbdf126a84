package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** API stub; the implementation follows. */
public final class SctpAssociation {
  public SctpAssociation(SctpConfig cfg, RandomGenerator random) {}
  public void handleReceive(long nowNanos, ByteBuffer packet) {}
  public void handleTimeout(long nowNanos) {}
  public Optional<ByteBuffer> pollTransmit() { return Optional.empty(); }
  public Optional<SctpEvent> pollEvent() { return Optional.empty(); }
  public long pollTimeout() { return Long.MAX_VALUE; }
  public void connect(long nowNanos) {}
  public void send(long nowNanos, int streamId, int ppid, ByteBuffer message, boolean unordered, int maxRetransmits,
      long maxLifetimeMillis) {}
  public long bufferedAmount(int streamId) { return 0; }
  public void resetStreams(long nowNanos, int... streamIds) {}
  public void shutdown(long nowNanos) {}
  public void abort(long nowNanos, String reason) {}
  public SctpStats stats() { return null; }
  public SctpState state() { return SctpState.CLOSED; }
  public void setRemoteMaxMessageSize(long bytes) {}
  public long remoteMaxMessageSize() { return 0; }
  public SctpConfig config() { return null; }
}
