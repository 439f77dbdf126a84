package org.rtc4j.ice;

/** Candidate gathering progress (W3C {@code RTCIceGatheringState}). */
public enum IceGatheringState {
  /** {@link IceAgent#startGathering} not called yet. */
  NEW,
  /** Waiting for STUN Binding and TURN Allocate answers. */
  GATHERING,
  /** Every server answered, failed or timed out: no more local candidates (end-of-candidates). */
  COMPLETE
}
