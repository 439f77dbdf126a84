package org.rtc4j.ice.turn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
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
 * per allocation bound to 127.0.0.1 (TLS: a JSSE socket read with a 1 ms timeout), stream framing (STUN: 20 + length; ChannelData: 4 + length
 * padded to 4), {@code System.nanoTime()} as the clock. Every run is bounded by a deadline.
 */
final class LoopbackTurnRuntime implements AutoCloseable {

  /** One allocation and its socket; events are collected in order. */
  static final class Client {
    final TurnAllocation alloc;
    final SelectableChannel channel;
    /** For TLS: a blocking socket read with a 1 ms timeout from the loop (no extra thread). */
    SSLSocket tls;
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

  /** A client TLS context trusting exactly the committed test certificate (copied from rtc4j-turn-server's tests). */
  static SSLContext tlsContext() {
    try (InputStream in = LoopbackTurnRuntime.class.getResourceAsStream("test-cert.pem")) {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("test", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A resource of this package as a file path (the test certificate and key for servers). */
  static java.nio.file.Path resource(String name) {
    try {
      return java.nio.file.Path.of(LoopbackTurnRuntime.class.getResource(name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
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
      SSLSocket s = (SSLSocket) tlsContext().getSocketFactory().createSocket();
      s.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
      s.connect(server, 5000);
      s.setSoTimeout(5000);
      s.startHandshake();
      s.setSoTimeout(1);
      local = (InetSocketAddress) s.getLocalSocketAddress();
      TurnClientConfig cfg = customize.apply(TurnClientConfig.builder(server, local, user, password).transport(transport)
          .software("rtc4j-ice loopback test")).build();
      Client c = new Client(new TurnAllocation(cfg, new SplittableRandom(local.getPort())), null);
      c.tls = s;
      clients.add(c);
      return c;
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
      boolean anyTls = clients.stream().anyMatch(c -> c.tls != null);
      if (waitMs == 0) {
        selector.selectNow();
      } else {
        selector.select(Math.min(waitMs, anyTls ? 1 : 100));
      }
      for (SelectionKey k : selector.selectedKeys()) {
        read((Client) k.attachment());
      }
      selector.selectedKeys().clear();
      for (Client c : clients) {
        if (c.tls != null && !c.tls.isClosed()) {
          readTls(c);
        }
      }
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
    if (c.tls != null) {
      byte[] b = new byte[p.remaining()];
      p.get(b);
      c.tls.getOutputStream().write(b);
      c.tls.getOutputStream().flush();
    } else if (c.channel instanceof DatagramChannel dc) {
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
    deframe(c, Transport.TCP, (InetSocketAddress) sc.getRemoteAddress(), (InetSocketAddress) sc.getLocalAddress(), now);
  }

  private void readTls(Client c) throws IOException {
    byte[] tmp = new byte[16384];
    while (true) {
      int n;
      try {
        n = c.tls.getInputStream().read(tmp, 0, Math.min(tmp.length, c.streamIn.remaining()));
      } catch (SocketTimeoutException e) {
        return;
      }
      if (n < 0) {
        c.tls.close();
        return;
      }
      c.streamIn.put(tmp, 0, n);
      deframe(c, Transport.TLS, (InetSocketAddress) c.tls.getRemoteSocketAddress(),
          (InetSocketAddress) c.tls.getLocalSocketAddress(), now());
      if (c.tls.getInputStream().available() == 0) {
        return;
      }
    }
  }

  /** Hands every complete frame in {@code c.streamIn} to the allocation. */
  private static void deframe(Client c, Transport transport, InetSocketAddress server, InetSocketAddress local, long now) {
    ByteBuffer b = c.streamIn;
    b.flip();
    while (b.remaining() >= 4) {
      int first = b.get(b.position()) & 0xFF;
      int len = first >= 0x40 && first <= 0x4F ? ChannelData.streamFrameLength(b) : StunMessage.streamFrameLength(b);
      if (b.remaining() < len) {
        break;
      }
      ByteBuffer frame = b.slice(b.position(), len);
      b.position(b.position() + len);
      c.alloc.handleReceive(now, new Datagram(transport, server, local, frame));
    }
    b.compact();
  }

  @Override
  public void close() throws IOException {
    for (Client c : clients) {
      if (c.tls != null) {
        c.tls.close();
      } else {
        c.channel.close();
      }
    }
    selector.close();
  }
}
