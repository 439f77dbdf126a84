package org.rtc4j.sdp;

/**
 * One line of a description other than the v=, o=, s= and m= lines, kept in input order so that
 * unknown lines survive a round trip.
 */
public sealed interface SdpLine permits Attribute, Connection, OtherLine {
  /** The type letter, e.g. {@code 'a'}. */
  char type();

  /** The text after {@code <type>=}, exactly as it is written. */
  String value();

  /** {@code <type>=<value>} without line ending. */
  default String toLine() {
    return type() + "=" + value();
  }
}
