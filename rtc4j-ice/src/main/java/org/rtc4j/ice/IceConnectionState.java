package org.rtc4j.ice;

/** Connectivity (W3C {@code RTCIceConnectionState}, driven by RFC 8445 checks and RFC 7675 consent). */
public enum IceConnectionState {
  /** No checks yet (no remote candidates or credentials). */
  NEW,
  /** Checks are running; no usable pair yet. */
  CHECKING,
  /** A pair is selected and consent is fresh. */
  CONNECTED,
  /** Connected, and checking is over: the nominated pair is final and no more candidates come. */
  COMPLETED,
  /** The selected pair got no consent response for {@code disconnectedTimeout}; it may come back. */
  DISCONNECTED,
  /** Every pair failed, or consent expired ({@code failedTimeout}); only an ICE restart recovers. */
  FAILED,
  /** {@link IceAgent#close} was called. */
  CLOSED
}
