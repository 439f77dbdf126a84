package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code NotSupportedError}: the operation or argument is valid but not supported by rtc4j.
 */
public class NotSupportedException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public NotSupportedException(String message) {
    super("NotSupportedError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public NotSupportedException(String message, Throwable cause) {
    super("NotSupportedError", message, cause);
  }
}
