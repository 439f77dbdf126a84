package org.rtc4j.bench.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import java.net.InetSocketAddress;

/**
 * With {@code --gso}: a second socket of a peer, bound to the peer's own address (SO_REUSEPORT)
 * and connected to one allocation's relayed address. The kernel delivers that relay's packets to
 * it (a connected socket matches the 4-tuple better than the peer's unconnected one), and the
 * packets it sends to that relay leave as one UDP_SEGMENT write per batch: the generator's send
 * cost per packet drops, the server sees ordinary datagrams from the peer's address.
 */
final class PeerLink {
    private static final int GSO_MAX_SEGMENTS = 64;

    final Peer peer;
    final int allocation;
    final InetSocketAddress relay;
    Channel channel;

    PeerLink(Peer peer, int allocation, InetSocketAddress relay) {
        this.peer = peer;
        this.allocation = allocation;
        this.relay = relay;
    }

    void sendData(int k) {
        Worker w = peer.worker;
        int size = w.settings.payloadSize();
        int flow = allocation * peer.peerCount + peer.index;
        long now = System.nanoTime();
        if (k == 1) {
            ByteBuf b = channel.alloc().directBuffer(size);
            w.writePayload(b, Stats.P2C, flow, now);
            channel.write(b, channel.voidPromise());
        } else {
            for (int done = 0; done < k; ) {
                int n = Math.min(GSO_MAX_SEGMENTS, k - done);
                ByteBuf b = channel.alloc().directBuffer(size * n);
                for (int i = 0; i < n; i++) {
                    w.writePayload(b, Stats.P2C, flow, now);
                }
                channel.write(new SegmentedDatagramPacket(b, size, relay), channel.voidPromise());
                done += n;
            }
        }
        w.stats.sent[Stats.P2C] += k;
        channel.flush();
    }
}
