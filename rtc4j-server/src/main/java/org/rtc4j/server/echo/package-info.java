/**
 * The HTTP signaling of {@code rtc4j echo}: {@link org.rtc4j.server.echo.EchoHttpServer} (Netty
 * HTTP/1.1; {@code POST /offer} answers a complete SDP offer with {@code 201 Created} in the WHIP
 * pattern, {@code GET /offer} + {@code POST /answer} the other way round) and its sessions,
 * {@link org.rtc4j.server.echo.EchoSession}, one {@code PeerConnection} each, whose remote-opened
 * data channels {@code DataChannelEcho} echoes (or, for the label {@code sink}, counts and hashes:
 * the reply to the text {@code done} is {@code bytes=<N> sha256=<hex>}).
 *
 * <p>RFCs: SDP (RFC 8866) bodies as {@code application/sdp}; JSEP offer/answer (RFC 9429) without
 * trickle: every candidate is in the SDP once gathering completed (RFC 8838 §4 allows both);
 * draft-ietf-wish-whip for the resource shape (201, Location, DELETE); data channels per RFC 8831/8832
 * through the rtc4j-webrtc API, echoes paced by W3C bufferedAmount/onBufferedAmountLow.
 *
 * <p>Layer: the server suite, above the rtc4j-webrtc API. Threading: HTTP requests on one Netty
 * event loop; each session's PeerConnection on its own loop; responses are written from the
 * futures' completions; sessions are kept in a concurrent map.
 */
package org.rtc4j.server.echo;
