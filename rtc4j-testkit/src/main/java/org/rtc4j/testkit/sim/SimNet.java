package org.rtc4j.testkit.sim;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.regex.Pattern;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;

/**
 * A deterministic simulated network: hosts with IPv4/IPv6 addresses, NATs of the four classic
 * types, impaired links, and a driver loop that runs sans-IO cores on {@link SimClock} virtual
 * time. Everything random (loss, jitter, reorder, duplication, NAT ports) comes from one generator
 * seeded at construction, and events at the same virtual time run in a fixed order, so the same
 * seed and the same test give the same packets at the same times.
 *
 * <pre>{@code
 * SimNet net = new SimNet(42);
 * net.defaultImpairment(Impairment.builder().delay(Duration.ofMillis(20)).loss(0.02).build());
 * SimHost server = net.host("stun", "198.51.100.1");
 * SimNat nat = net.nat("home", NatType.PORT_RESTRICTED_CONE, "203.0.113.7");
 * SimHost alice = nat.host("alice", "192.168.1.10");
 * SimCore<MyEvent> a = alice.attach(SansIo.of(core::handleReceive, core::handleTimeout,
 *     core::pollTransmit, core::pollEvent, core::pollTimeout));
 * a.bind(5000);
 * net.await(Duration.ofSeconds(30), "alice connected", () -> a.hasEvent(e -> e instanceof Connected));
 * }</pre>
 *
 * <p><b>Topology.</b> The simulation's top realm is "the internet". {@link #host} and {@link #nat}
 * add nodes to it; {@link SimNat#host} and {@link SimNat#nat} add nodes behind a NAT, in a private
 * address space of its own. A datagram crosses one link per hop (host → NAT → host, each a link
 * with its own impairment); a NAT translates instantly. A destination address not in a realm goes
 * to the realm's NAT; on the internet it is dropped (no route). A host sending to itself skips the
 * links.
 *
 * <p><b>Impairments</b> are per direction of a link between two nodes of one realm
 * ({@link #impair}), else the {@link #defaultImpairment}; see {@link Impairment} for the order in
 * which they apply. Datagrams with a reliable transport (TCP, TLS) only get the delay and the rate
 * queue (never lost, duplicated, reordered or dropped): a simplification that stands for TCP's own
 * retransmission.
 *
 * <p><b>Driver loop.</b> {@link #runUntil}, {@link #runFor}, {@link #await}: deliver due datagrams,
 * call {@code handleTimeout} on cores whose {@code pollTimeout} came, drain their transmits and
 * events, jump virtual time to the next thing that happens. Plain {@link SimEndpoint}s work without
 * cores too (send, run, receive).
 *
 * <p>Not thread-safe: a simulation runs on one thread.
 */
public final class SimNet {

  /** Limit on loop iterations without virtual time moving, to turn a busy loop into an error. */
  private static final int MAX_STEPS_AT_ONE_INSTANT = 100_000;

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final SimClock clock;
  private final long seed;
  private final RandomGenerator random;
  private final Realm internet;
  private final Map<String, SimNode> names = new HashMap<>();
  private final Map<SimNode, Map<SimNode, Link>> links = new IdentityHashMap<>();
  private final List<SimCore<?>> cores = new ArrayList<>();
  private final SimStats.Counters counters = new SimStats.Counters();
  private Impairment defaultImpairment = Impairment.NONE;
  private Consumer<String> tracer;
  private long packetIds;

  /** A network with its own {@link SimClock} and randomness seeded by {@code seed}. */
  public SimNet(long seed) {
    this(new SimClock(), seed);
  }

