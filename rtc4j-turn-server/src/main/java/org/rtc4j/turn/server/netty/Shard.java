package org.rtc4j.turn.server.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.turn.server.TurnCounters;
import org.rtc4j.turn.server.TurnEvent;
import org.rtc4j.turn.server.TurnServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's share of the server: a single-threaded {@link TurnServerCore} and every socket
 * that feeds it: this loop's UDP listening sockets (one per listening IP with SO_REUSEPORT under
 * epoll), the TCP/TLS connections accepted onto this loop, and the relay sockets of the
 * allocations this core holds.
 *
 * <p>The I/O cycle: a read hands one datagram or framed message to the core and drains what it
 * queued (writes without flushing, relay binds and closes); one flush task per loop iteration
 * flushes every channel written to, so a burst of reads leaves in one {@code sendmmsg} per
 * socket; then the shard's single timer is moved to {@link TurnServerCore#pollTimeout()}.
 *
 * <p>Threading: every method runs on {@link #loop}; nothing here is locked.
 */
final class Shard {

  private static final Logger log = LoggerFactory.getLogger(Shard.class);

  /** Relay bind attempts per allocation before the client gets 508 (ports held by other processes). */
  static final int RELAY_BIND_ATTEMPTS = 64;
  /**
   * A port that failed to bind (another process holds it) stays marked taken this long, so the
   * next choices skip it instead of hitting it again.
   */
  static final long FOREIGN_PORT_HOLD_SECONDS = 30;

  final int index;
  final EventLoop loop;
  final TurnServerCore core;
  private final TurnCounters counters;
  private final RelayPortAllocator ports;
  /** Ports held for RESERVATION-TOKENs (EVEN-PORT R=1), by advertised address; shared by every shard. */
  private final Set<InetSocketAddress> reservations;
  private final RandomGenerator random;
  private final RelayIp relayIpv4;
  private final RelayIp relayIpv6;
  private final Bootstrap relayBootstrap4;
  private final Bootstrap relayBootstrap6;

  /** Listening and relay UDP sockets by their local address: where a UDP transmit leaves from. */
  private final Map<InetSocketAddress, Channel> udpBySource = new HashMap<>();
  /** The relay sockets among them. */
  private final Map<InetSocketAddress, Channel> relays = new HashMap<>();
  /** TCP/TLS client connections of this loop. */
  private final Map<ConnKey, Channel> streams = new HashMap<>();
  /** Allocations held per TCP/TLS connection (for the idle timeout). */
  private final Map<ConnKey, Integer> streamAllocations = new HashMap<>();
  /** Channels written since the last flush. */
  private final Set<Channel> dirty = Collections.newSetFromMap(new IdentityHashMap<>());
  private boolean flushScheduled;
  private final Runnable flushTask = this::flushDirty;

  private ScheduledFuture<?> timer;
  private long timerDeadline;
  private final Runnable timerTask = this::onTimer;

  /** Re-entrancy guard: a relay bind can complete inside {@link #drain()}. */
  private boolean draining;
  private boolean closed;

  Shard(int index, EventLoop loop, TurnServerCore core, TurnCounters counters, RelayPortAllocator ports,
      Set<InetSocketAddress> reservations, RandomGenerator random, RelayIp relayIpv4, RelayIp relayIpv6, Bootstrap relayBootstrap,
      NettyTransport transport) {
    this.index = index;
    this.loop = loop;
    this.core = core;
    this.counters = counters;
    this.ports = ports;
    this.reservations = reservations;
    this.random = random;
    this.relayIpv4 = relayIpv4;
    this.relayIpv6 = relayIpv6;
    UdpHandler handler = new UdpHandler(this);
    this.relayBootstrap4 = relayIpv4 == null ? null
        : relayBootstrap.clone(loop).channelFactory(transport.datagram(relayIpv4.local())).handler(handler);
    this.relayBootstrap6 = relayIpv6 == null ? null
        : relayBootstrap.clone(loop).channelFactory(transport.datagram(relayIpv6.local())).handler(handler);
  }

  // ---------------------------------------------------------------- channels

  void addUdpListener(Channel ch) {
    udpBySource.put((InetSocketAddress) ch.localAddress(), ch);
  }

  void addStream(ConnKey key, Channel ch) {
    streams.put(key, ch);
  }

  /** A TCP/TLS client connection closed: the core deletes its allocations. */
  void streamClosed(Transport transport, ConnKey key, Channel ch) {
    if (streams.get(key) == ch) {
      streams.remove(key);
    }
    if (closed) {
      return;
    }
    core.handleConnectionClosed(System.nanoTime(), transport, key.local(), key.remote());
    afterCore();
    streamAllocations.remove(key);
  }

  boolean hasAllocation(ConnKey key) {
    return streamAllocations.containsKey(key);
  }

  int streamCount() {
    return streams.size();
  }

  int relayCount() {
    return relays.size();
  }

  // ---------------------------------------------------------------- receive path

  /**
   * Bytes for the core. {@code content} stays owned (and released) by the caller: the core copies
   * what it keeps, and every transmit is copied into a fresh buffer before this returns.
   */
  void receive(Transport transport, InetSocketAddress from, InetSocketAddress to, ByteBuf content) {
    if (closed) {
      return;
    }
    core.handleReceive(System.nanoTime(), new Datagram(transport, from, to, content.nioBuffer()));
    afterCore();
  }

  /** Drains the core, then arranges the flush and the timer. */
  private void afterCore() {
    drain();
    if (!dirty.isEmpty() && !flushScheduled) {
      flushScheduled = true;
      // A task runs after this loop iteration's I/O: every read of the iteration is in one flush.
      loop.execute(flushTask);
    }
    rescheduleTimer();
  }

  private void drain() {
    if (draining) {
      return; // the outer drain() picks up whatever the nested call queued
    }
    draining = true;
    try {
      boolean more = true;
      while (more) {
        more = false;
        for (Optional<Datagram> d = core.pollTransmit(); d.isPresent(); d = core.pollTransmit()) {
          send(d.get());
        }
        for (Optional<TurnEvent> e = core.pollEvent(); e.isPresent(); e = core.pollEvent()) {
          onEvent(e.get());
          more = true; // an event (a synchronous bind failure) may have queued transmits
        }
      }
    } finally {
      draining = false;
    }
  }

  private void send(Datagram d) {
    Channel ch;
    if (d.transport() == Transport.UDP) {
      ch = udpBySource.get(d.source());
    } else {
      ch = streams.get(new ConnKey(d.source(), d.destination()));
    }
    if (ch == null || !ch.isActive()) {
      counters.droppedPackets.increment();
      if (log.isDebugEnabled()) {
        log.debug("shard {}: no socket for {}, dropped", index, d);
      }
      return;
    }
    if (!ch.isWritable()) {
      // Bounded buffering: a socket whose kernel buffer and outbound queue are full drops, as the
      // network would; TURN relays unreliable traffic.
      counters.droppedPackets.increment();
      return;
    }
    int len = d.payload().remaining();
    ByteBuf buf = ch.alloc().directBuffer(len, len);
    buf.writeBytes(d.payload().duplicate());
    if (d.transport() == Transport.UDP) {
      ch.write(new DatagramPacket(buf, d.destination()), ch.voidPromise());
    } else {
      ch.write(buf, ch.voidPromise());
    }
    dirty.add(ch);
  }

  private void flushDirty() {
    flushScheduled = false;
    // A copy: a flush that fails may close its channel, and nothing may touch the set meanwhile.
    Channel[] toFlush = dirty.toArray(new Channel[0]);
    dirty.clear();
    for (Channel ch : toFlush) {
      ch.flush();
    }
  }

  // ---------------------------------------------------------------- events

  private void onEvent(TurnEvent event) {
    if (event instanceof TurnEvent.RelayRequested r) {
      bindRelay(r, 1);
    } else if (event instanceof TurnEvent.RelayReleased r) {
      Channel ch = relays.remove(r.relay());
      if (ch != null) {
        udpBySource.remove(r.relay());
        ch.close();
      } else if (reservations.remove(r.relay())) {
        ports.release(r.relay().getPort()); // a RESERVATION-TOKEN nobody redeemed
      }
    } else if (event instanceof TurnEvent.AllocationCreated a) {
      if (a.fiveTuple().transport() != Transport.UDP) {
        streamAllocations.merge(new ConnKey(a.fiveTuple().server(), a.fiveTuple().client()), 1, Integer::sum);
      }
      log.debug("shard {}: allocation {} for {} on {} ({} s)", index, a.relay(), a.user(), a.fiveTuple(),
          a.lifetimeSeconds());
    } else if (event instanceof TurnEvent.AllocationDeleted a) {
      if (a.fiveTuple().transport() != Transport.UDP) {
        streamAllocations.computeIfPresent(new ConnKey(a.fiveTuple().server(), a.fiveTuple().client()),
            (k, n) -> n <= 1 ? null : n - 1);
      }
      log.debug("shard {}: allocation {} of {} deleted: {}", index, a.relay(), a.user(), a.reason());
    }
  }

  private void bindRelay(TurnEvent.RelayRequested request, int attempt) {
    RelayIp relayIp = request.family() == 2 ? relayIpv6 : relayIpv4;
    if (relayIp == null) {
      relayFailed(request, "no relay address of family " + request.family());
      return;
    }
    boolean fixed = request.requestedPort() != 0;
    int port;
    if (fixed) {
      // An Allocate quoting a RESERVATION-TOKEN: the port was held (in the shared allocator) when
      // the EVEN-PORT R=1 allocation was made, possibly by another shard; it is ours now.
      port = request.requestedPort();
      if (!reservations.remove(new InetSocketAddress(relayIp.advertised(), port))) {
        relayFailed(request, "port " + port + " is not reserved");
        return;
      }
    } else if (request.reserveNext()) {
      port = ports.reservePair(random);
    } else {
      port = ports.reserve(random, request.evenPort());
    }
    if (port < 0) {
      relayFailed(request, "no relay port free");
      return;
    }
    InetAddress ip = relayIp.local();
    Bootstrap b = relayIp == relayIpv6 ? relayBootstrap6 : relayBootstrap4;
    InetSocketAddress advertised = null;
    if (relayIp.translated()) {
      advertised = new InetSocketAddress(relayIp.advertised(), port);
      b = b.clone().handler(new UdpHandler(this, advertised));
    }
    InetSocketAddress external = advertised;
    ChannelFuture f = b.bind(new InetSocketAddress(ip, port));
    f.addListener((ChannelFuture done) -> {
      if (done.isSuccess()) {
        Channel ch = done.channel();
        ch.closeFuture().addListener(c -> ports.release(port));
        if (closed) {
          ch.close();
          if (request.reserveNext()) {
            ports.release(port + 1);
          }
          return;
        }
        InetSocketAddress local = external != null ? external : (InetSocketAddress) ch.localAddress();
        relays.put(local, ch);
        udpBySource.put(local, ch);
        if (request.reserveNext()) {
          reservations.add(new InetSocketAddress(relayIp.advertised(), port + 1));
        }
        core.handleRelayBound(System.nanoTime(), request.requestId(), local);
      } else {
        if (request.reserveNext()) {
          ports.release(port + 1);
        }
        if (closed) {
          ports.release(port);
          return;
        }
        // Another process holds it (or held it a moment ago): skip it for a while.
        loop.schedule(() -> ports.release(port), FOREIGN_PORT_HOLD_SECONDS, TimeUnit.SECONDS);
        if (!fixed && attempt < RELAY_BIND_ATTEMPTS) {
          log.debug("shard {}: relay bind {}:{} failed ({}), retrying", index, ip.getHostAddress(), port,
              done.cause().toString());
          bindRelay(request, attempt + 1);
          return;
        }
        log.warn("relay bind failed {} time(s) on {}:{} (last: {}); answering 508", attempt, ip.getHostAddress(),
            port, done.cause().toString());
        core.handleRelayFailed(System.nanoTime(), request.requestId());
      }
      afterCore();
    });
  }

  private void relayFailed(TurnEvent.RelayRequested request, String why) {
    log.debug("shard {}: relay request {} failed: {}", index, request.requestId(), why);
    core.handleRelayFailed(System.nanoTime(), request.requestId());
    afterCore();
  }

  /**
   * A relay address: the local IP relay sockets bind, and the IP the core and clients see (a
   * different, public one behind a 1:1 NAT, coturn's {@code --external-ip}).
   */
  record RelayIp(InetAddress local, InetAddress advertised) {
    boolean translated() {
      return !local.equals(advertised);
    }
  }

  // ---------------------------------------------------------------- timer

  private void rescheduleTimer() {
    long next = core.pollTimeout();
    if (next == Long.MAX_VALUE || closed) {
      return; // a pending timer finds nothing to do and is not renewed
    }
    if (timer != null) {
      if (timerDeadline <= next) {
        return;
      }
      timer.cancel(false);
    }
    timerDeadline = next;
    timer = loop.schedule(timerTask, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    timer = null;
    if (closed) {
      return;
    }
    core.handleTimeout(System.nanoTime());
    afterCore();
  }

  // ---------------------------------------------------------------- shutdown

  /** Closes every socket of this shard; returns their close futures. Runs on the loop. */
  List<ChannelFuture> closeAll() {
    // Allocations end (counters, quota ledger) before their sockets close.
    core.shutdown(System.nanoTime());
    drain();
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    List<ChannelFuture> futures = new ArrayList<>();
    for (Channel ch : new ArrayList<>(streams.values())) {
      futures.add(ch.close());
    }
    for (Channel ch : new ArrayList<>(udpBySource.values())) {
      futures.add(ch.close());
    }
    streams.clear();
    streamAllocations.clear();
    udpBySource.clear();
    relays.clear();
    dirty.clear();
    return futures;
  }
}
