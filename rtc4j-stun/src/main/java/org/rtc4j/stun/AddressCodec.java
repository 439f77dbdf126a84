package org.rtc4j.stun;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Value codec shared by the (XOR-)address attributes (RFC 8489 §14.1, §14.2).
 *
 * <p>Family 0x02 always decodes to an {@link Inet6Address}, even for an IPv4-mapped address
 * (::ffff:a.b.c.d): {@code InetAddress.getByAddress} would turn those into an Inet4Address and
 * silently change the family on re-encoding, and a peer-address policy must see what was sent.
 */
final class AddressCodec {
  static final int FAMILY_IPV4 = 0x01;
  static final int FAMILY_IPV6 = 0x02;

  private AddressCodec() {}

  static InetSocketAddress check(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("address must be resolved: " + address);
    }
    return address;
  }

  static int valueLength(InetSocketAddress a) {
    return a.getAddress() instanceof Inet4Address ? 8 : 20;
  }

  /** Writes reserved, family, port, address; XORed with the cookie (and the id for IPv6) when {@code tid} is non-null. */
  static void encode(ByteBuffer out, InetSocketAddress a, byte[] tid) {
    byte[] addr = a.getAddress().getAddress();
    int port = a.getPort();
    out.put((byte) 0);
    out.put((byte) (addr.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6));
    if (tid == null) {
      out.putShort((short) port);
      out.put(addr);
      return;
    }
    out.putShort((short) (port ^ (StunMessage.MAGIC_COOKIE >>> 16)));
    for (int i = 0; i < addr.length; i++) {
      out.put((byte) (addr[i] ^ xorByte(i, tid)));
    }
  }

  /** Decodes the value at absolute {@code off}; null when family or length is invalid. */
  static InetSocketAddress decode(ByteBuffer raw, int off, int len, byte[] tid) {
    if (len < 4) {
      return null;
    }
    int family = raw.get(off + 1) & 0xFF;
    int alen;
    if (family == FAMILY_IPV4) {
      alen = 4;
    } else if (family == FAMILY_IPV6) {
      alen = 16;
    } else {
      return null;
    }
    if (len != 4 + alen) {
      return null;
    }
    int port = raw.getShort(off + 2) & 0xFFFF;
    byte[] addr = new byte[alen];
    raw.get(off + 4, addr);
    if (tid != null) {
      port ^= StunMessage.MAGIC_COOKIE >>> 16;
      for (int i = 0; i < alen; i++) {
        addr[i] ^= xorByte(i, tid);
      }
    }
    try {
      InetAddress ia = alen == 4 ? InetAddress.getByAddress(addr) : Inet6Address.getByAddress(null, addr, -1);
      return new InetSocketAddress(ia, port);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always a valid address", e);
    }
  }

  /** Byte i of magic cookie || transaction id. */
  private static byte xorByte(int i, byte[] tid) {
    return i < 4 ? (byte) (StunMessage.MAGIC_COOKIE >>> (24 - 8 * i)) : tid[i - 4];
  }
}
