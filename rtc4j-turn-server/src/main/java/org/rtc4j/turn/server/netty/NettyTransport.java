package org.rtc4j.turn.server.netty;

import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;

/**
 * Native epoll (Linux) or NIO: the I/O handler and the channels that go with it.
 *
 * <p>Only epoll gives what the sharding needs: {@code SO_REUSEPORT} on every loop's UDP socket
 * (the kernel spreads clients by 4-tuple), {@code recvmmsg}/{@code sendmmsg} batching. Under NIO
 * the driver binds one UDP socket per listening address, so every UDP client lands on one shard.
 *
 * <p>Sockets are opened in the family of the address they bind: an IPv4 address gets an
 * {@code AF_INET} socket, so {@code 0.0.0.0} means IPv4 only (as in coturn) rather than a
 * dual-stack {@code ::} socket, and the addresses the core sees are plain IPv4.
 */
record NettyTransport(String name, boolean epoll, IoHandlerFactory ioHandlerFactory) {

  static NettyTransport select(boolean preferNative) {
    if (preferNative && Epoll.isAvailable()) {
      return new NettyTransport("epoll", true, EpollIoHandler.newFactory());
    }
    return new NettyTransport("nio", false, NioIoHandler.newFactory());
  }

  static SocketProtocolFamily family(InetAddress address) {
    return address instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
  }

  ChannelFactory<DatagramChannel> datagram(InetAddress bindAddress) {
    SocketProtocolFamily f = family(bindAddress);
    return epoll ? () -> new EpollDatagramChannel(f) : () -> new NioDatagramChannel(f);
  }

  ChannelFactory<ServerSocketChannel> server(InetAddress bindAddress) {
    SocketProtocolFamily f = family(bindAddress);
    return epoll ? () -> new EpollServerSocketChannel(f)
        : () -> new NioServerSocketChannel(SelectorProvider.provider(), f);
  }

  /** Why epoll is not used, for the startup log; empty when it is. */
  static String epollUnavailableReason() {
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null ? "" : cause.toString();
  }
}
