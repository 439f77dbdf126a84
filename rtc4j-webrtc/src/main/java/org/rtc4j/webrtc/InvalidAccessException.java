package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code InvalidAccessError}: the operation is not supported by the object or the arguments do not fit it (e.g. an answer that changes the DTLS role illegally).
 */
public class InvalidAccessException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public InvalidAccessException(String message) {
    super("InvalidAccessError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public InvalidAccessException(String message, Throwable cause) {
    super("InvalidAccessError", message, cause);
  }
}
