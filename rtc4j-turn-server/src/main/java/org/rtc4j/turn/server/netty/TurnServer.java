package org.rtc4j.turn.server.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rtc4j.net.Transport;
import org.rtc4j.turn.server.TurnCounters;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.TurnServerCore;
import org.rtc4j.turn.server.TurnSharedState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable STUN/TURN server (RFC 8489, RFC 8656) on Netty: UDP, TCP and TLS client
 * transports, UDP relays, native epoll where available.
 *
 * <pre>{@code
 * try (TurnServer server = TurnServer.start(
 *     TurnServerConfig.builder().user("alice", "secret").build(),
 *     TurnServerOptions.builder().listeningIp(InetAddress.getLoopbackAddress()).listeningPort(0).build())) {
 *   InetSocketAddress udp = server.udpAddresses().get(0);
 *   ...
 * }
 * }</pre>
 *
 * <p>Sharding: one event loop per core, one {@link TurnServerCore} per loop (cores are
 * single-threaded and lock-free). Under epoll every loop binds its own UDP socket on each
 * listening address with SO_REUSEPORT, so the kernel hashes each client's 4-tuple to one loop,
 * always the same; TCP/TLS connections are served by the core of the loop they are accepted onto;
 * a relay socket lives on the loop of the shard that holds its allocation. Shards share only
 * {@link TurnSharedState} (quotas, nonce secret, counters).
 *
 * <p>Threading: {@link #start} and {@link #close} may be called from any thread; the accessors
 * are thread-safe. {@link #close} releases every socket, timer and thread.
 */
public final class TurnServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TurnServer.class);

  /** recvmmsg batch: datagrams read per system call on a listening socket under epoll. */
  private static final int LISTENER_READ_BATCH = 16;
  /**
   * A relay socket mostly has one datagram waiting per wakeup: a plain {@code recvmsg} (Netty's
   * {@code recvmmsg} path adds a {@code getsockopt} per call).
   */
  private static final int RELAY_READ_BATCH = 1;

  private final TurnServerConfig config;
  private final TurnServerOptions options;
  private final NettyTransport transport;
  private final MultiThreadIoEventLoopGroup group;
  private final TurnSharedState shared;
  private final RelayPortAllocator ports;
  private final Set<InetSocketAddress> reservations = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<Shard> shards = new ArrayList<>();
  private final Map<EventExecutor, Shard> shardByLoop = new IdentityHashMap<>();
  private final List<Channel> serverChannels = Collections.synchronizedList(new ArrayList<>());
  private final List<InetSocketAddress> udpAddresses = new ArrayList<>();
  private final List<InetSocketAddress> tcpAddresses = new ArrayList<>();
  private final List<InetSocketAddress> tlsAddresses = new ArrayList<>();
  private final List<InetAddress> relayIps;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TurnServer(TurnServerConfig config, TurnServerOptions options, List<InetAddress> relayIps) {
    this.options = options;
    this.relayIps = List.copyOf(relayIps);
    List<InetAddress> own = new ArrayList<>(relayIps);
    relayIps.forEach(a -> own.add(options.advertisedAddress(a)));
    this.config = ServerAddresses.withServerAddresses(config, ServerAddresses.of(options.listeningIps(), own));
    this.transport = NettyTransport.select(options.preferNative());
    this.group = new MultiThreadIoEventLoopGroup(options.eventLoops(),
        new DefaultThreadFactory("rtc4j-turn", false), transport.ioHandlerFactory());
    this.shared = new TurnSharedState(this.config, new SecureRandom());
    this.ports = new RelayPortAllocator(options.minPort(), options.maxPort());
  }

  /**
   * Starts a server: binds every listener, then returns.
   *
   * @param config the protocol configuration (realm, users, REST secret, peer policy, quotas);
   *     the driver adds its listening and relay addresses to the peer policy's denied server
   *     addresses
   * @param options where to listen and relay
   * @throws IOException when a listener cannot be bound or the TLS files cannot be read; nothing
   *     stays open then
   */
  public static TurnServer start(TurnServerConfig config, TurnServerOptions options) throws IOException {
    List<InetAddress> relayIps = resolveRelayIps(options);
    TurnServer server = new TurnServer(config, options, relayIps);
    try {
      server.bindAll();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bindAll() throws IOException {
    Shard.RelayIp relay4 = relayIps.stream().filter(a -> a instanceof Inet4Address).findFirst()
        .map(a -> new Shard.RelayIp(a, options.advertisedAddress(a))).orElse(null);
    Shard.RelayIp relay6 = relayIps.stream().filter(a -> a instanceof Inet6Address).findFirst()
        .map(a -> new Shard.RelayIp(a, options.advertisedAddress(a))).orElse(null);
    Bootstrap relayBootstrap = new Bootstrap()
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20));
    datagramOptions(relayBootstrap, options.relaySocketBufferBytes(), RELAY_READ_BATCH, 1);

    int i = 0;
    for (EventExecutor executor : group) {
      EventLoop loop = (EventLoop) executor;
      TurnServerCore core = new TurnServerCore(config, shared, new SecureRandom());
      Shard shard = new Shard(i++, loop, core, shared.counters(), ports, reservations, new SecureRandom(), relay4,
          relay6,
          relayBootstrap, transport);
      shards.add(shard);
      shardByLoop.put(loop, shard);
    }

    if (options.udp()) {
      for (InetAddress ip : options.listeningIps()) {
        bindUdp(ip);
      }
    }
    if (options.tcp()) {
      for (InetAddress ip : options.listeningIps()) {
        tcpAddresses.add(bindStream(new InetSocketAddress(ip, options.listeningPort()), Transport.TCP, null));
      }
    }
    if (options.tls()) {
      SslContext ssl;
      try {
        ssl = SslContextBuilder.forServer(options.certFile().orElseThrow().toFile(),
            options.keyFile().orElseThrow().toFile()).build();
      } catch (IOException | RuntimeException e) {
        throw new IOException("cannot load TLS certificate " + options.certFile().orElseThrow() + " / key "
            + options.keyFile().orElseThrow() + ": " + e.getMessage() + " (the key must be unencrypted PKCS#8, "
            + "'BEGIN PRIVATE KEY'; convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem)", e);
      }
      for (InetAddress ip : options.listeningIps()) {
        tlsAddresses.add(bindStream(new InetSocketAddress(ip, options.tlsListeningPort()), Transport.TLS, ssl));
      }
    }
    log.info("STUN/TURN server up: {} shard(s) on {}{}, relay {} ports {}-{}", shards.size(), transport.name(),
        transport.epoll() ? "" : " (epoll unavailable: " + NettyTransport.epollUnavailableReason() + ")",
        relayIps.stream().map(a -> a.getHostAddress() + (options.advertisedAddress(a).equals(a) ? ""
            : " advertised as " + options.advertisedAddress(a).getHostAddress())).toList(),
        options.minPort(), options.maxPort());
  }

  /**
   * Receive settings. Under epoll one read is one {@code recvmmsg} of up to {@code readBatch}
   * datagrams, and a socket gets {@code readsPerWakeup} reads per loop iteration: epoll is
   * level-triggered, so what is left is read on the next iteration, and a socket that received
   * one datagram costs one system call instead of a second one that finds nothing (measured:
   * 4 reads per wakeup added ~20% failed {@code recvmmsg} calls at 5,000 packets/s).
   */
  private void datagramOptions(Bootstrap b, int bufferBytes, int readBatch, int readsPerWakeup) {
    int max = options.maxDatagramSize();
    if (bufferBytes > 0) {
      b.option(ChannelOption.SO_RCVBUF, bufferBytes).option(ChannelOption.SO_SNDBUF, bufferBytes);
    }
    if (transport.epoll()) {
      b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, max)
          .option(ChannelOption.RECVBUF_ALLOCATOR,
              new FixedRecvByteBufAllocator(max * readBatch).maxMessagesPerRead(readsPerWakeup));
    } else {
      b.option(ChannelOption.RECVBUF_ALLOCATOR,
          new FixedRecvByteBufAllocator(max).maxMessagesPerRead(readBatch * readsPerWakeup));
    }
  }

  private void bindUdp(InetAddress ip) throws IOException {
    int port = options.listeningPort();
    List<Shard> listeners = transport.epoll() ? shards : shards.subList(0, 1);
    InetSocketAddress bound = null;
    for (Shard shard : listeners) {
      Bootstrap b = new Bootstrap()
          .group(shard.loop)
          .channelFactory(transport.datagram(ip))
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
          .handler(new UdpHandler(shard));
      datagramOptions(b, options.socketBufferBytes(), LISTENER_READ_BATCH, 1);
      if (transport.epoll()) {
        b.option(EpollChannelOption.SO_REUSEPORT, true);
      }
      InetSocketAddress at = new InetSocketAddress(ip, bound == null ? port : bound.getPort());
      Channel ch = await(b.bind(at), "UDP", at);
      serverChannels.add(ch);
      shard.loop.submit(() -> shard.addUdpListener(ch)).syncUninterruptibly();
      if (bound == null) {
        bound = (InetSocketAddress) ch.localAddress();
        checkBuffer(ch);
      }
    }
    udpAddresses.add(bound);
    log.info("listening on udp {} ({} socket(s){})", hostPort(bound), listeners.size(),
        transport.epoll() ? ", SO_REUSEPORT" : "");
  }

  /** Linux silently caps SO_RCVBUF at net.core.rmem_max (and reports twice the value it keeps). */
  private void checkBuffer(Channel ch) {
    int wanted = options.socketBufferBytes();
    if (wanted <= 0) {
      return;
    }
    int got = ((io.netty.channel.socket.DatagramChannel) ch).config().getReceiveBufferSize();
    if (got > 0 && got < wanted) {
      log.warn("UDP receive buffer is {} KiB, not the {} KiB asked for: bursts may be dropped; raise the limit with "
          + "'sysctl -w net.core.rmem_max={} net.core.wmem_max={}'", got / 1024, wanted / 1024, wanted, wanted);
    }
  }

  private InetSocketAddress bindStream(InetSocketAddress at, Transport kind, SslContext ssl) throws IOException {
    ServerBootstrap b = new ServerBootstrap()
        .group(group, group)
        .channelFactory(transport.server(at.getAddress()))
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Shard shard = shardByLoop.get(ch.eventLoop());
            TurnCounters counters = shared.counters();
            if (ssl != null) {
              ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast("framer", new StunStreamFramer(counters.malformed::increment));
            int idle = options.streamIdleSeconds();
            ch.pipeline().addLast("turn", new StreamHandler(shard, kind, idle, config.maxLifetimeSeconds() + idle));
          }
        });
    Channel ch = await(b.bind(at), kind.name(), at);
    serverChannels.add(ch);
    InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
    log.info("listening on {} {}", kind.name().toLowerCase(java.util.Locale.ROOT), hostPort(bound));
    return bound;
  }

  private static Channel await(ChannelFuture f, String what, InetSocketAddress at) throws IOException {
    f.awaitUninterruptibly();
    if (!f.isSuccess()) {
      Throwable c = f.cause();
      throw new IOException("cannot bind " + what + " " + hostPort(at) + ": " + (c == null ? "?" : c.getMessage()), c);
    }
    return f.channel();
  }

  static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  // ------------------------------------------------------------------ relay addresses

  /**
   * The relay IPs to use, at most one per family: the configured ones; otherwise the first
   * concrete listening IP of each family; for a wildcard listening IP, the machine's first
   * address of that family (global before private before loopback; IPv6 only if global or ULA).
   */
  static List<InetAddress> resolveRelayIps(TurnServerOptions options) {
    InetAddress v4 = null;
    InetAddress v6 = null;
    List<InetAddress> candidates = options.relayIps().isEmpty() ? options.listeningIps() : options.relayIps();
    boolean wildcard4 = false;
    boolean wildcard6 = false;
    for (InetAddress a : candidates) {
      if (a.isAnyLocalAddress()) {
        if (a instanceof Inet6Address) {
          wildcard6 = true;
          wildcard4 = true; // a dual-stack :: socket receives IPv4 too
        } else {
          wildcard4 = true;
        }
      } else if (a instanceof Inet4Address) {
        v4 = v4 == null ? a : v4;
      } else {
        v6 = v6 == null ? a : v6;
      }
    }
    if (v4 == null && wildcard4) {
      v4 = ServerAddresses.detectLocal(false);
    }
    if (v6 == null && wildcard6) {
      v6 = ServerAddresses.detectLocal(true);
    }
    List<InetAddress> out = new ArrayList<>();
    if (v4 != null) {
      out.add(v4);
    }
    if (v6 != null) {
      out.add(v6);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no relay address: give --relay-ip");
    }
    return out;
  }

  // ------------------------------------------------------------------ accessors

  /** Bound UDP listening addresses, one per listening IP (the real port when 0 was asked). */
  public List<InetSocketAddress> udpAddresses() {
    return List.copyOf(udpAddresses);
  }

  /** Bound TCP listening addresses. */
  public List<InetSocketAddress> tcpAddresses() {
    return List.copyOf(tcpAddresses);
  }

  /** Bound TLS listening addresses (empty without a certificate). */
  public List<InetSocketAddress> tlsAddresses() {
    return List.copyOf(tlsAddresses);
  }

  /** The addresses relay sockets bind to (one per family). */
  public List<InetAddress> relayIps() {
    return relayIps;
  }

  /** The relay addresses as clients and peers see them ({@link #relayIps()} behind {@code --external-ip}). */
  public List<InetAddress> advertisedRelayIps() {
    return relayIps.stream().map(options::advertisedAddress).toList();
  }

  /**
   * Relay ports held now: sockets bound or being bound, plus ports that another process was found
   * holding (skipped for 30 s).
   */
  public int relayPortsInUse() {
    return ports.inUse();
  }

  /** The effective configuration (with the server's own addresses in the peer policy). */
  public TurnServerConfig config() {
    return config;
  }

  public TurnServerOptions options() {
    return options;
  }

  /** Counters of every shard. */
  public TurnCounters counters() {
    return shared.counters();
  }

  /** Quota ledger and counters shared by the shards. */
  public TurnSharedState sharedState() {
    return shared;
  }

  /** Number of shards (event loops). */
  public int shardCount() {
    return shards.size();
  }

  /** "epoll" or "nio". */
  public String transportName() {
    return transport.name();
  }

  /** TCP and TLS client connections open now (sampled from the loops; for metrics and tests). */
  public int streamConnections() {
    int n = 0;
    for (Shard s : shards) {
      if (s.loop.inEventLoop()) {
        n += s.streamCount();
      } else if (!s.loop.isShuttingDown()) {
        n += s.loop.submit(s::streamCount).syncUninterruptibly().getNow();
      }
    }
    return n;
  }

  /**
   * Closes every socket, stops every event loop thread and timer; idempotent. Blocks until done, so
   * it must not be called from one of the server's own event loops.
   */
  @Override
  public void close() {
    for (Shard s : shards) {
      if (s.loop.inEventLoop()) {
        throw new IllegalStateException("TurnServer.close() called from its own event loop " + Thread.currentThread());
      }
    }
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<Future<?>> closing = new ArrayList<>();
    synchronized (serverChannels) {
      for (Channel ch : serverChannels) {
        if (ch.isOpen()) {
          closing.add(ch.close());
        }
      }
    }
    for (Shard s : shards) {
      if (!s.loop.isShuttingDown()) {
        s.loop.submit(() -> s.closeAll().forEach(closing::add)).awaitUninterruptibly();
      }
    }
    for (Future<?> f : List.copyOf(closing)) {
      f.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    log.info("STUN/TURN server stopped");
  }

  // ------------------------------------------------------------------ helpers for ServerAddresses

  /** Addresses of the machine's up interfaces (for the peer policy when listening on a wildcard). */
  static Set<InetAddress> interfaceAddresses() {
    Set<InetAddress> out = new LinkedHashSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nif.isUp()) {
          out.addAll(Collections.list(nif.getInetAddresses()));
        }
      }
    } catch (SocketException e) {
      log.debug("cannot list network interfaces: {}", e.toString());
    }
    return out;
  }
}
