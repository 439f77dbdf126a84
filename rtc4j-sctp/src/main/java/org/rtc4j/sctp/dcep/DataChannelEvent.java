package org.rtc4j.sctp.dcep;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** What {@link DataChannels} reports to the peer connection. */
public sealed interface DataChannelEvent {

  /** The SCTP association is established; locally created channels open now. */
  record AssociationEstablished() implements DataChannelEvent {}

  /** The association ended; {@code aborted} when by ABORT or failure. Every channel is closed. */
  record AssociationClosed(String reason, boolean aborted) implements DataChannelEvent {}

  /** A locally created channel is open (W3C {@code open}). */
  record ChannelOpen(DataChannelInfo channel) implements DataChannelEvent {}

  /** The peer opened a channel by DCEP (W3C {@code datachannel}); it is open. */
  record RemoteChannelOpened(DataChannelInfo channel) implements DataChannelEvent {}

  /**
   * A message on a channel.
   *
   * @param data the bytes (empty for the empty forms, PPID 56/57); owned by the receiver
   * @param text true for PPID 51/56 (UTF-8 string), false for binary
   */
  record MessageReceived(int channelId, ByteBuffer data, boolean text) implements DataChannelEvent {
    /** The message decoded as UTF-8. */
    public String asText() {
      ByteBuffer d = data.duplicate();
      byte[] b = new byte[d.remaining()];
      d.get(b);
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  /** The channel is closing (W3C {@code closing}). */
  record ChannelClosing(int channelId) implements DataChannelEvent {}

  /** The channel is closed (W3C {@code close}). */
  record ChannelClosed(int channelId) implements DataChannelEvent {}

  /** bufferedAmount fell to or below the threshold (W3C {@code bufferedamountlow}). */
  record BufferedAmountLow(int channelId, long bufferedAmount) implements DataChannelEvent {}

  /** Something went wrong with one channel (W3C {@code error}), e.g. an id clash. */
  record ChannelError(int channelId, String message) implements DataChannelEvent {}
}
