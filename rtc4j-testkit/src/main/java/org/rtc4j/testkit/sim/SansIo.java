package org.rtc4j.testkit.sim;

import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.rtc4j.net.Datagram;

/**
 * The shape every rtc4j protocol core has (DESIGN.md, "sans-IO cores"): what {@link SimNet}'s
 * driver loop runs.
 *
 * <p>Cores live in modules that use the testkit only in test scope, so they do not implement this
 * interface; adapt them with method references:
 *
 * <pre>{@code
 * SansIo<TurnEvent> server = SansIo.of(core::handleReceive, core::handleTimeout,
 *     core::pollTransmit, core::pollEvent, core::pollTimeout);
 * }</pre>
 *
 * @param <E> the core's event type
 */
public interface SansIo<E> {

  /** Bytes from the network arrived at {@code nowNanos}. */
  void handleReceive(long nowNanos, Datagram in);

  /** Time has reached {@code nowNanos} (at or after the last {@link #pollTimeout()}). */
  void handleTimeout(long nowNanos);

  /** The next datagram to send, if any. */
  Optional<Datagram> pollTransmit();

  /** The next event for the layer above, if any. */
  Optional<E> pollEvent();

  /** When {@link #handleTimeout} wants to be called next; {@link Long#MAX_VALUE} when never. */
  long pollTimeout();

  /** The receive half as a functional interface, so {@code core::handleReceive} fits. */
  @FunctionalInterface
  interface Receiver {
    /** See {@link SansIo#handleReceive}. */
    void handleReceive(long nowNanos, Datagram in);
  }

  /** Adapts a core's five methods (usually method references) to this interface. */
  static <E> SansIo<E> of(
      Receiver receive,
      LongConsumer timeout,
      Supplier<Optional<Datagram>> transmit,
      Supplier<? extends Optional<? extends E>> event,
      LongSupplier pollTimeout) {
    Objects.requireNonNull(receive, "receive");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(transmit, "transmit");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(pollTimeout, "pollTimeout");
    return new SansIo<>() {
      @Override
      public void handleReceive(long nowNanos, Datagram in) {
        receive.handleReceive(nowNanos, in);
      }

      @Override
      public void handleTimeout(long nowNanos) {
        timeout.accept(nowNanos);
      }

      @Override
      public Optional<Datagram> pollTransmit() {
        return transmit.get();
      }

      @Override
      public Optional<E> pollEvent() {
        Optional<? extends E> e = event.get();
        return e.isPresent() ? Optional.of(e.get()) : Optional.empty();
      }

      @Override
      public long pollTimeout() {
        return pollTimeout.getAsLong();
      }
    };
  }
}
