/**
 * The Netty driver of the TURN server: {@link org.rtc4j.turn.server.netty.TurnServer} moves the
 * bytes and the time of the sans-IO {@link org.rtc4j.turn.server.TurnServerCore} (RFC 8656 TURN,
 * RFC 8489 STUN Binding) over real sockets: UDP, TCP and TLS client transports (RFC 8489 §6.2,
 * RFC 8656 §3.1), UDP relay sockets, and STUN/ChannelData framing of streams (RFC 8656 §12.5).
 *
 * <p>Layer: server I/O, above the cores; the only place in the TURN server that opens sockets,
 * starts threads or reads clocks ({@code System.nanoTime()}, mapped to Unix time by
 * {@link org.rtc4j.turn.server.TurnServerConfig#epochSecondsAt()} for REST credential expiry).
 *
 * <p>Threading: one Netty event loop per shard, each owning one core and the sockets that feed
 * it (SO_REUSEPORT listeners under epoll, the TCP/TLS connections accepted onto the loop, the
 * relay sockets of its allocations). Shards share only {@link org.rtc4j.turn.server.TurnSharedState}.
 * Writes are flushed once per loop iteration, so bursts leave in one {@code sendmmsg}.
 * {@link org.rtc4j.turn.server.netty.TurnServer#close()} releases every socket, timer and thread.
 */
package org.rtc4j.turn.server.netty;
