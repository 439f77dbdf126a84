package org.rtc4j.stun.transaction;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.rtc4j.net.Datagram;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.TransactionId;

/**
 * One STUN client transaction (RFC 8489 §6.2, §6.3) as a sans-IO state machine: it sends the
 * request, retransmits it over UDP on the {@link StunTimers} schedule, matches the response by
 * transaction id and reports {@link StunTransactionEvent.Success}, {@link StunTransactionEvent.Failure}
 * or {@link StunTransactionEvent.Timeout}.
 *
 * <p>The caller drives it with the five sans-IO methods: send what {@link #pollTransmit()} returns,
 * feed datagrams (or already-parsed responses) in, and call {@link #handleTimeout(long)} at
 * {@link #pollTimeout()}. Times are {@code System.nanoTime()}-style nanoseconds passed in by the
 * caller; the transaction never reads a clock.
 *
 * <p>A response whose transaction id does not match, a request or indication, unparsable bytes,
 * an error response without ERROR-CODE and a response the {@code responseFilter} rejects (e.g. bad
 * MESSAGE-INTEGRITY, RFC 8489 §9.1.4) are discarded: the transaction keeps waiting. Nothing
 * remote makes it throw.
 *
 * <p>Threading: not thread-safe; owned by one loop thread.
 */
public final class StunClientTransaction {

  private final Datagram request;
  private final byte[] requestBytes;
  private final TransactionId transactionId;
  private final StunTimers timers;
  private final boolean reliable;
  private final Predicate<StunMessage> responseFilter;
  private final ArrayDeque<Datagram> transmits = new ArrayDeque<>(2);
  private final ArrayDeque<StunTransactionEvent> events = new ArrayDeque<>(1);
  private int sends;
  private long interval;
  private long deadline;
  private boolean done;
  private long discarded;

  /**
   * Starts a transaction: the first send is queued for {@link #pollTransmit()} at once.
   *
   * @param nowNanos the current time
   * @param request the request to send: transport, local source, server destination and the encoded STUN request
   * @param timers the retransmission schedule
   */
  public StunClientTransaction(long nowNanos, Datagram request, StunTimers timers) {
    this(nowNanos, request, timers, m -> true);
  }

  /**
   * Starts a transaction with a response filter.
   *
   * @param responseFilter accepts a matching response, or rejects it (it is discarded and the
   *     transaction keeps waiting), e.g. {@code m -> m.verifyMessageIntegrity(key)}
   */
  public StunClientTransaction(long nowNanos, Datagram request, StunTimers timers, Predicate<StunMessage> responseFilter) {
    Objects.requireNonNull(request, "request");
    this.timers = Objects.requireNonNull(timers, "timers");
    this.responseFilter = Objects.requireNonNull(responseFilter, "responseFilter");
    this.requestBytes = request.bytes();
    StunMessage parsed;
    try {
      parsed = StunMessage.parse(requestBytes);
    } catch (StunParseException e) {
      throw new IllegalArgumentException("request is not a STUN message: " + e.getMessage(), e);
    }
    if (parsed.stunClass() != StunClass.REQUEST) {
      throw new IllegalArgumentException("not a request: " + parsed.stunClass());
    }
    this.transactionId = parsed.transactionId();
    this.request = request;
    this.reliable = request.transport().reliable();
    send();
    if (reliable) {
      deadline = saturatedAdd(nowNanos, timers.reliableTimeoutNanos());
    } else {
      interval = timers.rtoNanos();
      scheduleAfterSend(nowNanos);
    }
  }

  /** The request's transaction id. */
  public TransactionId transactionId() {
    return transactionId;
  }

  /** Whether the transaction has ended (response, timeout or cancel). */
  public boolean isDone() {
    return done;
  }

  /** How many times the request has been queued for sending so far. */
  public int sendCount() {
    return sends;
  }

  /** How many received datagrams or responses were discarded. */
  public long discardedCount() {
    return discarded;
  }

  /** Feeds a received datagram; anything but a matching, acceptable response is discarded. */
  public void handleReceive(long nowNanos, Datagram in) {
    if (done) {
      return;
    }
    if (!StunMessage.looksLikeStun(in.payload())) {
      discarded++;
      return;
    }
    StunMessage m;
    try {
      // Parse a copy: the event outlives this call, the driver's receive buffer does not.
      m = StunMessage.parse(in.bytes());
    } catch (StunParseException e) {
      discarded++;
      return;
    }
    handleResponse(nowNanos, m, in.source());
  }

  /**
   * Feeds a response the caller already parsed (e.g. after demultiplexing by transaction id). The
   * message must stay valid until the event is polled.
   *
   * @return whether the response ended this transaction
   */
  public boolean handleResponse(long nowNanos, StunMessage response, InetSocketAddress from) {
    if (done || !response.stunClass().isResponse() || !response.transactionId().equals(transactionId)) {
      discarded++;
      return false;
    }
    if (!responseFilter.test(response)) {
      discarded++;
      return false;
    }
    if (response.stunClass() == StunClass.SUCCESS_RESPONSE) {
      if (!response.unknownComprehensionRequired().isEmpty()) {
        // RFC 8489 §6.3.3: such a success response fails the transaction.
        finish(new StunTransactionEvent.Failure(response,
            ErrorCode.UNKNOWN_ATTRIBUTE.withReason("unknown comprehension-required attributes in the response "
                + response.unknownComprehensionRequired()), from));
      } else {
        finish(new StunTransactionEvent.Success(response, from));
      }
      return true;
    }
    Optional<ErrorCode> code = response.attribute(ErrorCode.class);
    if (code.isEmpty()) {
      discarded++; // an error response must carry ERROR-CODE; ignore the malformed one
      return false;
    }
    finish(new StunTransactionEvent.Failure(response, code.get(), from));
    return true;
  }

  /** Advances time: retransmits or times out when the deadline has passed. */
  public void handleTimeout(long nowNanos) {
    if (done || nowNanos < deadline) {
      return;
    }
    if (reliable || sends >= timers.rc()) {
      finish(new StunTransactionEvent.Timeout(transactionId));
      return;
    }
    send();
    scheduleAfterSend(nowNanos);
  }

  /** The next datagram to send, if any. */
  public Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(transmits.poll());
  }

  /** The transaction's outcome, once. */
  public Optional<StunTransactionEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} is next due, or {@link Long#MAX_VALUE} when done. */
  public long pollTimeout() {
    return done ? Long.MAX_VALUE : deadline;
  }

  /** Ends the transaction without an event (RFC 8489 §6.2.1: the client may stop retransmitting). */
  public void cancel() {
    done = true;
    transmits.clear();
  }

  private void send() {
    sends++;
    // A fresh read-only view per send: the driver owns each datagram it polls.
    transmits.add(new Datagram(request.transport(), request.source(), request.destination(),
        ByteBuffer.wrap(requestBytes).asReadOnlyBuffer()));
  }

  private void scheduleAfterSend(long nowNanos) {
    if (sends >= timers.rc()) {
      deadline = saturatedAdd(nowNanos, saturatedMultiply(timers.rtoNanos(), timers.rm()));
    } else {
      deadline = saturatedAdd(nowNanos, interval);
      interval = saturatedMultiply(interval, 2);
    }
  }

  private void finish(StunTransactionEvent e) {
    done = true;
    transmits.clear();
    events.add(e);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private static long saturatedMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
  }
}