  /** A network on {@code clock} with randomness seeded by {@code seed}. */
  public SimNet(SimClock clock, long seed) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.seed = seed;
    // L64X128MixRandom: an LXM generator whose algorithm is specified, so sequences are stable across JDKs.
    this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    this.internet = new Realm(this, null);
  }

  /** The virtual clock. */
  public SimClock clock() {
    return clock;
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /**
   * The simulation's random generator, for tests and cores that need randomness consistent with
   * the seed (e.g. transaction ids). Drawing from it changes later impairment decisions, but
   * deterministically.
   */
  public RandomGenerator random() {
    return random;
  }

  // ---------------------------------------------------------------- topology

  /** Adds a host on the internet with the given IPv4/IPv6 literal addresses. */
  public SimHost host(String name, String... addresses) {
    return internet.host(name, addresses);
  }

  /** Adds a NAT of a classic type on the internet with the given external addresses. */
  public SimNat nat(String name, NatType type, String... externalAddresses) {
    return internet.nat(name, NatConfig.of(type), externalAddresses);
  }

  /** Adds a NAT on the internet. */
  public SimNat nat(String name, NatConfig config, String... externalAddresses) {
    return internet.nat(name, config, externalAddresses);
  }

  /** The node called {@code name}. */
  public SimNode node(String name) {
    SimNode n = names.get(name);
    if (n == null) {
      throw new IllegalArgumentException("no node named " + name);
    }
    return n;
  }

  // ---------------------------------------------------------------- impairments

  /** The impairment of every link direction without its own. */
  public SimNet defaultImpairment(Impairment impairment) {
    this.defaultImpairment = Objects.requireNonNull(impairment, "impairment");
    return this;
  }

  /** The current default impairment. */
  public Impairment defaultImpairment() {
    return defaultImpairment;
  }

  /**
   * Sets the impairment of the link direction {@code from → to} (two nodes of one realm, e.g. a
   * host and its NAT); null returns it to the default. Rate-limit state is kept.
   */
  public SimNet impair(SimNode from, SimNode to, Impairment impairment) {
    if (from.realm != to.realm && !(to instanceof SimNat n && n.inner() == from.realm)
        && !(from instanceof SimNat m && m.inner() == to.realm)) {
      throw new IllegalArgumentException(from + " and " + to + " are not neighbours (same realm, or a host and its NAT)");
    }
    link(from, to).impairment = impairment;
    return this;
  }

  /** Sets the same impairment on both directions between {@code a} and {@code b}. */
  public SimNet impairBoth(SimNode a, SimNode b, Impairment impairment) {
    impair(a, b, impairment);
    impair(b, a, impairment);
    return this;
  }

  /** Counters of the link direction {@code from → to} ({@code sent} counts datagrams entering it). */
  public SimStats linkStats(SimNode from, SimNode to) {
    return link(from, to).counters.snapshot();
  }

  // ---------------------------------------------------------------- observation

  /** Network-wide counters. */
  public SimStats stats() {
    return counters.snapshot();
  }

  /**
   * Receives one line per packet event (send, hop, NAT translation, drop with reason, delivery),
   * prefixed with the virtual time; null turns tracing off. Two runs with the same seed produce the
   * same lines, which makes the trace the thing to compare (and to print) when a test fails.
   */
  public SimNet trace(Consumer<String> tracer) {
    this.tracer = tracer;
    return this;
  }

  // ---------------------------------------------------------------- driver loop

  /**
   * Runs the simulation until {@code condition} holds or {@code within} of virtual time has passed.
   *
   * @return whether the condition held
   */
  public boolean runUntil(Duration within, BooleanSupplier condition) {
    return runUntilTime(saturatedAdd(clock.nanos(), within.toNanos()), condition);
  }

  /**
   * Runs until {@code condition} holds or virtual time reaches {@code deadlineNanos}; on a deadline
   * the clock ends exactly there.
   *
   * @return whether the condition held
   */
  public boolean runUntilTime(long deadlineNanos, BooleanSupplier condition) {
    Objects.requireNonNull(condition, "condition");
    pump();
    long lastInstant = clock.nanos();
    int stepsAtInstant = 0;
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      long now = clock.nanos();
      if (now >= deadlineNanos) {
        return false;
      }
      long coreDue = Long.MAX_VALUE;
      for (SimCore<?> c : cores) {
        coreDue = Math.min(coreDue, c.core().pollTimeout());
      }
      long next = Math.max(now, Math.min(coreDue, clock.nextTimerNanos()));
      if (next > deadlineNanos || next == Long.MAX_VALUE) {
        clock.advanceTo(Math.max(now, deadlineNanos));
        pump();
        return condition.getAsBoolean();
      }
      clock.advanceTo(next);
      if (coreDue <= next) {
        for (SimCore<?> c : List.copyOf(cores)) {
          if (!c.isDetached() && c.core().pollTimeout() <= next) {
            c.core().handleTimeout(next);
          }
        }
      }
      pump();
      if (clock.nanos() == lastInstant) {
        if (++stepsAtInstant > MAX_STEPS_AT_ONE_INSTANT) {
          throw new IllegalStateException("simulation makes no progress: " + MAX_STEPS_AT_ONE_INSTANT
              + " steps at " + SimClock.format(clock.nanos()) + "; cores due now: " + coresDue(clock.nanos())
              + ", network timers: " + clock.pendingTimers());
        }
      } else {
        lastInstant = clock.nanos();
        stepsAtInstant = 0;
      }
    }
  }

  /** Runs for {@code duration} of virtual time. */
  public void runFor(Duration duration) {
    runUntil(duration, () -> false);
  }

  /**
   * Runs until nothing is scheduled (no datagram in flight, no core timeout) or {@code within}
   * passes.
   *
   * @return whether the network became idle
   */
  public boolean runUntilIdle(Duration within) {
    return runUntil(within, this::idle);
  }

  /** Runs until {@code condition} holds; fails with the description, the virtual time and the counters otherwise. */
  public void await(Duration within, String description, BooleanSupplier condition) {
    long start = clock.nanos();
    if (!runUntil(within, condition)) {
      throw new AssertionError("simulated " + within.toMillis() + " ms (seed " + seed + ") without: "
          + description + "; at " + SimClock.format(clock.elapsedNanos()) + " elapsed (waited "
          + SimClock.format(clock.nanos() - start) + "), " + stats());
    }
  }

  /** Whether no datagram is in flight, no clock timer is pending and no core wants a timeout. */
  public boolean idle() {
    if (clock.pendingTimers() > 0) {
      return false;
    }
    for (SimCore<?> c : cores) {
      if (c.core().pollTimeout() != Long.MAX_VALUE) {
        return false;
      }
    }
    return true;
  }

  /** Drains transmits and events of all cores until none has anything more. */
  public void pump() {
    int rounds = 0;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (SimCore<?> c : List.copyOf(cores)) {
        if (!c.isDetached()) {
          progress |= c.pump();
        }
      }
      if (++rounds > MAX_STEPS_AT_ONE_INSTANT) {
        throw new IllegalStateException("cores keep producing output at one instant (zero-delay loop?) at "
            + SimClock.format(clock.nanos()));
      }
    }
  }

  private String coresDue(long now) {
    List<String> due = new ArrayList<>();
    for (SimCore<?> c : cores) {
      if (c.core().pollTimeout() <= now) {
        due.add(c.name());
      }
    }
    return due.toString();
  }

  void register(SimCore<?> core) {
    cores.add(core);
  }

  void unregister(SimCore<?> core) {
    cores.remove(core);
  }

  void registerName(SimNode node) {
    if (names.putIfAbsent(node.name(), node) != null) {
      throw new IllegalArgumentException("a node named " + node.name() + " exists already");
    }
  }

  // ---------------------------------------------------------------- packet path

  /** One datagram in flight. The bytes are a private copy and never change. */
  record Packet(long id, Transport transport, InetSocketAddress src, InetSocketAddress dst, byte[] data) {
    Packet withSource(InetSocketAddress s) {
      return new Packet(id, transport, s, dst, data);
    }

    Packet withDestination(InetSocketAddress d) {
      return new Packet(id, transport, src, d, data);
    }

    Datagram toDatagram() {
      return new Datagram(transport, src, dst, ByteBuffer.wrap(data.clone()));
    }

    int ipSize() {
      return data.length + 8 + (dst.getAddress() instanceof Inet6Address ? 40 : 20);
    }

    @Override
    public String toString() {
      return "#" + id + " " + transport + " " + format(src) + " -> " + format(dst) + " (" + data.length + " B)";
    }
  }

  void send(SimHost from, Datagram d) {
    Packet p = new Packet(++packetIds, d.transport(), d.source(), d.destination(), d.bytes());
    counters.sent++;
    trace(from, "send", p, null);
    if ((p.src().getAddress() instanceof Inet6Address) != (p.dst().getAddress() instanceof Inet6Address)) {
      dropNoRoute(from, p, "address families differ");
      return;
    }
    forward(from, from.realm, p);
  }

  /** Sends {@code p}, which is at node {@code from} in {@code realm}, one hop towards its destination. */
  private void forward(SimNode from, Realm realm, Packet p) {
    SimNode to = realm.nodes.get(p.dst().getAddress());
    if (to == null) {
      to = realm.gateway;
    }
    if (to == null) {
      dropNoRoute(from, p, "no route in " + realm);
      return;
    }
    if (to == from) {
      if (from instanceof SimHost h) {
        clock.schedule(clock.nanos(), () -> h.deliver(p)); // to itself: no link
      } else if (from instanceof SimNat n && realm == n.realm) {
        // Sent out by the NAT to its own external address: hairpin (RFC 4787 §6).
        if (n.config().hairpinning()) {
          trace(n, "hairpin", p, null);
          arrive(n, realm, p);
        } else {
          counters.droppedNatHairpin++;
          trace(n, "drop", p, "hairpinning off");
        }
      } else {
        dropNoRoute(from, p, "no host at that address inside " + from.name());
      }
      return;
    }
    cross(link(from, to), realm, p);
  }

  private void cross(Link link, Realm realm, Packet p) {
    Impairment imp = link.impairment != null ? link.impairment : defaultImpairment;
    link.counters.sent++;
    long now = clock.nanos();
    boolean reliable = p.transport().reliable();
    if (!reliable && imp.mtu() > 0 && p.ipSize() > imp.mtu()) {
      link.counters.droppedMtu++;
      counters.droppedMtu++;
      trace(link.from, "drop", p, "MTU " + imp.mtu() + " < " + p.ipSize() + " on link to " + link.to.name());
      return;
    }
    long depart = now;
    if (imp.rateBitsPerSecond() > 0) {
      depart = link.shape(now, p.ipSize(), imp, reliable);
      if (depart < 0) {
        link.counters.droppedRate++;
        counters.droppedRate++;
        trace(link.from, "drop", p, "rate queue full on link to " + link.to.name());
        return;
      }
    }
    if (!reliable) {
      link.inBurst = imp.burstEnter() > 0
          && (link.inBurst ? random.nextDouble() >= imp.burstExit() : random.nextDouble() < imp.burstEnter());
    }
    if (!reliable && (link.inBurst || (imp.loss() > 0 && random.nextDouble() < imp.loss()))) {
      link.counters.lost++;
      counters.lost++;
      trace(link.from, "drop", p, "lost on link to " + link.to.name());
      return;
    }
    int copies = 1;
    if (!reliable && imp.duplicate() > 0 && random.nextDouble() < imp.duplicate()) {
      copies = 2;
      link.counters.duplicated++;
      counters.duplicated++;
    }
    for (int i = 0; i < copies; i++) {
      long at = depart + imp.delay().toNanos();
      if (!reliable) {
        long jitter = imp.jitter().toNanos();
        if (jitter > 0) {
          at += random.nextLong(jitter + 1);
        }
        if (imp.reorder() > 0 && random.nextDouble() < imp.reorder()) {
          at += imp.reorderDelay().toNanos();
          link.counters.reordered++;
          counters.reordered++;
        }
      } else {
        at = Math.max(at, link.lastReliableArrival); // stream transports keep order
        link.lastReliableArrival = at;
      }
      if (tracer != null) {
        trace(link.from, i == 0 ? "hop" : "dup", p, "to " + link.to.name() + " arriving at " + SimClock.format(at));
      }
      SimNode to = link.to;
      clock.schedule(at, () -> {
        link.counters.delivered++;
        arrive(to, realm, p);
      });
    }
  }

  /** {@code p} reached node {@code at}, coming from inside {@code realm}. */
  private void arrive(SimNode at, Realm realm, Packet p) {
    if (at instanceof SimHost h) {
      h.deliver(p);
    } else if (at instanceof SimNat n) {
      if (realm == n.inner()) {
        Packet q = n.outbound(p);
        if (q != null) {
          trace(n, "nat-out", q, "was " + format(p.src()));
          forward(n, n.realm, q);
        }
      } else {
        Packet q = n.inbound(p);
        if (q != null) {
          trace(n, "nat-in", q, "was " + format(p.dst()));
          forward(n, n.inner(), q);
        }
      }
    }
  }

  private Link link(SimNode from, SimNode to) {
    return links.computeIfAbsent(from, k -> new IdentityHashMap<>()).computeIfAbsent(to, k -> new Link(from, to));
  }

  void delivered(SimHost host, Packet p) {
    counters.delivered++;
    trace(host, "deliver", p, null);
  }

  void dropNoListener(SimHost host, Packet p) {
    counters.droppedNoListener++;
    trace(host, "drop", p, "nobody bound there");
  }

  void dropNoRoute(SimNode node, Packet p, String why) {
    counters.droppedNoRoute++;
    trace(node, "drop", p, why);
  }

  void dropNat(SimNat nat, Packet p, boolean filtered) {
    if (filtered) {
      counters.droppedNatFiltered++;
      trace(nat, "drop", p, "filtered (" + nat.config().filtering() + ")");
    } else {
      counters.droppedNatNoMapping++;
      trace(nat, "drop", p, "no mapping");
    }
  }

  void mappingCreated(SimNat nat, InetSocketAddress internal, InetSocketAddress external, Object remote) {
    counters.natMappingsCreated++;
    if (tracer != null) {
      tracer.accept(SimClock.format(clock.elapsedNanos()) + " " + nat.name() + " map " + format(internal) + " => "
          + format(external) + (remote == null ? "" : " for " + remote));
    }
  }

  void mappingExpired(SimNat nat, InetSocketAddress internal, InetSocketAddress external) {
    counters.natMappingsExpired++;
    if (tracer != null) {
      tracer.accept(SimClock.format(clock.elapsedNanos()) + " " + nat.name() + " unmap " + format(internal) + " => "
          + format(external));
    }
  }

  private void trace(SimNode node, String what, Packet p, String detail) {
    if (tracer != null) {
      tracer.accept(SimClock.format(clock.elapsedNanos()) + " " + node.name() + " " + what + " " + p
          + (detail == null ? "" : " " + detail));
    }
  }

  /** One direction of a link, with its rate-limiter state and counters. */
  private static final class Link {
    final SimNode from;
    final SimNode to;
    final SimStats.Counters counters = new SimStats.Counters();
    Impairment impairment;
    double tokens = Double.NaN;
    long lastRefill;
    long lastReliableArrival = Long.MIN_VALUE;
    boolean inBurst;

    Link(SimNode from, SimNode to) {
      this.from = from;
      this.to = to;
    }

    /**
     * Token bucket with a FIFO backlog represented as negative tokens: returns the departure time,
     * or -1 when the backlog would exceed the queue limit.
     */
    long shape(long now, int size, Impairment imp, boolean reliable) {
      double perNano = imp.rateBitsPerSecond() / 8e9;
      if (Double.isNaN(tokens)) {
        tokens = imp.burstBytes(); // a new link starts with a full bucket
        lastRefill = now;
      }
      tokens = Math.min(imp.burstBytes(), tokens + (now - lastRefill) * perNano);
      lastRefill = now;
      if (tokens >= size) {
        tokens -= size;
        return now;
      }
      double deficit = size - tokens;
      if (!reliable && deficit > imp.queueBytes()) {
        return -1;
      }
      tokens -= size;
      return now + (long) Math.ceil(deficit / perNano);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Parses an IPv4 or IPv6 literal (never a host name: the simulation does no DNS). */
  public static InetAddress ip(String literal) {
    Objects.requireNonNull(literal, "address");
    if (!IPV4.matcher(literal).matches() && !literal.contains(":")) {
      throw new IllegalArgumentException("not an IP address literal: " + literal);
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address literal: " + literal, e);
    }
  }

  /** {@code ip:port} for literals, e.g. {@code addr("192.168.1.10", 5000)}. */
  public static InetSocketAddress addr(String ip, int port) {
    return new InetSocketAddress(ip(ip), port);
  }

  /** {@code 1.2.3.4:5} or {@code [2001:db8::1]:5}, without host names. */
  public static String format(InetSocketAddress a) {
    InetAddress ip = a.getAddress();
    String host = ip == null ? a.getHostString() : ip.getHostAddress();
    return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  @Override
  public String toString() {
    return "SimNet[seed " + seed + ", " + names.size() + " nodes, " + cores.size() + " cores, "
        + SimClock.format(clock.elapsedNanos()) + "]";
  }
}
