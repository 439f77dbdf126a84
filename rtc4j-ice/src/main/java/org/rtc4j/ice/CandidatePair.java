package org.rtc4j.ice;

import java.net.InetSocketAddress;
import org.rtc4j.sdp.IceCandidate;

/**
 * A snapshot of a candidate pair (RFC 8445 §6.1.2): what {@link IceEvent.SelectedPairChanged} and
 * {@link IceEvent.ApplicationData} report and {@link IceAgent#selectedPair()} returns.
 *
 * @param local the local candidate (host, prflx or relay; srflx candidates are paired by their base)
 * @param remote the remote candidate
 * @param priority the pair priority (RFC 8445 §6.1.2.3), unsigned 64-bit
 * @param localBase the local socket the pair sends from: a host address, or the relayed address
 *     for a relay candidate
 * @param remoteAddress the remote transport address (resolved, also for mDNS candidates)
 * @param nominated whether the pair was nominated (RFC 8445 §8)
 */
public record CandidatePair(IceCandidate local, IceCandidate remote, long priority, InetSocketAddress localBase,
    InetSocketAddress remoteAddress, boolean nominated) {

  /** Whether data on this pair goes through a TURN relay. */
  public boolean relayed() {
    return local.type() == IceCandidate.Type.RELAY;
  }
}
