package org.rtc4j.turn.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An inclusive range of IP addresses of one family, as coturn's {@code allowed-peer-ip} and
 * {@code denied-peer-ip} options write them: a single address ({@code 10.1.2.3}), a CIDR block
 * ({@code 10.0.0.0/8}, {@code fe80::/10}) or a dash range ({@code 10.0.0.1-10.0.0.9}).
 *
 * <p>Immutable. IPv4 ranges match only {@link java.net.Inet4Address}es and IPv6 ranges only
 * {@link java.net.Inet6Address}es; {@link PeerAddressPolicy} unwraps IPv4 addresses embedded in
 * IPv6 ones before matching, so an IPv4 range also covers its mapped, compatible, 6to4, NAT64 and
 * Teredo encodings.
 */
public final class IpRange {

  private final byte[] low;
  private final byte[] high;
  private final String text;

  private IpRange(byte[] low, byte[] high, String text) {
    this.low = low;
    this.high = high;
    this.text = text;
  }

  /**
   * Parses {@code a}, {@code a/prefix} or {@code a-b} where a and b are IP address literals of the
   * same family (no host names are resolved).
   *
   * @throws IllegalArgumentException if the text is not such a range
   */
  public static IpRange parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    try {
      int slash = s.indexOf('/');
      if (slash >= 0) {
        byte[] base = literal(s.substring(0, slash));
        int prefix = Integer.parseInt(s.substring(slash + 1));
        return cidr(base, prefix, s);
      }
      int dash = s.indexOf('-');
      if (dash >= 0) {
        byte[] a = literal(s.substring(0, dash));
        byte[] b = literal(s.substring(dash + 1));
        if (a.length != b.length) {
          throw new IllegalArgumentException("range ends of different address families: " + text);
        }
        if (compare(a, b) > 0) {
          throw new IllegalArgumentException("range start after range end: " + text);
        }
        return new IpRange(a, b, s);
      }
      byte[] a = literal(s);
      return new IpRange(a, a.clone(), s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an IP range: " + text, e);
    }
  }

  /** The CIDR block {@code address/prefix}; host bits of {@code address} are ignored. */
  public static IpRange cidr(InetAddress address, int prefix) {
    return cidr(address.getAddress(), prefix, address.getHostAddress() + "/" + prefix);
  }

  /** The single address {@code address}. */
  public static IpRange of(InetAddress address) {
    byte[] a = address.getAddress();
    return new IpRange(a, a.clone(), address.getHostAddress());
  }

  private static IpRange cidr(byte[] base, int prefix, String text) {
    if (prefix < 0 || prefix > base.length * 8) {
      throw new IllegalArgumentException("prefix length out of range: " + text);
    }
    byte[] lo = base.clone();
    byte[] hi = base.clone();
    for (int bit = prefix; bit < base.length * 8; bit++) {
      int mask = 0x80 >>> (bit & 7);
      lo[bit >> 3] &= (byte) ~mask;
      hi[bit >> 3] |= (byte) mask;
    }
    return new IpRange(lo, hi, text);
  }

  private static byte[] literal(String s) {
    String t = s.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    if (t.indexOf(':') < 0) {
      return ipv4(t, s);
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
        throw new IllegalArgumentException("not an IP address literal: " + s);
      }
    }
    try {
      // A string with ':' is only ever parsed as an IPv6 literal: no DNS lookup happens.
      byte[] raw = InetAddress.getByName(t).getAddress();
      if (raw.length == 4) {
        // The JDK turns ::ffff:a.b.c.d into an IPv4 address; an IPv6 range needs all 16 bytes.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
      }
      return raw;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address literal: " + s, e);
    }
  }

  private static byte[] ipv4(String t, String original) {
    String[] parts = t.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IP address literal: " + original);
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("not an IP address literal: " + original);
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        throw new IllegalArgumentException("not an IP address literal: " + original);
      }
      out[i] = (byte) v;
    }
    return out;
  }

  /** Whether the range holds {@code address} (same family only). */
  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  /** Whether the range holds the raw address (4 or 16 bytes; same family only). */
  boolean contains(byte[] address) {
    return address.length == low.length && compare(low, address) <= 0 && compare(address, high) <= 0;
  }

  /** Address length in bytes: 4 for IPv4, 16 for IPv6. */
  public int addressLength() {
    return low.length;
  }

  private static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpRange r && Arrays.equals(low, r.low) && Arrays.equals(high, r.high);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(low) + Arrays.hashCode(high);
  }

  @Override
  public String toString() {
    return text;
  }
}
