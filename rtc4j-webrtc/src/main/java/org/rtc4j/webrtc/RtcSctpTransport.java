package org.rtc4j.webrtc;

/**
 * W3C {@code RTCSctpTransport} as a snapshot: whether the association is up and the largest
 * message {@link DataChannel#send} accepts (the peer's {@code a=max-message-size}, RFC 8841 §6;
 * 0 = no limit).
 *
 * @param state "connecting", "connected" or "closed"
 * @param maxMessageSize largest message that may be sent, 0 = no limit
 * @param maxChannels the number of streams (65535 until negotiated)
 */
public record RtcSctpTransport(String state, long maxMessageSize, int maxChannels) {}
