/**
 * The TURN client: {@link org.rtc4j.ice.turn.TurnAllocation}, one allocation of a UDP relay on a
 * TURN server (RFC 8656), reached over UDP, TCP or TLS (RFC 8656 §3.1; on streams every STUN
 * message and ChannelData frame is framed by its own length, ChannelData padded to 4 bytes, RFC
 * 8656 §12.5 — the framing RFC 6062 clients use too). Long-term credentials with MD5 or SHA-256
 * keys and nonce handling per RFC 8489 §9.2; request retransmission per RFC 8489 §6.2;
 * permissions (§9), Send/Data indications (§11), channels (§12), refresh and deallocation (§8).
 *
 * <p>Layer: a sans-IO core below the ICE agent ({@code org.rtc4j.ice}), which creates one
 * allocation per (TURN server, local socket) and feeds it the datagrams from that server; above
 * the STUN codec ({@code org.rtc4j.stun}). No sockets, clocks or threads: time and randomness are
 * passed in. Remote input never throws.
 *
 * <p>Threading: not thread-safe; an allocation belongs to the loop thread of its peer connection.
 * Events and configuration records are immutable; {@link org.rtc4j.ice.turn.TurnClientEvent.PeerData}
 * hands over a buffer the receiver owns.
 */
package org.rtc4j.ice.turn;
