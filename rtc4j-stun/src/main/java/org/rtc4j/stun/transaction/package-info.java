/**
 * STUN client transactions (RFC 8489 §6.2-§6.3): {@link org.rtc4j.stun.transaction.StunClientTransaction}
 * sends a request, retransmits it over UDP with an exponentially backed-off RTO (500 ms, doubling,
 * Rc = 7 sends, then Rm = 16 RTOs of waiting) or once over TCP/TLS (39.5 s timeout), matches the
 * response by transaction id and reports success, error response or timeout.
 *
 * <p>Layer: sans-IO core above the codec ({@link org.rtc4j.stun}), used by the ICE agent and the
 * TURN client. It has the five sans-IO methods ({@code handleReceive}, {@code handleTimeout},
 * {@code pollTransmit}, {@code pollEvent}, {@code pollTimeout}); time is passed in as nanoseconds.
 *
 * <p>Threading: a transaction is confined to its owner's thread; it never blocks, sleeps, reads a
 * clock or starts a thread.
 */
package org.rtc4j.stun.transaction;
