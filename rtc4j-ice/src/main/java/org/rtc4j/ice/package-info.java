/**
 * The ICE agent: {@link org.rtc4j.ice.IceAgent}, a full RFC 8445 agent for one component
 * (rtcp-mux and BUNDLE, as WebRTC uses it) as a sans-IO core, and its API types.
 *
 * <p>RFCs: RFC 8445 (ICE: gathering §5, pairing and priorities §6.1.2, checks §7, nomination §8,
 * restart §9), RFC 8838 (trickle ICE, end-of-candidates), RFC 7675 (consent freshness), RFC 8839
 * (candidate and credential syntax), RFC 7064/7065 (stun:, turn: URIs), RFC 8489 (STUN, short-term
 * credentials), RFC 8656 and RFC 6062 through {@link org.rtc4j.ice.turn.TurnAllocation} (relayed
 * candidates over UDP, TCP and TLS), RFC 7983 (demultiplexing by first byte), and mDNS host
 * candidates (draft-ietf-mmusic-mdns-ice-candidates) through the runtime's resolver.
 *
 * <p>Layer: below the peer engine (rtc4j-webrtc), above rtc4j-stun (codec, transactions) and
 * rtc4j-sdp (candidate lines, priority formulas). The engine feeds every datagram of the
 * connection's sockets to the agent; the agent hands back STUN/TURN traffic to send and
 * {@link org.rtc4j.ice.IceEvent.ApplicationData} (DTLS, SRTP) to route up, and
 * {@link org.rtc4j.ice.IceAgent#send} carries the engine's datagrams over the selected pair,
 * directly or through the TURN relay. Application bytes are copied once on the way in and once on
 * the way out.
 *
 * <p>Security: a check must carry {@code USERNAME = <our ufrag>:<their ufrag>} and a valid
 * MESSAGE-INTEGRITY under our password; a response must carry a valid MESSAGE-INTEGRITY under
 * theirs and a transaction id we sent. Anything else changes no state and is counted (trust-tests
 * SC-2). Data is sent only to a pair validated by an authenticated response, and never after
 * consent expired (SC-13); packets from unknown addresses are dropped, not answered (FT-8).
 *
 * <p>Choices beyond the letter of RFC 8445, and why: both roles send on the best valid pair before
 * a nomination (as browsers do, so DTLS can start at once); the controlling agent re-nominates
 * when its nominated pair stops receiving while another valid pair receives, and the controlled
 * agent follows the latest nomination among receiving pairs (NAT rebinding, FT-8, as libwebrtc
 * does); consent checks run every min(consentInterval, disconnectedTimeout/2) ±20 % so that one
 * lost response does not flag DISCONNECTED; a check arriving on an in-progress pair replaces it
 * with a fresh triggered check; unauthenticated checks are dropped (counted), not answered with
 * 400/401, to give nothing to reflect; srflx gathering starts with a 250 ms RTO. Not supported:
 * ICE-TCP candidates (RFC 6544), stuns: servers for srflx, DNS names for servers (the runtime
 * resolves them).
 *
 * <p>Threading: an agent is confined to one thread (the connection's loop); it is not thread-safe
 * and needs no locks. It never blocks, sleeps, reads a clock, resolves names or opens sockets: time
 * ({@code nowNanos}) and randomness ({@code RandomGenerator}; a {@code SecureRandom} in
 * production) are passed in, TCP connections and mDNS queries are requested as events. The API
 * records are immutable and may cross threads.
 */
package org.rtc4j.ice;
