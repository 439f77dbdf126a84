package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code SyntaxError}: a string argument cannot be parsed (e.g. an ICE server URL).
 */
public class SyntaxException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public SyntaxException(String message) {
    super("SyntaxError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public SyntaxException(String message, Throwable cause) {
    super("SyntaxError", message, cause);
  }
}
