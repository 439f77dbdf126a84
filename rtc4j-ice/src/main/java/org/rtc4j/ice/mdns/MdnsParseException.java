package org.rtc4j.ice.mdns;

/** A DNS/mDNS message that is not well-formed; the only exception {@link MdnsMessage#parse} throws. */
public final class MdnsParseException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int offset;

  /** A parse failure at {@code offset} (bytes from the start of the message). */
  public MdnsParseException(String message, int offset) {
    super(message + " (at offset " + offset + ")");
    this.offset = offset;
  }

  /** Where in the message the problem was found. */
  public int offset() {
    return offset;
  }
}
