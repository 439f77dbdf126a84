package org.rtc4j.bench.turn;

/**
 * A fixed-size log-linear histogram of nanosecond values: exact below 128 ns, then 64 buckets per
 * power of two (under 1.6% relative error), up to 2^40 ns (18 minutes). Recording is an array
 * increment, so it can sit on the receive path. Not thread-safe: one per event loop, merged after.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_EXP = 39;
    private final long[] counts = new long[(MAX_EXP - SUB_BITS + 2) * SUB];
    private long total;
    private long max;

    void record(long nanos) {
        long v = nanos < 0 ? 0 : Math.min(nanos, (1L << (MAX_EXP + 1)) - 1);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        int shift = exp - SUB_BITS;
        return shift * SUB + (int) (v >>> shift);
    }

    /** The middle of bucket {@code index}. */
    static long valueAt(int index) {
        int q = index >>> SUB_BITS;
        if (q <= 1) {
            return index;
        }
        int shift = q - 1;
        long low = (long) (SUB + (index & (SUB - 1))) << shift;
        return low + (1L << shift) / 2;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at quantile q (0..1), in nanoseconds; 0 when empty. */
    long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(valueAt(i), max);
            }
        }
        return max;
    }
}
