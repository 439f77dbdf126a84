/**
 * The embeddable STUN/TURN server core: {@link org.rtc4j.turn.server.TurnServerCore}, a sans-IO
 * state machine for TURN (RFC 8656: Allocate, Refresh, CreatePermission, ChannelBind, Send and
 * Data indications, ChannelData) and STUN Binding (RFC 8489), with long-term credentials
 * (RFC 8489 §9.2) and the TURN REST API shared-secret scheme (coturn {@code use-auth-secret}),
 * stateless nonces, a {@link org.rtc4j.turn.server.PeerAddressPolicy} that refuses private and
 * special peer addresses in every IPv4-in-IPv6 encoding, quotas and bandwidth caps.
 *
 * <p>Layer: server, above {@code org.rtc4j.stun} (codec) and {@code org.rtc4j.net} (datagrams);
 * the Netty driver in {@code org.rtc4j.turn.server.netty} moves bytes and binds relay sockets.
 *
 * <p>Threading: one {@code TurnServerCore} per event loop (shard), used by that thread only; it
 * never reads a clock, sleeps, opens sockets or starts threads. The shards of one server share a
 * thread-safe {@link org.rtc4j.turn.server.TurnSharedState} (quota ledger, nonce secret,
 * {@link org.rtc4j.turn.server.TurnCounters}). {@link org.rtc4j.turn.server.TurnServerConfig},
 * {@link org.rtc4j.turn.server.PeerAddressPolicy} and {@link org.rtc4j.turn.server.IpRange} are
 * immutable.
 */
package org.rtc4j.turn.server;
