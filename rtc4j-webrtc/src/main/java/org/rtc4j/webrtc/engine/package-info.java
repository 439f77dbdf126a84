/**
 * The sans-IO peer: JSEP offer/answer rules and signaling state machine
 * ({@link org.rtc4j.webrtc.engine.Jsep}, {@link org.rtc4j.webrtc.engine.JsepSession}) and the
 * {@link org.rtc4j.webrtc.engine.PeerEngine} that wires the ICE agent, the DTLS engine (and the
 * SCTP association) together and derives the W3C connection state.
 *
 * <p>RFCs: 9429 (JSEP), 8843 (BUNDLE), 8839 (ICE SDP), 8838 (trickle), 8842 / 5763 (DTLS roles
 * from a=setup), 8122 (fingerprints), 8841 (SCTP SDP: sctp-port, max-message-size), 7983
 * (demultiplexing by first byte).
 *
 * <p>Layer: between the runtime (below: sockets, clock, threads) and the API (above).
 *
 * <p>Threading: not thread-safe; one owner thread (the connection's loop) calls everything. The
 * engine never reads a clock, opens a socket or starts a thread itself; the DTLS engine's
 * handshake thread (Bouncy Castle blocks) only calls the configured wakeup.
 */
package org.rtc4j.webrtc.engine;
