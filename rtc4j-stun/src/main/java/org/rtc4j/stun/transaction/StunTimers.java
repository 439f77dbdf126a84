package org.rtc4j.stun.transaction;

import java.time.Duration;

/**
 * Retransmission parameters of a client transaction (RFC 8489 §6.2.1, §6.2.2).
 *
 * <p>Over UDP the request is sent at 0, RTO, 3*RTO, 7*RTO, ... (the interval doubles after each
 * send) until {@code rc} sends, then the client waits {@code rm * rto} for a response: with the
 * defaults (RTO 500 ms, Rc 7, Rm 16) the sends are at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and
 * the transaction times out at 39.5 s. Over TCP/TLS the request is sent once and times out after
 * {@code reliableTimeoutNanos} (Ti, 39.5 s).
 *
 * @param rtoNanos initial retransmission timeout, > 0
 * @param rc total number of sends over UDP, >= 1
 * @param rm multiple of the initial RTO to wait after the last send, >= 1
 * @param reliableTimeoutNanos transaction timeout over reliable transports, > 0
 */
public record StunTimers(long rtoNanos, int rc, int rm, long reliableTimeoutNanos) {

  /** RTO 500 ms, Rc 7, Rm 16, Ti 39.5 s: the recommended values of RFC 8489 §6.2.1 and §6.2.2. */
  public static final StunTimers DEFAULT =
      new StunTimers(Duration.ofMillis(500).toNanos(), 7, 16, Duration.ofMillis(39_500).toNanos());

  public StunTimers {
    if (rtoNanos <= 0 || rc < 1 || rm < 1 || reliableTimeoutNanos <= 0) {
      throw new IllegalArgumentException("invalid STUN timers: rto=" + rtoNanos + "ns rc=" + rc + " rm=" + rm
          + " ti=" + reliableTimeoutNanos + "ns");
    }
  }

  /** These timers with another initial RTO (e.g. one learned from earlier transactions, RFC 8489 §6.2.1). */
  public StunTimers withRto(Duration rto) {
    return new StunTimers(rto.toNanos(), rc, rm, reliableTimeoutNanos);
  }
}
