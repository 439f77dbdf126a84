package org.rtc4j.net;

/** The transport protocol a datagram or framed message travelled on. */
public enum Transport {
  /** Plain UDP datagrams. */
  UDP,
  /** A TCP connection; messages are framed by their own length fields (RFC 8489 §6.2.2). */
  TCP,
  /** TLS over TCP (RFC 8489 §6.2.3). */
  TLS;

  /** Whether the transport delivers bytes reliably and in order (affects STUN retransmission and ChannelData padding). */
  public boolean reliable() {
    return this != UDP;
  }
}
