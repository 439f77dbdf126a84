package org.rtc4j.sdp;

/**
 * The only exception the SDP parsers throw. It names the 1-based line number (0 when the input
 * was a single value such as a candidate line passed on its own), the offending line (shortened to
 * 200 characters so a hostile line does not end up whole in logs) and the reason.
 */
public final class SdpParseException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int lineNumber;
  private final String line;
  private final String reason;

  public SdpParseException(int lineNumber, String line, String reason) {
    super(format(lineNumber, line, reason));
    this.lineNumber = lineNumber;
    this.line = shorten(line);
    this.reason = reason;
  }

  /** A value-level error without a line yet; the description parser adds the line. */
  static SdpParseException reason(String reason) {
    return new SdpParseException(0, "", reason);
  }

  SdpParseException at(int number, String text) {
    return new SdpParseException(number, text, reason);
  }

  public int lineNumber() {
    return lineNumber;
  }

  public String line() {
    return line;
  }

  public String reason() {
    return reason;
  }

  private static String shorten(String line) {
    if (line == null) {
      return "";
    }
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  /** Control characters are escaped so a hostile line cannot forge log lines. */
  private static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String format(int lineNumber, String line, String reason) {
    String l = printable(shorten(line));
    return lineNumber > 0 ? "line " + lineNumber + " \"" + l + "\": " + reason
        : (l.isEmpty() ? reason : "\"" + l + "\": " + reason);
  }
}
