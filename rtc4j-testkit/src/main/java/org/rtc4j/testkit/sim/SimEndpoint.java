package org.rtc4j.testkit.sim;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;

/**
 * A bound socket on a {@link SimHost}. Datagrams that arrive go to its owning core (when it was
 * bound through {@link SimCore#bind}), else to a listener ({@link #onReceive}), else into an inbox
 * read with {@link #receive()}. It accepts every transport arriving at its address; what it sends
 * keeps the transport of the datagram.
 */
public final class SimEndpoint implements AutoCloseable {

  private final SimHost host;
  private final InetSocketAddress address;
  private final SimCore<?> owner;
  private final ArrayDeque<Datagram> inbox = new ArrayDeque<>();
  private Consumer<Datagram> listener;
  private long received;
  private boolean closed;

  SimEndpoint(SimHost host, InetSocketAddress address, SimCore<?> owner) {
    this.host = host;
    this.address = address;
    this.owner = owner;
  }

  /** The bound local address (inside its NAT, if any). */
  public InetSocketAddress address() {
    return address;
  }

  /** Its host. */
  public SimHost host() {
    return host;
  }

  /** Sends {@code bytes} (copied) over UDP to {@code destination}. */
  public void send(InetSocketAddress destination, byte[] bytes) {
    send(Datagram.udp(address, destination, bytes));
  }

  /** Sends {@code payload}'s remaining bytes (copied, buffer untouched) over UDP. */
  public void send(InetSocketAddress destination, ByteBuffer payload) {
    send(Datagram.udp(address, destination, payload));
  }

  /** Sends {@code datagram}; its source must be this endpoint's address. */
  public void send(Datagram datagram) {
    Objects.requireNonNull(datagram, "datagram");
    if (closed) {
      throw new IllegalStateException("endpoint " + SimNet.format(address) + " on " + host.name() + " is closed");
    }
    if (!datagram.source().equals(address)) {
      throw new IllegalArgumentException("datagram source " + SimNet.format(datagram.source())
          + " is not this endpoint's address " + SimNet.format(address));
    }
    host.net.send(host, datagram);
  }

  /** Sends {@code bytes} with the given transport (simulated as in-order, lossless for TCP/TLS). */
  public void send(Transport transport, InetSocketAddress destination, byte[] bytes) {
    send(new Datagram(transport, address, destination, ByteBuffer.wrap(bytes)));
  }

  /** Routes arriving datagrams to {@code listener} instead of the inbox (null: back to the inbox). */
  public void onReceive(Consumer<Datagram> listener) {
    if (owner != null) {
      throw new IllegalStateException("endpoint belongs to core " + owner.name());
    }
    this.listener = listener;
  }

  /** The oldest datagram in the inbox, if any. */
  public Optional<Datagram> receive() {
    return Optional.ofNullable(inbox.poll());
  }

  /** Takes every datagram from the inbox. */
  public List<Datagram> drain() {
    List<Datagram> out = new ArrayList<>(inbox);
    inbox.clear();
    return out;
  }

  /** Datagrams waiting in the inbox. */
  public int pending() {
    return inbox.size();
  }

  /** Datagrams that arrived here in total (inbox, listener or core). */
  public long receivedCount() {
    return received;
  }

  /** The core it belongs to, or null. */
  public SimCore<?> owner() {
    return owner;
  }

  /** Whether it was closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Unbinds: later datagrams to its address are dropped as "no listener". */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      host.unbind(this);
    }
  }

  void deliver(Datagram d) {
    received++;
    if (owner != null) {
      owner.receive(d);
    } else if (listener != null) {
      listener.accept(d);
    } else {
      inbox.add(d);
    }
  }

  @Override
  public String toString() {
    return host.name() + "/" + SimNet.format(address);
  }
}
