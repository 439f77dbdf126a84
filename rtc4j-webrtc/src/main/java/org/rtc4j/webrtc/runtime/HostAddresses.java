package org.rtc4j.webrtc.runtime;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * Which local addresses get a UDP socket (one host candidate each, RFC 8445 §5.1.1.1): every
 * address of every interface that is up, IPv4 and IPv6, without link-local, multicast and
 * wildcard addresses; loopback addresses only when asked for or when nothing else exists (a
 * network namespace with only {@code lo}, as the test suite uses).
 */
public final class HostAddresses {
  private HostAddresses() {}

  /**
   * @param explicit addresses chosen by the application (used as they are when not empty)
   * @param includeLoopback whether loopback addresses are used next to the others
   */
  public static List<InetAddress> select(List<InetAddress> explicit, boolean includeLoopback) {
    if (!explicit.isEmpty()) {
      return List.copyOf(explicit);
    }
    List<InetAddress> usable = new ArrayList<>();
    List<InetAddress> loopback = new ArrayList<>();
    try {
      Enumeration<NetworkInterface> ifs = NetworkInterface.getNetworkInterfaces();
      while (ifs != null && ifs.hasMoreElements()) {
        NetworkInterface nif = ifs.nextElement();
        if (!nif.isUp()) {
          continue;
        }
        Enumeration<InetAddress> addrs = nif.getInetAddresses();
        while (addrs.hasMoreElements()) {
          InetAddress a = addrs.nextElement();
          if (a.isAnyLocalAddress() || a.isMulticastAddress() || a.isLinkLocalAddress()) {
            continue;
          }
          if (a.isLoopbackAddress()) {
            loopback.add(strip(a));
          } else {
            usable.add(strip(a));
          }
        }
      }
    } catch (SocketException e) {
      // no enumeration: fall back to loopback below
    }
    if (includeLoopback || usable.isEmpty()) {
      usable.addAll(loopback);
    }
    if (usable.isEmpty()) {
      usable.add(InetAddress.getLoopbackAddress());
    }
    return List.copyOf(usable);
  }

  /** Drops the scope id of non-link-local IPv6 addresses so socket addresses compare equal. */
  private static InetAddress strip(InetAddress a) {
    if (a instanceof Inet6Address v6 && v6.getScopeId() != 0) {
      try {
        return InetAddress.getByAddress(v6.getAddress());
      } catch (java.net.UnknownHostException e) {
        return a;
      }
    }
    return a;
  }
}
