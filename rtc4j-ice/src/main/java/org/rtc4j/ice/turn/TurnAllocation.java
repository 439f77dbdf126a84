package org.rtc4j.ice.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.AlternateServer;
import org.rtc4j.stun.ChannelData;
import org.rtc4j.stun.ChannelNumber;
import org.rtc4j.stun.Data;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.IntegrityCalculator;
import org.rtc4j.stun.Lifetime;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.PasswordAlgorithm;
import org.rtc4j.stun.PasswordAlgorithms;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.Software;
import org.rtc4j.stun.StunAttribute;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.Username;
import org.rtc4j.stun.XorMappedAddress;
import org.rtc4j.stun.XorPeerAddress;
import org.rtc4j.stun.XorRelayedAddress;
import org.rtc4j.stun.transaction.StunClientTransaction;
import org.rtc4j.stun.transaction.StunTimers;
import org.rtc4j.stun.transaction.StunTransactionEvent;

/**
 * The client side of one TURN allocation (RFC 8656) as a sans-IO core: one per (TURN server,
 * local socket). It allocates a UDP relay (REQUESTED-TRANSPORT 17) over UDP, TCP or TLS to the
 * server, authenticates with long-term credentials (RFC 8489 §9.2), keeps the allocation,
 * permissions and channels alive, and carries application data to and from peers.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>{@link #start}: Allocate without credentials; the 401 gives REALM and NONCE, and the
 *       Allocate is repeated with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (MD5 key); when the
 *       401 offers PASSWORD-ALGORITHMS, SHA-256 is chosen if offered and the requests carry
 *       PASSWORD-ALGORITHMS, PASSWORD-ALGORITHM and MESSAGE-INTEGRITY-SHA256 (RFC 8489 §9.2.3).
 *       438 Stale Nonce on any request: the request is repeated with the new nonce (at most 3
 *       times in a row). 300 is reported, not followed. Any other error, or no answer:
 *       {@link TurnClientEvent.AllocationFailed}.</li>
 *   <li>Requests are retransmitted per RFC 8489 §6.2.1 over UDP and sent once over TCP/TLS
 *       ({@link StunClientTransaction}). Success responses to authenticated requests must carry
 *       valid integrity, else they are dropped.</li>
 *   <li>The allocation is refreshed at lifetime − 60 s (half the lifetime when that is 2 min or
 *       less). A Refresh that fails loses the allocation: {@link TurnClientEvent.AllocationFailed}.</li>
 *   <li>{@link #createPermission}: one permission per peer IP (RFC 8656 §9); permissions asked
 *       for in one burst go out in one CreatePermission with several XOR-PEER-ADDRESS (when the
 *       server refuses such a batch, each peer is asked for again on its own, so one forbidden
 *       peer does not fail the others); each is
 *       refreshed every 4 minutes while it was used (sent to, or asked for) in the last 5.</li>
 *   <li>{@link #send}: Send indication (RFC 8656 §11) until a channel is bound; the first send
 *       to a peer transport address binds a channel (0x4000-0x4FFF, §12), refreshed after 9
 *       minutes while used; then ChannelData both ways, padded to 4 bytes on TCP/TLS. Data sent
 *       before the peer's permission is installed waits (at most 32 datagrams per peer).</li>
 *   <li>{@link #close}: Refresh with LIFETIME 0, then {@link TurnClientEvent.Closed}.</li>
 * </ul>
 *
 * <h2>Datagrams</h2>
 * Transmits go from {@link TurnClientConfig#local()} to {@link TurnClientConfig#server()} with
 * the configured transport; for TCP/TLS each is one whole STUN message or padded ChannelData
 * frame. Received datagrams must come from the server (checked over UDP); for TCP/TLS each is one
 * whole frame. Responses to requests this core did not send (e.g. the ICE agent's own Binding
 * to the same server) are dropped and counted: see {@link #expectsTransaction}.
 *
 * <h2>Copies</h2>
 * An application payload is copied once on the way out (into the Send indication or ChannelData
 * frame) and once on the way in (into {@link TurnClientEvent.PeerData}, which the receiver owns).
 *
 * <p>Malformed or unexpected input never throws: it is dropped and counted in {@link #stats()}.
 * Not thread-safe: one loop thread calls every method.
 */
public final class TurnAllocation {

  /** Lifecycle of the allocation. */
  public enum State { NEW, ALLOCATING, ALLOCATED, CLOSING, CLOSED, FAILED }

