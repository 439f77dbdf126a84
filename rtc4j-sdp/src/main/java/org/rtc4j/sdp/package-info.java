/**
 * SDP for WebRTC: an immutable model, a parser and a CRLF writer for the session descriptions
 * browsers exchange, ICE candidate lines, and the checks a JSEP layer runs before applying a
 * remote description.
 *
 * <p>RFCs: 8866 (SDP), 8829 (JSEP), 8839 (ICE SDP attributes, candidate grammar), 8445 (candidate
 * and pair priority), 8122 (fingerprint), 8842 (setup), 8841 (sctp-port, max-message-size), 8843
 * (BUNDLE), 8285 (extmap), 8830 (msid), 5576 (ssrc), 4585 (rtcp-fb).
 *
 * <p>Layer: codec, below the JSEP state machine; no I/O, no clocks, no dependencies.
 * {@link org.rtc4j.sdp.SessionDescription#parse} and
 * {@link org.rtc4j.sdp.IceCandidate#parse} throw only {@link org.rtc4j.sdp.SdpParseException}
 * (naming line number, line and reason) and are capped by {@link org.rtc4j.sdp.SdpLimits}.
 * Unknown lines and attributes are kept in order and written back unchanged.
 *
 * <p>Threading: every type is immutable and safe to share; nothing holds state.
 */
package org.rtc4j.sdp;
