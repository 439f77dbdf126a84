package org.rtc4j.turn.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which peer addresses a TURN allocation may relay to (RFC 8656 §10.2, §12.2 and §21: "the
 * server MAY impose restrictions on the IP address and port values allowed in the
 * XOR-PEER-ADDRESS attribute; if a value is not allowed, the server rejects the request with a
 * 403 (Forbidden) error").
 *
 * <p>Safe by default, so that a TURN server cannot be used to reach the network it stands in
 * (CVE-2020-26262 and its kin): the {@linkplain #builtInDenied() built-in list} denies
 * unspecified, loopback, link-local (including the cloud metadata address 169.254.169.254),
 * private (10/8, 172.16/12, 192.168/16), CGNAT (100.64/10), IETF-reserved, documentation,
 * benchmarking, multicast and broadcast addresses, ULA (fc00::/7), site-local (fec0::/10),
 * local-use NAT64 (64:ff9b:1::/48), and the server's own addresses. Every IPv4 address embedded
 * in an IPv6 address is checked as well: IPv4-mapped ({@code ::ffff:a.b.c.d}), IPv4-compatible
 * ({@code ::a.b.c.d}), IPv4-translated ({@code ::ffff:0:a.b.c.d}), 6to4
 * ({@code 2002:aabb:ccdd::/48}), NAT64 ({@code 64:ff9b::a.b.c.d}), Teredo ({@code 2001:0::/32},
 * both the server and the obfuscated client address) and ISATAP interface identifiers.
 *
 * <p>Order of decision, for the address and each IPv4 address it embeds:
 * <ol>
 *   <li>an {@linkplain Builder#allow(String) explicit allow range} that matches permits it
 *       (it overrides every deny, as coturn's {@code allowed-peer-ip} does);</li>
 *   <li>loopback (127/8, ::1) and server addresses on loopback are permitted when
 *       {@link #allowLoopback()} is set (coturn's {@code allow-loopback-peers});</li>
 *   <li>a built-in deny, a {@linkplain Builder#deny(String) configured deny range} or a
 *       {@linkplain Builder#serverAddress(InetAddress) server address} that matches denies it.</li>
 * </ol>
 * Relaying between two allocations of the same server (relay to relay) therefore needs the relay
 * IP in the allow list (or loopback allowed, when the relay IP is a loopback address).
 *
 * <p>Immutable and thread-safe. The port is not part of the decision: a permission covers every
 * port of an IP address (RFC 8656 §9).
 */
public final class PeerAddressPolicy {

  private static final List<IpRange> LOOPBACK = List.of(IpRange.parse("127.0.0.0/8"), IpRange.parse("::1"));

  private static final List<IpRange> BUILT_IN_DENIED = List.of(
      // IPv4 (RFC 6890 special-purpose registry)
      IpRange.parse("0.0.0.0/8"),         // "this network", unspecified; reaches loopback on Linux
      IpRange.parse("10.0.0.0/8"),        // private
      IpRange.parse("100.64.0.0/10"),     // shared address space (CGNAT)
      IpRange.parse("127.0.0.0/8"),       // loopback
      IpRange.parse("169.254.0.0/16"),    // link-local, cloud metadata 169.254.169.254
      IpRange.parse("172.16.0.0/12"),     // private
      IpRange.parse("192.0.0.0/24"),      // IETF protocol assignments
      IpRange.parse("192.0.2.0/24"),      // TEST-NET-1
      IpRange.parse("192.88.99.0/24"),    // deprecated 6to4 relay anycast
      IpRange.parse("192.168.0.0/16"),    // private
      IpRange.parse("198.18.0.0/15"),     // benchmarking
      IpRange.parse("198.51.100.0/24"),   // TEST-NET-2
      IpRange.parse("203.0.113.0/24"),    // TEST-NET-3
      IpRange.parse("224.0.0.0/4"),       // multicast
      IpRange.parse("240.0.0.0/4"),       // reserved, including broadcast 255.255.255.255
      // IPv6
      IpRange.parse("::/128"),            // unspecified
      IpRange.parse("::1/128"),           // loopback
      IpRange.parse("64:ff9b:1::/48"),    // local-use NAT64 (RFC 8215): translates into local networks
      IpRange.parse("100::/64"),          // discard-only
      IpRange.parse("2001:2::/48"),       // benchmarking
      IpRange.parse("2001:10::/28"),      // ORCHID (deprecated)
      IpRange.parse("2001:20::/28"),      // ORCHIDv2
      IpRange.parse("2001:db8::/32"),     // documentation
      IpRange.parse("fc00::/7"),          // unique local
      IpRange.parse("fe80::/10"),         // link-local
      IpRange.parse("fec0::/10"),         // site-local (deprecated)
      IpRange.parse("ff00::/8"));         // multicast

  private final boolean allowLoopback;
  private final List<IpRange> allowed;
  private final List<IpRange> denied;
  private final Set<InetAddress> serverAddresses;

  private PeerAddressPolicy(Builder b) {
    this.allowLoopback = b.allowLoopback;
    this.allowed = List.copyOf(b.allowed);
    this.denied = List.copyOf(b.denied);
    this.serverAddresses = Set.copyOf(b.serverAddresses);
  }

  /** The default policy: built-in denies only, loopback denied, nothing explicitly allowed. */
  public static PeerAddressPolicy defaults() {
    return builder().build();
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's settings, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.allowLoopback = allowLoopback;
    b.allowed.addAll(allowed);
    b.denied.addAll(denied);
    b.serverAddresses.addAll(serverAddresses);
    return b;
  }

  /** The ranges every policy denies unless allowed explicitly (see the class comment). */
  public static List<IpRange> builtInDenied() {
    return BUILT_IN_DENIED;
  }

  /** Whether loopback peers (127/8, ::1, in any encoding) are permitted. */
  public boolean allowLoopback() {
    return allowLoopback;
  }

  /** Ranges that are permitted whatever else denies them. */
  public List<IpRange> allowed() {
    return allowed;
  }

  /** Ranges denied in addition to the built-in ones. */
  public List<IpRange> denied() {
    return denied;
  }

  /** The server's own addresses (listening and relay IPs), denied at every port. */
  public Set<InetAddress> serverAddresses() {
    return serverAddresses;
  }

  /** Whether an allocation may relay to {@code peer} (any port). */
  public boolean permits(InetAddress peer) {
    return permits(peer, Set.of());
  }

  /**
   * As {@link #permits(InetAddress)}, treating {@code moreServerAddresses} (addresses the core
   * learnt at run time: relay IPs, listening IPs) like {@link #serverAddresses()}.
   */
  boolean permits(InetAddress peer, Set<InetAddress> moreServerAddresses) {
    Objects.requireNonNull(peer, "peer");
    byte[] raw = peer.getAddress();
    List<byte[]> forms = new ArrayList<>(3);
    forms.add(raw);
    if (raw.length == 16) {
      embeddedIpv4(raw, forms);
    }
    for (byte[] form : forms) {
      if (matchesAny(allowed, form)) {
        return true;
      }
    }
    for (byte[] form : forms) {
      boolean loopback = matchesAny(LOOPBACK, form);
      if (loopback && allowLoopback) {
        continue;
      }
      if (matchesAny(BUILT_IN_DENIED, form) || matchesAny(denied, form)
          || isServerAddress(form, serverAddresses) || isServerAddress(form, moreServerAddresses)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matchesAny(List<IpRange> ranges, byte[] address) {
    for (int i = 0, n = ranges.size(); i < n; i++) {
      if (ranges.get(i).contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isServerAddress(byte[] form, Set<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      return false;
    }
    for (InetAddress a : addresses) {
      if (Arrays.equals(a.getAddress(), form)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds to {@code out} every IPv4 address (4-byte arrays) embedded in the IPv6 address
   * {@code v6} by a transition mechanism, so that each can be checked like a plain IPv4 peer.
   */
  static void embeddedIpv4(byte[] v6, List<byte[]> out) {
    if (isZero(v6, 0, 10)) {
      boolean ffff = (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff;
      boolean zero = v6[10] == 0 && v6[11] == 0;
      // ::a.b.c.d (compatible, RFC 4291 §2.5.5.1) — except :: and ::1, which are IPv6's own
      // unspecified and loopback addresses, denied as such.
      boolean specialV6 = zero && isZero(v6, 12, 15) && (v6[15] == 0 || v6[15] == 1);
      if (ffff || (zero && !specialV6)) {
        out.add(Arrays.copyOfRange(v6, 12, 16)); // ::ffff:a.b.c.d mapped (RFC 4291 §2.5.5.2)
      }
    }
    // ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765 §2.1)
    if (isZero(v6, 0, 8) && (v6[8] & 0xff) == 0xff && (v6[9] & 0xff) == 0xff && v6[10] == 0 && v6[11] == 0) {
      out.add(Arrays.copyOfRange(v6, 12, 16));
    }
    int w0 = ((v6[0] & 0xff) << 8) | (v6[1] & 0xff);
    int w1 = ((v6[2] & 0xff) << 8) | (v6[3] & 0xff);
    if (w0 == 0x2002) {
      out.add(Arrays.copyOfRange(v6, 2, 6)); // 6to4 (RFC 3056 §2)
    }
    if (w0 == 0x0064 && w1 == 0xff9b && isZero(v6, 4, 12)) {
      out.add(Arrays.copyOfRange(v6, 12, 16)); // NAT64 well-known prefix (RFC 6052 §2.1)
    }
    if (w0 == 0x2001 && w1 == 0x0000) {
      // Teredo (RFC 4380 §4): server IPv4 in bits 32..63, client IPv4 obfuscated (inverted) in the last 32.
      out.add(Arrays.copyOfRange(v6, 4, 8));
      byte[] client = new byte[4];
      for (int i = 0; i < 4; i++) {
        client[i] = (byte) ~v6[12 + i];
      }
      out.add(client);
    }
    // ISATAP interface identifier (RFC 5214 §6.1): [00|02]00:5efe:a.b.c.d, in any prefix.
    if ((v6[8] & 0xfd) == 0 && v6[9] == 0 && (v6[10] & 0xff) == 0x5e && (v6[11] & 0xff) == 0xfe) {
      out.add(Arrays.copyOfRange(v6, 12, 16));
    }
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "PeerAddressPolicy[allowLoopback=" + allowLoopback + ", allowed=" + allowed + ", denied=" + denied
        + ", serverAddresses=" + serverAddresses.stream().map(InetAddress::getHostAddress).toList() + "]";
  }

  /** Builds a {@link PeerAddressPolicy}; starts from the safe defaults. */
  public static final class Builder {
    private boolean allowLoopback;
    private final List<IpRange> allowed = new ArrayList<>();
    private final List<IpRange> denied = new ArrayList<>();
    private final Set<InetAddress> serverAddresses = new LinkedHashSet<>();

    private Builder() {
    }

    /** Permit loopback peers (coturn {@code --allow-loopback-peers}); for tests and local setups. */
    public Builder allowLoopback(boolean allow) {
      this.allowLoopback = allow;
      return this;
    }

    /** Permit a range whatever denies it (coturn {@code --allowed-peer-ip}); see {@link IpRange#parse}. */
    public Builder allow(String range) {
      return allow(IpRange.parse(range));
    }

    /** Permit a range whatever denies it. */
    public Builder allow(IpRange range) {
      allowed.add(Objects.requireNonNull(range, "range"));
      return this;
    }

    /** Deny a range in addition to the built-in ones (coturn {@code --denied-peer-ip}). */
    public Builder deny(String range) {
      return deny(IpRange.parse(range));
    }

    /** Deny a range in addition to the built-in ones. */
    public Builder deny(IpRange range) {
      denied.add(Objects.requireNonNull(range, "range"));
      return this;
    }

    /**
     * Deny one of the server's own addresses (a listening or relay IP). Wildcard addresses
     * (0.0.0.0, ::) are ignored here: they are denied anyway.
     */
    public Builder serverAddress(InetAddress address) {
      Objects.requireNonNull(address, "address");
      if (!address.isAnyLocalAddress()) {
        serverAddresses.add(normalize(address));
      }
      return this;
    }

    /** Deny each of the server's own addresses; see {@link #serverAddress(InetAddress)}. */
    public Builder serverAddresses(Collection<? extends InetAddress> addresses) {
      addresses.forEach(this::serverAddress);
      return this;
    }

    /** The immutable policy. */
    public PeerAddressPolicy build() {
      return new PeerAddressPolicy(this);
    }
  }

  /** Drops the scope id of IPv6 addresses so that set membership compares bytes only. */
  static InetAddress normalize(InetAddress a) {
    if (a instanceof Inet6Address && ((Inet6Address) a).getScopeId() != 0) {
      try {
        return InetAddress.getByAddress(a.getAddress());
      } catch (UnknownHostException e) {
        throw new IllegalStateException("16-byte address rejected by the JDK", e);
      }
    }
    return a;
  }
}
