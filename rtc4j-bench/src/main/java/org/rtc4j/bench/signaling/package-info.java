/**
 * A bounded load tool for PeerJS signaling servers ({@link org.rtc4j.bench.signaling.SignalingLoad}):
 * N WebSocket peers, OFFER/CANDIDATE relayed between pairs in a closed loop, against rtc4j and
 * peerjs-server alike (scripts/signaling-bench.sh runs both in one go). It speaks only the wire
 * protocol: it links no server code.
 *
 * <p>Threading: the peers live on a few Netty event-loop threads; the main thread orchestrates and
 * reads counters.
 */
package org.rtc4j.bench.signaling;
