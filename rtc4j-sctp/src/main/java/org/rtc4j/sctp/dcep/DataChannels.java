package org.rtc4j.sctp.dcep;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.rtc4j.sctp.SctpAssociation;

/** API stub; the implementation follows. */
public final class DataChannels {
  public DataChannels(SctpAssociation association, boolean dtlsClient) {}
  public SctpAssociation association() { return null; }
  public void setDtlsClient(boolean dtlsClient) {}
  public void handleReceive(long nowNanos, ByteBuffer packet) {}
  public void handleTimeout(long nowNanos) {}
  public Optional<ByteBuffer> pollTransmit() { return Optional.empty(); }
  public Optional<DataChannelEvent> pollEvent() { return Optional.empty(); }
  public long pollTimeout() { return Long.MAX_VALUE; }
  public void connect(long nowNanos) {}
  public int open(long nowNanos, String label, String protocol, boolean ordered, int maxRetransmits,
      long maxPacketLifeTime, boolean negotiated, int id) { return 0; }
  public void send(long nowNanos, int channelId, String text) {}
  public void send(long nowNanos, int channelId, ByteBuffer data) {}
  public void close(long nowNanos, int channelId) {}
  public long bufferedAmount(int channelId) { return 0; }
  public void setBufferedAmountLowThreshold(int channelId, long threshold) {}
  public Optional<DataChannelInfo> channel(int channelId) { return Optional.empty(); }
  public Collection<DataChannelInfo> channels() { return List.of(); }
  public void shutdown(long nowNanos) {}
  public void abort(long nowNanos, String reason) {}
}