  private static final long SECOND = 1_000_000_000L;
  /** Refresh this long before the allocation expires (RFC 8656 §8 leaves the margin to us). */
  private static final long REFRESH_MARGIN = 60 * SECOND;
  /** Permission refresh period: permissions live 300 s (RFC 8656 §9). */
  private static final long PERMISSION_REFRESH = 240 * SECOND;
  /** Channel refresh: channels live 600 s (RFC 8656 §12). */
  private static final long CHANNEL_REFRESH = 540 * SECOND;
  private static final long CHANNEL_LIFETIME = 600 * SECOND;
  private static final int MAX_STALE_RETRIES = 3;
  private static final int MAX_QUEUED_PER_PEER = 32;
  private static final int PROTOCOL_UDP = 17;
  /** Deallocation does not need 39.5 s of retransmissions: sends at 0, 0.5, 1.5 s, gives up at 3.5 s. */
  private static final StunTimers CLOSE_TIMERS = new StunTimers(500_000_000L, 3, 4, 5 * SECOND);

  private enum Kind { ALLOCATE, REFRESH, PERMISSION, CHANNEL_BIND, DEALLOCATE }

  /** An outstanding request: enough to repeat it with a new nonce. */
  private static final class Request {
    final Kind kind;
    final int method;
    final List<StunAttribute> attributes;
    final List<InetAddress> permissionPeers;
    final Channel channel;
    final StunClientTransaction tx;
    final boolean authenticated;
    final int staleRetries;

    Request(Kind kind, int method, List<StunAttribute> attributes, List<InetAddress> permissionPeers,
        Channel channel, StunClientTransaction tx, boolean authenticated, int staleRetries) {
      this.kind = kind;
      this.method = method;
      this.attributes = attributes;
      this.permissionPeers = permissionPeers;
      this.channel = channel;
      this.tx = tx;
      this.authenticated = authenticated;
      this.staleRetries = staleRetries;
    }
  }

  private enum PermState { PENDING, INSTALLED }

  private static final class Permission {
    final InetAddress peer;
    PermState state = PermState.PENDING;
    boolean inFlight;
    long refreshAt = Long.MAX_VALUE;
    /** Sent to, received from or asked for since the last (re)install: refresh it, else let it lapse. */
    boolean used;
    final ArrayDeque<ByteBuffer> queued = new ArrayDeque<>(2);

    Permission(InetAddress peer) {
      this.peer = peer;
    }
  }

  private static final class Channel {
    final int number;
    final InetSocketAddress peer;
    boolean bound;
    boolean inFlight;
    boolean failed;
    long refreshAt = Long.MAX_VALUE;
    long expiresAt = Long.MAX_VALUE;
    /** Used since the last (re)bind. */
    boolean used;

    Channel(int number, InetSocketAddress peer) {
      this.number = number;
      this.peer = peer;
    }
  }

  private final TurnClientConfig cfg;
  private final RandomGenerator random;
  private final boolean reliable;
  private final IntegrityCalculator calc = new IntegrityCalculator();
  private final ArrayDeque<Datagram> transmits = new ArrayDeque<>();
  private final ArrayDeque<TurnClientEvent> events = new ArrayDeque<>();
  private final Map<TransactionId, Request> requests = new HashMap<>();
  private final Map<InetAddress, Permission> permissions = new LinkedHashMap<>();
  private final LinkedHashSet<InetAddress> permissionBatch = new LinkedHashSet<>();
  private final Map<InetSocketAddress, Channel> channelsByPeer = new HashMap<>();
  private final Map<Integer, Channel> channelsByNumber = new HashMap<>();
  private final Stats stats = new Stats();

  private State state = State.NEW;
  private long lastNow;
  private String realm;
  private String nonce;
  private byte[] key;
  private PasswordAlgorithms offeredAlgorithms;
  private int passwordAlgorithm;
  private InetSocketAddress relayed;
  private InetSocketAddress mapped;
  private InetSocketAddress alternateServer;
  private long lifetimeSeconds;
  private long refreshAt = Long.MAX_VALUE;
  private int nextChannel = ChannelData.MIN_CHANNEL;

  /** A client for the allocation {@code cfg} describes; {@code random} makes transaction ids. */
  public TurnAllocation(TurnClientConfig cfg, RandomGenerator random) {
    this.cfg = Objects.requireNonNull(cfg, "cfg");
    this.random = Objects.requireNonNull(random, "random");
    this.reliable = cfg.transport().reliable();
  }

  // ------------------------------------------------------------------------------------------ API

  /** Sends the first Allocate. Called once. */
  public void start(long nowNanos) {
    lastNow = nowNanos;
    if (state != State.NEW) {
      throw new IllegalStateException("start() called in state " + state);
    }
    state = State.ALLOCATING;
    sendRequest(nowNanos, Kind.ALLOCATE, StunMethod.ALLOCATE, allocateAttributes(), null, null, 0);
  }

