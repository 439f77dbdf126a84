package org.rtc4j.bench.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;

/** How the generator opens its sockets (Netty native epoll). */
final class Sockets {
    private Sockets() {}

    /** Largest datagram the generator expects; with recvmmsg each read slot has this size. */
    private static final int DATAGRAM = 2048;
    private static final int DATAGRAMS_PER_READ = 32;

    /**
     * A UDP socket on {@code loop} bound to {@code local}, connected to {@code remote} when it is
     * not null. {@code bulk}: large buffers and recvmmsg (data-path sockets); otherwise small
     * defaults (the 10,000 sockets of the allocation benchmark).
     */
    static ChannelFuture udp(EventLoop loop, InetSocketAddress local, InetSocketAddress remote,
                             ChannelHandler handler, boolean bulk) {
        return udp(loop, local, remote, handler, bulk, false);
    }

    static ChannelFuture udp(EventLoop loop, InetSocketAddress local, InetSocketAddress remote,
                             ChannelHandler handler, boolean bulk, boolean reusePort) {
        Bootstrap b = new Bootstrap().group(loop).channel(EpollDatagramChannel.class).handler(handler);
        if (reusePort) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        if (bulk) {
            // The kernel caps these at net.core.rmem_max / wmem_max; generous queues keep the
            // generator's own sockets from being where packets die.
            b.option(ChannelOption.SO_RCVBUF, 8 << 20)
                    .option(ChannelOption.SO_SNDBUF, 8 << 20)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(DATAGRAM * DATAGRAMS_PER_READ).maxMessagesPerRead(256));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(DATAGRAM));
        }
        return remote == null ? b.bind(local) : b.connect(remote, local);
    }

    static ChannelFuture tcp(EventLoop loop, InetSocketAddress local, InetSocketAddress remote, ChannelHandler handler) {
        return new Bootstrap().group(loop).channel(EpollSocketChannel.class).handler(handler)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .connect(remote, local);
    }

    static int localPort(Channel ch) {
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }
}
