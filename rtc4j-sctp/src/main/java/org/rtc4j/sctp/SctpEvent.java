package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/** What an {@link SctpAssociation} reports to the layer above (DCEP / data channels). */
public sealed interface SctpEvent {

  /** The handshake completed (COOKIE-ACK received, or a valid COOKIE-ECHO accepted). */
  record Established() implements SctpEvent {}

  /**
   * A complete user message.
   *
   * @param data the message bytes, owned by the receiver of the event
   */
  record Message(int streamId, int ppid, ByteBuffer data, boolean unordered) implements SctpEvent {}

  /** The peer reset these incoming streams (RFC 6525): their SSNs restart; data channels close. */
  record StreamsReset(int[] incomingStreamIds) implements SctpEvent {}

  /** Our outgoing reset of these streams was performed by the peer (RFC 6525 response "success"). */
  record OutgoingStreamsReset(int[] streamIds) implements SctpEvent {}

  /**
   * {@code amount} bytes of a stream's queued messages were sent or abandoned, leaving
   * {@code bufferedAmount} (its value when the event was raised: later sends and decreases do not
   * change it, so consecutive events describe consecutive intervals).
   */
  record BufferedAmountDecreased(int streamId, long amount, long bufferedAmount) implements SctpEvent {}

  /** The association ended gracefully (SHUTDOWN), or was closed locally. */
  record Closed(String reason) implements SctpEvent {}

  /** The association ended abruptly: ABORT received, or retransmissions exhausted. */
  record Aborted(String reason) implements SctpEvent {}
}
