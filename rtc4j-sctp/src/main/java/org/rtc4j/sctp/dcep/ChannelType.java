package org.rtc4j.sctp.dcep;

/** DATA_CHANNEL_OPEN channel types (RFC 8832 §5.1, §8.2.2). */
public enum ChannelType {
  RELIABLE(0x00),
  RELIABLE_UNORDERED(0x80),
  PARTIAL_RELIABLE_REXMIT(0x01),
  PARTIAL_RELIABLE_REXMIT_UNORDERED(0x81),
  PARTIAL_RELIABLE_TIMED(0x02),
  PARTIAL_RELIABLE_TIMED_UNORDERED(0x82);

  private final int code;

  ChannelType(int code) {
    this.code = code;
  }

  /** The wire value. */
  public int code() {
    return code;
  }

  public boolean unordered() {
    return (code & 0x80) != 0;
  }

  /** The type for these W3C settings (maxRetransmits / maxPacketLifeTime -1 when unset). */
  public static ChannelType of(boolean ordered, int maxRetransmits, long maxPacketLifeTime) {
    if (maxRetransmits >= 0) {
      return ordered ? PARTIAL_RELIABLE_REXMIT : PARTIAL_RELIABLE_REXMIT_UNORDERED;
    }
    if (maxPacketLifeTime >= 0) {
      return ordered ? PARTIAL_RELIABLE_TIMED : PARTIAL_RELIABLE_TIMED_UNORDERED;
    }
    return ordered ? RELIABLE : RELIABLE_UNORDERED;
  }

  /** The type with wire value {@code code}, or null. */
  public static ChannelType fromCode(int code) {
    for (ChannelType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
