package org.rtc4j.ice;

/** Which candidates are signalled and paired (W3C {@code RTCIceTransportPolicy}). */
public enum IceTransportPolicy {
  /** Every candidate type. */
  ALL,
  /** Relayed (TURN) candidates only: hides the host's addresses from the peer. */
  RELAY
}
