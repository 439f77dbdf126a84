package org.rtc4j.dtls;

/**
 * Which side of the DTLS handshake this endpoint plays. In WebRTC it follows from SDP's
 * {@code a=setup} (RFC 5763 §5, RFC 8842): {@code active} is the DTLS client, {@code passive}
 * the server; the caller decides, this module does not read SDP.
 */
public enum DtlsRole {
  /** Sends the ClientHello ({@code a=setup:active}). */
  CLIENT,
  /** Waits for the ClientHello ({@code a=setup:passive}). */
  SERVER
}
