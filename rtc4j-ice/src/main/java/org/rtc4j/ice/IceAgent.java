package org.rtc4j.ice;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.rtc4j.ice.turn.TurnAllocation;
import org.rtc4j.ice.turn.TurnClientConfig;
import org.rtc4j.ice.turn.TurnClientEvent;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.sdp.IcePriority;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.IceControlled;
import org.rtc4j.stun.IceControlling;
import org.rtc4j.stun.IntegrityCalculator;
import org.rtc4j.stun.Priority;
import org.rtc4j.stun.ShortTermCredentials;
import org.rtc4j.stun.Software;
import org.rtc4j.stun.StunClass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.UnknownAttributes;
import org.rtc4j.stun.UseCandidate;
import org.rtc4j.stun.Username;
import org.rtc4j.stun.XorMappedAddress;
import org.rtc4j.stun.transaction.StunClientTransaction;
import org.rtc4j.stun.transaction.StunTimers;
import org.rtc4j.stun.transaction.StunTransactionEvent;

/**
 * A full ICE agent (RFC 8445) for one component (rtcp-mux, BUNDLE) as a sans-IO core, with trickle
 * (RFC 8838), consent freshness (RFC 7675), ICE restart (RFC 8445 §9), TURN relay candidates
 * ({@link TurnAllocation}) and mDNS remote candidates.
 *
 * <p>Drive it with the five sans-IO methods. UDP datagrams in: {@code destination} is the local
 * host socket it arrived on (one of {@link IceConfig#hostAddresses()}), {@code source} the remote.
 * Datagrams out: {@code source} is the local socket to send from. TURN over TCP/TLS: see
 * {@link IceEvent.TcpConnectRequested}.
 *
 * <p>Demultiplexing (RFC 7983): datagrams from a TURN server go to its allocation; STUN (first byte
 * 0..3) is a check, a response or a server answer; anything else from an address a pair knows is
 * {@link IceEvent.ApplicationData}; from an unknown address it is dropped and counted (FT-8: an
 * address becomes known only through signalling or an authenticated check).
 *
 * <p>Selection: the controlling agent nominates (regular nomination, RFC 8445 §8.1.1) the best valid
 * pair once no better pair is pending (or after a short wait), and re-nominates when the selected
 * pair stops receiving while another valid pair receives (NAT rebinding). The controlled agent
 * follows the latest USE-CANDIDATE. Until a nomination, both send on the best valid pair, as
 * browsers do. Consent checks every min(consentInterval, disconnectedTimeout/2) ±20 % keep the
 * selected pair alive; without responses it becomes DISCONNECTED, then FAILED, and from then on
 * {@link #send} drops everything (RFC 7675, SC-13).
 *
 * <p>Threading: not thread-safe; one owner thread (the connection's loop). Never blocks, reads no
 * clock, opens no socket. Remote input never throws out of it: bad datagrams are dropped and counted.
 */
public final class IceAgent {

  private static final Logger LOG = LoggerFactory.getLogger(IceAgent.class);

  private static final long MS = 1_000_000L;
  private static final long CHECK_RTO = 500 * MS;
  private static final long CHECK_RTO_MAX = 1600 * MS;
  private static final int CHECK_MAX_SENDS = 7;
  private static final long CONSENT_CHECK_LIFETIME = 10_000 * MS;
  private static final long NOMINATION_WAIT = 1000 * MS;
  private static final int MAX_REMOTE_CANDIDATES = 200;
  /**
   * Server-reflexive gathering: RTO 250 ms (as browsers use) instead of RFC 8489's 500 ms, so one
   * lost Binding costs less and gathering ends within ~20 s when a server never answers.
   */
  private static final StunTimers GATHERING_TIMERS = StunTimers.DEFAULT.withRto(java.time.Duration.ofMillis(250));

  private final IceConfig config;
  private final RandomGenerator random;
  private final IntegrityCalculator calc = new IntegrityCalculator();
  private final ArrayDeque<Datagram> transmits = new ArrayDeque<>();
  private final ArrayDeque<IceEvent> events = new ArrayDeque<>();
  private final long ta;
  private final long consentBase;
  private final long disconnectedTimeout;
  private final long failedTimeout;
  private final long receivingWindow;

  private IceRole role;
  private Generation gen;
  private Generation oldGen;
  private Pair oldSelected;

  private final List<Local> locals = new ArrayList<>();
  private final List<Remote> remotes = new ArrayList<>();
  private final Map<InetSocketAddress, Remote> remotesByAddress = new HashMap<>();
  private final List<Pair> pairs = new ArrayList<>();
  private final ArrayDeque<Pair> triggered = new ArrayDeque<>();
  private final Map<TransactionId, Check> checks = new HashMap<>();
  private final List<StunQuery> queries = new ArrayList<>();
  private final List<Relay> relays = new ArrayList<>();
  private final Map<String, String> foundations = new HashMap<>();
  private final Map<String, List<IceCandidate>> pendingMdns = new LinkedHashMap<>();

  private Pair selected;
  private IceConnectionState state = IceConnectionState.NEW;
  private IceGatheringState gatheringState = IceGatheringState.NEW;
  private boolean remoteEndOfCandidates;
  private boolean consentExpired;
  private boolean closed;
  private long nextCheckAt;
  private long nextConsentAt = Long.MAX_VALUE;
  private long checkingSince = Long.MAX_VALUE;
  private long firstValidAt = Long.MAX_VALUE;
  private long nextConnectionId = 1;

  // counters
  private long checksSent;
  private long checksReceived;
  private long responsesSent;
  private long responsesReceived;
  private long packetsSent;
  private long bytesSent;
  private long packetsReceived;
  private long bytesReceived;
  private long dropped;
  private long badIntegrity;
  private long roleConflicts;
  private long unknownSource;
  private long internalErrors;

  /**
   * Creates an agent.
   *
   * @param config the configuration
   * @param random randomness for transaction ids, foundations and jitter (a SecureRandom in production)
   */
  public IceAgent(IceConfig config, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.random = Objects.requireNonNull(random, "random");
    this.role = config.role();
    this.gen = new Generation(config.localCredentials());
    this.ta = config.ta().toNanos();
    this.disconnectedTimeout = config.disconnectedTimeout().toNanos();
    this.failedTimeout = config.failedTimeout().toNanos();
    this.consentBase = Math.min(config.consentInterval().toNanos(), disconnectedTimeout / 2);
    this.receivingWindow = disconnectedTimeout * 3 / 5;
  }

  // =========================================================================== internal model

  /** Credentials of one ICE generation (a restart starts a new one). */
  private static final class Generation {
    final IceCredentials local;
    final byte[] localKey;
    IceCredentials remote;
    byte[] remoteKey;

    Generation(IceCredentials local) {
      this.local = local;
      this.localKey = ShortTermCredentials.key(local.pwd());
    }
  }

  /** A local candidate; {@code base} is the host socket, or the relayed address for relay candidates. */
  private static final class Local {
    final IceCandidate candidate;
    final InetSocketAddress address;
    final InetSocketAddress base;
    final Relay relay;
    final boolean pairable;

    Local(IceCandidate candidate, InetSocketAddress address, InetSocketAddress base, Relay relay, boolean pairable) {
      this.candidate = candidate;
      this.address = address;
      this.base = base;
      this.relay = relay;
      this.pairable = pairable;
    }

    long priority() {
      return candidate.priority();
    }

    boolean sameBase(Local o) {
      return relay == o.relay && base.equals(o.base);
    }
  }

  /** A remote candidate, signalled or peer-reflexive; {@code address} is resolved. */
  private static final class Remote {
    IceCandidate candidate;
    final InetSocketAddress address;

    Remote(IceCandidate candidate, InetSocketAddress address) {
      this.candidate = candidate;
      this.address = address;
    }
  }

