package org.rtc4j.ice.turn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.ChannelData;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.testkit.FreePorts;

/**
 * The smallest real runtime for {@link TurnAllocation}s, for the loopback tests: one
 * {@link Selector} on the test thread, a UDP {@link DatagramChannel} or a TCP {@link SocketChannel}
 * per allocation bound to 127.0.0.1, stream framing (STUN: 20 + length; ChannelData: 4 + length
 * padded to 4), {@code System.nanoTime()} as the clock. Every run is bounded by a deadline.
 */
final class LoopbackTurnRuntime implements AutoCloseable {

  /** One allocation and its socket; events are collected in order. */
  static final class Client {
    final TurnAllocation alloc;
    final SelectableChannel channel;
    final List<TurnClientEvent> events = new ArrayList<>();
    final ByteBuffer streamIn = ByteBuffer.allocate(256 * 1024);

    Client(TurnAllocation alloc, SelectableChannel channel) {
      this.alloc = alloc;
      this.channel = channel;
    }

    boolean has(Class<? extends TurnClientEvent> type) {
      return events.stream().anyMatch(type::isInstance);
    }

    <T extends TurnClientEvent> List<T> all(Class<T> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  private final Selector selector;
  private final List<Client> clients = new ArrayList<>();
  private final ByteBuffer udpIn = ByteBuffer.allocate(65536);

  LoopbackTurnRuntime() throws IOException {
    selector = Selector.open();
  }

  static long now() {
    return System.nanoTime();
  }

  /** Opens a socket to {@code server} over {@code transport} and creates (but does not start) the allocation. */
  Client add(InetSocketAddress server, Transport transport, String user, String password,
      UnaryOperator<TurnClientConfig.Builder> customize) throws IOException {
    SelectableChannel ch;
    InetSocketAddress local;
    if (transport == Transport.UDP) {
      DatagramChannel dc = DatagramChannel.open(StandardProtocolFamily.INET);
      dc.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
      dc.configureBlocking(false);
      local = (InetSocketAddress) dc.getLocalAddress();
      ch = dc;
    } else if (transport == Transport.TCP) {
      SocketChannel sc = SocketChannel.open(StandardProtocolFamily.INET);
      sc.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
      sc.connect(server); // blocking connect on loopback
      sc.configureBlocking(false);
      local = (InetSocketAddress) sc.getLocalAddress();
      ch = sc;
    } else {
      throw new IllegalArgumentException("TLS is the ICE runtime's job; not in this test runtime");
    }
    TurnClientConfig cfg = customize.apply(TurnClientConfig.builder(server, local, user, password).transport(transport)
        .software("rtc4j-ice loopback test")).build();
    Client c = new Client(new TurnAllocation(cfg, new SplittableRandom(local.getPort())), ch);
    ch.register(selector, SelectionKey.OP_READ, c);
    clients.add(c);
    return c;
  }

  /** Runs the loop until {@code condition} holds; false on the deadline. */
  boolean runUntil(Duration within, BooleanSupplier condition) throws IOException {
    long deadline = now() + within.toNanos();
    while (true) {
      flush();
      if (condition.getAsBoolean()) {
        return true;
      }
      long now = now();
      if (now >= deadline) {
        return false;
      }
      long due = deadline;
      for (Client c : clients) {
        due = Math.min(due, c.alloc.pollTimeout());
      }
      long waitMs = Math.max(0, (due - now + 999_999) / 1_000_000);
      if (waitMs == 0) {
        selector.selectNow();
      } else {
        selector.select(Math.min(waitMs, 100));
      }
      for (SelectionKey k : selector.selectedKeys()) {
        read((Client) k.attachment());
      }
      selector.selectedKeys().clear();
      now = now();
      for (Client c : clients) {
        if (c.alloc.pollTimeout() <= now) {
          c.alloc.handleTimeout(now);
        }
      }
    }
  }

  void await(Duration within, String what, BooleanSupplier condition) throws IOException {
    if (!runUntil(within, condition)) {
      StringBuilder sb = new StringBuilder("within " + within + " no: " + what);
      for (Client c : clients) {
        sb.append("\n  ").append(c.alloc.config().transport()).append(' ').append(c.alloc.state()).append(' ')
            .append(c.alloc.stats()).append(" events ").append(c.events.size() > 20 ? c.events.subList(0, 20) : c.events);
      }
      throw new AssertionError(sb.toString());
    }
  }

  /** Sends every pending transmit and collects every pending event. */
  void flush() throws IOException {
    boolean progress = true;
    while (progress) {
      progress = false;
      for (Client c : clients) {
        for (Optional<Datagram> d; (d = c.alloc.pollTransmit()).isPresent(); ) {
          progress = true;
          write(c, d.get());
        }
        for (Optional<TurnClientEvent> e; (e = c.alloc.pollEvent()).isPresent(); ) {
          progress = true;
          c.events.add(e.get());
        }
      }
    }
  }

  private void write(Client c, Datagram d) throws IOException {
    ByteBuffer p = d.payload().duplicate();
    if (c.channel instanceof DatagramChannel dc) {
      dc.send(p, d.destination());
    } else {
      SocketChannel sc = (SocketChannel) c.channel;
      long deadline = now() + Duration.ofSeconds(5).toNanos();
      while (p.hasRemaining()) {
        sc.write(p); // loopback: the kernel buffer drains quickly; bounded by the deadline
        if (p.hasRemaining() && now() > deadline) {
          throw new IOException("TCP write stalled");
        }
      }
    }
  }

  private void read(Client c) throws IOException {
    long now = now();
    if (c.channel instanceof DatagramChannel dc) {
      for (int i = 0; i < 64; i++) {
        udpIn.clear();
        InetSocketAddress from = (InetSocketAddress) dc.receive(udpIn);
        if (from == null) {
          return;
        }
        udpIn.flip();
        c.alloc.handleReceive(now, Datagram.udp(from, (InetSocketAddress) dc.getLocalAddress(), udpIn));
      }
      return;
    }
    SocketChannel sc = (SocketChannel) c.channel;
    int n = sc.read(c.streamIn);
    if (n < 0) {
      c.channel.keyFor(selector).cancel();
      return;
    }
    ByteBuffer b = c.streamIn;
    b.flip();
    InetSocketAddress server = (InetSocketAddress) sc.getRemoteAddress();
    InetSocketAddress local = (InetSocketAddress) sc.getLocalAddress();
    while (b.remaining() >= 4) {
      int first = b.get(b.position()) & 0xFF;
      int len = first >= 0x40 && first <= 0x4F ? ChannelData.streamFrameLength(b) : StunMessage.streamFrameLength(b);
      if (b.remaining() < len) {
        break;
      }
      ByteBuffer frame = b.slice(b.position(), len);
      b.position(b.position() + len);
      c.alloc.handleReceive(now, new Datagram(Transport.TCP, server, local, frame));
    }
    b.compact();
  }

  @Override
  public void close() throws IOException {
    for (Client c : clients) {
      c.channel.close();
    }
    selector.close();
  }
}