  /**
   * Asks for a permission for {@code peer} (any port), or marks an existing one as in use. Sent
   * at the next {@link #pollTransmit()} together with others asked for meanwhile.
   */
  public void createPermission(long nowNanos, InetAddress peer) {
    lastNow = nowNanos;
    Objects.requireNonNull(peer, "peer");
    if (state == State.CLOSING || state == State.CLOSED || state == State.FAILED) {
      return;
    }
    Permission p = permissions.get(peer);
    if (p == null) {
      p = new Permission(peer);
      permissions.put(peer, p);
      if (state == State.ALLOCATED) {
        permissionBatch.add(peer);
      } // else: requested when the allocation succeeds
    } else {
      p.used = true;
    }
  }

  /**
   * Sends {@code data} (position..limit, not modified) to {@code peer} through the relay: a Send
   * indication, or ChannelData once a channel is bound. Creates the permission if needed. Dropped
   * and counted when the allocation is not (yet) usable.
   */
  public void send(long nowNanos, InetSocketAddress peer, ByteBuffer data) {
    lastNow = nowNanos;
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(data, "data");
    if (state != State.ALLOCATED || data.remaining() > 0xFFFF - 64) {
      stats.sendDropped++;
      return;
    }
    createPermission(nowNanos, peer.getAddress());
    Permission perm = permissions.get(peer.getAddress());
    Channel ch = channelsByPeer.get(peer);
    if (ch == null && cfg.useChannels() && nextChannel <= ChannelData.MAX_CHANNEL) {
      ch = new Channel(nextChannel++, peer);
      channelsByPeer.put(peer, ch);
      channelsByNumber.put(ch.number, ch);
      bindChannel(nowNanos, ch);
    }
    if (ch != null) {
      ch.used = true;
    }
    ByteBuffer frame;
    if (ch != null && ch.bound) {
      frame = ByteBuffer.allocate(ChannelData.HEADER_LENGTH + ((data.remaining() + 3) & ~3));
      ChannelData.writeHeader(frame, ch.number, data.remaining());
      frame.put(data.duplicate());
      int end = reliable ? frame.capacity() : frame.position();
      frame.position(0).limit(end);
      stats.channelDataSent++;
    } else {
      StunMessage.Builder b = StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, TransactionId.random(random))
          .add(new XorPeerAddress(peer)).add(new Data(data.duplicate()));
      frame = ByteBuffer.wrap(b.encode());
      stats.sendIndicationsSent++;
    }
    stats.peerPacketsSent++;
    stats.peerBytesSent += data.remaining();
    if (perm.state == PermState.INSTALLED || (ch != null && ch.bound)) {
      transmits.add(datagram(frame));
    } else if (perm.queued.size() < MAX_QUEUED_PER_PEER) {
      perm.queued.add(frame);
    } else {
      stats.sendDropped++;
    }
  }

  /** Deallocates: Refresh with LIFETIME 0; {@link TurnClientEvent.Closed} follows. */
  public void close(long nowNanos) {
    lastNow = nowNanos;
    switch (state) {
      case CLOSING, CLOSED -> {
        return;
      }
      case ALLOCATED -> {
        cancelAll();
        state = State.CLOSING;
        sendRequest(nowNanos, Kind.DEALLOCATE, StunMethod.REFRESH, List.of(new Lifetime(0)), null, null, 0);
      }
      default -> {
        cancelAll();
        state = State.CLOSED;
        events.add(new TurnClientEvent.Closed());
      }
    }
  }

  /**
   * The TCP/TLS connection to the server closed or failed (the server deletes the allocation with
   * it, RFC 8656 §3.1): {@link TurnClientEvent.Closed} while closing, else
   * {@link TurnClientEvent.AllocationFailed} with {@link TurnClientEvent.AllocationFailed#NO_RESPONSE}.
   * Nothing happens for UDP or after the end.
   */
  public void handleConnectionClosed(long nowNanos) {
    lastNow = nowNanos;
    if (!reliable || state == State.CLOSED || state == State.FAILED) {
      return;
    }
    if (state == State.CLOSING) {
      closed();
    } else if (state == State.NEW) {
      state = State.FAILED;
      events.add(new TurnClientEvent.AllocationFailed(TurnClientEvent.AllocationFailed.NO_RESPONSE,
          "connection to " + cfg.server() + " closed"));
    } else {
      fail(TurnClientEvent.AllocationFailed.NO_RESPONSE, "connection to " + cfg.server() + " closed");
    }
  }

  /** The relayed transport address once allocated. */
  public Optional<InetSocketAddress> relayedAddress() {
    return state == State.ALLOCATED ? Optional.ofNullable(relayed) : Optional.empty();
  }

  /** The client's server-reflexive address as the server saw it, once allocated. */
  public Optional<InetSocketAddress> mappedAddress() {
    return Optional.ofNullable(mapped);
  }

  /** The ALTERNATE-SERVER of a 300 response, if one came. */
  public Optional<InetSocketAddress> alternateServer() {
    return Optional.ofNullable(alternateServer);
  }

  /** The granted lifetime in seconds (0 before allocation). */
  public long lifetimeSeconds() {
    return lifetimeSeconds;
  }

  /** The state. */
  public State state() {
    return state;
  }

  /** The configuration. */
  public TurnClientConfig config() {
    return cfg;
  }

  /** Whether a permission for {@code peer} is installed. */
  public boolean hasPermission(InetAddress peer) {
    Permission p = permissions.get(peer);
    return p != null && p.state == PermState.INSTALLED;
  }

  /** The channel number bound to {@code peer}, if one is bound. */
  public Optional<Integer> channel(InetSocketAddress peer) {
    Channel c = channelsByPeer.get(peer);
    return c != null && c.bound ? Optional.of(c.number) : Optional.empty();
  }

  /**
   * Whether {@code id} is one of this core's outstanding requests: lets a demultiplexer that shares
   * the socket with other STUN users (the ICE agent's own Binding requests) route responses.
   */
  public boolean expectsTransaction(TransactionId id) {
    return requests.containsKey(id);
  }

  /** Whether {@code in} plausibly belongs to this allocation (same local socket and server). */
  public boolean matches(Datagram in) {
    return in.transport() == cfg.transport() && in.source().equals(cfg.server())
        && (reliable || in.destination().equals(cfg.local()));
  }

  /** Counters. */
  public TurnClientStats stats() {
    return stats.snapshot();
  }

  // ------------------------------------------------------------------------------- sans-IO surface

  /** A datagram (UDP) or framed message (TCP/TLS) from the server. */
  public void handleReceive(long nowNanos, Datagram in) {
    lastNow = nowNanos;
    try {
      receive(nowNanos, in);
    } catch (RuntimeException e) {
      // Never let remote bytes throw out of the core; the fuzz test asserts this stays 0.
      stats.internalErrors++;
    }
  }

  /** Retransmissions, refreshes and their timeouts due at or before {@code nowNanos}. */
  public void handleTimeout(long nowNanos) {
    lastNow = nowNanos;
    for (Request r : List.copyOf(requests.values())) {
      if (r.tx.pollTimeout() <= nowNanos) {
        r.tx.handleTimeout(nowNanos);
        drain(nowNanos, r);
      }
    }
    if (state != State.ALLOCATED) {
      return;
    }
    if (refreshAt <= nowNanos) {
      refreshAt = Long.MAX_VALUE;
      sendRequest(nowNanos, Kind.REFRESH, StunMethod.REFRESH, List.of(new Lifetime(cfg.lifetime().getSeconds())),
          null, null, 0);
    }
    for (Iterator<Permission> it = permissions.values().iterator(); it.hasNext(); ) {
      Permission p = it.next();
      if (p.state == PermState.INSTALLED && p.refreshAt <= nowNanos) {
        p.refreshAt = Long.MAX_VALUE;
        if (p.used) {
          p.used = false;
          permissionBatch.add(p.peer);
        } else {
          it.remove(); // unused: let it lapse at the server
          permissionBatch.remove(p.peer);
        }
      }
    }
    for (Iterator<Channel> it = channelsByPeer.values().iterator(); it.hasNext(); ) {
      Channel c = it.next();
      if (c.bound && c.expiresAt <= nowNanos) {
        // Lapsed (refresh failed or unused): back to Send indications; the number is not reused.
        it.remove();
        channelsByNumber.remove(c.number);
      } else if (c.bound && !c.inFlight && c.refreshAt <= nowNanos) {
        c.refreshAt = Long.MAX_VALUE;
        if (c.used) {
          c.used = false;
          bindChannel(nowNanos, c);
        }
      }
    }
    flushPermissions(nowNanos);
  }

  /** The next datagram for the server, if any (sends batched CreatePermission requests first). */
  public Optional<Datagram> pollTransmit() {
    flushPermissions(lastNow);
    return Optional.ofNullable(transmits.poll());
  }

  /** The next event, if any. */
  public Optional<TurnClientEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} is due next; {@link Long#MAX_VALUE} when nothing is scheduled. */
  public long pollTimeout() {
    long t = Long.MAX_VALUE;
    for (Request r : requests.values()) {
      t = Math.min(t, r.tx.pollTimeout());
    }
    if (state != State.ALLOCATED) {
      return t;
    }
    if (!permissionBatch.isEmpty()) {
      t = Math.min(t, lastNow);
    }
    t = Math.min(t, refreshAt);
    for (Permission p : permissions.values()) {
      t = Math.min(t, p.refreshAt);
    }
    for (Channel c : channelsByPeer.values()) {
      if (c.bound) {
        t = Math.min(t, c.inFlight ? c.expiresAt : Math.min(c.refreshAt, c.expiresAt));
      }
    }
    return t;
  }

  // -------------------------------------------------------------------------------- receive path

  private void receive(long now, Datagram in) {
    if (state == State.NEW || state == State.CLOSED || state == State.FAILED) {
      stats.dropped++;
      return;
    }
    if (!reliable && !in.source().equals(cfg.server())) {
      stats.dropped++;
      return;
    }
    ByteBuffer p = in.payload().duplicate();
    if (p.remaining() < 4) {
      stats.malformed++;
      return;
    }
    int first = p.get(p.position()) & 0xFF;
    if (first >= 0x40 && first <= 0x4F) {
      channelData(p);
      return;
    }
    if (first > 3) {
      stats.malformed++;
      return;
    }
    StunMessage m;
    try {
      m = StunMessage.parseDatagram(p);
    } catch (StunParseException e) {
      stats.malformed++;
      return;
    }
    if (m.stunClass() == StunClass.INDICATION && m.method() == StunMethod.DATA) {
      dataIndication(m);
    } else if (m.stunClass().isResponse()) {
      Request r = requests.get(m.transactionId());
      if (r == null) {
        stats.unknownTransaction++;
        return;
      }
      // Hand over a private copy: the transaction's events outlive the driver's buffer.
      StunMessage copy;
      try {
        copy = StunMessage.parse(in.bytes());
      } catch (StunParseException e) {
        stats.malformed++;
        return;
      }
      if (!r.tx.handleResponse(now, copy, in.source())) {
        stats.dropped++;
        return;
      }
      drain(now, r);
    } else {
      stats.dropped++;
    }
  }

  private void channelData(ByteBuffer p) {
    ChannelData cd;
    try {
      cd = ChannelData.parse(p, reliable);
    } catch (StunParseException e) {
      stats.malformed++;
      return;
    }
    Channel ch = channelsByNumber.get(cd.channelNumber());
    if (ch == null || !ch.bound) {
      stats.dropped++;
      return;
    }
    deliver(ch.peer, cd.data());
  }

  private void dataIndication(StunMessage m) {
    Optional<XorPeerAddress> peer = m.attribute(XorPeerAddress.class);
    Optional<Data> data = m.attribute(Data.class);
    if (peer.isEmpty() || data.isEmpty()) {
      stats.malformed++;
      return;
    }
    deliver(peer.get().address(), data.get().value());
  }

  private void deliver(InetSocketAddress peer, ByteBuffer view) {
    if (state != State.ALLOCATED) {
      stats.dropped++;
      return;
    }
    Permission perm = permissions.get(peer.getAddress());
    if (perm != null) {
      perm.used = true;
    }
    Channel ch = channelsByPeer.get(peer);
    if (ch != null) {
      ch.used = true;
    }
    ByteBuffer copy = ByteBuffer.allocate(view.remaining());
    copy.put(view).flip();
    stats.peerPacketsReceived++;
    stats.peerBytesReceived += copy.remaining();
    events.add(new TurnClientEvent.PeerData(peer, copy));
  }

  // -------------------------------------------------------------------------------- transactions

  private void drain(long now, Request r) {
    for (Optional<Datagram> d; (d = r.tx.pollTransmit()).isPresent(); ) {
      transmits.add(d.get());
      stats.requestsSent++;
    }
    Optional<StunTransactionEvent> e = r.tx.pollEvent();
    if (e.isEmpty()) {
      return;
    }
    requests.remove(r.tx.transactionId());
    StunTransactionEvent ev = e.get();
    if (ev instanceof StunTransactionEvent.Success s) {
      onSuccess(now, r, s.response());
    } else if (ev instanceof StunTransactionEvent.Failure f) {
      onError(now, r, f.response(), f.errorCode());
    } else {
      onTimeout(now, r);
    }
  }

  private void onSuccess(long now, Request r, StunMessage m) {
    switch (r.kind) {
      case ALLOCATE -> {
        if (state != State.ALLOCATING) {
          return;
        }
        Optional<XorRelayedAddress> rel = m.attribute(XorRelayedAddress.class);
        Optional<Lifetime> life = m.attribute(Lifetime.class);
        if (rel.isEmpty()) {
          fail(TurnClientEvent.AllocationFailed.PROTOCOL_ERROR, "Allocate success without XOR-RELAYED-ADDRESS");
          return;
        }
        relayed = rel.get().address();
        mapped = m.attribute(XorMappedAddress.class).map(XorMappedAddress::address).orElse(null);
        lifetimeSeconds = life.map(Lifetime::seconds).orElse(cfg.lifetime().getSeconds());
        state = State.ALLOCATED;
        scheduleRefresh(now);
        events.add(new TurnClientEvent.Allocated(relayed, mapped));
        for (Permission p : permissions.values()) {
          permissionBatch.add(p.peer); // asked for before the allocation existed
        }
      }
      case REFRESH -> {
        if (state != State.ALLOCATED) {
          return;
        }
        lifetimeSeconds = m.attribute(Lifetime.class).map(Lifetime::seconds).orElse(lifetimeSeconds);
        stats.refreshes++;
        scheduleRefresh(now);
      }
      case PERMISSION -> {
        for (InetAddress ip : r.permissionPeers) {
          Permission p = permissions.get(ip);
          if (p != null) {
            p.inFlight = false;
            installed(now, p);
          }
        }
      }
      case CHANNEL_BIND -> {
        Channel c = r.channel;
        c.inFlight = false;
        if (channelsByNumber.get(c.number) != c) {
          return;
        }
        if (!c.bound) {
          stats.channelsBound++;
        }
        c.bound = true;
        c.refreshAt = now + CHANNEL_REFRESH;
        c.expiresAt = now + CHANNEL_LIFETIME;
        // A channel binding installs or refreshes the permission too (RFC 8656 §12.2).
        Permission p = permissions.get(c.peer.getAddress());
        if (p != null && p.state == PermState.PENDING) {
          installed(now, p);
        }
      }
      case DEALLOCATE -> closed();
    }
  }

  private void installed(long now, Permission p) {
    if (permissions.get(p.peer) != p) {
      return;
    }
    if (p.state != PermState.INSTALLED) {
      stats.permissionsInstalled++;
    }
    p.state = PermState.INSTALLED;
    p.refreshAt = now + PERMISSION_REFRESH;
    for (ByteBuffer f; (f = p.queued.poll()) != null; ) {
      transmits.add(datagram(f));
    }
  }

  private void onError(long now, Request r, StunMessage m, ErrorCode code) {
    int c = code.code();
    if (c == 401 && r.kind == Kind.ALLOCATE && !r.authenticated && state == State.ALLOCATING) {
      Optional<Realm> rl = m.attribute(Realm.class);
      Optional<Nonce> nc = m.attribute(Nonce.class);
      if (rl.isEmpty() || nc.isEmpty()) {
        fail(401, "401 without REALM and NONCE");
        return;
      }
      learnCredentials(rl.get().value(), nc.get().value(), m.attribute(PasswordAlgorithms.class).orElse(null));
      sendRequest(now, r.kind, r.method, r.attributes, r.permissionPeers, r.channel, 0);
      return;
    }
    if (c == 438 && r.staleRetries < MAX_STALE_RETRIES && key != null) {
      Optional<Nonce> nc = m.attribute(Nonce.class);
      if (nc.isPresent()) {
        stats.staleNonces++;
        String newRealm = m.attribute(Realm.class).map(Realm::value).orElse(realm);
        if (!newRealm.equals(realm)) {
          learnCredentials(newRealm, nc.get().value(), offeredAlgorithms);
        } else {
          nonce = nc.get().value();
        }
        sendRequest(now, r.kind, r.method, r.attributes, r.permissionPeers, r.channel, r.staleRetries + 1);
        return;
      }
    }
    switch (r.kind) {
      case ALLOCATE -> {
        if (c == 300) {
          alternateServer = m.attribute(AlternateServer.class).map(AlternateServer::address).orElse(null);
          fail(300, "Try Alternate: " + (alternateServer == null ? "no ALTERNATE-SERVER" : alternateServer)
              + " (not followed)");
        } else {
          fail(c, code.reason());
        }
      }
      case REFRESH -> fail(c, "Refresh failed: " + code.reason());
      case PERMISSION -> permissionFailed(now, r, c);
      case CHANNEL_BIND -> channelFailed(r.channel);
      case DEALLOCATE -> closed();
    }
  }

  private void onTimeout(long now, Request r) {
    switch (r.kind) {
      case ALLOCATE -> fail(TurnClientEvent.AllocationFailed.NO_RESPONSE, "Allocate: no response from " + cfg.server());
      case REFRESH -> fail(TurnClientEvent.AllocationFailed.NO_RESPONSE, "Refresh: no response from " + cfg.server());
      case PERMISSION -> permissionFailed(now, r, TurnClientEvent.AllocationFailed.NO_RESPONSE);
      case CHANNEL_BIND -> channelFailed(r.channel);
      case DEALLOCATE -> closed();
    }
  }

  private void permissionFailed(long now, Request r, int code) {
    if (r.permissionPeers.size() > 1 && code != TurnClientEvent.AllocationFailed.NO_RESPONSE
        && state == State.ALLOCATED) {
      // One refused peer (a private address the server's policy forbids, typically) fails the whole
      // batch: ask again for each peer on its own, so only the refused ones fail.
      for (InetAddress ip : r.permissionPeers) {
        Permission p = permissions.get(ip);
        if (p != null) {
          sendRequest(now, Kind.PERMISSION, StunMethod.CREATE_PERMISSION,
              List.of(new XorPeerAddress(new InetSocketAddress(ip, 0))), List.of(ip), null, 0);
        }
      }
      return;
    }
    for (InetAddress ip : r.permissionPeers) {
      Permission p = permissions.get(ip);
      if (p == null) {
        continue;
      }
      p.inFlight = false;
      if (p.state == PermState.PENDING) {
        permissions.remove(ip);
        stats.sendDropped += p.queued.size();
        p.queued.clear();
        events.add(new TurnClientEvent.PermissionFailed(ip, code));
      } else {
        // A refresh failed: the permission will lapse at the server; forget it so a later use asks again.
        permissions.remove(ip);
        events.add(new TurnClientEvent.PermissionFailed(ip, code));
      }
    }
  }

  private void channelFailed(Channel c) {
    c.inFlight = false;
    stats.channelBindFailures++;
    if (channelsByNumber.get(c.number) != c) {
      return;
    }
    if (!c.bound) {
      // Keep the entry (marked failed) so the peer stays on Send indications instead of retrying each send.
      c.failed = true;
      channelsByNumber.remove(c.number);
    }
    // A failed refresh of a bound channel: it lapses at expiresAt (handleTimeout).
  }

  private void fail(int code, String reason) {
    if (state == State.FAILED || state == State.CLOSED) {
      return;
    }
    cancelAll();
    state = State.FAILED;
    relayed = null;
    events.add(new TurnClientEvent.AllocationFailed(code, reason));
  }

  private void closed() {
    if (state == State.CLOSED) {
      return;
    }
    cancelAll();
    state = State.CLOSED;
    events.add(new TurnClientEvent.Closed());
  }

  private void cancelAll() {
    for (Request r : requests.values()) {
      r.tx.cancel();
    }
    requests.clear();
    permissionBatch.clear();
    refreshAt = Long.MAX_VALUE;
    for (Permission p : permissions.values()) {
      p.queued.clear();
    }
    permissions.clear();
    channelsByPeer.clear();
    channelsByNumber.clear();
  }

  private void scheduleRefresh(long now) {
    long life = lifetimeSeconds * SECOND;
    refreshAt = now + (life > 2 * REFRESH_MARGIN ? life - REFRESH_MARGIN : Math.max(SECOND, life / 2));
  }

  private void learnCredentials(String newRealm, String newNonce, PasswordAlgorithms algorithms) {
    realm = newRealm;
    nonce = newNonce;
    offeredAlgorithms = algorithms;
    passwordAlgorithm = 0;
    if (algorithms != null) {
      for (PasswordAlgorithm a : algorithms.algorithms()) {
        if (a.algorithm() == PasswordAlgorithm.SHA256) {
          passwordAlgorithm = PasswordAlgorithm.SHA256;
        } else if (a.algorithm() == PasswordAlgorithm.MD5 && passwordAlgorithm == 0) {
          passwordAlgorithm = PasswordAlgorithm.MD5;
        }
      }
      if (passwordAlgorithm == 0) {
        offeredAlgorithms = null; // nothing we support: plain MD5 as RFC 5389 clients do
      }
    }
    key = passwordAlgorithm == PasswordAlgorithm.SHA256
        ? LongTermCredentials.sha256Key(cfg.username(), realm, cfg.password())
        : LongTermCredentials.md5Key(cfg.username(), realm, cfg.password());
  }

  // ----------------------------------------------------------------------------------- requests

  private List<StunAttribute> allocateAttributes() {
    List<StunAttribute> a = new ArrayList<>(2);
    a.add(new RequestedTransport(PROTOCOL_UDP));
    if (cfg.lifetime().getSeconds() != TurnClientConfig.DEFAULT_LIFETIME.getSeconds()) {
      a.add(new Lifetime(cfg.lifetime().getSeconds()));
    }
    return List.copyOf(a);
  }

  private void flushPermissions(long now) {
    if (permissionBatch.isEmpty() || state != State.ALLOCATED) {
      return;
    }
    List<InetAddress> peers = new ArrayList<>();
    List<StunAttribute> attrs = new ArrayList<>();
    for (InetAddress ip : permissionBatch) {
      Permission p = permissions.get(ip);
      if (p == null || p.inFlight) {
        continue;
      }
      // ~40 addresses keep an IPv6 request well under 1200 bytes.
      if (peers.size() == 40) {
        break;
      }
      p.inFlight = true;
      peers.add(ip);
      attrs.add(new XorPeerAddress(new InetSocketAddress(ip, 0)));
    }
    permissionBatch.removeAll(peers);
    permissionBatch.removeIf(ip -> { Permission p = permissions.get(ip); return p == null || p.inFlight; });
    if (!peers.isEmpty()) {
      sendRequest(now, Kind.PERMISSION, StunMethod.CREATE_PERMISSION, List.copyOf(attrs), List.copyOf(peers), null, 0);
    }
  }

  private void bindChannel(long now, Channel c) {
    c.inFlight = true;
    sendRequest(now, Kind.CHANNEL_BIND, StunMethod.CHANNEL_BIND,
        List.of(new ChannelNumber(c.number), new XorPeerAddress(c.peer)), null, c, 0);
  }

  private void sendRequest(long now, Kind kind, int method, List<StunAttribute> attrs, List<InetAddress> peers,
      Channel channel, int staleRetries) {
    TransactionId tid = TransactionId.random(random);
    StunMessage.Builder b = StunMessage.builder(method, StunClass.REQUEST, tid).addAll(attrs);
    if (cfg.software() != null && kind == Kind.ALLOCATE) {
      b.add(new Software(cfg.software()));
    }
    boolean auth = key != null;
    boolean sha256 = false;
    if (auth) {
      b.add(new Username(cfg.username())).add(new Realm(realm)).add(new Nonce(nonce));
      if (offeredAlgorithms != null) {
        b.add(offeredAlgorithms).add(PasswordAlgorithm.of(passwordAlgorithm));
        sha256 = true;
        b.sha256Integrity(true);
      }
    }
    byte[] bytes = b.encode(auth ? key : null, false);
    Datagram d = datagram(ByteBuffer.wrap(bytes));
    StunTimers timers = kind == Kind.DEALLOCATE ? CLOSE_TIMERS : cfg.timers();
    final boolean verifySha256 = sha256;
    final byte[] k = key;
    StunClientTransaction tx = new StunClientTransaction(now, d, timers, m -> acceptResponse(m, k, verifySha256));
    Request r = new Request(kind, method, attrs, peers, channel, tx, auth, staleRetries);
    requests.put(tid, r);
    drain(now, r);
  }

  /** RFC 8489 §9.2.5: a success response to an authenticated request must carry valid integrity. */
  private boolean acceptResponse(StunMessage m, byte[] k, boolean sha256) {
    if (k == null) {
      return true;
    }
    boolean present = sha256 ? m.hasMessageIntegritySha256() || m.hasMessageIntegrity() : m.hasMessageIntegrity();
    if (!present) {
      if (m.stunClass() == StunClass.ERROR_RESPONSE) {
        return true; // 401/438 from coturn are unsigned; they change nothing without a new nonce
      }
      stats.badIntegrity++;
      return false;
    }
    boolean ok = m.hasMessageIntegritySha256() ? calc.verifyMessageIntegritySha256(m, k)
        : calc.verifyMessageIntegrity(m, k);
    if (!ok) {
      stats.badIntegrity++;
    }
    return ok;
  }

  private Datagram datagram(ByteBuffer payload) {
    return new Datagram(cfg.transport(), cfg.local(), cfg.server(), payload);
  }

  /** Mutable counters behind {@link TurnClientStats}. */
  private static final class Stats {
    long malformed;
    long dropped;
    long unknownTransaction;
    long badIntegrity;
    long internalErrors;
    long requestsSent;
    long staleNonces;
    long refreshes;
    long permissionsInstalled;
    long channelsBound;
    long channelBindFailures;
    long sendIndicationsSent;
    long channelDataSent;
    long sendDropped;
    long peerPacketsSent;
    long peerBytesSent;
    long peerPacketsReceived;
    long peerBytesReceived;

    TurnClientStats snapshot() {
      return new TurnClientStats(malformed, dropped, unknownTransaction, badIntegrity, internalErrors, requestsSent,
          staleNonces, refreshes, permissionsInstalled, channelsBound, channelBindFailures, sendIndicationsSent,
          channelDataSent, sendDropped, peerPacketsSent, peerBytesSent, peerPacketsReceived, peerBytesReceived);
    }
  }
}
