package org.rtc4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds ports that are free on a loopback address right now.
 *
 * <p>A port found here is free when checked and may be taken by someone else before the test binds
 * it; prefer binding port 0 and reading the port back where the code under test allows it. Single
 * ports come from the kernel (bind to port 0); ranges are probed below the Linux ephemeral range
 * (32768+), so the kernel does not hand the same ports to other tests binding port 0.
 */
public final class FreePorts {

  /** 127.0.0.1: the only IPv4 address tests bind to. */
  public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static final int RANGE_LOW = 20000;
  private static final int RANGE_HIGH = 32000; // exclusive; below the kernel's ephemeral range
  private static final int ATTEMPTS = 200;

  private FreePorts() {}

  /** A TCP port free on 127.0.0.1. */
  public static int tcp() {
    return tcp(LOOPBACK);
  }

  /** A TCP port free on {@code address}. */
  public static int tcp(InetAddress address) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(address, 0), 1);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port on " + address.getHostAddress(), e);
    }
  }

  /** A UDP port free on 127.0.0.1. */
  public static int udp() {
    return udp(LOOPBACK);
  }

  /** A UDP port free on {@code address}. */
  public static int udp(InetAddress address) {
    try (DatagramSocket s = new DatagramSocket(null)) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(address, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free UDP port on " + address.getHostAddress(), e);
    }
  }

  /** A port free for both TCP and UDP on 127.0.0.1 (a STUN/TURN server listens on both). */
  public static int tcpAndUdp() {
    return tcpAndUdp(LOOPBACK);
  }

  /** A port free for both TCP and UDP on {@code address}. */
  public static int tcpAndUdp(InetAddress address) {
    for (int i = 0; i < ATTEMPTS; i++) {
      int port = udp(address);
      if (isTcpFree(address, port)) {
        return port;
      }
    }
    throw new IllegalStateException("no port free for both TCP and UDP on " + address.getHostAddress()
        + " after " + ATTEMPTS + " attempts");
  }

  /** {@code count} contiguous ports free for UDP on 127.0.0.1 (e.g. a TURN relay port range). */
  public static PortRange udpRange(int count) {
    return range(LOOPBACK, count, false, true);
  }

  /** {@code count} contiguous ports free for both TCP and UDP on 127.0.0.1. */
  public static PortRange tcpAndUdpRange(int count) {
    return range(LOOPBACK, count, true, true);
  }

  /**
   * {@code count} contiguous ports free on {@code address} for the protocols asked, probed from a
   * random start between 20000 and 32000.
   */
  public static PortRange range(InetAddress address, int count, boolean tcp, boolean udp) {
    if (count < 1 || count > 1000) {
      throw new IllegalArgumentException("count must be 1..1000: " + count);
    }
    if (!tcp && !udp) {
      throw new IllegalArgumentException("ask for TCP, UDP or both");
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int first = random.nextInt(RANGE_LOW, RANGE_HIGH - count);
      boolean ok = true;
      for (int p = first; p < first + count && ok; p++) {
        ok = (!udp || isUdpFree(address, p)) && (!tcp || isTcpFree(address, p));
      }
      if (ok) {
        return new PortRange(first, first + count - 1);
      }
    }
    throw new IllegalStateException("no " + count + " contiguous free ports on " + address.getHostAddress());
  }

  /** Whether a TCP listener could bind {@code address:port} now. */
  public static boolean isTcpFree(InetAddress address, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(address, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether a UDP socket could bind {@code address:port} now. */
  public static boolean isUdpFree(InetAddress address, int port) {
    try (DatagramSocket s = new DatagramSocket(null)) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(address, port));
      return true;
    } catch (SocketException e) {
      return false;
    }
  }

  /**
   * An inclusive range of ports.
   *
   * @param first the lowest port
   * @param last the highest port (inclusive)
   */
  public record PortRange(int first, int last) {
    public PortRange {
      if (first < 1 || last > 65535 || last < first) {
        throw new IllegalArgumentException("bad port range " + first + "-" + last);
      }
    }

    /** Number of ports in the range. */
    public int size() {
      return last - first + 1;
    }

    /** Whether {@code port} lies in the range. */
    public boolean contains(int port) {
      return port >= first && port <= last;
    }

    @Override
    public String toString() {
      return first + "-" + last;
    }
  }
}