  private final class Pair {
    final Local local;
    final Remote remote;
    final Generation generation;
    long priority;
    IceStats.PairState state;
    boolean valid;
    boolean nominated;
    boolean nominateOnSuccess;
    long nominatedAt;
    long lastResponse;
    Check inflight;
    Check nominating;
    Pair validPair;
    long requestsSent;
    long responses;
    long requestsReceived;
    CandidatePair snapshot;

    Pair(Local local, Remote remote, Generation generation) {
      this.local = local;
      this.remote = remote;
      this.generation = generation;
      computePriority();
    }

    void computePriority() {
      long l = local.priority();
      long r = remote.candidate.priority();
      priority = role == IceRole.CONTROLLING ? IcePriority.pair(l, r) : IcePriority.pair(r, l);
      snapshot = null;
    }

    String foundation() {
      return local.candidate.foundation() + ":" + remote.candidate.foundation();
    }

    boolean receiving(long now) {
      return valid && lastResponse != 0 && now - lastResponse <= receivingWindow;
    }

    CandidatePair snapshot() {
      CandidatePair s = snapshot;
      if (s == null) {
        s = new CandidatePair(local.candidate, remote.candidate, priority, local.base, remote.address, nominated);
        snapshot = s;
      }
      return s;
    }

    void setNominated() {
      if (!nominated) {
        nominated = true;
        snapshot = null;
      }
    }
  }

  /** One outstanding connectivity or consent check. */
  private static final class Check {
    final Pair pair;
    final TransactionId id;
    final byte[] bytes;
    final boolean useCandidate;
    final boolean consent;
    final IceRole roleAtSend;
    int sends = 1;
    long rto = CHECK_RTO;
    long next;

    Check(Pair pair, TransactionId id, byte[] bytes, boolean useCandidate, boolean consent, IceRole roleAtSend) {
      this.pair = pair;
      this.id = id;
      this.bytes = bytes;
      this.useCandidate = useCandidate;
      this.consent = consent;
      this.roleAtSend = roleAtSend;
    }
  }

  /** A STUN Binding to a STUN server for a server-reflexive candidate. */
  private static final class StunQuery {
    final StunClientTransaction tx;
    final Local host;
    final InetSocketAddress server;
    boolean done;

    StunQuery(StunClientTransaction tx, Local host, InetSocketAddress server) {
      this.tx = tx;
      this.host = host;
      this.server = server;
    }
  }

  /** A TURN allocation and the relay candidate it gives. */
  private static final class Relay {
    final IceServer server;
    final InetSocketAddress serverAddress;
    final Transport transport;
    final Local host;
    final long connectionId;
    TurnAllocation allocation;
    Local candidate;
    boolean done;
    boolean dead;
    int index;

    Relay(IceServer server, InetSocketAddress serverAddress, Transport transport, Local host, long connectionId) {
      this.server = server;
      this.serverAddress = serverAddress;
      this.transport = transport;
      this.host = host;
      this.connectionId = connectionId;
    }
  }

  // =========================================================================== sans-IO surface

  /** A datagram arrived (UDP on a host socket, or a framed TCP/TLS message from a TURN server). */
  public void handleReceive(long nowNanos, Datagram in) {
    try {
      receive(nowNanos, in);
    } catch (RuntimeException e) {
      // Remote bytes must never throw out of the core (DESIGN.md); counted, and the fuzz test checks it stays 0.
      // Logged as well: in production a broken invariant must be visible, not only counted.
      internalErrors++;
      dropped++;
      LOG.warn("ICE agent: internal error on a datagram from {} (dropped)", in.source(), e);
    }
  }

  /** Time passed: paced checks, retransmissions, consent, timeouts. */
  public void handleTimeout(long nowNanos) {
    lastNow = nowNanos;
    for (Relay r : List.copyOf(relays)) {
      if (r.allocation != null && r.allocation.pollTimeout() <= nowNanos) {
        r.allocation.handleTimeout(nowNanos);
        drainRelay(nowNanos, r);
      }
    }
    if (closed) {
      return;
    }
    for (StunQuery q : List.copyOf(queries)) {
      if (!q.done && q.tx.pollTimeout() <= nowNanos) {
        q.tx.handleTimeout(nowNanos);
        drainQuery(nowNanos, q);
      }
    }
    retransmitChecks(nowNanos);
    if (hasCheckable() && nowNanos >= nextCheckAt) {
      sendNextCheck(nowNanos);
    }
    maybeNominate(nowNanos);
    consent(nowNanos);
    checklistFailure(nowNanos);
    updateSelection(nowNanos);
  }

  /** The next datagram to send. */
  public Optional<Datagram> pollTransmit() {
    Datagram d = transmits.poll();
    if (d != null) {
      return Optional.of(d);
    }
    for (int i = 0; i < relays.size(); i++) {
      Relay r = relays.get(i);
      if (r.allocation != null) {
        Optional<Datagram> o = r.allocation.pollTransmit();
        if (o.isPresent()) {
          return o;
        }
      }
    }
    return Optional.empty();
  }

