package org.rtc4j.webrtc;

/**
 * W3C {@code RTCDataChannelInit}: how a data channel delivers (RFC 8831 §6.1, RFC 3758 partial
 * reliability). Build with {@link #builder()}; {@link #defaults()} is reliable and ordered.
 *
 * @param ordered whether messages arrive in order (default true)
 * @param maxPacketLifeTime ms a message may be retransmitted, or null (exclusive with maxRetransmits)
 * @param maxRetransmits how often a message may be retransmitted, or null
 * @param protocol the sub-protocol name ("" by default)
 * @param negotiated true when both sides create the channel with the same {@code id} (no DCEP open)
 * @param id the stream id for a negotiated channel (0..65534), or null
 */
public record DataChannelInit(boolean ordered, Integer maxPacketLifeTime, Integer maxRetransmits, String protocol,
    boolean negotiated, Integer id) {

  public DataChannelInit {
    protocol = protocol == null ? "" : protocol;
  }

  /** Reliable, ordered, not negotiated. */
  public static DataChannelInit defaults() {
    return builder().build();
  }

  /** A builder with the defaults: ordered, reliable, not negotiated. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link DataChannelInit}. */
  public static final class Builder {
    private boolean ordered = true;
    private Integer maxPacketLifeTime;
    private Integer maxRetransmits;
    private String protocol = "";
    private boolean negotiated;
    private Integer id;

    private Builder() {}

    /** Whether messages must arrive in order. */
    public Builder ordered(boolean ordered) {
      this.ordered = ordered;
      return this;
    }

    /** Partial reliability: give up on a message after this many ms (RFC 3758). */
    public Builder maxPacketLifeTime(Integer ms) {
      this.maxPacketLifeTime = ms;
      return this;
    }

    /** Partial reliability: give up on a message after this many retransmissions (RFC 3758). */
    public Builder maxRetransmits(Integer count) {
      this.maxRetransmits = count;
      return this;
    }

    /** The sub-protocol name. */
    public Builder protocol(String protocol) {
      this.protocol = protocol;
      return this;
    }

    /** A negotiated channel with stream id {@code id} (both sides create it, no DCEP). */
    public Builder negotiated(int id) {
      this.negotiated = true;
      this.id = id;
      return this;
    }

    /** Whether the application negotiates the channel (then {@link #id} is required). */
    public Builder negotiated(boolean negotiated) {
      this.negotiated = negotiated;
      return this;
    }

    /** The stream id of a negotiated channel. */
    public Builder id(Integer id) {
      this.id = id;
      return this;
    }

    /** The options. */
    public DataChannelInit build() {
      return new DataChannelInit(ordered, maxPacketLifeTime, maxRetransmits, protocol, negotiated, id);
    }
  }
}
