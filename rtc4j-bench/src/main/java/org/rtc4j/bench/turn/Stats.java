package org.rtc4j.bench.turn;

/**
 * Counters of one event loop for one step. Touched only on that loop; the main thread gets a copy
 * through a task run on the loop, then merges the loops' copies.
 */
final class Stats {
    static final int C2P = 0;
    static final int P2C = 1;

    /** Packets the pacer wanted to send (the offered load). */
    final long[] scheduled = new long[2];
    /** Packets handed to the kernel. */
    final long[] sent = new long[2];
    /** Packets of this step that arrived. */
    final long[] received = new long[2];
    /** Packets the pacer skipped because the loop fell behind its schedule (generator-limited). */
    final long[] lagSkipped = new long[2];
    /** Packets not sent because a TCP connection to the server was not writable (server back-pressure). */
    final long[] backpressured = new long[2];
    final LatencyHistogram[] latency = {new LatencyHistogram(), new LatencyHistogram()};
    /** Packets that arrived with an earlier step's number (after that step's drain time). */
    long late;
    /** Packets that arrived with a lower sequence number than one already seen on their flow. */
    long reordered;
    /** Payloads that were not ours (bad magic, short). */
    long foreign;

    void reset() {
        for (int d = 0; d < 2; d++) {
            scheduled[d] = 0;
            sent[d] = 0;
            received[d] = 0;
            lagSkipped[d] = 0;
            backpressured[d] = 0;
            latency[d].reset();
        }
        late = 0;
        reordered = 0;
        foreign = 0;
    }

    void add(Stats o) {
        for (int d = 0; d < 2; d++) {
            scheduled[d] += o.scheduled[d];
            sent[d] += o.sent[d];
            received[d] += o.received[d];
            lagSkipped[d] += o.lagSkipped[d];
            backpressured[d] += o.backpressured[d];
            latency[d].add(o.latency[d]);
        }
        late += o.late;
        reordered += o.reordered;
        foreign += o.foreign;
    }

    Stats copy() {
        Stats s = new Stats();
        s.add(this);
        return s;
    }

    long sentTotal() {
        return sent[0] + sent[1];
    }

    long receivedTotal() {
        return received[0] + received[1];
    }

    LatencyHistogram latencyBoth() {
        LatencyHistogram h = new LatencyHistogram();
        h.add(latency[0]);
        h.add(latency[1]);
        return h;
    }
}
