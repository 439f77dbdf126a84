/**
 * The W3C-shaped API of rtc4j: {@link org.rtc4j.webrtc.PeerConnection} (RTCPeerConnection),
 * {@link org.rtc4j.webrtc.RtcConfiguration}, session descriptions, ICE candidates, the state
 * enums, stats and the W3C-named exceptions ({@link org.rtc4j.webrtc.InvalidStateException}, ...).
 *
 * <p>Standards: W3C "WebRTC 1.0: Real-Time Communication Between Browsers" and "Identifiers for
 * WebRTC's Statistics API" for names and semantics; JSEP (RFC 9429) for offer/answer; ICE
 * (RFC 8445, 8838, 8839, 7675); DTLS-SRTP/fingerprints (RFC 5763, 8122, 8842); SCTP over DTLS
 * and data channels (RFC 8261, 8831, 8832, 8841).
 *
 * <p>Layer: the top. Commands go to the connection's {@link org.rtc4j.webrtc.runtime.RtcLoop}
 * task queue, where the sans-IO {@link org.rtc4j.webrtc.engine.PeerEngine} runs; events come back
 * on a per-connection serial executor.
 *
 * <p>Threading contract: every public method may be called from any thread. Futures complete and
 * callbacks run on the connection's callback executor, one at a time and in order, never on the
 * loop thread and never under a lock. Misuse throws unchecked W3C-named exceptions.
 */
package org.rtc4j.webrtc;
