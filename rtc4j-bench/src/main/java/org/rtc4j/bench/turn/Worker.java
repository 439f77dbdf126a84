package org.rtc4j.bench.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One event loop of the generator: the client and peer sockets it owns, the pacer that decides how
 * many packets each of them sends per tick, and the statistics of what arrives on them. Everything
 * here runs on {@link #loop}; the main thread talks to it through tasks.
 */
final class Worker {
    final EventLoop loop;
    final int id;
    final Settings settings;
    final List<TurnClient> clients = new ArrayList<>();
    final List<Peer> peers = new ArrayList<>();
    /** With GSO: the (peer, allocation) sockets of this loop's peers; peer → client traffic leaves through them. */
    final List<PeerLink> links = new ArrayList<>();
    private int rrLink;
    final Stats stats = new Stats();

    private final int flows;
    /** Next sequence number per direction and flow, for the flows this loop sends. */
    private final long[][] nextSeq;
    /** Highest sequence number seen per direction and flow, for the flows this loop receives. */
    private final long[][] lastSeq;

    private int step;
    private boolean sending;
    private long stepStart;
    private final double[] perNanos = new double[2];
    private final long[] accounted = new long[2];
    private final long[] perTickCap = new long[2];
    private final long[] backlogCap = new long[2];
    private int rrClient;
    private int rrPeer;
    private ScheduledFuture<?> ticker;

    Worker(EventLoop loop, int id, Settings settings, int flows) {
        this.loop = loop;
        this.id = id;
        this.settings = settings;
        this.flows = flows;
        this.nextSeq = new long[2][flows];
        this.lastSeq = new long[2][flows];
        for (long[] a : lastSeq) {
            java.util.Arrays.fill(a, -1);
        }
    }

    int step() {
        return step;
    }

    // ---- main-thread entry points (each runs as a task on the loop) ----

    void startTicker(long tickMicros) {
        ticker = loop.scheduleAtFixedRate(this::tick, tickMicros, tickMicros, TimeUnit.MICROSECONDS);
    }

    void stopTicker() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    /** Starts a step: this loop's share of the offered load, per direction, in packets per second. */
    void beginStep(int newStep, double c2pPps, double p2cPps, long tickMicros) {
        stats.reset();
        step = newStep;
        stepStart = System.nanoTime();
        double[] pps = {c2pPps, p2cPps};
        for (int d = 0; d < 2; d++) {
            perNanos[d] = pps[d] / 1e9;
            accounted[d] = 0;
            // At most one tick plus 2 ms of catch-up per tick, so a late tick does not turn into a
            // burst that overflows the server's queue; more than 50 ms behind is skipped and counted.
            perTickCap[d] = Math.max(64, (long) (pps[d] * (tickMicros * 1e-6 + 0.002)));
            backlogCap[d] = Math.max(256, (long) (pps[d] * 0.05));
        }
        sending = pps[0] > 0 || pps[1] > 0;
    }

    void endSending() {
        sending = false;
    }

    Stats snapshot() {
        return stats.copy();
    }

    // ---- the pacer ----

    private void tick() {
        if (!sending) {
            return;
        }
        long elapsed = System.nanoTime() - stepStart;
        int c2p = due(Stats.C2P, elapsed);
        int p2c = due(Stats.P2C, elapsed);
        if (c2p > 0 && !clients.isEmpty()) {
            sendClientToPeer(c2p);
        }
        if (p2c > 0 && !links.isEmpty()) {
            sendLinks(p2c);
        } else if (p2c > 0 && !peers.isEmpty()) {
            sendPeerToClient(p2c);
        }
    }

    private int due(int d, long elapsed) {
        long due = (long) (elapsed * perNanos[d]) - accounted[d];
        if (due <= 0) {
            return 0;
        }
        if (due > backlogCap[d]) {
            long skip = due - backlogCap[d];
            stats.lagSkipped[d] += skip;
            stats.scheduled[d] += skip;
            accounted[d] += skip;
            due = backlogCap[d];
        }
        int n = (int) Math.min(due, perTickCap[d]);
        accounted[d] += n;
        stats.scheduled[d] += n;
        return n;
    }

    /** Spreads n packets over this loop's client sockets, so each socket sends one batch per tick. */
    private void sendClientToPeer(int n) {
        int count = clients.size();
        int burst = settings.burst();
        if (burst > 1) {
            // Bursts: k packets per socket write (what makes a GSO write worth it), sockets in turn.
            while (n > 0) {
                int k = Math.min(burst, n);
                clients.get(rrClient).sendData(k);
                rrClient = rrClient + 1 == count ? 0 : rrClient + 1;
                n -= k;
            }
            return;
        }
        int base = n / count;
        int extra = n % count;
        for (int i = 0; i < count; i++) {
            int k = base + (i < extra ? 1 : 0);
            if (k > 0) {
                clients.get((rrClient + i) % count).sendData(k);
            }
        }
        rrClient = (rrClient + extra) % count;
    }

    private void sendLinks(int n) {
        int count = links.size();
        int burst = Math.max(1, settings.burst());
        while (n > 0) {
            int k = Math.min(burst, n);
            links.get(rrLink).sendData(k);
            rrLink = rrLink + 1 == count ? 0 : rrLink + 1;
            n -= k;
        }
    }

    private void sendPeerToClient(int n) {
        int count = peers.size();
        int base = n / count;
        int extra = n % count;
        for (int i = 0; i < count; i++) {
            int k = base + (i < extra ? 1 : 0);
            if (k > 0) {
                peers.get((rrPeer + i) % count).sendData(k);
            }
        }
        rrPeer = (rrPeer + extra) % count;
    }

    /** Writes the payload of the next packet of (dir, flow). */
    void writePayload(ByteBuf b, int dir, int flow, long nanos) {
        Payload.write(b, settings.payloadSize(), step, dir, flow, nextSeq[dir][flow]++, nanos);
    }

    // ---- the receive side ----

    /** A payload arrived on one of this loop's sockets (at a peer: client → peer; at a client: peer → client). */
    void onPayload(ByteBuf b, int off, int len) {
        if (len < Payload.MIN_SIZE || b.getInt(off) != Payload.MAGIC) {
            stats.foreign++;
            return;
        }
        int pktStep = b.getUnsignedShort(off + 4);
        int dir = b.getByte(off + 6) & 1;
        if (pktStep != (step & 0xFFFF)) {
            stats.late++;
            return;
        }
        long now = System.nanoTime();
        int flow = b.getInt(off + 8);
        long seq = b.getLong(off + 12);
        stats.received[dir]++;
        stats.latency[dir].record(now - b.getLong(off + 20));
        if (flow >= 0 && flow < flows) {
            if (seq < lastSeq[dir][flow]) {
                stats.reordered++;
            } else {
                lastSeq[dir][flow] = seq;
            }
        }
    }

    void resetSequences() {
        for (int d = 0; d < 2; d++) {
            java.util.Arrays.fill(lastSeq[d], -1);
            java.util.Arrays.fill(nextSeq[d], 0);
        }
    }
}
