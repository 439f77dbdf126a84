/**
 * SCTP over DTLS as WebRTC uses it: RFC 9260 (SCTP), RFC 8261 (SCTP over DTLS: no IP addresses,
 * one path, the DTLS record is the datagram), RFC 3758 (partial reliability, FORWARD-TSN),
 * RFC 6525 (stream reset, RE-CONFIG), RFC 7053 (the I bit).
 *
 * <p>Layer: above the DTLS engine, below DCEP and the data channels ({@link org.rtc4j.sctp.dcep}).
 * {@link org.rtc4j.sctp.SctpAssociation} is a sans-IO core: bytes in through
 * {@code handleReceive}, bytes out through {@code pollTransmit} (one SCTP packet, at most the MTU,
 * for one DTLS application-data record), time through {@code handleTimeout}/{@code pollTimeout}.
 * It never reads a clock, sleeps, opens sockets or starts threads. The chunk and packet records
 * parse bounds-checked and throw nothing but {@link org.rtc4j.sctp.SctpParseException}; the
 * association drops and counts malformed input and never throws on remote bytes.
 *
 * <p>Threading: an association is confined to one thread (the connection's loop). Records are
 * immutable. No static mutable state.
 */
package org.rtc4j.sctp;
