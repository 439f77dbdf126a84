package org.rtc4j.turn.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.AdditionalAddressFamily;
import org.rtc4j.stun.AddressErrorCode;
import org.rtc4j.stun.ChannelNumber;
import org.rtc4j.stun.Data;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.EvenPort;
import org.rtc4j.stun.IntegrityCalculator;
import org.rtc4j.stun.Lifetime;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedAddressFamily;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.ReservationToken;
import org.rtc4j.stun.Software;
import org.rtc4j.stun.StunAttribute;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.UnknownAttributes;
import org.rtc4j.stun.XorMappedAddress;
import org.rtc4j.stun.XorPeerAddress;
import org.rtc4j.stun.XorRelayedAddress;
import org.rtc4j.turn.server.Allocation.Channel;
import org.rtc4j.turn.server.Allocation.Permission;

/**
 * The sans-IO TURN server (RFC 8656) and STUN Binding server (RFC 8489): one instance per shard
 * (event loop), driven through the five sans-IO methods plus the driver's answers about relay
 * sockets and closed connections.
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li>Binding (RFC 8489 §6.3): XOR-MAPPED-ADDRESS; credentials only if
 *       {@link TurnServerConfig#secureStun()}.</li>
 *   <li>Allocate (RFC 8656 §7): long-term credentials; REQUESTED-TRANSPORT UDP only (else 442);
 *       REQUESTED-ADDRESS-FAMILY (440 when that family is disabled); ADDITIONAL-ADDRESS-FAMILY is
 *       answered with an IPv4 relay and ADDRESS-ERROR-CODE 440 for IPv6 (no dual allocation);
 *       EVEN-PORT, with the R bit a 30-second reservation of the next port answered by a
 *       RESERVATION-TOKEN that any shard accepts (an unknown token gets 508); DONT-FRAGMENT
 *       is accepted (the driver cannot set DF from Java); quotas (486); a retransmitted Allocate gets the cached response, another
 *       Allocate on the same 5-tuple 437. The relay socket is asked of the driver with
 *       {@link TurnEvent.RelayRequested}; the success response leaves only after
 *       {@link #handleRelayBound}.</li>
 *   <li>Refresh (§8), CreatePermission (§10), ChannelBind (§12) with the checks of those sections
 *       (437 for a 5-tuple without allocation, 441 for another user, 443 for a family mismatch,
 *       403 for a peer the {@link PeerAddressPolicy} denies, 400 for channel rebinding conflicts,
 *       508 beyond {@link TurnServerConfig#maxPermissionsPerAllocation()}).</li>
 *   <li>Send and Data indications (§11), ChannelData both ways (§12.5), padded to 4 bytes on
 *       TCP/TLS; per-allocation bandwidth caps; expiry of allocations, permissions and
 *       channels.</li>
 * </ul>
 *
 * <h2>Contract with the driver</h2>
 * {@link #handleReceive}: {@code in.destination()} is either a relay address this core handed out
 * (then {@code in.source()} is a peer, always UDP) or a listening address (then
 * {@code in.source()} is a client). For TCP/TLS each datagram is one whole STUN message or
 * ChannelData frame. {@link #pollTransmit} datagrams name in {@code source()} the local address to
 * send from (listening or relay address) and in {@code transport()} the socket kind; their payload
 * buffers belong to the driver. Every {@link TurnEvent.RelayRequested} is answered with
 * {@link #handleRelayBound} or {@link #handleRelayFailed}; every {@link TurnEvent.RelayReleased}
 * closes a relay socket.
 *
 * <p>Remote input never throws: malformed packets are dropped and counted in
 * {@link TurnCounters#malformed}, well-formed but unwanted ones in
 * {@link TurnCounters#droppedPackets}. Before a request has proven its credentials, nothing is
 * stored for its source, and unauthenticated responses never exceed four times the request's size
 * (trust tests LD-3 and SC-8).
 *
 * <p>Not thread-safe: one thread (the shard's event loop) calls every method.
 */
public final class TurnServerCore {

  private static final int FAMILY_IPV4 = 1;
  private static final int FAMILY_IPV6 = 2;
  private static final int PROTOCOL_UDP = 17;
  private static final int MIN_CHANNEL = 0x4000;
  private static final long NANOS = 1_000_000_000L;
  /** An unauthenticated response may be at most this many times larger than its request. */
  private static final int AMPLIFICATION_LIMIT = 4;
  /** Largest DATA that fits a Data indication with an IPv6 XOR-PEER-ADDRESS in STUN's 16-bit length. */
  private static final int MAX_DATA_INDICATION_PAYLOAD = 0xFFFC - 24 - 4;
  /** Bound on the server addresses learnt at run time. */
  private static final int MAX_LEARNT_ADDRESSES = 256;

  private final TurnServerConfig config;
  private final TurnSharedState shared;
  private final TurnCounters counters;
  private final RandomGenerator random;
  private final Authenticator authenticator;
  private final SourceRateLimiter rateLimiter;
  private final PeerAddressPolicy policy;
  private final byte[] software;
  private final int maxChannel;

