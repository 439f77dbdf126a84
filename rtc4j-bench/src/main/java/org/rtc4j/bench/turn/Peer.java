package org.rtc4j.bench.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * A peer: one local UDP socket that every allocation has a channel (or permission) to. It is the
 * sink of client → peer traffic and the source of peer → client traffic, which it sends to the
 * allocations' relayed addresses in turn.
 */
final class Peer {
    final int index;
    final Worker worker;
    final int peerCount;
    Channel channel;
    InetSocketAddress address;
    /** The allocations' relayed addresses, in allocation order; set once every allocation exists. */
    InetSocketAddress[] relays = new InetSocketAddress[0];
    private int rrRelay;

    Peer(int index, Worker worker, int peerCount) {
        this.index = index;
        this.worker = worker;
        this.peerCount = peerCount;
    }

    /** Sends k packets, one to each relayed address in turn, as one sendmmsg batch. */
    void sendData(int k) {
        int n = relays.length;
        if (n == 0) {
            return;
        }
        int size = worker.settings.payloadSize();
        long now = System.nanoTime();
        for (int i = 0; i < k; i++) {
            int a = rrRelay;
            rrRelay = rrRelay + 1 == n ? 0 : rrRelay + 1;
            ByteBuf b = channel.alloc().directBuffer(size);
            worker.writePayload(b, Stats.P2C, a * peerCount + index, now);
            channel.write(new DatagramPacket(b, relays[a]), channel.voidPromise());
        }
        worker.stats.sent[Stats.P2C] += k;
        channel.flush();
    }

    final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                ByteBuf b = p.content();
                worker.onPayload(b, b.readerIndex(), b.readableBytes());
            } finally {
                p.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and the like: count, never stop the run.
            worker.stats.foreign++;
        }
    }
}
