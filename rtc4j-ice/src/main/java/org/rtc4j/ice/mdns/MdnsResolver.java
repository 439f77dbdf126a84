package org.rtc4j.ice.mdns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.rtc4j.net.Datagram;

/**
 * Resolves the {@code <uuid>.local} names browsers put in ICE candidates (RFC 6762 one-shot
 * queries; draft-ietf-mmusic-mdns-ice-candidates) as a sans-IO core.
 *
 * <p>{@link #resolve} sends a query for A and AAAA with the QU bit (RFC 6762 §5.4) to
 * 224.0.0.251:5353 from the IPv4 socket and to [ff02::fb]:5353 from the IPv6 socket (whichever
 * are configured), repeats it every {@code retransmit} (1 s) up to {@code tries} (3) times, and
 * reports {@link MdnsEvent.Resolved} for the first A/AAAA record of that name in the answer or
 * additional section of a response, or {@link MdnsEvent.NotFound} one interval after the last try.
 * Answers are cached for their TTL (a TTL of 0, RFC 6762 §10.1 "goodbye", removes the entry); a
 * cached name resolves at once. Responses not from port 5353 are ignored (RFC 6762 §6), and so
 * are queries and names nobody asked for.
 *
 * <p>Malformed datagrams are dropped and counted ({@link #malformedCount()}); nothing remote
 * throws. Not thread-safe: one loop thread.
 */
public final class MdnsResolver {