  /** The next event. */
  public Optional<IceEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} is due next. */
  public long pollTimeout() {
    long t = Long.MAX_VALUE;
    for (int i = 0; i < relays.size(); i++) {
      Relay r = relays.get(i);
      if (r.allocation != null) {
        t = Math.min(t, r.allocation.pollTimeout());
      }
    }
    if (closed) {
      return t;
    }
    for (int i = 0; i < queries.size(); i++) {
      StunQuery q = queries.get(i);
      if (!q.done) {
        t = Math.min(t, q.tx.pollTimeout());
      }
    }
    for (Check c : checks.values()) {
      t = Math.min(t, c.next);
    }
    if (hasCheckable()) {
      t = Math.min(t, nextCheckAt);
    }
    Pair active = activePair();
    if (active != null && !consentExpired) {
      t = Math.min(t, nextConsentAt);
      if (state == IceConnectionState.CONNECTED || state == IceConnectionState.COMPLETED) {
        t = Math.min(t, active.lastResponse + disconnectedTimeout + 1);
      }
      t = Math.min(t, active.lastResponse + failedTimeout + 1);
    }
    if (role == IceRole.CONTROLLING && firstValidAt != Long.MAX_VALUE && firstValidAt + NOMINATION_WAIT > lastNow
        && needsNomination()) {
      t = Math.min(t, firstValidAt + NOMINATION_WAIT);
    }
    if (state == IceConnectionState.CHECKING && selected == null && oldSelected == null
        && checkingSince != Long.MAX_VALUE) {
      t = Math.min(t, checkingSince + config.checklistTimeout().toNanos());
    }
    return t;
  }

  // =========================================================================== API

  /** Gathers host candidates now, and srflx/relay candidates from the configured servers. */
  public void startGathering(long nowNanos) {
    lastNow = nowNanos;
    if (closed || gatheringState != IceGatheringState.NEW) {
      return;
    }
    setGathering(IceGatheringState.GATHERING);
    gatherHosts();
    gatherServers(nowNanos, true);
    checkGatheringComplete();
  }

  /** The peer's ufrag/pwd (from its description); checks start once they are known. */
  public void setRemoteCredentials(long nowNanos, IceCredentials remote) {
    lastNow = nowNanos;
    Objects.requireNonNull(remote, "remote");
    if (closed) {
      return;
    }
    if (gen.remote != null && gen.remote.equals(remote)) {
      return;
    }
    if (gen.remote != null) {
      // New remote credentials without a local restart: the peer restarted (RFC 8445 §9), so do we.
      restart(nowNanos, IceCredentials.random(random));
    }
    gen.remote = remote;
    gen.remoteKey = ShortTermCredentials.key(remote.pwd());
    maybeStartChecking(nowNanos);
  }

  /** A remote candidate (trickled or from the description); {@code .local} names are resolved first. */
  public void addRemoteCandidate(long nowNanos, IceCandidate candidate) {
    lastNow = nowNanos;
    Objects.requireNonNull(candidate, "candidate");
    if (closed || candidate.component() != 1 || candidate.transport() != IceCandidate.Transport.UDP) {
      return; // rtcp-mux only; ICE-TCP candidates are not supported
    }
    if (remotes.size() >= MAX_REMOTE_CANDIDATES) {
      dropped++;
      return;
    }
    if (candidate.isMdns()) {
      String name = candidate.address().toLowerCase(java.util.Locale.ROOT);
      List<IceCandidate> waiting = pendingMdns.get(name);
      if (waiting == null) {
        pendingMdns.put(name, waiting = new ArrayList<>(1));
        events.add(new IceEvent.MdnsQueryRequested(candidate.address()));
      }
      waiting.add(candidate);
      return;
    }
    InetAddress ip = literal(candidate.address());
    if (ip == null || candidate.port() == 0 || ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
      dropped++; // never send checks to a wildcard, multicast or port-0 address a description names
      return;
    }
    addRemote(nowNanos, candidate, new InetSocketAddress(ip, candidate.port()));
  }

  /** The peer signalled end-of-candidates (RFC 8838 §4.4). */
  public void addRemoteEndOfCandidates(long nowNanos) {
    lastNow = nowNanos;
    remoteEndOfCandidates = true;
    checklistFailure(nowNanos);
  }

  /** Sets the role before checks start (JSEP: the offerer controls). */
  public void setRole(IceRole newRole) {
    Objects.requireNonNull(newRole, "role");
    if (newRole != role) {
      role = newRole;
      for (Pair p : pairs) {
        p.computePriority();
      }
    }
  }

  /** The current role. */
  public IceRole role() {
    return role;
  }

  /**
   * Sends application bytes (position..limit; the buffer is not modified) over the selected pair,
   * copying them once. Dropped and counted without a selected pair, after consent expired, or
   * after close.
   */
  public void send(long nowNanos, ByteBuffer payload) {
    send(nowNanos, payload, false);
  }

  /**
   * Like {@link #send}, but the caller hands {@code payload} over (it never touches the buffer
   * again), so on a host pair it is queued without a copy: for the data path, whose every DTLS
   * record is a fresh array.
   */
  public void sendOwned(long nowNanos, ByteBuffer payload) {
    send(nowNanos, payload, true);
  }

  private void send(long nowNanos, ByteBuffer payload, boolean owned) {
    lastNow = nowNanos;
    Pair p = activePair();
    if (p == null || closed || consentExpired || nowNanos - p.lastResponse > failedTimeout) {
      dropped++;
      return;
    }
    int n = payload.remaining();
    if (p.local.relay != null) {
      Relay r = p.local.relay;
      if (r.dead || r.allocation == null) {
        dropped++;
        return;
      }
      r.allocation.send(nowNanos, p.remote.address, payload);
    } else {
      ByteBuffer out = payload;
      if (!owned) {
        out = ByteBuffer.allocate(n);
        out.put(payload.duplicate()).flip();
      }
      transmits.add(new Datagram(Transport.UDP, p.local.base, p.remote.address, out));
    }
    packetsSent++;
    bytesSent += n;
  }

  /**
   * ICE restart (RFC 8445 §9): new local credentials, a new gathering round and checklist. Data
   * keeps flowing on the old selected pair (checked with the old credentials) until a pair of the
   * new generation is selected. The caller signals the new credentials and candidates.
   */
  public void restart(long nowNanos, IceCredentials newLocal) {
    lastNow = nowNanos;
    Objects.requireNonNull(newLocal, "newLocal");
    if (closed) {
      return;
    }
    if (selected != null && !consentExpired) {
      oldSelected = selected;
      oldGen = gen;
    } else if (oldSelected != null && (consentExpired || nowNanos - oldSelected.lastResponse > failedTimeout)) {
      oldSelected = null;
      oldGen = null;
    }
    gen = new Generation(newLocal);
    for (Check c : List.copyOf(checks.values())) {
      if (c.pair != oldSelected) {
        checks.remove(c.id);
      }
    }
    pairs.clear();
    triggered.clear();
    remotes.clear();
    remotesByAddress.clear();
    pendingMdns.clear();
    selected = null;
    remoteEndOfCandidates = false;
    firstValidAt = Long.MAX_VALUE;
    checkingSince = Long.MAX_VALUE;
    consentExpired = false;
    for (StunQuery q : queries) {
      q.tx.cancel();
    }
    queries.clear();
    // Locals: keep the relays' allocations (RFC 8445 §9 allows reusing them), re-signal everything.
    List<Local> keptRelays = new ArrayList<>();
    for (Local l : locals) {
      if (l.relay != null && !l.relay.dead) {
        keptRelays.add(l);
      }
    }
    locals.clear();
    if (oldSelected == null) {
      setState(IceConnectionState.NEW);
    }
    gatheringState = IceGatheringState.NEW;
    setGathering(IceGatheringState.GATHERING);
    gatherHosts();
    for (Local l : keptRelays) {
      Optional<InetSocketAddress> mapped = l.relay.allocation.mappedAddress();
      if (mapped.isPresent() && l.relay.transport == Transport.UDP) {
        addServerReflexive(hostLocal(l.relay.host.base), mapped.get(), l.relay.serverAddress.getAddress());
      }
      locals.add(l);
      if (signalled(l)) {
        events.add(new IceEvent.LocalCandidate(l.candidate));
      }
    }
    // TURN allocations are reused when there are live ones; otherwise allocate again.
    gatherServers(nowNanos, keptRelays.isEmpty());
    checkGatheringComplete();
  }

  /** The runtime connected the TCP (or TLS) connection a {@link IceEvent.TcpConnectRequested} asked for. */
  public void handleTcpConnected(long nowNanos, long connectionId, InetSocketAddress localAddress) {
    lastNow = nowNanos;
    Relay r = relayByConnection(connectionId);
    if (r == null || r.allocation != null || closed) {
      return;
    }
    TurnClientConfig.Builder b = TurnClientConfig.builder(r.serverAddress, localAddress, r.server.username(),
        r.server.credential()).transport(r.transport);
    if (config.software() != null) {
      b.software(config.software());
    }
    r.allocation = new TurnAllocation(b.build(), random);
    r.allocation.start(nowNanos);
    drainRelay(nowNanos, r);
  }

  /** The TCP connection could not be made. */
  public void handleTcpFailed(long nowNanos, long connectionId, String reason) {
    Relay r = relayByConnection(connectionId);
    if (r != null) {
      relayDead(nowNanos, r);
    }
  }

  /** The TCP connection closed. */
  public void handleTcpClosed(long nowNanos, long connectionId) {
    Relay r = relayByConnection(connectionId);
    if (r != null) {
      relayDead(nowNanos, r);
    }
  }

  /** The answer to a {@link IceEvent.MdnsQueryRequested}; empty when the name did not resolve. */
  public void handleMdnsResolved(long nowNanos, String name, Optional<InetAddress> address) {
    lastNow = nowNanos;
    List<IceCandidate> waiting = pendingMdns.remove(name.toLowerCase(java.util.Locale.ROOT));
    if (waiting == null || address.isEmpty() || closed) {
      return;
    }
    InetAddress ip = address.get();
    if (ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
      dropped++;
      return;
    }
    for (IceCandidate c : waiting) {
      if (c.port() != 0) {
        addRemote(nowNanos, c, new InetSocketAddress(ip, c.port()));
      }
    }
  }

  /** Our current credentials. */
  public IceCredentials localCredentials() {
    return gen.local;
  }

  /** The local candidates signalled so far (what a non-trickle description carries). */
  public List<IceCandidate> localCandidates() {
    List<IceCandidate> out = new ArrayList<>();
    for (Local l : locals) {
      if (signalled(l)) {
        out.add(l.candidate);
      }
    }
    return out;
  }

  /** The pair data goes over, if any. */
  public Optional<CandidatePair> selectedPair() {
    Pair p = activePair();
    return p == null ? Optional.empty() : Optional.of(p.snapshot());
  }

  /** The connection state. */
  public IceConnectionState state() {
    return state;
  }

  /** The gathering state. */
  public IceGatheringState gatheringState() {
    return gatheringState;
  }

  /** Counters and per-pair state. */
  public IceStats stats() {
    List<IceStats.PairStats> ps = new ArrayList<>();
    Pair active = activePair();
    for (Pair p : pairs) {
      ps.add(new IceStats.PairStats(p.snapshot(), p.state, p == active, p.requestsSent, p.responses,
          p.requestsReceived, p.lastResponse, p.valid));
    }
    return new IceStats(checksSent, checksReceived, responsesSent, responsesReceived, packetsSent, bytesSent,
        packetsReceived, bytesReceived, dropped, badIntegrity, roleConflicts, unknownSource, ps);
  }

  /** Malformed input that reached an unexpected code path (should stay 0; the fuzz test checks it). */
  long internalErrors() {
    return internalErrors;
  }

  /** Stops checks and data, deallocates TURN allocations (Refresh lifetime 0); state CLOSED. */
  public void close(long nowNanos) {
    lastNow = nowNanos;
    if (closed) {
      return;
    }
    closed = true;
    checks.clear();
    triggered.clear();
    for (StunQuery q : queries) {
      q.tx.cancel();
    }
    queries.clear();
    oldSelected = null;
    for (Relay r : List.copyOf(relays)) {
      if (r.allocation != null) {
        r.allocation.close(nowNanos);
        drainRelay(nowNanos, r);
      } else if (r.connectionId != 0 && !r.dead) {
        events.add(new IceEvent.TcpCloseRequested(r.connectionId));
        r.dead = true;
      }
    }
    setState(IceConnectionState.CLOSED);
  }

  // =========================================================================== gathering

  private void gatherHosts() {
    List<InetSocketAddress> hosts = config.hostAddresses();
    for (int i = 0; i < hosts.size(); i++) {
      InetSocketAddress a = hosts.get(i);
      int localPref = 65535 - 2 * i;
      IceCandidate c = candidate(IceCandidate.Type.HOST, foundation("host", a.getAddress(), null), localPref, a, null);
      Local l = new Local(c, a, a, null, config.policy() == IceTransportPolicy.ALL);
      addLocal(l);
    }
  }

  private void gatherServers(long nowNanos, boolean allocate) {
    for (IceServer s : config.servers()) {
      Optional<InetSocketAddress> addr = s.literalAddress();
      if (addr.isEmpty()) {
        continue; // the runtime resolves names; see IceServer#literalAddress
      }
      InetSocketAddress server = addr.get();
      for (Local host : List.copyOf(locals)) {
        if (host.candidate.type() != IceCandidate.Type.HOST || !sameFamily(host.base, server)) {
          continue;
        }
        if (s.scheme() == IceServer.Scheme.STUN && config.policy() == IceTransportPolicy.ALL) {
          TransactionId id = TransactionId.random(random);
          StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, id);
          if (config.software() != null) {
            b.add(new Software(config.software()));
          }
          Datagram req = Datagram.udp(host.base, server, b.encode(null, true));
          StunQuery q = new StunQuery(new StunClientTransaction(nowNanos, req, GATHERING_TIMERS), host, server);
          queries.add(q);
          drainQuery(nowNanos, q);
        } else if (s.scheme().isTurn() && allocate) {
          if (s.protocol() == IceProtocol.UDP) {
            Relay r = new Relay(s, server, Transport.UDP, host, 0);
            r.index = relays.size();
            relays.add(r);
            TurnClientConfig.Builder b = TurnClientConfig.builder(server, host.base, s.username(), s.credential());
            if (config.software() != null) {
              b.software(config.software());
            }
            r.allocation = new TurnAllocation(b.build(), random);
            r.allocation.start(nowNanos);
            drainRelay(nowNanos, r);
          } else {
            long id = nextConnectionId++;
            Relay r = new Relay(s, server, s.scheme().isTls() ? Transport.TLS : Transport.TCP, host, id);
            r.index = relays.size();
            relays.add(r);
            events.add(new IceEvent.TcpConnectRequested(id, server, s.scheme().isTls(), host.base));
          }
        }
      }
    }
  }

  private void drainQuery(long now, StunQuery q) {
    Optional<Datagram> d;
    while ((d = q.tx.pollTransmit()).isPresent()) {
      transmits.add(d.get());
    }
    Optional<StunTransactionEvent> e = q.tx.pollEvent();
    if (e.isEmpty()) {
      return;
    }
    q.done = true;
    if (e.get() instanceof StunTransactionEvent.Success s) {
      Optional<XorMappedAddress> m = s.response().attribute(XorMappedAddress.class);
      if (m.isPresent()) {
        addServerReflexive(q.host, m.get().address(), q.server.getAddress());
      }
    }
    checkGatheringComplete();
  }

  private void addServerReflexive(Local host, InetSocketAddress mapped, InetAddress server) {
    if (host == null || config.policy() != IceTransportPolicy.ALL || mapped.equals(host.address)) {
      return;
    }
    for (Local l : locals) {
      if (l.address.equals(mapped) && l.base.equals(host.base) && l.relay == null) {
        return; // redundant (RFC 8445 §5.1.3)
      }
    }
    int localPref = host.candidate.localPreference();
    IceCandidate c = candidate(IceCandidate.Type.SRFLX, foundation("srflx", host.base.getAddress(), server), localPref,
        mapped, host.base);
    addLocal(new Local(c, mapped, host.base, null, false));
  }

  private void drainRelay(long now, Relay r) {
    if (r.allocation == null) {
      return;
    }
    Optional<TurnClientEvent> o;
    while ((o = r.allocation.pollEvent()).isPresent()) {
      TurnClientEvent e = o.get();
      if (e instanceof TurnClientEvent.Allocated a) {
        relayAllocated(now, r, a.relayed(), a.mapped());
      } else if (e instanceof TurnClientEvent.AllocationFailed) {
        if (r.connectionId != 0 && !r.dead) {
          events.add(new IceEvent.TcpCloseRequested(r.connectionId)); // the connection carries nothing now
        }
        relayDead(now, r);
      } else if (e instanceof TurnClientEvent.PermissionFailed pf) {
        // The server refuses to relay to this peer (e.g. 403 for a private address): its relayed pairs
        // cannot work. (TurnAllocation reports only the peers really refused, not a whole batch.)
        for (Pair p : pairs) {
          if (p.local.relay == r && !p.valid && p.remote.address.getAddress().equals(pf.peer())) {
            p.state = IceStats.PairState.FAILED;
            if (p.inflight != null) {
              checks.remove(p.inflight.id);
              p.inflight = null;
            }
            triggered.remove(p);
          }
        }
        checklistFailure(now);
      } else if (e instanceof TurnClientEvent.PeerData pd) {
        if (r.candidate != null && !closed) {
          packet(now, r.candidate, pd.peer(), pd.data(), true);
        }
      } else if (e instanceof TurnClientEvent.Closed) {
        r.dead = true;
        if (r.connectionId != 0) {
          events.add(new IceEvent.TcpCloseRequested(r.connectionId));
        }
      }
    }
  }

  private void relayAllocated(long now, Relay r, InetSocketAddress relayed, InetSocketAddress mapped) {
    r.done = true;
    if (closed) {
      return;
    }
    if (mapped != null && r.transport == Transport.UDP) {
      addServerReflexive(r.host, mapped, r.serverAddress.getAddress());
    }
    int transportPref = switch (r.transport) {
      case UDP -> 3;
      case TCP -> 2;
      case TLS -> 1;
    };
    int localPref = (transportPref << 13) + (65535 >> 3) - Math.min(r.index, 8000);
    IceCandidate c = candidate(IceCandidate.Type.RELAY, foundation("relay" + r.transport, r.host.base.getAddress(),
        r.serverAddress.getAddress()), localPref, relayed, mapped);
    Local l = new Local(c, relayed, relayed, r, true);
    r.candidate = l;
    addLocal(l);
    checkGatheringComplete();
  }

  private void relayDead(long now, Relay r) {
    r.done = true;
    r.dead = true;
    for (Pair p : pairs) {
      if (p.local.relay == r) {
        p.state = IceStats.PairState.FAILED;
        p.valid = false;
      }
    }
    checkGatheringComplete();
    updateSelection(now);
  }

  private Relay relayByConnection(long id) {
    for (Relay r : relays) {
      if (r.connectionId == id && id != 0) {
        return r;
      }
    }
    return null;
  }

  private void checkGatheringComplete() {
    if (gatheringState != IceGatheringState.GATHERING) {
      return;
    }
    for (StunQuery q : queries) {
      if (!q.done) {
        return;
      }
    }
    for (Relay r : relays) {
      if (!r.done) {
        return;
      }
    }
    setGathering(IceGatheringState.COMPLETE);
  }

  private void setGathering(IceGatheringState s) {
    if (gatheringState != s) {
      gatheringState = s;
      events.add(new IceEvent.GatheringStateChanged(s));
    }
  }

  private boolean signalled(Local l) {
    IceCandidate.Type t = l.candidate.type();
    if (t == IceCandidate.Type.PRFLX) {
      return false;
    }
    return config.policy() == IceTransportPolicy.ALL || t == IceCandidate.Type.RELAY;
  }

  private void addLocal(Local l) {
    locals.add(l);
    if (signalled(l)) {
      events.add(new IceEvent.LocalCandidate(l.candidate));
    }
    if (l.pairable) {
      for (Remote r : remotes) {
        pairUp(l, r);
      }
    }
  }

  private IceCandidate candidate(IceCandidate.Type type, String foundation, int localPref, InetSocketAddress addr,
      InetSocketAddress related) {
    long prio = IcePriority.candidate(type.recommendedPreference(), localPref, 1);
    return new IceCandidate(foundation, 1, IceCandidate.Transport.UDP, prio, hostString(addr.getAddress()),
        addr.getPort(), type, related == null ? null : hostString(related.getAddress()),
        related == null ? -1 : related.getPort(), null, List.of());
  }

  /** RFC 8445 §5.1.1.3: same type, base IP, server and transport give the same foundation. */
  private String foundation(String type, InetAddress base, InetAddress server) {
    String key = type + "|" + base.getHostAddress() + "|" + (server == null ? "" : server.getHostAddress());
    return foundations.computeIfAbsent(key, k -> Integer.toString(foundations.size() + 1));
  }

  // =========================================================================== pairing

  private void addRemote(long now, IceCandidate candidate, InetSocketAddress address) {
    Remote existing = remotesByAddress.get(address);
    if (existing != null) {
      if (existing.candidate.type() == IceCandidate.Type.PRFLX) {
        // A signalled candidate for an address learned as peer-reflexive: keep the pairs, adopt the signalled identity.
        existing.candidate = candidate;
        for (Pair p : pairs) {
          if (p.remote == existing) {
            p.computePriority();
          }
        }
      }
      return;
    }
    Remote r = new Remote(candidate, address);
    remotes.add(r);
    remotesByAddress.put(address, r);
    for (Local l : List.copyOf(locals)) {
      if (l.pairable) {
        pairUp(l, r);
      }
    }
    maybeStartChecking(now);
  }

  private Pair pairUp(Local l, Remote r) {
    if (!sameFamily(l.base, r.address) || !l.pairable || (l.relay != null && l.relay.dead)) {
      return null;
    }
    Pair existing = findPair(l, r.address);
    if (existing != null) {
      return existing;
    }
    Pair p = new Pair(l, r, gen);
    if (pairs.size() >= config.maxPairs()) {
      Pair worst = null;
      for (Pair q : pairs) {
        if ((q.state == IceStats.PairState.FROZEN || q.state == IceStats.PairState.WAITING)
            && (worst == null || Long.compareUnsigned(q.priority, worst.priority) < 0)) {
          worst = q;
        }
      }
      if (worst == null || Long.compareUnsigned(worst.priority, p.priority) >= 0) {
        return null; // RFC 8445 §6.1.2.5: keep the highest-priority pairs
      }
      pairs.remove(worst);
      triggered.remove(worst);
    }
    String f = p.foundation();
    boolean active = false;
    for (Pair q : pairs) {
      if ((q.state == IceStats.PairState.WAITING || q.state == IceStats.PairState.IN_PROGRESS) && q.foundation().equals(f)) {
        active = true;
        break;
      }
    }
    p.state = active ? IceStats.PairState.FROZEN : IceStats.PairState.WAITING;
    insertSorted(p);
    if (l.relay != null && l.relay.allocation != null) {
      l.relay.allocation.createPermission(lastNow, r.address.getAddress());
    }
    return p;
  }

  private long lastNow;

  private void insertSorted(Pair p) {
    int i = 0;
    while (i < pairs.size() && Long.compareUnsigned(pairs.get(i).priority, p.priority) >= 0) {
      i++;
    }
    pairs.add(i, p);
  }

  private Pair findPair(Local l, InetSocketAddress remote) {
    for (Pair p : pairs) {
      if (p.local == l && p.remote.address.equals(remote)) {
        return p;
      }
    }
    return null;
  }

  /** The pair for traffic that arrived on {@code base} from {@code from}: the selected one first. */
  private Pair pairFor(Local base, InetSocketAddress from) {
    Pair s = selected;
    if (s != null && s.local.sameBase(base) && s.remote.address.equals(from)) {
      return s;
    }
    Pair o = oldSelected;
    if (o != null && o.local.sameBase(base) && o.remote.address.equals(from)) {
      return o;
    }
    Pair best = null;
    for (Pair p : pairs) {
      if (p.local.sameBase(base) && p.remote.address.equals(from)) {
        if (p.valid) {
          return p;
        }
        if (best == null) {
          best = p;
        }
      }
    }
    return best;
  }

  private void maybeStartChecking(long now) {
    if (gen.remote != null && !pairs.isEmpty() && (state == IceConnectionState.NEW)) {
      setState(IceConnectionState.CHECKING);
    }
    if (gen.remote != null && !pairs.isEmpty() && checkingSince == Long.MAX_VALUE) {
      checkingSince = now;
    }
  }

  // =========================================================================== checks

  private boolean hasCheckable() {
    if (closed || gen.remote == null || state == IceConnectionState.FAILED) {
      return false;
    }
    if (!triggered.isEmpty()) {
      return true;
    }
    for (Pair p : pairs) {
      if (p.state == IceStats.PairState.WAITING || p.state == IceStats.PairState.FROZEN) {
        return true;
      }
    }
    return false;
  }

  /** One paced check (RFC 8445 §6.1.4.2): a triggered one first, else the best Waiting, else the best Frozen. */
  private void sendNextCheck(long now) {
    Pair next = null;
    while (!triggered.isEmpty()) {
      Pair p = triggered.poll();
      if (pairs.contains(p) && p.state != IceStats.PairState.IN_PROGRESS && p.state != IceStats.PairState.SUCCEEDED) {
        next = p;
        break;
      }
    }
    if (next == null) {
      for (Pair p : pairs) {
        if (p.state == IceStats.PairState.WAITING) {
          next = p;
          break;
        }
      }
    }
    if (next == null) {
      for (Pair p : pairs) {
        if (p.state == IceStats.PairState.FROZEN) {
          next = p;
          break;
        }
      }
    }
    if (next == null) {
      return;
    }
    boolean useCandidate = role == IceRole.CONTROLLING && next.nominateOnSuccess;
    sendCheck(now, next, useCandidate, false);
    nextCheckAt = now + ta;
  }

  private Check sendCheck(long now, Pair p, boolean useCandidate, boolean consent) {
    Generation g = p.generation;
    if (g.remote == null) {
      return null;
    }
    TransactionId id = TransactionId.random(random);
    StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, id)
        .add(new Username(g.remote.ufrag() + ":" + g.local.ufrag()))
        .add(new Priority(IcePriority.candidate(IceCandidate.Type.PRFLX.recommendedPreference(),
            p.local.candidate.localPreference(), 1)))
        .add(role == IceRole.CONTROLLING ? new IceControlling(config.tieBreaker()) : new IceControlled(config.tieBreaker()));
    if (useCandidate) {
      b.add(new UseCandidate());
    }
    byte[] bytes = new byte[b.encodedLength(true, true)];
    b.encodeTo(ByteBuffer.wrap(bytes), g.remoteKey, true, calc);
    Check c = new Check(p, id, bytes, useCandidate, consent, role);
    c.next = now + (consent ? CONSENT_CHECK_LIFETIME : CHECK_RTO);
    checks.put(id, c);
    transmit(now, p.local, p.remote.address, bytes);
    checksSent++;
    p.requestsSent++;
    if (!consent) {
      if (p.inflight != null) {
        checks.remove(p.inflight.id);
      }
      p.inflight = c;
      if (!p.valid) {
        p.state = IceStats.PairState.IN_PROGRESS;
      }
      if (useCandidate) {
        p.nominating = c;
      }
    }
    return c;
  }

  private void transmit(long now, Local local, InetSocketAddress to, byte[] bytes) {
    if (local.relay != null) {
      Relay r = local.relay;
      if (r.allocation != null && !r.dead) {
        r.allocation.send(now, to, ByteBuffer.wrap(bytes));
      }
    } else {
      transmits.add(Datagram.udp(local.base, to, bytes));
    }
  }

  private void retransmitChecks(long now) {
    if (checks.isEmpty()) {
      return;
    }
    for (Iterator<Check> it = checks.values().iterator(); it.hasNext(); ) {
      Check c = it.next();
      if (c.next > now) {
        continue;
      }
      Pair p = c.pair;
      if (c.consent) {
        it.remove(); // consent checks are not retransmitted: the next one is a new transaction (RFC 7675 §5.1)
        continue;
      }
      if (c.sends >= CHECK_MAX_SENDS) {
        it.remove();
        if (p.inflight == c) {
          p.inflight = null;
        }
        if (p.nominating == c) {
          p.nominating = null;
        }
        if (!p.valid) {
          p.state = IceStats.PairState.FAILED;
        }
        continue;
      }
      c.sends++;
      c.rto = Math.min(c.rto * 2, CHECK_RTO_MAX);
      c.next = now + c.rto;
      transmit(now, p.local, p.remote.address, c.bytes);
      checksSent++;
      p.requestsSent++;
    }
  }

  // =========================================================================== receive path

  private void receive(long now, Datagram in) {
    lastNow = now;
    for (int i = 0; i < relays.size(); i++) {
      Relay r = relays.get(i);
      if (r.allocation != null && r.allocation.matches(in)) {
        if (!ownQueryResponse(now, in)) {
          r.allocation.handleReceive(now, in);
          drainRelay(now, r);
        }
        return;
      }
    }
    if (closed) {
      dropped++;
      return;
    }
    if (in.transport() != Transport.UDP) {
      dropped++;
      return;
    }
    if (ownQueryResponse(now, in)) {
      return;
    }
    Local base = hostLocal(in.destination());
    if (base == null) {
      dropped++;
      return;
    }
    packet(now, base, in.source(), in.payload(), false);
  }

  private Local hostLocal(InetSocketAddress address) {
    for (int i = 0; i < locals.size(); i++) {
      Local l = locals.get(i);
      if (l.relay == null && l.candidate.type() == IceCandidate.Type.HOST && l.base.equals(address)) {
        return l;
      }
    }
    if (oldSelected != null && oldSelected.local.relay == null && oldSelected.local.base.equals(address)) {
      return oldSelected.local;
    }
    return null;
  }

  /** A response to one of our STUN server Binding requests. */
  private boolean ownQueryResponse(long now, Datagram in) {
    if (queries.isEmpty() || !StunMessage.looksLikeStun(in.payload())) {
      return false;
    }
    for (StunQuery q : queries) {
      if (!q.done && q.server.equals(in.source()) && q.host.base.equals(in.destination())) {
        StunMessage m;
        try {
          m = StunMessage.parseDatagram(in.payload().duplicate());
        } catch (StunParseException e) {
          return false;
        }
        if (m.transactionId().equals(q.tx.transactionId())) {
          q.tx.handleResponse(now, m, in.source());
          drainQuery(now, q);
          return true;
        }
      }
    }
    return false;
  }

  /** Traffic from a peer on a local base (a host socket or a relay). */
  private void packet(long now, Local base, InetSocketAddress from, ByteBuffer payload, boolean owned) {
    if (!payload.hasRemaining()) {
      dropped++;
      return;
    }
    int b0 = payload.get(payload.position()) & 0xFF;
    if (b0 < 4) {
      if (!StunMessage.looksLikeStun(payload)) {
        dropped++;
        return;
      }
      StunMessage m;
      try {
        m = StunMessage.parseDatagram(payload.duplicate());
      } catch (StunParseException e) {
        dropped++;
        return;
      }
      if (m.method() != StunMethod.BINDING) {
        dropped++;
        return;
      }
      switch (m.stunClass()) {
        case REQUEST -> request(now, base, from, m);
        case SUCCESS_RESPONSE, ERROR_RESPONSE -> response(now, base, from, m);
        default -> { } // Binding indications are keepalives (RFC 8445 §11)
      }
      return;
    }
    Pair p = pairFor(base, from);
    if (p == null) {
      unknownSource++;
      dropped++;
      return;
    }
    int n = payload.remaining();
    ByteBuffer data;
    if (owned) {
      data = payload;
    } else {
      data = ByteBuffer.allocate(n);
      data.put(payload.duplicate()).flip();
    }
    packetsReceived++;
    bytesReceived += n;
    events.add(new IceEvent.ApplicationData(data, p.snapshot()));
  }

  private void request(long now, Local base, InetSocketAddress from, StunMessage m) {
    Optional<Username> user = m.attribute(Username.class);
    if (user.isEmpty() || !m.hasMessageIntegrity()) {
      badIntegrity++;
      return;
    }
    String u = user.get().value();
    int colon = u.indexOf(':');
    if (colon <= 0) {
      badIntegrity++;
      return;
    }
    String ours = u.substring(0, colon);
    Generation g;
    if (ours.equals(gen.local.ufrag())) {
      g = gen;
    } else if (oldGen != null && ours.equals(oldGen.local.ufrag())) {
      g = oldGen;
    } else {
      badIntegrity++;
      return;
    }
    if (g.remote != null && !u.substring(colon + 1).equals(g.remote.ufrag())) {
      badIntegrity++;
      return;
    }
    if (!calc.verifyMessageIntegrity(m, g.localKey)) {
      badIntegrity++;
      return;
    }
    if (config.policy() == IceTransportPolicy.RELAY && base.relay == null && g == gen) {
      dropped++; // relay-only: host sockets are not candidates
      return;
    }
    checksReceived++;
    if (!m.unknownComprehensionRequired().isEmpty()) {
      // RFC 8489 §6.3.1.1: 420 listing them; nothing else happens.
      respond(base, from, m, g, ErrorCode.UNKNOWN_ATTRIBUTE, new UnknownAttributes(m.unknownComprehensionRequired()));
      return;
    }
    if (g != gen) {
      // The peer still checks the pre-restart pair: answer, change nothing.
      respond(base, from, m, g, null, null);
      return;
    }
    Optional<IceControlling> ctl = m.attribute(IceControlling.class);
    Optional<IceControlled> ctd = m.attribute(IceControlled.class);
    if (role == IceRole.CONTROLLING && ctl.isPresent()) {
      roleConflicts++;
      if (Long.compareUnsigned(config.tieBreaker(), ctl.get().tieBreaker()) >= 0) {
        respond(base, from, m, g, ErrorCode.ROLE_CONFLICT, null);
        return;
      }
      switchRole(IceRole.CONTROLLED);
    } else if (role == IceRole.CONTROLLED && ctd.isPresent()) {
      roleConflicts++;
      if (Long.compareUnsigned(config.tieBreaker(), ctd.get().tieBreaker()) >= 0) {
        switchRole(IceRole.CONTROLLING);
      } else {
        respond(base, from, m, g, ErrorCode.ROLE_CONFLICT, null);
        return;
      }
    }
    Remote remote = remotesByAddress.get(from);
    if (remote == null) {
      Optional<Priority> prio = m.attribute(Priority.class);
      if (prio.isEmpty() || prio.get().priority() == 0 || remotes.size() >= MAX_REMOTE_CANDIDATES) {
        dropped++;
        return;
      }
      // RFC 8445 §7.3.1.3: a peer-reflexive remote candidate.
      IceCandidate c = new IceCandidate(Long.toHexString(random.nextLong() & Long.MAX_VALUE), 1,
          IceCandidate.Transport.UDP, prio.get().priority(), hostString(from.getAddress()), from.getPort(),
          IceCandidate.Type.PRFLX, null, -1, null, List.of());
      remote = new Remote(c, from);
      remotes.add(remote);
      remotesByAddress.put(from, remote);
    }
    Pair p = findPair(base, from);
    if (p == null) {
      p = pairUp(base, remote);
      maybeStartChecking(now);
    }
    respond(base, from, m, g, null, null);
    if (p == null) {
      return;
    }
    p.requestsReceived++;
    if (p.state != IceStats.PairState.SUCCEEDED) {
      // RFC 8445 §7.3.1.4: triggered check; an in-progress check is replaced by a fresh one (the
      // peer just reached us, so the path likely works now, and waiting out a backed-off RTO is slow).
      p.state = IceStats.PairState.WAITING;
      if (!triggered.contains(p)) {
        triggered.add(p);
      }
    }
    if (m.has(UseCandidate.class) && role == IceRole.CONTROLLED) {
      Pair target = p.valid ? p : p.validPair != null && p.validPair.valid ? p.validPair : null;
      if (target != null) {
        target.setNominated();
        target.nominatedAt = now;
      } else {
        p.nominateOnSuccess = true;
      }
    }
    updateSelection(now);
  }

  private void respond(Local base, InetSocketAddress to, StunMessage req, Generation g, ErrorCode error,
      UnknownAttributes unknown) {
    StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING,
        error == null ? StunClass.SUCCESS_RESPONSE : StunClass.ERROR_RESPONSE, req.transactionId());
    if (error == null) {
      b.add(new XorMappedAddress(to));
    } else {
      b.add(error);
      if (unknown != null) {
        b.add(unknown);
      }
    }
    byte[] bytes = new byte[b.encodedLength(true, true)];
    b.encodeTo(ByteBuffer.wrap(bytes), g.localKey, true, calc);
    transmit(lastNow, base, to, bytes);
    responsesSent++;
  }

  private void response(long now, Local base, InetSocketAddress from, StunMessage m) {
    Check c = checks.get(m.transactionId());
    if (c == null) {
      dropped++;
      return;
    }
    Pair p = c.pair;
    Generation g = p.generation;
    if (g.remoteKey == null || !calc.verifyMessageIntegrity(m, g.remoteKey)) {
      badIntegrity++;
      return;
    }
    checks.remove(c.id);
    responsesReceived++;
    if (p.inflight == c) {
      p.inflight = null;
    }
    if (p.nominating == c) {
      p.nominating = null;
    }
    if (m.stunClass() == StunClass.ERROR_RESPONSE) {
      Optional<ErrorCode> code = m.attribute(ErrorCode.class);
      if (code.isPresent() && code.get().code() == ErrorCode.ROLE_CONFLICT.code() && g == gen) {
        // RFC 8445 §7.2.5.1: switch role (unless already switched) and retry.
        roleConflicts++;
        if (role == c.roleAtSend) {
          switchRole(c.roleAtSend.opposite());
        }
        if (!c.consent) {
          p.state = IceStats.PairState.WAITING;
          triggered.add(p);
        }
      } else if (!c.consent && !p.valid) {
        p.state = IceStats.PairState.FAILED;
      }
      return;
    }
    if (!from.equals(p.remote.address) || !base.sameBase(p.local)) {
      // RFC 8445 §7.2.5.2.1: non-symmetric addresses fail the check.
      if (!c.consent && !p.valid) {
        p.state = IceStats.PairState.FAILED;
      }
      return;
    }
    p.responses++;
    p.lastResponse = now;
    if (g != gen) {
      if (p == oldSelected) {
        consentRefreshed(now); // consent of the pre-restart pair
      }
      return;
    }
    Pair valid = p;
    if (!c.consent) {
      p.state = IceStats.PairState.SUCCEEDED;
      Optional<XorMappedAddress> mapped = m.attribute(XorMappedAddress.class);
      if (mapped.isPresent() && p.local.relay == null && !mapped.get().address().equals(p.local.address)) {
        valid = validPairFor(p, mapped.get().address());
        valid.lastResponse = now;
      }
      p.validPair = valid;
      for (Pair q : pairs) {
        if (q.state == IceStats.PairState.FROZEN && q.foundation().equals(p.foundation())) {
          q.state = IceStats.PairState.WAITING; // RFC 8445 §7.2.5.3.3
        }
      }
    }
    if (!valid.valid) {
      valid.valid = true;
      if (firstValidAt == Long.MAX_VALUE) {
        firstValidAt = now;
      }
    }
    if (c.useCandidate && role == IceRole.CONTROLLING) {
      valid.setNominated();
      valid.nominatedAt = now;
    } else if (p.nominateOnSuccess && role == IceRole.CONTROLLED) {
      p.nominateOnSuccess = false;
      valid.setNominated();
      valid.nominatedAt = now;
    }
    if (valid == selected || p == selected || p == oldSelected) {
      consentRefreshed(now);
    }
    maybeNominate(now);
    updateSelection(now);
  }

  /** The valid pair for a success whose mapped address is not the local candidate's (RFC 8445 §7.2.5.3.1). */
  private Pair validPairFor(Pair checked, InetSocketAddress mapped) {
    Local local = null;
    for (Local l : locals) {
      if (l.relay == null && l.base.equals(checked.local.base) && l.address.equals(mapped)) {
        local = l;
        break;
      }
    }
    if (local == null) {
      int localPref = checked.local.candidate.localPreference();
      IceCandidate c = candidate(IceCandidate.Type.PRFLX, foundation("prflx", checked.local.base.getAddress(), null),
          localPref, mapped, checked.local.base);
      local = new Local(c, mapped, checked.local.base, null, false);
      locals.add(local);
    }
    for (Pair q : pairs) {
      if (q.local == local && q.remote == checked.remote) {
        q.state = IceStats.PairState.SUCCEEDED;
        return q;
      }
    }
    Pair v = new Pair(local, checked.remote, gen);
    v.state = IceStats.PairState.SUCCEEDED;
    insertSorted(v);
    // The valid pair inherits a pending nomination of the checked pair.
    v.nominateOnSuccess = checked.nominateOnSuccess;
    return v;
  }

  private void switchRole(IceRole newRole) {
    role = newRole;
    for (Pair p : pairs) {
      p.computePriority();
    }
    pairs.sort((a, b) -> Long.compareUnsigned(b.priority, a.priority));
    events.add(new IceEvent.RoleChanged(newRole));
  }

  // =========================================================================== nomination and selection

  private boolean needsNomination() {
    if (gen.remote == null) {
      return false;
    }
    for (Pair p : pairs) {
      if (p.nominated && p.valid) {
        return false;
      }
    }
    for (Pair p : pairs) {
      if (p.valid) {
        return true;
      }
    }
    return false;
  }

  private void maybeNominate(long now) {
    if (role != IceRole.CONTROLLING || closed || gen.remote == null || state == IceConnectionState.FAILED) {
      return;
    }
    for (Pair p : pairs) {
      if (p.nominating != null) {
        return; // one nomination at a time
      }
    }
    Pair best = null;
    for (Pair p : pairs) {
      if (p.valid && (best == null || rank(p, now) > rank(best, now))) {
        best = p;
      }
    }
    if (best == null) {
      return;
    }
    Pair current = null;
    for (Pair p : pairs) {
      if (p.nominated && p.valid && (current == null || p.nominatedAt > current.nominatedAt)) {
        current = p;
      }
    }
    if (current != null) {
      // Re-nominate only when the nominated pair went quiet and another valid pair answers (NAT rebinding).
      if (current.receiving(now) || !best.receiving(now) || best == current) {
        return;
      }
    } else {
      boolean betterPending = false;
      for (Pair p : pairs) {
        if (Long.compareUnsigned(p.priority, best.priority) > 0 && (p.state == IceStats.PairState.WAITING
            || p.state == IceStats.PairState.IN_PROGRESS || p.state == IceStats.PairState.FROZEN)) {
          betterPending = true;
          break;
        }
      }
      if (betterPending && now < firstValidAt + NOMINATION_WAIT) {
        return;
      }
    }
    sendCheck(now, best, true, false);
  }

  /** Selection order: receiving, then the latest nomination, then priority. */
  private long rank(Pair p, long now) {
    // Packed into a comparable value: bit 62 receiving, bit 61 nominated; the rest breaks ties by priority.
    long r = 0;
    if (p.receiving(now)) {
      r |= 1L << 62;
    }
    if (p.nominated) {
      r |= 1L << 61;
    }
    return r | ((p.priority >>> 4) & ((1L << 60) - 1));
  }

  private void updateSelection(long now) {
    if (closed || state == IceConnectionState.FAILED) {
      return;
    }
    Pair best = null;
    for (Pair p : pairs) {
      if (!p.valid) {
        continue;
      }
      if (best == null) {
        best = p;
        continue;
      }
      long rp = rank(p, now);
      long rb = rank(best, now);
      if (rp > rb || (rp == rb && p.nominated && best.nominated && p.nominatedAt > best.nominatedAt)) {
        best = p;
      }
    }
    if (best == null) {
      return;
    }
    if (selected != null && selected != best) {
      // Keep the current pair unless the other ranks strictly better (no flapping on ties).
      long rs = rank(selected, now);
      long rb = rank(best, now);
      boolean newerNomination = best.nominated && selected.nominated && best.nominatedAt > selected.nominatedAt
          && (best.receiving(now) || !selected.receiving(now));
      if (rb <= rs && !newerNomination) {
        return;
      }
    }
    if (best != selected) {
      boolean first = selected == null;
      selected = best;
      if (oldSelected != null) {
        oldSelected = null;
        oldGen = null;
      }
      if (first || selected.lastResponse == 0) {
        selected.lastResponse = Math.max(selected.lastResponse, now);
      }
      scheduleConsent(now);
      events.add(new IceEvent.SelectedPairChanged(selected.snapshot()));
    } else if (selected.nominated && selected.snapshot != null && !selected.snapshot.nominated()) {
      selected.snapshot = null;
    }
    if (state == IceConnectionState.NEW || state == IceConnectionState.CHECKING
        || state == IceConnectionState.DISCONNECTED && selected.receiving(now)) {
      setState(IceConnectionState.CONNECTED);
    }
    maybeCompleted();
  }

  private void maybeCompleted() {
    if (state != IceConnectionState.CONNECTED || selected == null || !selected.nominated || !remoteEndOfCandidates
        || gatheringState != IceGatheringState.COMPLETE) {
      return;
    }
    for (Pair p : pairs) {
      if (p.state == IceStats.PairState.WAITING || p.state == IceStats.PairState.IN_PROGRESS
          || p.state == IceStats.PairState.FROZEN) {
        return;
      }
    }
    setState(IceConnectionState.COMPLETED);
  }

  private Pair activePair() {
    return selected != null ? selected : oldSelected;
  }

  // =========================================================================== consent (RFC 7675)

  private void scheduleConsent(long now) {
    long jittered = (long) (consentBase * random.nextDouble(0.8, 1.2));
    nextConsentAt = now + Math.max(jittered, MS);
  }

  private void consentRefreshed(long now) {
    if (state == IceConnectionState.DISCONNECTED) {
      setState(IceConnectionState.CONNECTED);
      maybeCompleted();
    }
  }

  private void consent(long now) {
    Pair p = activePair();
    if (p == null || consentExpired) {
      return;
    }
    long silent = now - p.lastResponse;
    if (silent > failedTimeout) {
      // RFC 7675 §5.1: consent expired; stop sending anything but (after a restart) new checks.
      consentExpired = true;
      nextConsentAt = Long.MAX_VALUE;
      for (Iterator<Check> it = checks.values().iterator(); it.hasNext(); ) {
        if (it.next().consent) {
          it.remove();
        }
      }
      oldSelected = null;
      oldGen = null;
      setState(IceConnectionState.FAILED);
      return;
    }
    if (silent > disconnectedTimeout && (state == IceConnectionState.CONNECTED || state == IceConnectionState.COMPLETED)) {
      setState(IceConnectionState.DISCONNECTED);
    }
    if (now >= nextConsentAt) {
      sendCheck(now, p, role == IceRole.CONTROLLING && p.nominated && p.generation == gen, true);
      scheduleConsent(now);
    }
  }

  private void checklistFailure(long now) {
    if (state != IceConnectionState.CHECKING || selected != null || oldSelected != null) {
      return;
    }
    if (checkingSince != Long.MAX_VALUE && now - checkingSince >= config.checklistTimeout().toNanos()) {
      failChecklist();
      return;
    }
    if (!remoteEndOfCandidates || gatheringState != IceGatheringState.COMPLETE || !pendingMdns.isEmpty()
        || pairs.isEmpty()) {
      return;
    }
    for (Pair p : pairs) {
      if (p.state != IceStats.PairState.FAILED) {
        return;
      }
    }
    failChecklist();
  }

  private void failChecklist() {
    checks.clear();
    triggered.clear();
    setState(IceConnectionState.FAILED);
  }

  private void setState(IceConnectionState s) {
    if (state != s) {
      state = s;
      events.add(new IceEvent.ConnectionStateChanged(s));
    }
  }

  // =========================================================================== helpers

  private static boolean sameFamily(InetSocketAddress a, InetSocketAddress b) {
    return (a.getAddress() instanceof Inet6Address) == (b.getAddress() instanceof Inet6Address);
  }

  private static String hostString(InetAddress a) {
    String s = a.getHostAddress();
    int pct = s.indexOf('%');
    return pct >= 0 ? s.substring(0, pct) : s;
  }

  private static InetAddress literal(String s) {
    if (!IceServer.isIpLiteral(s)) {
      return null;
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
