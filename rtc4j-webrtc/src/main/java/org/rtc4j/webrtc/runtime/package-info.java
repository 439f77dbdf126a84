/**
 * The runtime under the API: {@link org.rtc4j.webrtc.runtime.RtcLoop} (one thread, a java.nio
 * Selector, a timer heap, a task queue), {@link org.rtc4j.webrtc.runtime.RtcRuntime} (a few
 * loops and the callback pool), {@link org.rtc4j.webrtc.runtime.PeerDriver} (one connection's
 * UDP sockets, TCP/TLS connections to TURN servers, timer and DTLS wakeup) and
 * {@link org.rtc4j.webrtc.runtime.HostAddresses} (which interfaces get a socket).
 *
 * <p>RFCs: 8445 §5.1.1.1 (host candidates: one socket per interface address, IPv4 and IPv6),
 * 8656 §12.5 and 8489 §6.2 (framing STUN and ChannelData over TCP/TLS).
 *
 * <p>Threading: each loop owns its connections' sockets and engines; other threads hand work to
 * it only through {@link org.rtc4j.webrtc.runtime.RtcLoop#execute}. Closing releases every
 * socket, timer and thread.
 */
package org.rtc4j.webrtc.runtime;
