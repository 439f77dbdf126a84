/**
 * An embeddable PeerJS-compatible signaling server: {@link org.rtc4j.signaling.SignalingServer}
 * configured by {@link org.rtc4j.signaling.SignalingConfig}, state behind
 * {@link org.rtc4j.signaling.PeerRegistry} ({@link org.rtc4j.signaling.InMemoryPeerRegistry} by
 * default), counters in {@link org.rtc4j.signaling.SignalingStats} and Micrometer meters through
 * {@link org.rtc4j.signaling.SignalingMetrics}.
 *
 * <p>Wire protocol: that of peerjs-server 1.0.x (npm {@code peer}) as the {@code peerjs} 1.5.x
 * client speaks it — {@code GET {path}{key}/id} ({@code text/html}, a UUID v4 from a CSPRNG),
 * {@code GET {path}{key}/peers} (with discovery), the WebSocket {@code {path}peerjs?key&id&token&version};
 * JSON text frames {@code {"type","src","dst","payload"}}; handshake outcomes ERROR ("No id, token,
 * or key supplied to websocket server", "Invalid key provided", "Server has reached its concurrent
 * user limit"), ID-TAKEN ("ID is taken") and {@code {"type":"OPEN"}}; OFFER/ANSWER/CANDIDATE
 * relayed or queued, LEAVE/EXPIRE relayed only, {@code src} always rewritten with the sender's
 * id and only the four envelope fields forwarded; HEARTBEAT as the only liveness signal
 * (alive_timeout); EXPIRE after expire_timeout for queued messages. Not an RFC: the reference is
 * the public peerjs and peerjs-server sources.
 *
 * <p>Deliberate differences from upstream (peerjs-server 1.0.2):
 * <ul>
 *   <li>A reconnect with the same id and token gets {@code {"type":"OPEN"}} (upstream sends
 *       nothing, so the client's {@code open} never fires after {@code reconnect()} when the
 *       server had not yet noticed the old socket die); the old socket is closed.</li>
 *   <li>Several keys (tenants) per server, each its own id namespace and limits; the WebSocket
 *       refuses an unknown key with upstream's "Invalid key provided".</li>
 *   <li>Limits upstream lacks: a frame size cap (64 KiB; bigger frames close the socket with
 *       1009), a per-client token bucket (ERROR "Rate limit exceeded", close 1008), at most 10
 *       malformed frames, bounded queues (per destination, per sender, per key; a message that
 *       does not fit gets an immediate EXPIRE), and a per-client outbound buffer cap (messages to a
 *       client that does not read are dropped and counted).</li>
 *   <li>Malformed frames (not JSON, not an object, no string {@code type}, a non-string
 *       {@code dst}, an OFFER/ANSWER/CANDIDATE without {@code dst}, binary frames) get
 *       ERROR "Invalid message: …" instead of silence; unknown types are still ignored.</li>
 *   <li>Queued messages expire per sender: {@code expire_timeout} after the oldest message of a
 *       (src, dst) pair was queued, all of that pair's messages go and src gets one EXPIRE
 *       (upstream: the whole queue of dst, timed from its creation).</li>
 *   <li>LEAVE without {@code dst} also closes the socket.</li>
 *   <li>{@code GET {path}{key}/ice-servers[?id=ID]} mints TURN REST credentials
 *       (username {@code expiry:id}, password base64(HMAC-SHA1(secret, username))) and returns
 *       {@code {"iceServers":[…],"ttl":s,"expires":t}}.</li>
 *   <li>An origin allow-list (HTTP and WebSocket upgrade) may replace upstream's "any origin".</li>
 * </ul>
 *
 * <p>Layer: a server, above the library (depends on Netty, Jackson, Micrometer; nothing of rtc4j).
 * Threading: Netty event loops; see {@link org.rtc4j.signaling.SignalingServer} and the registry's
 * contract in {@link org.rtc4j.signaling.PeerRegistry}.
 */
package org.rtc4j.signaling;
