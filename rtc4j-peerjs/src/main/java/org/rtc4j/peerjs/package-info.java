/**
 * A PeerJS client for the JVM: {@link org.rtc4j.peerjs.Peer} speaks the PeerJS signaling protocol (peerjs 1.5.x,
 * peerjs-server 1.0.x) over {@code java.net.http.WebSocket} and opens {@link org.rtc4j.peerjs.DataConnection}s on
 * rtc4j-webrtc PeerConnections, interoperable with the browser {@code peerjs} client: the {@code binary}
 * ({@link org.rtc4j.peerjs.BinaryPack}, chunked at 16300 bytes), {@code json} and {@code raw} serializations.
 *
 * <p>Threading: every event handler of a Peer and of its connections runs on that Peer's single event thread, in
 * order. Methods may be called from any thread. Media ({@code call}/{@code answer}) is not available: rtc4j has no
 * media stack yet, and those methods throw {@link java.lang.UnsupportedOperationException}.
 */
package org.rtc4j.peerjs;
