package org.rtc4j.sctp;

/**
 * The only exception the parsers of this module throw: the bytes are not a well-formed SCTP
 * packet, chunk, parameter or DCEP message. It carries no stack trace, because malformed remote
 * input is routine and is dropped and counted, not debugged.
 */
public final class SctpParseException extends Exception {
  private final int offset;

  /**
   * @param message what is wrong
   * @param offset byte offset of the problem, relative to the start of the structure parsed
   */
  public SctpParseException(String message, int offset) {
    super(message + " (at offset " + offset + ")", null, false, false);
    this.offset = offset;
  }

  /** Byte offset of the problem, relative to the start of the structure parsed. */
  public int offset() {
    return offset;
  }
}
