package org.rtc4j.testkit.sim;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.rtc4j.net.Datagram;

/**
 * A sans-IO core attached to a {@link SimHost}: {@link SimNet}'s driver loop feeds it the datagrams
 * that arrive at its endpoints, calls {@code handleTimeout} when its {@code pollTimeout} comes, sends
 * what {@code pollTransmit} yields (from the endpoint whose address is the datagram's source) and
 * collects what {@code pollEvent} yields.
 *
 * <p>Events are kept in order ({@link #events()}) and, when a handler is set, passed to it during
 * the loop; the handler may call the core (e.g. a TURN server's {@code handleRelayBound}) and bind
 * more endpoints.
 *
 * @param <E> the core's event type
 */
public final class SimCore<E> {

  private final SimHost host;
  private final String name;
  private final SansIo<E> core;
  private final List<SimEndpoint> endpoints = new ArrayList<>();
  private final List<E> events = new ArrayList<>();
  private Consumer<? super E> handler;
  private long transmitted;
  private long received;
  private boolean detached;

  SimCore(SimHost host, String name, SansIo<E> core) {
    this.host = host;
    this.name = Objects.requireNonNull(name, "name");
    this.core = Objects.requireNonNull(core, "core");
  }

  /** Its name (traces, errors). */
  public String name() {
    return name;
  }

  /** The host it runs on. */
  public SimHost host() {
    return host;
  }

  /** The core. */
  public SansIo<E> core() {
    return core;
  }

  /** Binds {@code address} on its host for this core. Port 0 picks a free port. */
  public SimEndpoint bind(InetSocketAddress address) {
    checkAttached();
    SimEndpoint ep = host.bind(address, this);
    endpoints.add(ep);
    return ep;
  }

  /** Binds {@code port} on the host's first address for this core. */
  public SimEndpoint bind(int port) {
    return bind(new InetSocketAddress(host.address(), port));
  }

  /** Binds {@code ip:port} for this core. */
  public SimEndpoint bind(String ip, int port) {
    return bind(new InetSocketAddress(SimNet.ip(ip), port));
  }

  /** Its endpoints that are still bound. */
  public List<SimEndpoint> endpoints() {
    List<SimEndpoint> out = new ArrayList<>();
    for (SimEndpoint ep : endpoints) {
      if (!ep.isClosed()) {
        out.add(ep);
      }
    }
    return out;
  }

  /** Sets the event handler (called in the driver loop, after the event is recorded). */
  public SimCore<E> onEvent(Consumer<? super E> handler) {
    this.handler = handler;
    return this;
  }

  /** Every event so far, oldest first. */
  public List<E> events() {
    return List.copyOf(events);
  }

  /** Whether an event matching {@code p} has happened. */
  public boolean hasEvent(Predicate<? super E> p) {
    for (E e : events) {
      if (p.test(e)) {
        return true;
      }
    }
    return false;
  }

  /** The first event of {@code type}, if any. */
  public <T extends E> Optional<T> firstEvent(Class<T> type) {
    for (E e : events) {
      if (type.isInstance(e)) {
        return Optional.of(type.cast(e));
      }
    }
    return Optional.empty();
  }

  /** The last event of {@code type}, if any. */
  public <T extends E> Optional<T> lastEvent(Class<T> type) {
    for (int i = events.size() - 1; i >= 0; i--) {
      if (type.isInstance(events.get(i))) {
        return Optional.of(type.cast(events.get(i)));
      }
    }
    return Optional.empty();
  }

  /** Datagrams it sent. */
  public long transmittedCount() {
    return transmitted;
  }

  /** Datagrams it received. */
  public long receivedCount() {
    return received;
  }

  /** Stops driving it and closes its endpoints. */
  public void detach() {
    if (!detached) {
      detached = true;
      for (SimEndpoint ep : endpoints) {
        ep.close();
      }
      host.net.unregister(this);
    }
  }

  /** Whether it was detached. */
  public boolean isDetached() {
    return detached;
  }

  void receive(Datagram d) {
    received++;
    core.handleReceive(host.net.clock().nanos(), d);
  }

  /** Drains transmits and events once; returns whether anything came out. */
  boolean pump() {
    boolean any = false;
    Optional<Datagram> out;
    while (!detached && (out = core.pollTransmit()).isPresent()) {
      any = true;
      Datagram d = out.get();
      SimEndpoint ep = host.endpoint(d.source());
      if (ep == null || ep.owner() != this) {
        throw new IllegalStateException("core " + name + " on " + host.name() + " transmitted from "
            + SimNet.format(d.source()) + ", which is not bound to it (bound: " + endpoints() + ")");
      }
      transmitted++;
      host.net.send(host, d);
    }
    Optional<E> ev;
    while (!detached && (ev = core.pollEvent()).isPresent()) {
      any = true;
      events.add(ev.get());
      if (handler != null) {
        handler.accept(ev.get());
      }
    }
    return any;
  }

  private void checkAttached() {
    if (detached) {
      throw new IllegalStateException("core " + name + " is detached");
    }
  }

  @Override
  public String toString() {
    return "SimCore[" + name + " on " + host.name() + "]";
  }
}
