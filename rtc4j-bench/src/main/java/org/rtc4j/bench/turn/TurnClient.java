package org.rtc4j.bench.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One TURN allocation seen from the client: its socket (UDP, or a TCP connection) to the server,
 * the control exchanges that set it up (Allocate with the 401 round trip, then a ChannelBind or a
 * CreatePermission per peer, RFC 8656 §7, §9, §11) and tear it down (Refresh with lifetime 0),
 * and the client end of the data path. Runs only on its worker's loop.
 */
final class TurnClient {
    enum Phase { IDLE, ALLOCATING, BINDING, READY, DELETING, DELETED, FAILED }

    /** Maximum UDP_SEGMENT segments in one write (the kernel's UDP_MAX_SEGMENTS). */
    private static final int GSO_MAX_SEGMENTS = 64;
    private static final long RTO_MILLIS = 500;
    private static final int MAX_TRANSMISSIONS = 7;
    private static final long TCP_TIMEOUT_MILLIS = 10_000;

    final int index;
    final Worker worker;
    final Settings settings;
    Channel channel;

    Phase phase = Phase.IDLE;
    String failure;
    InetSocketAddress relay;
    long startNanos;
    long doneNanos;

    /** Peer addresses to bind, in peer order; channel number of peer j is 0x4000 + j. */
    private InetSocketAddress[] peerAddresses = new InetSocketAddress[0];
    private int nextBind;
    /** Send indication prefix per peer: header + XOR-PEER-ADDRESS + DATA attribute header. */
    private byte[][] sendTemplates;
    private int rrPeer;
    private int tidCounter;

    private String realm;
    private String nonce;
    private byte[] key;
    private int authRetries;
    private int pendingMethod;
    private byte[] pendingTid;
    private byte[] pendingBytes;
    private int transmissions;
    private ScheduledFuture<?> retransmit;
    private Consumer<TurnClient> onDone;

    private ByteBuf tcpCumulation;

    TurnClient(int index, Worker worker) {
        this.index = index;
        this.worker = worker;
        this.settings = worker.settings;
    }

    // ---- control path ----

    /** Allocates, then binds a channel (or creates a permission) to each peer; calls done on READY or FAILED. */
    void start(InetSocketAddress[] peers, Consumer<TurnClient> done) {
        this.peerAddresses = peers;
        this.onDone = done;
        this.startNanos = System.nanoTime();
        phase = Phase.ALLOCATING;
        sendRequest(Wire.ALLOCATE);
    }

    /** Deletes the allocation (Refresh, LIFETIME 0, RFC 8656 §8); calls done when answered or timed out. */
    void delete(Consumer<TurnClient> done) {
        if (phase != Phase.READY) {
            done.accept(this);
            return;
        }
        this.onDone = done;
        phase = Phase.DELETING;
        sendRequest(Wire.REFRESH);
    }

    private void sendRequest(int method) {
        byte[] tid = new byte[12];
        ThreadLocalRandom.current().nextBytes(tid);
        Wire.Builder b = new Wire.Builder(method, Wire.CLASS_REQUEST, tid);
        switch (method) {
            case Wire.ALLOCATE -> b.attrInt(Wire.A_REQUESTED_TRANSPORT, 17 << 24);
            case Wire.REFRESH -> b.attrInt(Wire.A_LIFETIME, 0);
            case Wire.CHANNEL_BIND -> {
                b.attrInt(Wire.A_CHANNEL_NUMBER, (0x4000 + nextBind) << 16);
                b.xorAddress(Wire.A_XOR_PEER_ADDRESS, peerAddresses[nextBind]);
            }
            case Wire.CREATE_PERMISSION -> b.xorAddress(Wire.A_XOR_PEER_ADDRESS, peerAddresses[nextBind]);
            default -> throw new IllegalStateException("no such request: " + method);
        }
        if (key != null) {
            b.attr(Wire.A_USERNAME, settings.credentials().username);
            b.attr(Wire.A_REALM, realm);
            b.attr(Wire.A_NONCE, nonce);
        }
        pendingMethod = method;
        pendingTid = tid;
        pendingBytes = b.encode(key, settings.fingerprint());
        transmissions = 0;
        transmit();
    }

