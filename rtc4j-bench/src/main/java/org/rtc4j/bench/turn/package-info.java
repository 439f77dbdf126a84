/**
 * A TURN load generator: one process that saturates a TURN server (RFC 8656) and measures what it
 * relays, so rtc4j's server and coturn can be compared on the same machine with the same load.
 *
 * <p>What it does ({@link org.rtc4j.bench.turn.TurnLoadGenerator} is the command line):
 * <ul>
 *   <li>{@code relay}: creates N allocations (UDP or TCP client transport, long-term credentials of
 *       a static user or the TURN REST API shared-secret scheme), binds channels (or only creates
 *       permissions, to exercise Send/Data indications) to M local UDP peer sockets, then sends in
 *       both directions at a paced rate: client → server → relay → peer (ChannelData or Send
 *       indication in, raw UDP out) and peer → relay → server → client (raw UDP in, ChannelData or
 *       Data indication out). Every payload carries a step number, a direction, a flow, a sequence
 *       number and the send time ({@link java.lang.System#nanoTime()}), so the receiver counts what
 *       arrived, what was lost and how long it took. A step search raises the offered rate until
 *       packets are lost and reports the last rate with zero loss and the throughput under
 *       overload.</li>
 *   <li>{@code allocs}: creates many allocations (10,000 by default, each from its own UDP socket,
 *       the full 401-then-authenticated exchange a real client does) as fast as the server
 *       answers, and reads the server's resident memory (and, for a JVM, its live heap after a
 *       full GC) before and after.</li>
 * </ul>
 *
 * <p>Why it does not use rtc4j's own STUN codec: the tool that measures a server should not share
 * code with the server it measures, and its data path needs allocation-free encoders anyway. The
 * few control messages it sends (Allocate, CreatePermission, ChannelBind, Refresh) are encoded
 * by {@link org.rtc4j.bench.turn.Wire} from RFC 8489 §5/§14 and RFC 8656 §18 directly; responses
 * are not integrity-checked (the generator trusts the server it loads).
 *
 * <p>Threading: all sockets live on Netty epoll event loops ({@code --threads}, default 1); a
 * socket, its allocation state and the statistics it touches belong to one loop, so the hot path
 * has no locks and no shared counters. The main thread only starts and stops steps and gathers
 * per-loop statistics through tasks submitted to the loops. UDP sends go out with sendmmsg(2)
 * (Netty flushes a batch per socket per pacing tick), reads with recvmmsg(2).
 *
 * <p>Safety: it talks to the server address it is given and binds its own sockets to
 * 127.0.0.1 only; every phase is bounded in count and in time.
 */
package org.rtc4j.bench.turn;