  /** HMAC and CRC state reused for every message this shard verifies or signs. */
  private final IntegrityCalculator calc = new IntegrityCalculator();
  private final ArrayDeque<Datagram> transmits = new ArrayDeque<>();
  private final ArrayDeque<TurnEvent> events = new ArrayDeque<>();
  private final ExpiryQueue expiry = new ExpiryQueue();
  private final HashMap<InetSocketAddress, Allocation> byRelay = new HashMap<>();
  /** Allocations by client transport address; same-address allocations chained (other server address or transport). */
  private final HashMap<InetSocketAddress, Allocation> byClient = new HashMap<>();
  private final HashMap<Long, Pending> pending = new HashMap<>();
  private final HashMap<FiveTuple, Pending> pendingByTuple = new HashMap<>();
  /** Relay and listening IPs seen at run time: peers there are denied like configured server addresses. */
  private final Set<InetAddress> ownAddresses = new HashSet<>();
  /** Listening transport addresses seen at run time: never a peer, even with loopback allowed. */
  private final Set<InetSocketAddress> listening = new HashSet<>();
  /** Reservations this shard made and times; other shards may consume them first (then they are stale here). */
  private final Set<Reservation> ownReservations = new HashSet<>();
  private long nextRequestId = 1;

  /** An authenticated Allocate waiting for the driver to bind its relay socket. */
  private record Pending(long id, FiveTuple fiveTuple, TransactionId transaction, String username, String quotaUser,
      byte[] key, boolean fingerprint, long lifetimeSeconds, boolean ipv6Refused, boolean reserveNext) {
  }

  /** A shard of the server described by {@code config}, sharing quotas, nonces and counters through {@code shared}. */
  public TurnServerCore(TurnServerConfig config, TurnSharedState shared, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.shared = Objects.requireNonNull(shared, "shared");
    this.random = Objects.requireNonNull(random, "random");
    this.counters = shared.counters();
    this.authenticator = new Authenticator(config, shared.newNonceCodec(), calc);
    this.rateLimiter = config.unauthenticatedRateLimit() > 0
        ? new SourceRateLimiter(config.unauthenticatedRateLimit(), random.nextInt()) : null;
    this.policy = config.peerPolicy();
    this.software = config.software().isEmpty() ? null : config.software().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.maxChannel = config.maxChannelNumber();
  }

  // ---------------------------------------------------------------------------------------------
  // The sans-IO surface

  /** Bytes from a client (to a listening address) or from a peer (to a relay address). */
  public void handleReceive(long nowNanos, Datagram in) {
    if (!byRelay.isEmpty()) {
      Allocation a = byRelay.get(in.destination());
      if (a != null) {
        fromPeer(nowNanos, a, in);
        return;
      }
    }
    ByteBuffer p = in.payload();
    if (p.remaining() < 4) {
      counters.malformed.increment();
      return;
    }
    int first = p.get(p.position()) & 0xff;
    if (first >= 0x40 && first <= 0x7f) {
      channelDataFromClient(nowNanos, in, p);
      return;
    }
    if (first > 3) {
      counters.malformed.increment();
      return;
    }
    StunMessage m;
    try {
      m = StunMessage.parseDatagram(p.duplicate()); // exact: one datagram, or one framed stream message
    } catch (StunParseException e) {
      counters.malformed.increment();
      return;
    }
    switch (m.stunClass()) {
      case REQUEST -> request(nowNanos, in, m);
      case INDICATION -> indication(nowNanos, in, m);
      default -> counters.droppedPackets.increment(); // a server expects no responses
    }
  }

  /** Expires allocations, permissions and channels due at or before {@code nowNanos}. */
  public void handleTimeout(long nowNanos) {
    expiry.expire(nowNanos, this::onExpired);
  }

