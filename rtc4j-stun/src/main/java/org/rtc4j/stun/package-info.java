/**
 * The STUN and TURN wire codec: messages and attributes of RFC 8489 (STUN), RFC 8445 (ICE
 * attributes), RFC 8656 (TURN, including ChannelData, §12), RFC 6062 (TURN over TCP,
 * CONNECTION-ID) and RFC 5780 (RESPONSE-ORIGIN, OTHER-ADDRESS); MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT; long-term and short-term credentials with SASLprep
 * (RFC 4013); tested against the RFC 5769 vectors.
 *
 * <p>Layer: the bottom of the ICE/TURN stack, below the ICE agent, the TURN client and the TURN
 * server core. No I/O, no clocks, no threads. {@link org.rtc4j.stun.StunMessage#parse} and
 * {@link org.rtc4j.stun.ChannelData#parse} are bounds-checked, allocate no more than the input
 * holds, and throw nothing but {@link org.rtc4j.stun.StunParseException}. Parsed messages are
 * zero-copy read-only views of the input bytes.
 *
 * <p>Threading: records and parsed messages are immutable; builders and
 * {@link org.rtc4j.stun.IntegrityCalculator} are single-threaded objects a core owns; the static
 * helpers are pure. There is no static mutable state.
 */
package org.rtc4j.stun;
