package org.rtc4j.dtls;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.rtc4j.net.Datagram;

/**
 * One DTLS 1.2 association (RFC 6347) for DTLS-SRTP (RFC 5764) and SCTP-over-DTLS (RFC 8261), with
 * the sans-IO surface of every rtc4j core plus {@link #start}, {@link #send} and {@link #close}.
 *
 * <p>Unlike the other cores this one is backed by a handshake thread (DESIGN.md: Bouncy Castle's
 * DTLS API blocks), so:
 * <ul>
 *   <li>{@link #pollTransmit()} and {@link #pollEvent()} can yield items that appeared without a
 *       call from the owner; the engine calls {@link DtlsConfig#wakeup()} each time, and the owner
 *       then polls from its own thread.</li>
 *   <li>{@link #pollTimeout()} carries the handshake retransmission timer
 *       ({@link DtlsConfig#retransmitInitial()} doubling to {@link DtlsConfig#retransmitMax()}) and
 *       the deadline of the whole handshake ({@link DtlsConfig#handshakeTimeout()}), both on the
 *       owner's clock, or Long.MAX_VALUE once the handshake finished. Right after the handshake
 *       thread sent a flight it returns a time already past, asking for a {@link #handleTimeout}
 *       call that starts the timer at the owner's "now".</li>
 * </ul>
 * All methods are meant for the one owner thread; the handshake thread only touches thread-safe
 * queues. Malformed or unexpected datagrams never throw out of these methods.
 */
public interface DtlsEngine extends AutoCloseable {

  /** A Bouncy Castle engine for {@code config}; call {@link #start(long)} to begin the handshake. */
  static DtlsEngine create(DtlsConfig config) {
    return new BcDtlsEngine(config);
  }

  /** Starts the handshake thread (a client sends its ClientHello at once). */
  void start(long nowNanos);

  /** A datagram from the remote peer (first byte 20..63, RFC 7983). */
  void handleReceive(long nowNanos, Datagram in);

  /** Fails the handshake when its deadline passed. */
  void handleTimeout(long nowNanos);

  /**
   * The next datagram to send, source = local address, destination = remote. Its payload belongs
   * to the caller (the engine keeps no reference to it), so it may be queued without a copy.
   */
  Optional<Datagram> pollTransmit();

  /** The next {@link DtlsEvent}. */
  Optional<DtlsEvent> pollEvent();

  /** Owner-clock nanos of the next {@link #handleTimeout} call wanted, or Long.MAX_VALUE. */
  long pollTimeout();

  /**
   * Encrypts {@code appData} (position..limit, consumed) into one application-data record.
   *
   * @throws IllegalStateException before the handshake completed or after the engine ended
   * @throws IllegalArgumentException when larger than {@link #maxApplicationDataSize(int)} of the
   *     largest UDP payload (65507): the size of application data is the caller's to choose (for
   *     SCTP, its path MTU discovery), the configured MTU bounds only the handshake's datagrams
   */
  void send(ByteBuffer appData);

  /**
   * Hands decrypted application data to {@code handler} during {@link #handleReceive} instead of
   * queueing {@link DtlsEvent.ApplicationData} events (which copy every record into its own array).
   * The buffer is a view of the engine's plaintext buffer, valid only during the call: the handler
   * must not write to it and must copy what it keeps.
   * Owner thread; takes effect for records received afterwards; engines that cannot do it keep
   * the events.
   */
  default void applicationDataHandler(java.util.function.Consumer<ByteBuffer> handler) {
  }

  /** The largest {@link #send} payload that fits one datagram at the configured MTU (0 before the handshake). */
  int maxApplicationDataSize();

  /**
   * The largest {@link #send} payload whose record fits a datagram of {@code datagramLimit} bytes
   * with the negotiated cipher suite (0 before the handshake). An engine that cannot send records
   * larger than its configured MTU answers {@link #maxApplicationDataSize()} for larger limits.
   */
  default int maxApplicationDataSize(int datagramLimit) {
    return Math.min(maxApplicationDataSize(), Math.max(0, datagramLimit));
  }

  /** Whether the handshake completed and the engine has not ended. */
  boolean isConnected();

  /** Sends close_notify when connected, stops the handshake thread, reports {@link DtlsEvent.Closed}. Idempotent. */
  @Override
  void close();
}
