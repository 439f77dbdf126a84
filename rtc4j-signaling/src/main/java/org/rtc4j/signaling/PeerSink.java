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

  /**
   * Queues one text frame already encoded as a whole server-to-client WebSocket frame (header and
   * UTF-8 payload, as {@link WsText#encode} writes it): its readable bytes. The caller keeps
   * {@code wsFrame} (the sink copies what it keeps and changes none of its indices), so the relay
   * hot path builds every frame in one reused buffer and the sink appends it to its own batch.
   * This default decodes it and calls {@link #send(String)}.
   *
   * @return as {@link #send(String)}
   */
  default boolean sendEncoded(io.netty.buffer.ByteBuf wsFrame) {
    return send(WsText.decode(wsFrame));
  }

  /** Whether the connection is still open (a false {@link #send} on an open sink means back-pressure). */
  boolean isOpen();

  /** Closes the connection after the frames already sent. */
  void close();
}
