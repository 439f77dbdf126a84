package org.rtc4j.stun;

/**
 * The class of a STUN message (RFC 8489 §5): the C1 and C0 bits of the message type.
 *
 * <pre>
 *   0                 1
 *   2  3  4 5 6 7 8 9 0 1 2 3 4 5
 *  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
 *  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
 *  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public enum StunClass {
  /** C1C0 = 0b00. */
  REQUEST(0b00),
  /** C1C0 = 0b01. */
  INDICATION(0b01),
  /** C1C0 = 0b10. */
  SUCCESS_RESPONSE(0b10),
  /** C1C0 = 0b11. */
  ERROR_RESPONSE(0b11);

  private static final StunClass[] BY_BITS = values();

  private final int bits;

  StunClass(int bits) {
    this.bits = bits;
  }

  /** The two class bits C1C0 as an integer 0..3. */
  public int bits() {
    return bits;
  }

  /** Whether this is a success or error response. */
  public boolean isResponse() {
    return this == SUCCESS_RESPONSE || this == ERROR_RESPONSE;
  }

  /** The class from its two bits C1C0 (0..3). */
  public static StunClass fromBits(int bits) {
    return BY_BITS[bits & 0b11];
  }

  /** The class encoded in a 14-bit message type. */
  public static StunClass ofMessageType(int messageType) {
    return BY_BITS[((messageType >> 4) & 0b01) | ((messageType >> 7) & 0b10)];
  }

  /** The 14-bit message type for a 12-bit method and a class (RFC 8489 §5, figure 3). */
  public static int messageType(int method, StunClass cls) {
    int c = cls.bits;
    return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
        | ((c & 0b01) << 4) | ((c & 0b10) << 7);
  }

  /** The 12-bit method encoded in a 14-bit message type. */
  public static int methodOf(int messageType) {
    return (messageType & 0x000F) | ((messageType & 0x00E0) >> 1) | ((messageType & 0x3E00) >> 2);
  }
}
