package org.rtc4j.signaling;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable PeerJS-compatible signaling server: HTTP ({@code GET {path}{key}/id},
 * {@code /peers}, {@code /ice-servers}) and the WebSocket endpoint {@code {path}peerjs} on one
 * Netty port (native epoll where available).
 *
 * <pre>{@code
 * try (SignalingServer server = SignalingServer.start(SignalingConfig.builder().port(9000).build())) {
 *   // new Peer(id, {host: "…", port: 9000, path: "/", key: "peerjs"}) in a browser now works
 * }
 * }</pre>
 *
 * <p>Threading: {@code ioThreads} Netty event-loop threads (named {@code rtc4j-signaling-*})
 * do all the work; the liveness and expiry sweeps run as scheduled tasks on one of them. State
 * lives in the {@link PeerRegistry}. {@link #close()} closes every connection and the port and
 * ends every thread before it returns.
 */
public final class SignalingServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SignalingServer.class);

  private final SignalingConfig config;
  private final PeerRegistry registry;
  private final SignalingStats stats = new SignalingStats();
  private final ObjectMapper mapper = ClientMessage.newMapper();
  private final Set<PeerConnection> connections = ConcurrentHashMap.newKeySet();
  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final String transport;
  private final List<ScheduledFuture<?>> sweeps = new ArrayList<>();
  /** An expiry sweep is in flight (with Redis it completes later): the next tick skips rather than piles up. */
  private final java.util.concurrent.atomic.AtomicBoolean expiring = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closed;
  /**
   * Timers of single connections that have neither run nor been cancelled. Liveness and expiry are
   * two sweeps for all clients (a field per connection, the registry's queues), so the only
   * per-connection timer is the close linger ({@link PeerConnection}); counted so LD-6 can check
   * that none outlives its client.
   */
  private final java.util.concurrent.atomic.AtomicInteger connectionTimers = new java.util.concurrent.atomic.AtomicInteger();
  /** Per event-loop scratch of the relay path (frames are handled one at a time on a loop). */
  private final io.netty.util.concurrent.FastThreadLocal<Scratch> scratch = new io.netty.util.concurrent.FastThreadLocal<>() {
    @Override
    protected Scratch initialValue() {
      return new Scratch();
    }
  };

  /**
   * One event loop's state for the relay path, touched only on that loop: the received frame's
   * bytes and its envelope's ranges, the buffer a relayed frame is built in (both reused for every
   * frame), and the connections with frames batched in this loop iteration. Those batches are
   * written and flushed by one task that runs after the iteration's reads: one buffer, one
   * outbound entry and one write syscall per destination per iteration, however many senders
   * relayed to it (at 10,000 peers the per-frame pooled buffers, outbound entries and
   * per-destination flush tasks were a third of the CPU).
   */
  static final class Scratch implements Runnable {
    private byte[] bytes = new byte[4096];
    final int[] ranges = new int[AsciiEnvelope.RANGES];
    final AsciiEnvelope envelope = new AsciiEnvelope();
    /**
     * A relayed frame is built here and copied into its destination's batch; handed on as an
     * unreleasable view, so a registry or sink that wrongly releases it cannot break the loop.
     */
    private final io.netty.buffer.ByteBuf frameBuffer = io.netty.buffer.Unpooled.buffer(4096);
    final io.netty.buffer.ByteBuf frame = io.netty.buffer.Unpooled.unreleasableBuffer(frameBuffer);
    private ArrayList<PeerConnection> dirty = new ArrayList<>();
    private ArrayList<PeerConnection> spare = new ArrayList<>();

    /** An array of at least {@code n} bytes (grown, never shrunk: n is capped by the frame size limit). */
    byte[] bytes(int n) {
      if (bytes.length < n) {
        bytes = new byte[Math.max(n, bytes.length * 2)];
      }
      return bytes;
    }

    /** {@code c} started a batch on this loop: flush it once this iteration's reads are done. */
    void batched(PeerConnection c, io.netty.channel.EventLoop loop) {
      if (dirty.isEmpty()) {
        loop.execute(this);
      }
      dirty.add(c);
    }

    /** The flush task: writes every batch started since it was scheduled. */
    @Override
    public void run() {
      ArrayList<PeerConnection> list = dirty;
      dirty = spare; // a batch started while flushing (a listener) schedules the next run
      spare = list;
      try {
        for (int i = 0, n = list.size(); i < n; i++) {
          try {
            list.get(i).flushBatch();
          } catch (RuntimeException e) {
            log.warn("writing a batch failed for {}", list.get(i), e); // the others still go
          }
        }
      } finally {
        list.clear(); // never left non-empty: batched() schedules this task only for an empty list
      }
    }
  }

  /** The calling event loop's scratch. */
  Scratch scratch() {
    return scratch.get();
  }

  private SignalingServer(SignalingConfig config, PeerRegistry registry) throws IOException {
    this.config = config;
    this.registry = registry;
    if (registry instanceof InMemoryPeerRegistry mem) {
      config.tenants().forEach(mem::addTenant);
    }
    SslContext ssl = null;
    if (config.tls()) {
      try {
        ssl = SslContextBuilder.forServer(config.sslCert().toFile(), config.sslKey().toFile()).build();
      } catch (IOException | RuntimeException e) {
        throw new IOException("cannot load the TLS key/certificate (" + config.sslKey() + ", " + config.sslCert()
            + "): " + e.getMessage(), e);
      }
    }
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
    this.transport = epoll ? "epoll" : "nio";
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("rtc4j-signaling", true), io);
    try {
      group.next().submit(SignalingServer::warmAllocator).syncUninterruptibly(); // class initialization is global: one loop does
    } catch (RuntimeException | OutOfMemoryError e) {
      log.warn("allocator warm-up failed (the server starts anyway): {}", e.toString()); // only a start-up aid
    }
    Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    SslContext sslContext = ssl;
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(channelClass)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(config.writeBufferHighWaterMark() / 2, config.writeBufferHighWaterMark()))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            if (sslContext != null) {
              p.addLast("tls", sslContext.newHandler(ch.alloc()));
            }
            p.addLast("http-codec", new HttpServerCodec(4096, 8192, 8192));
            p.addLast("http-aggregator", new HttpObjectAggregator(16 * 1024));
            p.addLast("http", new HttpHandler(SignalingServer.this));
          }
        });
    try {
      this.serverChannel = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
    } catch (Exception e) {
      shutdownGroup();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("cannot bind signaling server to " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
    long alive = config.aliveSweepInterval().toNanos();
    long expire = config.expireSweepInterval().toNanos();
    sweeps.add(group.next().scheduleAtFixedRate(this::aliveSweep, alive, alive, TimeUnit.NANOSECONDS));
    sweeps.add(group.next().scheduleAtFixedRate(this::expireSweep, expire, expire, TimeUnit.NANOSECONDS));
    log.info("PeerJS signaling on {}://{}:{} (path {}, keys {}, {})", config.tls() ? "https" : "http",
        address().getAddress().getHostAddress(), port(), config.path(), config.tenants().stream().map(Tenant::key).toList(), transport);
  }

  /**
   * Runs the buffer allocator through the size ranges this server uses (up to the 64 KiB batch and
   * read buffers), on a loop thread, before any client comes. A slow path of Netty's adaptive
   * allocator initializes classes on first use (among them a new {@code WeakHashMap} subclass);
   * when that first use came under load, compiled relay code that relied on the old class hierarchy
   * was deoptimized at once (compile logs at 1,000 peers, ~17 s in). Here it happens before anything
   * is compiled. (Branches the allocator first takes later still deoptimize; BENCHMARKS.md.)
   */
  static void warmAllocator() {
    io.netty.buffer.ByteBufAllocator a = io.netty.buffer.ByteBufAllocator.DEFAULT;
    List<io.netty.buffer.ByteBuf> held = new ArrayList<>();
    try {
      for (int size = 64; size <= 64 * 1024; size <<= 1) {
        for (int i = 0; i < 2; i++) {
          held.add(a.ioBuffer(size));
          held.add(a.heapBuffer(size));
        }
      }
    } finally {
      held.forEach(io.netty.buffer.ByteBuf::release);
    }
  }

  /** Starts a server with an {@link InMemoryPeerRegistry}. */
  public static SignalingServer start(SignalingConfig config) throws IOException {
    return start(config, new InMemoryPeerRegistry());
  }

  /** Starts a server over {@code registry} (the server closes it on {@link #close()}). */
  public static SignalingServer start(SignalingConfig config, PeerRegistry registry) throws IOException {
    return new SignalingServer(config, registry);
  }

  /** The bound address (with the real port). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** The bound port. */
  public int port() {
    return address().getPort();
  }

  /** "epoll" or "nio". */
  public String transportName() {
    return transport;
  }

  public SignalingConfig config() {
    return config;
  }

  public PeerRegistry registry() {
    return registry;
  }

  public SignalingStats stats() {
    return stats;
  }

  /** Open WebSocket connections on this node (registered or not). */
  public int openConnections() {
    return connections.size();
  }

  /** The largest outbound backlog (bytes not yet given to the kernel) of any connection (tests). */
  long maxPendingOutboundBytes() {
    long max = 0;
    for (PeerConnection c : connections) {
      max = Math.max(max, c.pendingOutboundBytes());
    }
    return max;
  }

  /** The connection of {@code id} on this node, if any (tests). */
  java.util.Optional<PeerConnection> connectionOf(String id) {
    for (PeerConnection c : connections) {
      if (id.equals(c.id()) && c.channel() != null) {
        return java.util.Optional.of(c);
      }
    }
    return java.util.Optional.empty();
  }

  /** The event loop of the connection of {@code id} on this node, if any (tests). */
  java.util.Optional<io.netty.channel.EventLoop> loopOf(String id) {
    for (PeerConnection c : connections) {
      if (id.equals(c.id()) && c.channel() != null) {
        return java.util.Optional.of(c.channel().eventLoop());
      }
    }
    return java.util.Optional.empty();
  }

  /** Runs {@code task} on {@code ch}'s loop after {@code millis}, counted in {@link #connectionTimers()} until it runs or is cancelled. */
  ScheduledFuture<?> scheduleForConnection(Channel ch, Runnable task, long millis) {
    ScheduledFuture<?> f = ch.eventLoop().schedule(task, millis, TimeUnit.MILLISECONDS);
    connectionTimers.incrementAndGet();
    f.addListener(done -> connectionTimers.decrementAndGet()); // also when already done
    return f;
  }

  /** Per-connection timers pending (tests: 0 once every client has gone). */
  int connectionTimers() {
    return connectionTimers.get();
  }

  ObjectMapper mapper() {
    return mapper;
  }

  void opened(PeerConnection c) {
    connections.add(c);
  }

  void closedConnection(PeerConnection c) {
    connections.remove(c);
  }

  boolean isClosed() {
    return closed;
  }

  private void aliveSweep() {
    long now = System.nanoTime();
    long timeout = config.aliveTimeout().toNanos();
    for (PeerConnection c : connections) {
      try {
        c.checkAlive(now, timeout);
      } catch (RuntimeException e) {
        log.warn("liveness check failed for {}", c, e);
      }
    }
  }

  private void expireSweep() {
    if (!expiring.compareAndSet(false, true)) {
      return;
    }
    try {
      long now = System.nanoTime();
      registry.expire(now, config.expireTimeout().toNanos(), (tenant, src, dst) -> {
        // Tell the sender its message to dst will never arrive: {"type":"EXPIRE","src":dst,"dst":src}.
        String frame = ClientMessage.noticeFrame(mapper, ClientMessage.EXPIRE, dst, src);
        registry.relay(tenant, dst, src, frame, false, now).thenAccept(d -> {
          if (d == PeerRegistry.Delivery.DELIVERED) {
            stats.countExpireSent();
          }
        });
      }).whenComplete((n, e) -> {
        expiring.set(false);
        if (e != null) {
          log.warn("expiry sweep failed", e);
        } else if (n > 0) {
          stats.countDropped(SignalingStats.Drop.EXPIRED, n);
        }
      });
    } catch (RuntimeException e) {
      expiring.set(false);
      log.warn("expiry sweep failed", e);
    }
  }

  /** Closes every connection and the port, and ends every thread; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ScheduledFuture<?> f : sweeps) {
      f.cancel(false);
    }
    try {
      serverChannel.close().syncUninterruptibly();
    } catch (RuntimeException e) {
      log.debug("closing the listener failed", e);
    }
    List<ChannelFuture> closing = new ArrayList<>();
    for (PeerConnection c : connections) {
      ChannelFuture f = c.goingAway();
      if (f != null) {
        closing.add(f);
      }
    }
    // The close frames are written by the loops (each after its connection's batched frames):
    // wait for them, bounded, before the loops stop and drop what is unsent.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (ChannelFuture f : closing) {
      f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    shutdownGroup();
    registry.close();
  }

  private void shutdownGroup() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "SignalingServer[" + (closed ? "closed" : serverChannel.localAddress()) + "]";
  }
}
