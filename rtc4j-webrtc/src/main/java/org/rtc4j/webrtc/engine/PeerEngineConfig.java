package org.rtc4j.webrtc.engine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.ice.IceServer;
import org.rtc4j.ice.IceTransportPolicy;

/**
 * Everything a {@link PeerEngine} needs from the runtime.
 *
 * @param iceServers STUN/TURN servers with IP-literal hosts (the runtime resolved names)
 * @param policy ICE transport policy
 * @param hostAddresses the UDP sockets the runtime bound (concrete address and port each)
 * @param certificate the local DTLS identity
 * @param maxMessageSize the local {@code a=max-message-size} (a concrete limit, at least 1)
 * @param sctpPort the local SCTP port
 * @param iceDisconnectedTimeout ICE disconnected after this long without a response
 * @param iceFailedTimeout ICE failed after this long without consent
 * @param dtlsWakeup called from the DTLS handshake thread when it queued output; must not block
 *     and must make the owner call {@link PeerEngine#handleTimeout} soon
 */
public record PeerEngineConfig(List<IceServer> iceServers, IceTransportPolicy policy,
    List<InetSocketAddress> hostAddresses, DtlsCertificate certificate, long maxMessageSize, int sctpPort,
    Duration iceDisconnectedTimeout, Duration iceFailedTimeout, Runnable dtlsWakeup) {

  public PeerEngineConfig {
    iceServers = List.copyOf(iceServers);
    Objects.requireNonNull(policy, "policy");
    hostAddresses = List.copyOf(hostAddresses);
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(iceDisconnectedTimeout, "iceDisconnectedTimeout");
    Objects.requireNonNull(iceFailedTimeout, "iceFailedTimeout");
    Objects.requireNonNull(dtlsWakeup, "dtlsWakeup");
    if (maxMessageSize < 1) {
      throw new IllegalArgumentException("maxMessageSize must be >= 1: " + maxMessageSize);
    }
  }
}
