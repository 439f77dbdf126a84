/**
 * The Data Channel Establishment Protocol (RFC 8832) and WebRTC data channels over SCTP
 * (RFC 8831): {@link org.rtc4j.sctp.dcep.DataChannelOpen} and {@link org.rtc4j.sctp.dcep.DataChannelAck}
 * records, and {@link org.rtc4j.sctp.dcep.DataChannels}, a sans-IO manager that owns an
 * {@link org.rtc4j.sctp.SctpAssociation} and maps channels to streams (even ids for the DTLS
 * client, odd for the server, RFC 8832 §6), PPIDs (RFC 8831 §8), closing by stream reset
 * (RFC 8831 §6.7) and buffered-amount accounting.
 *
 * <p>Layer: above SCTP, below the W3C-shaped {@code DataChannel} of rtc4j-webrtc. Threading: one
 * thread (the connection's loop); no static mutable state.
 */
package org.rtc4j.sctp.dcep;
