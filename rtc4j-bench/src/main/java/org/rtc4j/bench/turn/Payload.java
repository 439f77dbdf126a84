package org.rtc4j.bench.turn;

import io.netty.buffer.ByteBuf;

/**
 * The generator's payload: what the relay carries, so the receiver can tell which step, direction
 * and flow a packet belongs to, whether it was lost or reordered, and how long it took.
 *
 * <pre>
 *   0       magic 'R4JB'        4  step (u16) | direction (u8) | 0
 *   8       flow (allocation * peers + peer)
 *  12       sequence number of this packet on its flow and direction (u64)
 *  20       System.nanoTime() when it was handed to the kernel (u64)
 *  28..     zero filler up to the payload size
 * </pre>
 */
final class Payload {
    private Payload() {}

    static final int MAGIC = 0x52344A42;
    static final int MIN_SIZE = 28;

    static void write(ByteBuf b, int size, int step, int dir, int flow, long seq, long nanos) {
        b.writeInt(MAGIC);
        b.writeShort(step);
        b.writeByte(dir);
        b.writeByte(0);
        b.writeInt(flow);
        b.writeLong(seq);
        b.writeLong(nanos);
        b.writeZero(size - MIN_SIZE);
    }
}
