package org.rtc4j.peerjs;

/**
 * Options of {@link Peer#connect}: as peerjs's {@code {label, metadata, serialization, reliable}}.
 *
 * @param label channel label (null: the connection id)
 * @param metadata any JSON-able value (Map, List, String, Number, Boolean, null), carried in the OFFER
 * @param serialization binary (default), json or raw
 * @param reliable true: an ordered channel; false: unordered (peerjs never sets maxRetransmits/maxPacketLifeTime)
 */
public record ConnectOptions(String label, Object metadata, Serialization serialization, boolean reliable) {
  public ConnectOptions {
    serialization = serialization == null ? Serialization.BINARY : serialization;
  }

  public static ConnectOptions defaults() {
    return new ConnectOptions(null, null, Serialization.BINARY, false);
  }
}
