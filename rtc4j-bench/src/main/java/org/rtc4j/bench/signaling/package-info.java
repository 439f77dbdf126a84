/**
 * Load tools for PeerJS signaling servers; they speak only the wire protocol (no server code is
 * linked), so rtc4j and peerjs-server are measured alike (scripts/signaling-bench.sh runs both).
 *
 * <ul>
 *   <li>{@link org.rtc4j.bench.signaling.SignalingSweep}: the open-loop capacity sweep (fixed-rate
 *       OFFER/CANDIDATE bursts, latency from the scheduled send time, CPU per message of the server);
 *       one thread, raw NIO, pre-masked frames, so it stays cheaper than the server it loads.</li>
 *   <li>{@link org.rtc4j.bench.signaling.SweepSummary}: medians and ratios over repeated sweeps.</li>
 * </ul>
 */
package org.rtc4j.bench.signaling;
