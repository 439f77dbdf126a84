package org.rtc4j.turn.server.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * Native epoll (Linux) or NIO: the I/O handler and the channel classes that go with it.
 *
 * <p>Only epoll gives what the sharding needs: {@code SO_REUSEPORT} on every loop's UDP socket
 * (the kernel spreads clients by 4-tuple), {@code recvmmsg}/{@code sendmmsg} batching. Under NIO
 * the driver binds one UDP socket per listening address, so every UDP client lands on one shard.
 */
record NettyTransport(
    String name,
    boolean epoll,
    IoHandlerFactory ioHandlerFactory,
    Class<? extends DatagramChannel> datagramChannel,
    Class<? extends ServerSocketChannel> serverChannel) {

  static NettyTransport select(boolean preferNative) {
    if (preferNative && Epoll.isAvailable()) {
      return new NettyTransport("epoll", true, EpollIoHandler.newFactory(), EpollDatagramChannel.class,
          EpollServerSocketChannel.class);
    }
    return new NettyTransport("nio", false, NioIoHandler.newFactory(), NioDatagramChannel.class,
        NioServerSocketChannel.class);
  }

  /** Why epoll is not used, for the startup log; empty when it is. */
  static String epollUnavailableReason() {
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null ? "" : cause.toString();
  }
}
