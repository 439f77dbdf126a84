package org.rtc4j.ice;

import java.util.List;

/**
 * Counters of an {@link IceAgent} (a snapshot) and the per-pair state behind W3C
 * {@code RTCIceCandidatePairStats}.
 *
 * @param checksSent connectivity and consent checks sent (retransmissions included)
 * @param checksReceived Binding requests received that passed authentication
 * @param responsesSent success and error responses sent
 * @param responsesReceived authenticated responses to our checks
 * @param packetsSent application datagrams sent
 * @param bytesSent application bytes sent
 * @param packetsReceived application datagrams received
 * @param bytesReceived application bytes received
 * @param dropped application sends dropped (no selected pair, consent expired, closed) plus
 *     malformed or unexpected datagrams received
 * @param badIntegrity requests and responses rejected for USERNAME or MESSAGE-INTEGRITY (SC-2)
 * @param roleConflicts role conflicts seen (487 sent or received, or a switch)
 * @param unknownSource non-STUN datagrams from addresses no pair knows, dropped (FT-8)
 * @param pairs every pair in the checklist
 */
public record IceStats(long checksSent, long checksReceived, long responsesSent, long responsesReceived,
    long packetsSent, long bytesSent, long packetsReceived, long bytesReceived, long dropped, long badIntegrity,
    long roleConflicts, long unknownSource, List<PairStats> pairs) {

  /** The state of a candidate pair (RFC 8445 §6.1.2.6). */
  public enum PairState { FROZEN, WAITING, IN_PROGRESS, SUCCEEDED, FAILED }

  /**
   * One pair.
   *
   * @param pair the pair
   * @param state its check state
   * @param selected whether data goes over it
   * @param requestsSent checks sent on it
   * @param responsesReceived authenticated responses received on it
   * @param requestsReceived checks received on it
   * @param lastResponseNanos agent time of the last response, or 0
   * @param valid whether the pair is in the valid list (RFC 8445 §7.2.5.3.2): a succeeded check on a
   *     host candidate behind a NAT validates the pair of its reflexive address instead
   */
  public record PairStats(CandidatePair pair, PairState state, boolean selected, long requestsSent,
      long responsesReceived, long requestsReceived, long lastResponseNanos, boolean valid) {}
}
