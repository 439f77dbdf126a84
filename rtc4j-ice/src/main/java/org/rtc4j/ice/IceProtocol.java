package org.rtc4j.ice;

/** The transport to a STUN/TURN server (RFC 7065 {@code ?transport=}). */
public enum IceProtocol {
  /** UDP (the default for stun: and turn:). */
  UDP,
  /** TCP (TLS for turns: and stuns:). */
  TCP
}
