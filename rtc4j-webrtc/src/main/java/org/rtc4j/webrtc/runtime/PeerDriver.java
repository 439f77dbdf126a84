package org.rtc4j.webrtc.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.rtc4j.ice.IceEvent;
import org.rtc4j.ice.mdns.MdnsEvent;
import org.rtc4j.ice.mdns.MdnsResolver;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.webrtc.engine.PeerEngine;
import org.rtc4j.webrtc.engine.PeerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds one {@link PeerEngine} to an {@link RtcLoop}: its UDP sockets (one per host address),
 * the TCP/TLS connections ICE asks for, its timer and the DTLS wakeup. Every engine call happens
 * on the loop; engine events go to the sink (on the loop; the API layer moves them to the
 * connection's serial executor).
 *
 * <p>Lifecycle: {@link #bind} opens the sockets on the caller's thread (so a bind error is
 * reported at once); {@link #start} registers them on the loop; {@link #close} (on the loop)
 * lets the engine queue its last datagrams (DTLS close_notify, TURN Refresh 0), sends them and
 * releases every socket and the timer.
 */
public final class PeerDriver {

  private static final Logger LOG = LoggerFactory.getLogger(PeerDriver.class);
  /** Datagrams read per socket per readiness event, so one busy socket cannot starve the loop. */
  private static final int READ_BATCH = 64;
  private static final int MAX_DATAGRAM = 65536;

  private final RtcLoop loop;
  private final Map<InetSocketAddress, DatagramChannel> udp;
  private final Map<Long, StreamConnection> streams = new HashMap<>();
  private final Map<InetSocketAddress, StreamConnection> streamsByLocal = new HashMap<>();
  private final SSLContext tlsContext;
  private final Function<InetSocketAddress, String> serverNames;
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
  private PeerEngine engine;
  private Consumer<PeerEvent> sink;
  private Runnable afterPump = () -> { };
  private RtcLoop.Timer timer;
  private long timerDeadline = Long.MAX_VALUE;
  private boolean closed;
  /** mDNS (RFC 6762) for remote .local candidates: opened on the first query. */
  private DatagramChannel mdnsChannel;
  private MdnsResolver mdns;
  private final Map<String, List<String>> mdnsNames = new HashMap<>();
  /** Where mDNS may go: null = every interface (0.0.0.0:5353, group joined); else only these addresses. */
  private List<InetAddress> mdnsScope;
  private boolean mdnsEnabled = true;
  private long sendErrors;
  private long datagramsReceived;
  private long datagramsSent;

  private PeerDriver(RtcLoop loop, Map<InetSocketAddress, DatagramChannel> udp, SSLContext tlsContext,
      Function<InetSocketAddress, String> serverNames) {
    this.loop = loop;
    this.udp = udp;
    this.tlsContext = tlsContext;
    this.serverNames = serverNames;
  }

  /**
   * Opens one non-blocking UDP socket on an ephemeral port of each address.
   *
   * @param serverNames the host name to check a {@code turns:} server's certificate against, by address
   * @throws IOException when no address could be bound
   */
  public static PeerDriver bind(RtcLoop loop, List<InetAddress> addresses, SSLContext tlsContext,
      Function<InetSocketAddress, String> serverNames) throws IOException {
    Map<InetSocketAddress, DatagramChannel> channels = new LinkedHashMap<>();
    IOException last = null;
    for (InetAddress a : addresses) {
      DatagramChannel ch = null;
      try {
        ch = DatagramChannel.open(a instanceof java.net.Inet6Address ? java.net.StandardProtocolFamily.INET6
            : java.net.StandardProtocolFamily.INET);
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20); // the kernel caps it at net.core.rmem_max
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.bind(new InetSocketAddress(a, 0));
        channels.put((InetSocketAddress) ch.getLocalAddress(), ch);
      } catch (IOException | UnsupportedOperationException e) {
        last = e instanceof IOException io ? io : new IOException(e);
        if (ch != null) {
          ch.close();
        }
        LOG.debug("cannot bind UDP on {}: {}", a, e.toString());
      }
    }
    if (channels.isEmpty()) {
      throw last != null ? last : new IOException("no local address to bind");
    }
    return new PeerDriver(loop, channels, tlsContext, serverNames);
  }

  /** The bound UDP socket addresses (the engine's host addresses). */
  public List<InetSocketAddress> localAddresses() {
    return new ArrayList<>(udp.keySet());
  }

  public RtcLoop loop() {
    return loop;
  }

  /** A wakeup for the DTLS engine: coalesced, thread-safe, never blocks. */
  public Runnable wakeup() {
    return () -> {
      if (wakeupPending.compareAndSet(false, true)) {
        try {
          loop.execute(() -> {
            wakeupPending.set(false);
            if (!closed && engine != null) {
              engine.handleTimeout(loop.nanoTime());
              pump();
            }
          });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // the loop is gone: nothing to wake
        }
      }
    };
  }

  /**
   * Limits mDNS (RFC 6762) for remote {@code .local} candidates: off entirely, or kept on
   * {@code scope} (an ephemeral socket on the first IPv4 address, multicast out of its interface,
   * no group join) instead of 0.0.0.0:5353 on every interface. Call before {@link #start}.
   */
  public void mdns(boolean enabled, List<InetAddress> scope) {
    this.mdnsEnabled = enabled;
    this.mdnsScope = scope == null || scope.isEmpty() ? null : List.copyOf(scope);
  }

  /**
   * Registers the sockets and starts driving {@code engine}: events go to {@code sink},
   * {@code afterPump} runs after every pump (both on the loop). Loop thread.
   */
  public void start(PeerEngine engine, Consumer<PeerEvent> sink, Runnable afterPump) {
    this.engine = engine;
    this.sink = sink;
    this.afterPump = afterPump;
    for (Map.Entry<InetSocketAddress, DatagramChannel> e : udp.entrySet()) {
      InetSocketAddress local = e.getKey();
      DatagramChannel ch = e.getValue();
      try {
        loop.register(ch, SelectionKey.OP_READ, key -> readUdp(local, ch));
      } catch (IOException ex) {
        LOG.warn("cannot register {}: {}", local, ex.toString());
      }
    }
    pump();
  }

  /** Sends pending datagrams, delivers events, re-arms the timer: after every engine call. Loop thread. */
  public void pump() {
    if (engine == null) {
      return;
    }
    while (true) {
      Optional<Datagram> d = engine.pollTransmit();
      if (d.isEmpty()) {
        break;
      }
      transmit(d.get());
    }
    while (true) {
      Optional<PeerEvent> e = engine.pollEvent();
      if (e.isEmpty()) {
        break;
      }
      PeerEvent ev = e.get();
      if (ev instanceof PeerEvent.RuntimeRequest r) {
        handleRequest(r.request());
      } else {
        sink.accept(ev);
      }
    }
    // Requests may have produced more output (e.g. a TCP connect that completed at once).
    while (true) {
      Optional<Datagram> d = engine.pollTransmit();
      if (d.isEmpty()) {
        break;
      }
      transmit(d.get());
    }
    if (!closed) {
      afterPump.run();
    }
    rearm();
  }

  /** Releases every socket, connection and timer (after sending the engine's last datagrams). Loop thread. */
  public void close() {
    if (closed) {
      return;
    }
    if (engine != null) {
      engine.close(loop.nanoTime());
      while (true) {
        Optional<Datagram> d = engine.pollTransmit();
        if (d.isEmpty()) {
          break;
        }
        transmit(d.get());
      }
    }
    closed = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    for (DatagramChannel ch : udp.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    for (StreamConnection c : streams.values()) {
      c.close();
    }
    if (mdnsChannel != null) {
      try {
        mdnsChannel.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    streams.clear();
    streamsByLocal.clear();
  }

  /** Closes the sockets when {@link #start} never ran (construction failed half-way). Any thread. */
  public void abandon() {
    for (DatagramChannel ch : udp.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /** Counters: datagrams received, datagrams sent, send errors. */
  public long[] counters() {
    return new long[] {datagramsReceived, datagramsSent, sendErrors};
  }

  // -------------------------------------------------------------------------------------------

  private void readUdp(InetSocketAddress local, DatagramChannel ch) {
    if (closed) {
      return;
    }
    long now = loop.nanoTime();
    for (int i = 0; i < READ_BATCH; i++) {
      receiveBuffer.clear();
      SocketAddress from;
      try {
        from = ch.receive(receiveBuffer);
      } catch (IOException e) {
        // ICMP port unreachable and friends surface here on some systems: not fatal for UDP.
        LOG.debug("receive on {}: {}", local, e.toString());
        break;
      }
      if (from == null) {
        break;
      }
      receiveBuffer.flip();
      datagramsReceived++;
      engine.handleReceive(now, Datagram.udp((InetSocketAddress) from, local, transientPayload()));
      if (closed) {
        return;
      }
    }
    pump();
  }

  /**
   * The datagram just read. DTLS (first byte 20..63, RFC 7983) is the bulk of the traffic, and the
   * ICE agent copies its application data before it keeps it, so it goes in as a view of the
   * receive buffer (no copy per datagram here); STUN, TURN and anything else, which the agent may
   * keep parts of, as a copy.
   */
  private ByteBuffer transientPayload() {
    int n = receiveBuffer.remaining();
    int b0 = n > 0 ? receiveBuffer.get(0) & 0xFF : 0;
    if (b0 >= 20 && b0 <= 63) {
      return receiveBuffer;
    }
    byte[] bytes = new byte[n];
    receiveBuffer.get(bytes);
    return ByteBuffer.wrap(bytes);
  }

  private void transmit(Datagram d) {
    if (d.transport() == Transport.UDP) {
      DatagramChannel ch = udp.get(d.source());
      if (ch == null) {
        sendErrors++;
        LOG.debug("no socket for {}", d.source());
        return;
      }
      try {
        ch.send(d.payload(), d.destination());
        datagramsSent++;
      } catch (IOException e) {
        sendErrors++;
        LOG.debug("send {} -> {}: {}", d.source(), d.destination(), e.toString());
      }
    } else {
      StreamConnection c = streamsByLocal.get(d.source());
      if (c == null) {
        sendErrors++;
        return;
      }
      c.send(d.payload());
      datagramsSent++;
    }
  }

  private void handleRequest(IceEvent request) {
    if (request instanceof IceEvent.TcpConnectRequested r) {
      openStream(r);
    } else if (request instanceof IceEvent.TcpCloseRequested r) {
      StreamConnection c = streams.remove(r.connectionId());
      if (c != null) {
        if (c.local() != null) {
          streamsByLocal.remove(c.local());
        }
        c.close();
      }
    } else if (request instanceof IceEvent.MdnsQueryRequested r) {
      resolveMdns(r.name());
    }
  }

  private void resolveMdns(String name) {
    long now = loop.nanoTime();
    if (!mdnsEnabled || (mdns == null && !openMdns())) {
      engine.handleMdnsResolved(now, name, Optional.empty());
      return;
    }
    String key = name.toLowerCase(java.util.Locale.ROOT);
    if (key.endsWith(".")) {
      key = key.substring(0, key.length() - 1);
    }
    mdnsNames.computeIfAbsent(key, k -> new ArrayList<>()).add(name);
    try {
      mdns.resolve(now, name);
    } catch (IllegalArgumentException e) {
      mdnsNames.remove(key);
      engine.handleMdnsResolved(now, name, Optional.empty());
      return;
    }
    pumpMdns();
  }

  /**
   * One IPv4 mDNS socket: 0.0.0.0:5353 with SO_REUSEADDR and the group joined where possible
   * (Chrome's responder may answer a QU query by multicast), else an ephemeral port (unicast
   * answers only).
   */
  private boolean openMdns() {
    if (mdnsScope != null) {
      return openScopedMdns();
    }
    DatagramChannel ch = null;
    try {
      ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 255);
      try {
        ch.bind(new InetSocketAddress(5353));
        InetAddress group = MdnsResolver.GROUP_V4.getAddress();
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
          if (nif.isUp() && nif.supportsMulticast()) {
            try {
              ch.join(group, nif);
            } catch (IOException | UnsupportedOperationException e) {
              LOG.debug("mDNS: cannot join on {}: {}", nif.getName(), e.toString());
            }
          }
        }
      } catch (IOException e) {
        ch.close();
        ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 255);
        ch.bind(new InetSocketAddress(0));
      }
      ch.configureBlocking(false);
      DatagramChannel registered = ch;
      InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
      mdns = new MdnsResolver(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), local.getPort()), null);
      loop.register(ch, SelectionKey.OP_READ, key -> readMdns(registered));
      mdnsChannel = ch;
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.debug("mDNS unavailable: {}", e.toString());
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      mdns = null;
      return false;
    }
  }

  /** An ephemeral socket on the first configured IPv4 address; multicast leaves through its interface only. */
  private boolean openScopedMdns() {
    InetAddress v4 = null;
    for (InetAddress a : mdnsScope) {
      if (a instanceof java.net.Inet4Address) {
        v4 = a;
        break;
      }
    }
    if (v4 == null) {
      return false;
    }
    DatagramChannel ch = null;
    try {
      ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
      ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 255);
      java.net.NetworkInterface nif = java.net.NetworkInterface.getByInetAddress(v4);
      if (nif != null) {
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
      }
      ch.bind(new InetSocketAddress(v4, 0));
      ch.configureBlocking(false);
      DatagramChannel registered = ch;
      mdns = new MdnsResolver((InetSocketAddress) ch.getLocalAddress(), null);
      loop.register(ch, SelectionKey.OP_READ, key -> readMdns(registered));
      mdnsChannel = ch;
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.debug("scoped mDNS unavailable: {}", e.toString());
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      mdns = null;
      return false;
    }
  }

  private void readMdns(DatagramChannel ch) {
    if (closed) {
      return;
    }
    long now = loop.nanoTime();
    for (int i = 0; i < READ_BATCH; i++) {
      receiveBuffer.clear();
      SocketAddress from;
      try {
        from = ch.receive(receiveBuffer);
      } catch (IOException e) {
        break;
      }
      if (from == null) {
        break;
      }
      receiveBuffer.flip();
      byte[] bytes = new byte[receiveBuffer.remaining()];
      receiveBuffer.get(bytes);
      mdns.handleReceive(now, Datagram.udp((InetSocketAddress) from, (InetSocketAddress) mdnsLocal(), bytes));
    }
    pumpMdns();
    pump();
  }

  private SocketAddress mdnsLocal() {
    try {
      return mdnsChannel.getLocalAddress();
    } catch (IOException e) {
      return new InetSocketAddress(0);
    }
  }

  private void pumpMdns() {
    if (mdns == null) {
      return;
    }
    while (true) {
      Optional<Datagram> d = mdns.pollTransmit();
      if (d.isEmpty()) {
        break;
      }
      try {
        mdnsChannel.send(d.get().payload(), d.get().destination());
      } catch (IOException e) {
        LOG.debug("mDNS send to {}: {}", d.get().destination(), e.toString());
      }
    }
    long now = loop.nanoTime();
    while (true) {
      Optional<MdnsEvent> e = mdns.pollEvent();
      if (e.isEmpty()) {
        break;
      }
      List<String> asked = mdnsNames.remove(e.get().name());
      Optional<InetAddress> address = e.get() instanceof MdnsEvent.Resolved r ? Optional.of(r.address()) : Optional.empty();
      for (String n : asked == null ? List.of(e.get().name()) : asked) {
        engine.handleMdnsResolved(now, n, address);
      }
    }
  }

  private void openStream(IceEvent.TcpConnectRequested r) {
    long id = r.connectionId();
    StreamConnection.Listener listener = new StreamConnection.Listener() {
      @Override
      public void connected(StreamConnection c, InetSocketAddress local) {
        streamsByLocal.put(local, c);
        engine.handleTcpConnected(loop.nanoTime(), id, local);
        pump();
      }

      @Override
      public void failed(StreamConnection c, String reason) {
        streams.remove(id);
        engine.handleTcpFailed(loop.nanoTime(), id, reason);
        pump();
      }

      @Override
      public void closed(StreamConnection c) {
        streams.remove(id);
        if (c.local() != null) {
          streamsByLocal.remove(c.local());
        }
        engine.handleTcpClosed(loop.nanoTime(), id);
        pump();
      }

      @Override
      public void frame(StreamConnection c, Datagram d) {
        datagramsReceived++;
        engine.handleReceive(loop.nanoTime(), d);
        pump();
      }
    };
    try {
      StreamConnection c = new StreamConnection(id, r.server(), r.tls(), serverNames.apply(r.server()), tlsContext,
          listener);
      streams.put(id, c);
      c.connect(loop);
    } catch (IOException | RuntimeException e) {
      streams.remove(id);
      engine.handleTcpFailed(loop.nanoTime(), id, e.toString());
    }
  }

  private void rearm() {
    if (closed || engine == null) {
      return;
    }
    long deadline = engine.pollTimeout();
    if (mdns != null) {
      deadline = Math.min(deadline, mdns.pollTimeout());
    }
    if (deadline == timerDeadline && timer != null) {
      return;
    }
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    timerDeadline = deadline;
    if (deadline == Long.MAX_VALUE) {
      return;
    }
    timer = loop.schedule(deadline, () -> {
      timer = null;
      timerDeadline = Long.MAX_VALUE;
      if (!closed) {
        long now = loop.nanoTime();
        if (mdns != null && mdns.pollTimeout() - now <= 0) {
          mdns.handleTimeout(now);
          pumpMdns();
        }
        engine.handleTimeout(now);
        pump();
      }
    });
  }
}
