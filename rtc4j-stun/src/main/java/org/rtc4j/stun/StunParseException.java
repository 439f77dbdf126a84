package org.rtc4j.stun;

import java.util.Optional;

/**
 * The only exception the parsers of this package throw: the input is not a well-formed STUN
 * message or ChannelData frame.
 *
 * <p>It carries no stack trace: malformed remote input is routine (a server drops and counts it),
 * and filling in a stack trace for every bad datagram would make a flood of garbage expensive.
 *
 * <p>When the 20-byte header was valid, {@link #messageType()} and {@link #transactionId()} are
 * known, so a server can still answer a malformed request with 400 (Bad Request).
 */
public final class StunParseException extends Exception {

  private final int offset;
  private final int messageType;
  private final transient TransactionId transactionId;

  /**
   * @param message what is wrong
   * @param offset byte offset of the problem, relative to the first byte of the message or frame
   */
  public StunParseException(String message, int offset) {
    this(message, offset, -1, null);
  }

  /**
   * @param message what is wrong
   * @param offset byte offset of the problem, relative to the first byte of the message
   * @param messageType the 14-bit STUN message type from a valid header, or -1
   * @param transactionId the transaction id from a valid header, or null
   */
  public StunParseException(String message, int offset, int messageType, TransactionId transactionId) {
    super(message + " (at offset " + offset + ")", null, false, false);
    this.offset = offset;
    this.messageType = messageType;
    this.transactionId = transactionId;
  }

  /** Byte offset of the problem, relative to the first byte of the message or frame. */
  public int offset() {
    return offset;
  }

  /** The message type (method and class bits) when the header was valid, else -1. */
  public int messageType() {
    return messageType;
  }

  /** The transaction id when the header was valid. */
  public Optional<TransactionId> transactionId() {
    return Optional.ofNullable(transactionId);
  }
}
