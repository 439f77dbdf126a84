package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code SyntaxError}: a string argument cannot be parsed (e.g. an ICE server URL).
 */
public class SyntaxException extends RtcException {
  private static final long serialVersionUID = 1L;

  public SyntaxException(String message) {
    super("SyntaxError", message, null);
  }

  public SyntaxException(String message, Throwable cause) {
    super("SyntaxError", message, cause);
  }
}
