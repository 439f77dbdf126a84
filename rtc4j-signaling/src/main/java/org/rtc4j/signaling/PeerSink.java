package org.rtc4j.signaling;

/**
 * Where frames for one connected peer go: its WebSocket on this node (or, in a cluster, a proxy
 * that forwards to the node holding it). Implementations never block.
 */
public interface PeerSink {

  /**
   * Queues one text frame for the peer.
   *
   * @return false when the frame was not accepted: the peer is closed, or so far behind
   *     (outbound buffer above the high-water mark) that the frame was dropped
   */
  boolean send(String frame);

  /** Whether the connection is still open (a false {@link #send} on an open sink means back-pressure). */
  boolean isOpen();

  /** Closes the connection after the frames already sent. */
  void close();
}
