package org.rtc4j.peerjs;

/**
 * An incoming peerjs call (an OFFER of type "media"). rtc4j has no media stack yet, so a call can be seen
 * (peer, metadata) but not answered: {@link #answer()} throws {@link UnsupportedOperationException}.
 */
public final class MediaConnection {
  private final String peer;
  private final String connectionId;
  private final Object metadata;

  MediaConnection(String peer, String connectionId, Object metadata) {
    this.peer = peer;
    this.connectionId = connectionId;
    this.metadata = metadata;
  }

  public String peer() {
    return peer;
  }

  public String connectionId() {
    return connectionId;
  }

  public Object metadata() {
    return metadata;
  }

  /** Always throws: rtc4j has no audio/video tracks yet. */
  public void answer() {
    throw new UnsupportedOperationException(Peer.NO_MEDIA);
  }
}
