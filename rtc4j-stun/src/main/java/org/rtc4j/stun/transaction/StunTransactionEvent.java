package org.rtc4j.stun.transaction;

import java.net.InetSocketAddress;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.TransactionId;

/** What a {@link StunClientTransaction} reports; exactly one per transaction, unless cancelled. */
public sealed interface StunTransactionEvent {

  /** The transaction this event ends. */
  TransactionId transactionId();

  /**
   * A success response arrived.
   *
   * @param response the response (parsed from a private copy of the datagram)
   * @param from the address it came from
   */
  record Success(StunMessage response, InetSocketAddress from) implements StunTransactionEvent {
    @Override
    public TransactionId transactionId() {
      return response.transactionId();
    }
  }

  /**
   * An error response arrived (RFC 8489 §6.3.4), or a success response carried unknown
   * comprehension-required attributes (§6.3.3), which this reports as 420.
   *
   * @param response the response
   * @param errorCode its ERROR-CODE
   * @param from the address it came from
   */
  record Failure(StunMessage response, ErrorCode errorCode, InetSocketAddress from) implements StunTransactionEvent {
    @Override
    public TransactionId transactionId() {
      return response.transactionId();
    }
  }

  /**
   * No response within the retransmission schedule.
   *
   * @param transactionId the request's transaction id
   */
  record Timeout(TransactionId transactionId) implements StunTransactionEvent {}
}