  /** The IPv4 mDNS group and port. */
  public static final InetSocketAddress GROUP_V4 = new InetSocketAddress(ip(new byte[] {(byte) 224, 0, 0, (byte) 251}), 5353);
  /** The IPv6 link-local mDNS group and port. */
  public static final InetSocketAddress GROUP_V6 = new InetSocketAddress(
      ip(new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xfb}), 5353);
  /** Default interval between tries. */
  public static final Duration DEFAULT_RETRANSMIT = Duration.ofSeconds(1);
  /** Default number of queries per name. */
  public static final int DEFAULT_TRIES = 3;
  /** Bound on cached names and outstanding queries. */
  private static final int MAX_ENTRIES = 1024;
  private static final long SECOND = 1_000_000_000L;

  private static final class Pending {
    final String name;
    int sent;
    long next;

    Pending(String name) {
      this.name = name;
    }
  }

  private record Cached(InetAddress address, long expiresAt) {}

  private final InetSocketAddress localV4;
  private final InetSocketAddress localV6;
  private final long retransmitNanos;
  private final int tries;
  private final ArrayDeque<Datagram> transmits = new ArrayDeque<>();
  private final ArrayDeque<MdnsEvent> events = new ArrayDeque<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, Cached> cache = new LinkedHashMap<>();
  private long malformed;
  private long ignored;

  /**
   * A resolver sending from the given sockets (either may be null, not both).
   *
   * @param localV4 the runtime's IPv4 mDNS socket address, or null
   * @param localV6 the runtime's IPv6 mDNS socket address, or null
   */
  public MdnsResolver(InetSocketAddress localV4, InetSocketAddress localV6) {
    this(localV4, localV6, DEFAULT_RETRANSMIT, DEFAULT_TRIES);
  }

  /** A resolver with another retransmission schedule. */
  public MdnsResolver(InetSocketAddress localV4, InetSocketAddress localV6, Duration retransmit, int tries) {
    if (localV4 == null && localV6 == null) {
      throw new IllegalArgumentException("at least one of localV4, localV6");
    }
    if (retransmit.isNegative() || retransmit.isZero() || tries < 1) {
      throw new IllegalArgumentException("retransmit must be positive and tries >= 1");
    }
    this.localV4 = localV4;
    this.localV6 = localV6;
    this.retransmitNanos = retransmit.toNanos();
    this.tries = tries;
  }

  /**
   * Starts resolving {@code name} (a {@code .local} name, e.g. {@code 1f4712db-ea17-4bcf-a596-105139dfd8bf.local});
   * a cached name is reported at once, a name already being resolved is not queried twice.
   *
   * @throws IllegalArgumentException when the name is not a valid {@code .local} name
   */
  public void resolve(long nowNanos, String name) {
    String n = DnsNames.canonical(DnsNames.validate(name));
    if (!n.endsWith(".local")) {
      throw new IllegalArgumentException("not a .local name: " + name);
    }
    Cached c = cache.get(n);
    if (c != null && c.expiresAt > nowNanos) {
      events.add(new MdnsEvent.Resolved(n, c.address));
      return;
    }
    if (pending.containsKey(n)) {
      return;
    }
    if (pending.size() >= MAX_ENTRIES) {
      events.add(new MdnsEvent.NotFound(n)); // too many at once: refuse rather than grow
      return;
    }
    Pending p = new Pending(n);
    pending.put(n, p);
    send(nowNanos, p);
  }

  /** A datagram that arrived on one of the mDNS sockets. */
  public void handleReceive(long nowNanos, Datagram in) {
    if (in.source().getPort() != 5353) {
      ignored++;
      return;
    }
    MdnsMessage m;
    try {
      m = MdnsMessage.parse(in.payload());
    } catch (MdnsParseException e) {
      malformed++;
      return;
    }
    if (!m.isResponse() || m.opcode() != 0 || m.rcode() != 0) {
      ignored++;
      return;
    }
    boolean used = false;
    for (var section : java.util.List.of(m.answers(), m.additionals())) {
      for (MdnsRecord r : section) {
        Optional<InetAddress> a = r.address();
        if (a.isEmpty()) {
          continue;
        }
        String n = DnsNames.canonical(r.name());
        Pending p = pending.get(n);
        Cached known = cache.get(n);
        if (p == null && known == null) {
          continue; // nobody asked
        }
        used = true;
        if (r.ttl() == 0) {
          cache.remove(n);
          continue;
        }
        if (cache.size() >= MAX_ENTRIES && known == null) {
          evictOne(nowNanos);
        }
        cache.put(n, new Cached(a.get(), nowNanos + r.ttl() * SECOND));
        if (p != null) {
          pending.remove(n);
          events.add(new MdnsEvent.Resolved(n, a.get()));
        }
      }
    }
    if (!used) {
      ignored++;
    }
  }

  /** Retransmits and gives up on names whose time has come. */
  public void handleTimeout(long nowNanos) {
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.next > nowNanos) {
        continue;
      }
      if (p.sent >= tries) {
        it.remove();
        events.add(new MdnsEvent.NotFound(p.name));
      } else {
        send(nowNanos, p);
      }
    }
  }

  /** The next query to send. */
  public Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(transmits.poll());
  }

  /** The next answer. */
  public Optional<MdnsEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} is next due, or {@link Long#MAX_VALUE}. */
  public long pollTimeout() {
    long t = Long.MAX_VALUE;
    for (Pending p : pending.values()) {
      t = Math.min(t, p.next);
    }
    return t;
  }

  /** The cached address of {@code name}, if still valid at {@code nowNanos}. */
  public Optional<InetAddress> cached(long nowNanos, String name) {
    Cached c = cache.get(DnsNames.canonical(name));
    return c != null && c.expiresAt > nowNanos ? Optional.of(c.address) : Optional.empty();
  }

  /** Datagrams that did not parse. */
  public long malformedCount() {
    return malformed;
  }

  /** Well-formed datagrams that were not useful (queries, wrong port, unasked names). */
  public long ignoredCount() {
    return ignored;
  }

  private void send(long now, Pending p) {
    byte[] q = MdnsMessage.query(p.name).encode();
    if (localV4 != null) {
      transmits.add(Datagram.udp(localV4, GROUP_V4, ByteBuffer.wrap(q).asReadOnlyBuffer()));
    }
    if (localV6 != null) {
      transmits.add(Datagram.udp(localV6, GROUP_V6, ByteBuffer.wrap(q).asReadOnlyBuffer()));
    }
    p.sent++;
    p.next = now + retransmitNanos;
  }

  private void evictOne(long now) {
    Iterator<Map.Entry<String, Cached>> it = cache.entrySet().iterator();
    String victim = null;
    while (it.hasNext()) {
      Map.Entry<String, Cached> e = it.next();
      if (e.getValue().expiresAt <= now) {
        it.remove();
        return;
      }
      if (victim == null) {
        victim = e.getKey(); // the oldest insertion
      }
    }
    if (victim != null) {
      cache.remove(victim);
    }
  }

  private static InetAddress ip(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