    private void transmit() {
        transmissions++;
        if (settings.tcp()) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(pendingBytes), channel.voidPromise());
            retransmit = worker.loop.schedule(() -> fail("timeout"), TCP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.writeAndFlush(Unpooled.wrappedBuffer(pendingBytes), channel.voidPromise());
            // RFC 8489 §6.2.1: RTO doubling, Rc = 7 transmissions, the last waits 16 RTO.
            long wait = transmissions < MAX_TRANSMISSIONS ? RTO_MILLIS << (transmissions - 1) : RTO_MILLIS * 16;
            retransmit = worker.loop.schedule(() -> {
                if (transmissions >= MAX_TRANSMISSIONS) {
                    fail("timeout");
                } else {
                    transmit();
                }
            }, wait, TimeUnit.MILLISECONDS);
        }
    }

    private void onControl(ByteBuf b, int off, int len) {
        Wire.Message m = Wire.Message.parse(b, off, len);
        if (m == null || pendingTid == null || !Arrays.equals(m.tid, pendingTid)) {
            return; // a retransmission's second answer, or not ours
        }
        if (retransmit != null) {
            retransmit.cancel(false);
        }
        pendingTid = null;
        int method = pendingMethod;
        if (m.cls() == Wire.CLASS_ERROR) {
            int code = m.errorCode();
            if (phase == Phase.DELETING) {
                finish(Phase.DELETED); // already gone (437) or similar: nothing left to delete
                return;
            }
            if ((code == 401 || code == 438) && authRetries++ < 3) {
                String r = m.stringAttribute(Wire.A_REALM);
                if (r != null) {
                    realm = r;
                }
                nonce = m.stringAttribute(Wire.A_NONCE);
                if (realm == null || nonce == null) {
                    fail(code + " without REALM/NONCE");
                    return;
                }
                key = settings.credentials().key(realm);
                sendRequest(method);
                return;
            }
            fail(Wire.methodName(method) + " error " + code);
            return;
        }
        if (m.cls() != Wire.CLASS_SUCCESS) {
            return;
        }
        authRetries = 0;
        switch (method) {
            case Wire.ALLOCATE -> {
                relay = m.xorAddress(Wire.A_XOR_RELAYED_ADDRESS);
                if (relay == null) {
                    fail("Allocate success without XOR-RELAYED-ADDRESS");
                    return;
                }
                phase = Phase.BINDING;
                bindNextOrFinish();
            }
            case Wire.CHANNEL_BIND, Wire.CREATE_PERMISSION -> {
                nextBind++;
                bindNextOrFinish();
            }
            case Wire.REFRESH -> finish(Phase.DELETED);
            default -> fail("unexpected answer");
        }
    }

    private void bindNextOrFinish() {
        if (nextBind < peerAddresses.length) {
            sendRequest(settings.sendIndications() ? Wire.CREATE_PERMISSION : Wire.CHANNEL_BIND);
            return;
        }
        if (settings.sendIndications()) {
            buildSendTemplates();
        }
        finish(Phase.READY);
    }

    private void fail(String why) {
        if (phase == Phase.DELETING) {
            finish(Phase.DELETED);
            return;
        }
        failure = why;
        finish(Phase.FAILED);
    }

    private void finish(Phase p) {
        phase = p;
        doneNanos = System.nanoTime();
        pendingTid = null;
        if (retransmit != null) {
            retransmit.cancel(false);
        }
        Consumer<TurnClient> done = onDone;
        onDone = null;
        if (done != null) {
            done.accept(this);
        }
    }

    /** RFC 8656 §10.1 Send indication, up to the DATA value; the length and transaction ID are patched per packet. */
    private void buildSendTemplates() {
        sendTemplates = new byte[peerAddresses.length][];
        for (int j = 0; j < peerAddresses.length; j++) {
            byte[] tid = new byte[12];
            ThreadLocalRandom.current().nextBytes(tid);
            byte[] xor = Wire.xorAddressValue(peerAddresses[j], tid);
            ByteBuf t = Unpooled.buffer(Wire.HEADER + 4 + xor.length + 4);
            t.writeShort(Wire.SEND_INDICATION);
            t.writeShort(0);
            t.writeInt(Wire.MAGIC_COOKIE);
            t.writeBytes(tid);
            t.writeShort(Wire.A_XOR_PEER_ADDRESS);
            t.writeShort(xor.length);
            t.writeBytes(xor);
            t.writeShort(Wire.A_DATA);
            t.writeShort(settings.payloadSize());
            sendTemplates[j] = Arrays.copyOf(t.array(), t.writerIndex());
        }
    }

    // ---- data path: client → server → relay → peer ----

    /** Sends k data messages, to the peers in turn, as one batch (one sendmmsg, GSO write or TCP write). */
    void sendData(int k) {
        if (phase != Phase.READY) {
            return;
        }
        int frame = settings.clientFrameLength();
        if (settings.tcp()) {
            if (!channel.isWritable()) {
                worker.stats.backpressured[Stats.C2P] += k;
                return;
            }
            int padded = Wire.pad4(frame);
            ByteBuf b = channel.alloc().directBuffer(padded * k);
            long now = System.nanoTime();
            for (int i = 0; i < k; i++) {
                encodeFrame(b, now);
                b.writeZero(padded - frame);
            }
            channel.writeAndFlush(b, channel.voidPromise());
        } else if (settings.gso() && k > 1) {
            long now = System.nanoTime();
            for (int done = 0; done < k; ) {
                int n = Math.min(GSO_MAX_SEGMENTS, k - done);
                ByteBuf b = channel.alloc().directBuffer(frame * n);
                for (int i = 0; i < n; i++) {
                    encodeFrame(b, now);
                }
                channel.write(new SegmentedDatagramPacket(b, frame, settings.server()), channel.voidPromise());
                done += n;
            }
            channel.flush();
        } else {
            long now = System.nanoTime();
            for (int i = 0; i < k; i++) {
                ByteBuf b = channel.alloc().directBuffer(frame);
                encodeFrame(b, now);
                channel.write(b, channel.voidPromise());
            }
            channel.flush();
        }
        worker.stats.sent[Stats.C2P] += k;
    }

    private void encodeFrame(ByteBuf b, long now) {
        int peer = rrPeer;
        rrPeer = rrPeer + 1 == peerAddresses.length ? 0 : rrPeer + 1;
        int flow = index * peerAddresses.length + peer;
        if (settings.sendIndications()) {
            int start = b.writerIndex();
            b.writeBytes(sendTemplates[peer]);
            b.setShort(start + 2, sendTemplates[peer].length - Wire.HEADER + Wire.pad4(settings.payloadSize()));
            b.setInt(start + 16, tidCounter++); // indications need distinct IDs, not secret ones
            worker.writePayload(b, Stats.C2P, flow, now);
            b.writeZero(Wire.pad4(settings.payloadSize()) - settings.payloadSize());
        } else {
            b.writeShort(0x4000 + peer);
            b.writeShort(settings.payloadSize());
            worker.writePayload(b, Stats.C2P, flow, now);
        }
    }

    // ---- receive: server → client ----

    /** One datagram (UDP) or one framed message (TCP) from the server. */
    private void onMessage(ByteBuf b, int off, int len) {
        int first = b.getUnsignedByte(off);
        if ((first & 0xF0) == 0x40) {
            if (len >= 4) {
                int dataLen = b.getUnsignedShort(off + 2);
                if (dataLen <= len - 4) {
                    worker.onPayload(b, off + 4, dataLen);
                    return;
                }
            }
            worker.stats.foreign++;
        } else if (first < 0x40 && len >= Wire.HEADER) {
            if (b.getUnsignedShort(off) == Wire.DATA_INDICATION) {
                long at = Wire.findData(b, off, len);
                if (at >= 0) {
                    worker.onPayload(b, (int) at, (int) (at >>> 32));
                } else {
                    worker.stats.foreign++;
                }
            } else {
                onControl(b, off, len);
            }
        } else {
            worker.stats.foreign++;
        }
    }

    /** RFC 8656 §12.5: over TCP, messages follow each other; ChannelData is padded to 4 bytes. */
    private void onTcpBytes(ChannelHandlerContext ctx, ByteBuf in) {
        if (tcpCumulation == null) {
            tcpCumulation = ctx.alloc().directBuffer(1 << 16);
        }
        tcpCumulation.writeBytes(in);
        ByteBuf c = tcpCumulation;
        while (c.readableBytes() >= 4) {
            int r = c.readerIndex();
            int first = c.getUnsignedByte(r);
            int frame;
            int msgLen;
            if ((first & 0xF0) == 0x40) {
                msgLen = 4 + c.getUnsignedShort(r + 2);
                frame = Wire.pad4(msgLen);
            } else if (first < 0x40) {
                msgLen = Wire.HEADER + c.getUnsignedShort(r + 2);
                frame = msgLen;
            } else {
                worker.stats.foreign++;
                ctx.close();
                return;
            }
            if (c.readableBytes() < frame) {
                break;
            }
            onMessage(c, r, msgLen);
            c.skipBytes(frame);
        }
        c.discardSomeReadBytes();
    }

    final class UdpHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                ByteBuf b = p.content();
                if (b.isReadable()) {
                    onMessage(b, b.readerIndex(), b.readableBytes());
                }
            } finally {
                p.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            worker.stats.foreign++;
        }
    }

    final class TcpHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                onTcpBytes(ctx, b);
            } finally {
                b.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (tcpCumulation != null) {
                tcpCumulation.release();
                tcpCumulation = null;
            }
            if (phase != Phase.DELETED && phase != Phase.FAILED && phase != Phase.IDLE) {
                if (phase == Phase.READY) {
                    phase = Phase.FAILED;
                    failure = "server closed the TCP connection";
                } else {
                    fail("server closed the TCP connection");
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            worker.stats.foreign++;
            ctx.close();
        }
    }
}