  /** The next datagram to send, if any. */
  public Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(transmits.poll());
  }

  /** The next event for the driver, if any. */
  public Optional<TurnEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} should next be called; {@link Long#MAX_VALUE} if nothing is scheduled. */
  public long pollTimeout() {
    return expiry.nextDeadline();
  }

  /**
   * The driver bound the relay socket asked for by {@link TurnEvent.RelayRequested}
   * {@code requestId}: the allocation is created and its success response queued. If the request
   * was abandoned meanwhile (its client connection closed), a {@link TurnEvent.RelayReleased}
   * asks the driver to close the socket again.
   *
   * @throws IllegalArgumentException if {@code relayAddress} is already the relay of another allocation
   */
  public void handleRelayBound(long nowNanos, long requestId, InetSocketAddress relayAddress) {
    Objects.requireNonNull(relayAddress, "relayAddress");
    Pending pd = pending.remove(requestId);
    if (pd == null) {
      events.add(new TurnEvent.RelayReleased(relayAddress));
      return;
    }
    pendingByTuple.remove(pd.fiveTuple);
    if (byRelay.containsKey(relayAddress) || (pd.reserveNext && relayAddress.getPort() >= 0xFFFF)) {
      releasePending(pd);
      sendPendingError(pd, ErrorCode.INSUFFICIENT_CAPACITY);
      throw new IllegalArgumentException("relay address in use by another allocation, or no port above it to reserve: "
          + relayAddress);
    }
    FiveTuple ft = pd.fiveTuple;
    Allocation a = new Allocation(ft, pd.username, pd.quotaUser, pd.key, relayAddress, pd.transaction,
        config.maxBps(), nowNanos);
    byRelay.put(relayAddress, a);
    insertClient(a);
    expiry.schedule(a, nowNanos + pd.lifetimeSeconds * NANOS);
    learn(relayAddress.getAddress(), ft.server());

    StunMessage.Builder b = StunMessage.builder(StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, pd.transaction)
        .add(new XorRelayedAddress(relayAddress))
        .add(new Lifetime(pd.lifetimeSeconds))
        .add(new XorMappedAddress(ft.client()));
    if (pd.ipv6Refused) {
      b.add(new AddressErrorCode(FAMILY_IPV6, 440, ErrorCode.defaultReason(440)));
    }
    if (pd.reserveNext) {
      byte[] token = new byte[8];
      random.nextBytes(token);
      Reservation r = new Reservation(HexFormat.of().formatHex(token),
          new InetSocketAddress(relayAddress.getAddress(), relayAddress.getPort() + 1), a.family, pd.quotaUser);
      shared.putReservation(r);
      ownReservations.add(r);
      expiry.schedule(r, nowNanos + Reservation.LIFETIME_NANOS);
      b.add(new ReservationToken(token));
    }
    addSoftware(b);
    byte[] response = encode(b, pd.key, pd.fingerprint);
    a.allocateResponse = response;
    transmit(ft, response);
    counters.allocations.increment();
    counters.allocationsCreated.increment();
    events.add(new TurnEvent.AllocationCreated(pd.quotaUser, ft, relayAddress, pd.lifetimeSeconds));
  }

  /** The driver could not bind the relay socket for {@code requestId}: the client gets 508 Insufficient Capacity. */
  public void handleRelayFailed(long nowNanos, long requestId) {
    Pending pd = pending.remove(requestId);
    if (pd == null) {
      return;
    }
    pendingByTuple.remove(pd.fiveTuple);
    releasePending(pd);
    sendPendingError(pd, ErrorCode.INSUFFICIENT_CAPACITY);
  }

  /** Gives back the quota a pending Allocate holds (two slots when it will reserve a port). */
  private void releasePending(Pending pd) {
    shared.releaseAllocation(pd.quotaUser);
    if (pd.reserveNext) {
      shared.releaseAllocation(pd.quotaUser);
    }
  }

  /** A TCP or TLS client connection closed: its allocation is deleted (RFC 8656 §3.1), a pending Allocate abandoned. */
  public void handleConnectionClosed(long nowNanos, Transport transport, InetSocketAddress local, InetSocketAddress remote) {
    Allocation a = lookupClient(transport, remote, local);
    if (a != null) {
      deleteAllocation(a, TurnEvent.Reason.CONNECTION_CLOSED);
    }
    Pending pd = pendingByTuple.remove(new FiveTuple(transport, remote, local));
    if (pd != null) {
      pending.remove(pd.id);
      releasePending(pd);
    }
  }

  /**
   * Deletes every allocation (events {@link TurnEvent.AllocationDeleted} with reason SHUTDOWN and
   * {@link TurnEvent.RelayReleased} follow) and abandons pending Allocates, giving back their quota.
   */
  public void shutdown(long nowNanos) {
    for (Allocation a : new ArrayList<>(byRelay.values())) {
      deleteAllocation(a, TurnEvent.Reason.SHUTDOWN);
    }
    for (Pending pd : pending.values()) {
      releasePending(pd);
    }
    pending.clear();
    pendingByTuple.clear();
    for (Reservation r : new ArrayList<>(ownReservations)) {
      expireReservation(r);
    }
  }

  /** Allocations this shard holds now. */
  public int allocationCount() {
    return byRelay.size();
  }

  /**
   * Entries in this shard's per-client tables (allocations, pending Allocates): for tests that
   * state stays bounded. The learnt server addresses are capped at {@value #MAX_LEARNT_ADDRESSES} apart.
   */
  int stateSize() {
    return byRelay.size() + byClient.size() + pending.size() + pendingByTuple.size();
  }

  /** Timer entries queued, live or stale (stale ones go when due or by compaction). */
  int timerEntries() {
    return expiry.size();
  }

  // ---------------------------------------------------------------------------------------------
  // Hot paths

  /** ChannelData from a client (RFC 8656 §12.5): relayed to the channel's peer. */
  private void channelDataFromClient(long now, Datagram in, ByteBuffer p) {
    int pos = p.position();
    int channel = p.getShort(pos) & 0xffff;
    int length = p.getShort(pos + 2) & 0xffff;
    if (channel > maxChannel || length > p.remaining() - 4) {
      counters.malformed.increment(); // out of range (BI-4) or truncated
      return;
    }
    Allocation a = lookupClient(in.transport(), in.source(), in.destination());
    Channel c = a == null ? null : a.channelsByNumber.get(channel);
    if (c == null) {
      counters.droppedPackets.increment();
      return;
    }
    Permission perm = c.permission;
    if (perm.dead) {
      perm = a.permissions.get(c.peer.getAddress());
      if (perm == null) {
        counters.droppedPackets.increment();
        return;
      }
      c.permission = perm;
    }
    if (a.clientToPeer != null && !a.clientToPeer.tryConsume(length, now)) {
      bandwidthDrop(length);
      return;
    }
    byte[] data = new byte[length];
    p.get(pos + 4, data);
    transmits.add(new Datagram(Transport.UDP, a.relay, c.peer, ByteBuffer.wrap(data)));
    counters.clientToPeerPackets.increment();
    counters.clientToPeerBytes.add(length);
  }

  /** A datagram from a peer to a relay address (RFC 8656 §11.3, §12.6). */
  private void fromPeer(long now, Allocation a, Datagram in) {
    InetSocketAddress peer = in.source();
    if (!a.permissions.containsKey(peer.getAddress())) {
      counters.droppedPackets.increment();
      return;
    }
    ByteBuffer p = in.payload();
    int length = p.remaining();
    if (a.peerToClient != null && !a.peerToClient.tryConsume(length, now)) {
      bandwidthDrop(length);
      return;
    }
    FiveTuple ft = a.fiveTuple;
    Channel c = a.channelsByPeer.get(peer);
    byte[] out;
    if (c != null && length <= 0xffff) {
      // RFC 8656 §12.5: over TCP and TLS the ChannelData message is padded to a multiple of 4.
      int padded = ft.transport().reliable() ? (length + 3) & ~3 : length;
      out = new byte[4 + padded];
      out[0] = (byte) (c.number >>> 8);
      out[1] = (byte) c.number;
      out[2] = (byte) (length >>> 8);
      out[3] = (byte) length;
      p.get(p.position(), out, 4, length);
    } else if (length <= MAX_DATA_INDICATION_PAYLOAD) {
      out = encode(StunMessage.builder(StunMethod.DATA, StunClass.INDICATION, TransactionId.random(random))
          .add(new XorPeerAddress(peer))
          .add(new Data(p.duplicate())), null, false);
    } else {
      counters.droppedPackets.increment(); // would not fit the STUN length field
      return;
    }
    transmits.add(new Datagram(ft.transport(), ft.server(), ft.client(), ByteBuffer.wrap(out)));
    counters.peerToClientPackets.increment();
    counters.peerToClientBytes.add(length);
  }

  private void bandwidthDrop(int length) {
    counters.bandwidthDroppedPackets.increment();
    counters.bandwidthDroppedBytes.add(length);
  }

  // ---------------------------------------------------------------------------------------------
  // Indications

  private void indication(long now, Datagram in, StunMessage m) {
    if (m.method() != StunMethod.SEND || !m.unknownComprehensionRequired().isEmpty()) {
      counters.droppedPackets.increment();
      return;
    }
    Allocation a = lookupClient(in.transport(), in.source(), in.destination());
    Optional<XorPeerAddress> peerAttr = m.attribute(XorPeerAddress.class);
    Optional<Data> dataAttr = m.attribute(Data.class);
    if (a == null || peerAttr.isEmpty() || dataAttr.isEmpty()) {
      counters.droppedPackets.increment();
      return;
    }
    InetSocketAddress peer = peerAttr.get().address();
    if (!a.permissions.containsKey(peer.getAddress()) || isListeningAddress(peer)) {
      counters.droppedPackets.increment(); // RFC 8656 §11.2: no permission, silently discarded
      return;
    }
    ByteBuffer d = dataAttr.get().value();
    int length = d.remaining();
    if (a.clientToPeer != null && !a.clientToPeer.tryConsume(length, now)) {
      bandwidthDrop(length);
      return;
    }
    byte[] data = new byte[length];
    d.get(d.position(), data);
    transmits.add(new Datagram(Transport.UDP, a.relay, peer, ByteBuffer.wrap(data)));
    counters.clientToPeerPackets.increment();
    counters.clientToPeerBytes.add(length);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  private void request(long now, Datagram in, StunMessage m) {
    counters.stunRequests.increment();
    int method = m.method();
    if (method == StunMethod.BINDING) {
      binding(now, in, m);
      return;
    }
    if (method != StunMethod.ALLOCATE && method != StunMethod.REFRESH
        && method != StunMethod.CREATE_PERMISSION && method != StunMethod.CHANNEL_BIND) {
      // CONNECT and CONNECTION-BIND (RFC 6062) and unknown methods.
      sendUnauthenticatedError(now, in, m, ErrorCode.BAD_REQUEST);
      return;
    }
    if (method == StunMethod.ALLOCATE && isAllocateRetransmission(in, m)) {
      return;
    }
    Authenticator.Result auth = authenticate(now, in, m);
    if (auth == null) {
      return;
    }
    byte[] key = auth.key();
    if (!m.unknownComprehensionRequired().isEmpty()) {
      sendError(in, m, key, ErrorCode.UNKNOWN_ATTRIBUTE, new UnknownAttributes(m.unknownComprehensionRequired()));
      return;
    }
    if (method == StunMethod.ALLOCATE) {
      allocate(now, in, m, auth);
      return;
    }
    Allocation a = lookupClient(in.transport(), in.source(), in.destination());
    if (a == null) {
      sendError(in, m, key, ErrorCode.ALLOCATION_MISMATCH);
      return;
    }
    if (!a.username.equals(auth.username())) {
      counters.authFailures.increment();
      sendError(in, m, key, ErrorCode.WRONG_CREDENTIALS);
      return;
    }
    switch (method) {
      case StunMethod.REFRESH -> refresh(now, in, m, a, key);
      case StunMethod.CREATE_PERMISSION -> createPermission(now, in, m, a, key);
      default -> channelBind(now, in, m, a, key);
    }
  }

  /** Checks credentials; returns null when an error response has been queued instead. */
  private Authenticator.Result authenticate(long now, Datagram in, StunMessage m) {
    InetAddress client = in.source().getAddress();
    Authenticator.Result r = authenticator.authenticate(m, now, client);
    switch (r.outcome()) {
      case OK:
        return r;
      case CHALLENGE:
        counters.authChallenges.increment();
        sendChallenge(now, in, m);
        return null;
      case REJECTED:
        counters.authFailures.increment();
        sendChallenge(now, in, m);
        return null;
      case BAD_REQUEST:
        sendUnauthenticatedError(now, in, m, ErrorCode.BAD_REQUEST);
        return null;
      default: // STALE_NONCE: the credentials were right, so the answer is signed (RFC 8489 §9.2.4)
        counters.staleNonces.increment();
        sendError(in, m, r.key(), ErrorCode.STALE_NONCE, new Realm(config.realm()),
            new Nonce(authenticator.newNonce(now, client)));
        return null;
    }
  }

  private void binding(long now, Datagram in, StunMessage m) {
    counters.bindingRequests.increment();
    byte[] key = null;
    if (config.bindingNeedsAuth()) {
      Authenticator.Result auth = authenticate(now, in, m);
      if (auth == null) {
        return;
      }
      key = auth.key();
    }
    if (!m.unknownComprehensionRequired().isEmpty()) {
      UnknownAttributes unknown = new UnknownAttributes(m.unknownComprehensionRequired());
      if (key != null) {
        sendError(in, m, key, ErrorCode.UNKNOWN_ATTRIBUTE, unknown);
      } else {
        sendUnauthenticatedError(now, in, m, ErrorCode.UNKNOWN_ATTRIBUTE, unknown);
      }
      return;
    }
    boolean fingerprint = m.hasFingerprint();
    StunMessage.Builder b = reply(m, StunClass.SUCCESS_RESPONSE).add(new XorMappedAddress(in.source()));
    if (key != null) {
      addSoftware(b);
      transmit(in, encode(b, key, fingerprint));
      return;
    }
    int limit = AMPLIFICATION_LIMIT * in.length();
    byte[] plain = encode(b, null, fingerprint);
    if (software != null) {
      StunMessage.Builder sw = reply(m, StunClass.SUCCESS_RESPONSE).add(new XorMappedAddress(in.source()))
          .add(new Software(config.software()));
      byte[] withSoftware = encode(sw, null, fingerprint);
      if (withSoftware.length <= limit) {
        plain = withSoftware;
      }
    }
    if (plain.length > limit) {
      counters.droppedPackets.increment();
      return;
    }
    transmit(in, plain);
  }

  private boolean isAllocateRetransmission(Datagram in, StunMessage m) {
    Allocation a = lookupClient(in.transport(), in.source(), in.destination());
    if (a != null && a.allocateTransaction.equals(m.transactionId()) && a.allocateResponse != null) {
      transmit(in, a.allocateResponse.clone());
      return true;
    }
    if (!pendingByTuple.isEmpty()) {
      Pending pd = pendingByTuple.get(new FiveTuple(in.transport(), in.source(), in.destination()));
      if (pd != null && pd.transaction.equals(m.transactionId())) {
        return true; // the response follows once the relay is bound
      }
    }
    return false;
  }

  private void allocate(long now, Datagram in, StunMessage m, Authenticator.Result auth) {
    byte[] key = auth.key();
    FiveTuple ft = new FiveTuple(in.transport(), in.source(), in.destination());
    if (lookupClient(in.transport(), in.source(), in.destination()) != null || pendingByTuple.containsKey(ft)) {
      sendError(in, m, key, ErrorCode.ALLOCATION_MISMATCH);
      return;
    }
    Optional<RequestedTransport> transport = m.attribute(RequestedTransport.class);
    if (transport.isEmpty()) {
      sendError(in, m, key, ErrorCode.BAD_REQUEST);
      return;
    }
    if (transport.get().protocol() != PROTOCOL_UDP) {
      sendError(in, m, key, ErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL);
      return;
    }
    Optional<ReservationToken> token = m.attribute(ReservationToken.class);
    Optional<EvenPort> evenPort = m.attribute(EvenPort.class);
    Optional<RequestedAddressFamily> requestedFamily = m.attribute(RequestedAddressFamily.class);
    Optional<AdditionalAddressFamily> additionalFamily = m.attribute(AdditionalAddressFamily.class);
    if ((token.isPresent() && (evenPort.isPresent() || requestedFamily.isPresent() || additionalFamily.isPresent()))
        || (requestedFamily.isPresent() && additionalFamily.isPresent())
        || (evenPort.isPresent() && additionalFamily.isPresent())) {
      sendError(in, m, key, ErrorCode.BAD_REQUEST); // RFC 8656 §7.2 steps 5-7
      return;
    }
    long lifetime = grantedLifetime(m.attribute(Lifetime.class));
    if (token.isPresent()) {
      allocateReserved(in, m, auth, ft, token.get(), lifetime);
      return;
    }
    boolean reserveNext = evenPort.isPresent() && evenPort.get().reserve();
    int family = FAMILY_IPV4;
    boolean ipv6Refused = false;
    if (requestedFamily.isPresent()) {
      family = requestedFamily.get().family();
    } else if (additionalFamily.isPresent()) {
      if (additionalFamily.get().family() != FAMILY_IPV6) {
        sendError(in, m, key, ErrorCode.BAD_REQUEST);
        return;
      }
      ipv6Refused = true; // no dual allocation: IPv4 relay plus ADDRESS-ERROR-CODE for IPv6 (§7.2)
    }
    if (!(family == FAMILY_IPV4 && config.ipv4Relay()) && !(family == FAMILY_IPV6 && config.ipv6Relay())) {
      sendError(in, m, key, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED);
      return;
    }
    // A reservation holds a quota slot of its own until it is used or expires.
    if (!shared.tryAcquireAllocation(auth.quotaUser())) {
      counters.quotaRejections.increment();
      sendError(in, m, key, ErrorCode.ALLOCATION_QUOTA_REACHED);
      return;
    }
    if (reserveNext && !shared.tryAcquireAllocation(auth.quotaUser())) {
      shared.releaseAllocation(auth.quotaUser());
      counters.quotaRejections.increment();
      sendError(in, m, key, ErrorCode.ALLOCATION_QUOTA_REACHED);
      return;
    }
    long id = nextRequestId++;
    Pending pd = new Pending(id, ft, m.transactionId(), auth.username(), auth.quotaUser(), key, m.hasFingerprint(),
        lifetime, ipv6Refused, reserveNext);
    pending.put(id, pd);
    pendingByTuple.put(ft, pd);
    events.add(new TurnEvent.RelayRequested(id, family, evenPort.isPresent(), reserveNext, 0));
  }

  /** An Allocate quoting a RESERVATION-TOKEN (RFC 8656 §7.2 step 4): the reserved port, or 508 when the token is not valid. */
  private void allocateReserved(Datagram in, StunMessage m, Authenticator.Result auth, FiveTuple ft,
      ReservationToken token, long lifetime) {
    Reservation r = token.value().length == 8 ? shared.takeReservation(HexFormat.of().formatHex(token.value())) : null;
    if (r == null) {
      sendError(in, m, auth.key(), ErrorCode.INSUFFICIENT_CAPACITY);
      return;
    }
    // The reservation's quota slot passes from its creator to this allocation's user.
    shared.releaseAllocation(r.quotaUser);
    if (!shared.tryAcquireAllocation(auth.quotaUser())) {
      counters.quotaRejections.increment();
      events.add(new TurnEvent.RelayReleased(r.address));
      sendError(in, m, auth.key(), ErrorCode.ALLOCATION_QUOTA_REACHED);
      return;
    }
    long id = nextRequestId++;
    Pending pd = new Pending(id, ft, m.transactionId(), auth.username(), auth.quotaUser(), auth.key(), m.hasFingerprint(),
        lifetime, false, false);
    pending.put(id, pd);
    pendingByTuple.put(ft, pd);
    events.add(new TurnEvent.RelayRequested(id, r.family, false, false, r.address.getPort()));
  }

  private void expireReservation(Reservation r) {
    ownReservations.remove(r);
    expiry.cancel(r);
    if (shared.removeReservation(r)) {
      shared.releaseAllocation(r.quotaUser);
      events.add(new TurnEvent.RelayReleased(r.address));
    }
  }

  private void refresh(long now, Datagram in, StunMessage m, Allocation a, byte[] key) {
    Optional<RequestedAddressFamily> family = m.attribute(RequestedAddressFamily.class);
    if (family.isPresent() && family.get().family() != a.family) {
      sendError(in, m, key, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
      return;
    }
    Optional<Lifetime> requested = m.attribute(Lifetime.class);
    if (requested.isPresent() && requested.get().seconds() == 0) {
      deleteAllocation(a, TurnEvent.Reason.REFRESH_ZERO);
      sendSuccess(in, m, key, new Lifetime(0));
      return;
    }
    long lifetime = grantedLifetime(requested);
    expiry.schedule(a, now + lifetime * NANOS);
    sendSuccess(in, m, key, new Lifetime(lifetime));
  }

  private void createPermission(long now, Datagram in, StunMessage m, Allocation a, byte[] key) {
    List<InetSocketAddress> peers = new ArrayList<>(2);
    for (StunAttribute attr : m.attributes()) {
      if (attr instanceof XorPeerAddress x) {
        peers.add(x.address());
      }
    }
    if (peers.isEmpty()) {
      sendError(in, m, key, ErrorCode.BAD_REQUEST);
      return;
    }
    // Policy before family: a denied peer is refused with 403 in whatever encoding it comes (SC-3).
    for (InetSocketAddress peer : peers) {
      if (!permitted(peer.getAddress())) {
        counters.peerDenied.increment();
        sendError(in, m, key, ErrorCode.FORBIDDEN);
        return;
      }
    }
    for (InetSocketAddress peer : peers) {
      if (familyOf(peer) != a.family) {
        sendError(in, m, key, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
        return;
      }
    }
    // All or nothing (RFC 8656 §10.2): count the new IPs before installing any.
    Set<InetAddress> fresh = new HashSet<>();
    for (InetSocketAddress peer : peers) {
      if (!a.permissions.containsKey(peer.getAddress())) {
        fresh.add(peer.getAddress());
      }
    }
    if (a.permissions.size() + fresh.size() > config.maxPermissionsPerAllocation()) {
      counters.permissionLimitRejections.increment();
      sendError(in, m, key, ErrorCode.INSUFFICIENT_CAPACITY);
      return;
    }
    for (InetSocketAddress peer : peers) {
      installPermission(a, peer.getAddress(), now);
    }
    sendSuccess(in, m, key);
  }

  private void channelBind(long now, Datagram in, StunMessage m, Allocation a, byte[] key) {
    Optional<ChannelNumber> number = m.attribute(ChannelNumber.class);
    Optional<XorPeerAddress> peerAttr = m.attribute(XorPeerAddress.class);
    if (number.isEmpty() || peerAttr.isEmpty()) {
      sendError(in, m, key, ErrorCode.BAD_REQUEST);
      return;
    }
    int channel = number.get().number();
    if (channel < MIN_CHANNEL || channel > maxChannel) {
      sendError(in, m, key, ErrorCode.BAD_REQUEST);
      return;
    }
    InetSocketAddress peer = peerAttr.get().address();
    if (!permitted(peer.getAddress()) || isListeningAddress(peer)) {
      counters.peerDenied.increment();
      sendError(in, m, key, ErrorCode.FORBIDDEN);
      return;
    }
    if (familyOf(peer) != a.family) {
      sendError(in, m, key, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
      return;
    }
    // RFC 8656 §12.2: the number may not be bound to another peer, nor the peer to another number.
    Channel existing = a.channelsByNumber.get(channel);
    Channel samePeer = a.channelsByPeer.get(peer);
    if ((existing != null && !existing.peer.equals(peer)) || (samePeer != null && samePeer.number != channel)) {
      sendError(in, m, key, ErrorCode.BAD_REQUEST);
      return;
    }
    if (!a.permissions.containsKey(peer.getAddress())
        && a.permissions.size() >= config.maxPermissionsPerAllocation()) {
      counters.permissionLimitRejections.increment();
      sendError(in, m, key, ErrorCode.INSUFFICIENT_CAPACITY);
      return;
    }
    Permission perm = installPermission(a, peer.getAddress(), now);
    Channel c = existing;
    if (c == null) {
      c = new Channel(a, channel, peer);
      a.channelsByNumber.put(channel, c);
      a.channelsByPeer.put(peer, c);
      counters.channels.increment();
    }
    c.permission = perm;
    expiry.schedule(c, now + config.channelLifetimeSeconds() * NANOS);
    sendSuccess(in, m, key);
  }

  private Permission installPermission(Allocation a, InetAddress peer, long now) {
    Permission p = a.permissions.get(peer);
    if (p == null) {
      p = new Permission(a, peer);
      a.permissions.put(peer, p);
      counters.permissions.increment();
    }
    expiry.schedule(p, now + config.permissionLifetimeSeconds() * NANOS);
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  // Lifetimes

  private void onExpired(Expiring e) {
    if (e instanceof Allocation a) {
      deleteAllocation(a, TurnEvent.Reason.EXPIRED);
    } else if (e instanceof Permission p) {
      p.owner.permissions.remove(p.peer, p);
      expiry.cancel(p);
      counters.permissions.decrement();
    } else if (e instanceof Reservation r) {
      expireReservation(r);
    } else if (e instanceof Channel c) {
      c.owner.channelsByNumber.remove(c.number);
      c.owner.channelsByPeer.remove(c.peer, c);
      expiry.cancel(c);
      counters.channels.decrement();
    }
  }

  private void deleteAllocation(Allocation a, TurnEvent.Reason reason) {
    byRelay.remove(a.relay, a);
    removeClient(a);
    expiry.cancel(a);
    for (Permission p : a.permissions.values()) {
      expiry.cancel(p);
    }
    for (Channel c : a.channelsByPeer.values()) {
      expiry.cancel(c);
    }
    counters.permissions.add(-a.permissions.size());
    counters.channels.add(-a.channelsByPeer.size());
    a.permissions.clear();
    a.channelsByPeer.clear();
    a.channelsByNumber.clear();
    shared.releaseAllocation(a.quotaUser);
    counters.allocations.decrement();
    counters.allocationsDeleted.increment();
    if (reason == TurnEvent.Reason.EXPIRED) {
      counters.allocationsExpired.increment();
    }
    events.add(new TurnEvent.AllocationDeleted(a.quotaUser, a.fiveTuple, a.relay, reason));
    events.add(new TurnEvent.RelayReleased(a.relay));
  }

  /** RFC 8656 §7.2: max(default, min(requested, maximum)). */
  private long grantedLifetime(Optional<Lifetime> requested) {
    long wanted = requested.map(Lifetime::seconds).orElse((long) config.defaultLifetimeSeconds());
    return Math.max(config.defaultLifetimeSeconds(), Math.min(wanted, config.maxLifetimeSeconds()));
  }

  // ---------------------------------------------------------------------------------------------
  // Lookups and policy

  private Allocation lookupClient(Transport transport, InetSocketAddress client, InetSocketAddress server) {
    Allocation a = byClient.get(client);
    while (a != null && !a.matches(transport, server)) {
      a = a.nextSameClient;
    }
    return a;
  }

  private void insertClient(Allocation a) {
    a.nextSameClient = byClient.put(a.fiveTuple.client(), a);
  }

  private void removeClient(Allocation a) {
    InetSocketAddress client = a.fiveTuple.client();
    Allocation head = byClient.get(client);
    if (head == a) {
      if (a.nextSameClient == null) {
        byClient.remove(client);
      } else {
        byClient.put(client, a.nextSameClient);
      }
      return;
    }
    for (Allocation prev = head; prev != null; prev = prev.nextSameClient) {
      if (prev.nextSameClient == a) {
        prev.nextSameClient = a.nextSameClient;
        return;
      }
    }
  }

  private boolean permitted(InetAddress peer) {
    return policy.permits(peer, ownAddresses);
  }

  /** Whether {@code peer} is one of this server's listening transport addresses (never a valid peer). */
  private boolean isListeningAddress(InetSocketAddress peer) {
    if (listening.contains(peer)) {
      return true;
    }
    InetAddress ip = peer.getAddress();
    for (InetSocketAddress l : listening) {
      if (l.getPort() == peer.getPort() && l.getAddress().isAnyLocalAddress()
          && (ip.isLoopbackAddress() || ip.isAnyLocalAddress() || ownAddresses.contains(ip))) {
        return true;
      }
    }
    return false;
  }

  private void learn(InetAddress relayIp, InetSocketAddress listeningAddress) {
    if (ownAddresses.size() < MAX_LEARNT_ADDRESSES) {
      if (!relayIp.isAnyLocalAddress()) {
        ownAddresses.add(PeerAddressPolicy.normalize(relayIp));
      }
      if (!listeningAddress.getAddress().isAnyLocalAddress()) {
        ownAddresses.add(PeerAddressPolicy.normalize(listeningAddress.getAddress()));
      }
    }
    if (listening.size() < MAX_LEARNT_ADDRESSES) {
      listening.add(listeningAddress);
    }
  }

  private static int familyOf(InetSocketAddress address) {
    return address.getAddress().getAddress().length == 4 ? FAMILY_IPV4 : FAMILY_IPV6;
  }

  // ---------------------------------------------------------------------------------------------
  // Responses

  private static StunMessage.Builder reply(StunMessage request, StunClass cls) {
    return StunMessage.builder(request.method(), cls, request.transactionId());
  }

  private void addSoftware(StunMessage.Builder b) {
    if (software != null) {
      b.add(new Software(config.software()));
    }
  }

  /** A success response to an authenticated request: SOFTWARE, MESSAGE-INTEGRITY, FINGERPRINT if the request had one. */
  private void sendSuccess(Datagram in, StunMessage m, byte[] key, StunAttribute... attributes) {
    StunMessage.Builder b = reply(m, StunClass.SUCCESS_RESPONSE);
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    addSoftware(b);
    transmit(in, encode(b, key, m.hasFingerprint()));
  }

  /** An error response to an authenticated request, signed with its key. */
  private void sendError(Datagram in, StunMessage m, byte[] key, ErrorCode error, StunAttribute... attributes) {
    counters.errorResponses.increment();
    StunMessage.Builder b = reply(m, StunClass.ERROR_RESPONSE).add(error);
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    addSoftware(b);
    transmit(in, encode(b, key, m.hasFingerprint()));
  }

  private void sendPendingError(Pending pd, ErrorCode error) {
    counters.errorResponses.increment();
    StunMessage.Builder b = StunMessage.builder(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, pd.transaction).add(error);
    addSoftware(b);
    transmit(pd.fiveTuple, encode(b, pd.key, pd.fingerprint));
  }

  /** 401 with REALM and a fresh NONCE (RFC 8489 §9.2.4); short reason, no SOFTWARE: it goes to unproven sources. */
  private void sendChallenge(long now, Datagram in, StunMessage m) {
    sendUnauthenticatedError(now, in, m, ErrorCode.UNAUTHENTICATED, new Realm(config.realm()),
        new Nonce(authenticator.newNonce(now, in.source().getAddress())));
  }

  /**
   * An error response to a request whose sender has proven nothing: unsigned, rate limited per
   * source when configured, and dropped when larger than {@value #AMPLIFICATION_LIMIT} times the
   * request (trust test SC-8).
   */
  private void sendUnauthenticatedError(long now, Datagram in, StunMessage m, ErrorCode error, StunAttribute... attributes) {
    if (rateLimiter != null && !rateLimiter.tryAcquire(in.source().getAddress(), now)) {
      counters.droppedPackets.increment();
      return;
    }
    int limit = AMPLIFICATION_LIMIT * in.length();
    byte[] bytes = unauthenticatedError(m, error, attributes);
    if (bytes.length > limit) {
      // Without its reason phrase (RFC 8489 §14.8 allows an empty one) a 401 fits a bare 20-byte request.
      bytes = unauthenticatedError(m, error.withReason(""), attributes);
    }
    if (bytes.length > limit) {
      counters.droppedPackets.increment();
      return;
    }
    counters.errorResponses.increment();
    transmit(in, bytes);
  }

  private byte[] unauthenticatedError(StunMessage m, ErrorCode error, StunAttribute... attributes) {
    StunMessage.Builder b = reply(m, StunClass.ERROR_RESPONSE).add(error);
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    return encode(b, null, m.hasFingerprint());
  }

  private byte[] encode(StunMessage.Builder b, byte[] key, boolean fingerprint) {
    byte[] out = new byte[b.encodedLength(key != null, fingerprint)];
    b.encodeTo(ByteBuffer.wrap(out), key, fingerprint, calc);
    return out;
  }

  /** Sends {@code bytes} back the way {@code in} came. */
  private void transmit(Datagram in, byte[] bytes) {
    transmits.add(new Datagram(in.transport(), in.destination(), in.source(), ByteBuffer.wrap(bytes)));
  }

  private void transmit(FiveTuple ft, byte[] bytes) {
    transmits.add(new Datagram(ft.transport(), ft.server(), ft.client(), ByteBuffer.wrap(bytes)));
  }
}
