/**
 * {@code rtc4j peerjs send|receive}: file transfer over PeerJS (rtc4j-peerjs) with the web app's data protocol
 * (web/README.md). Blocking CLI code; the Peer's events run on its own thread.
 */
package org.rtc4j.server.peerjs;
