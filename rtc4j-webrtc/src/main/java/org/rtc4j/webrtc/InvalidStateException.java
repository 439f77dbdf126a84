package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code InvalidStateError}: the object is in a state where the operation is not allowed (e.g. the connection is closed, or the signaling state forbids it).
 */
public class InvalidStateException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public InvalidStateException(String message) {
    super("InvalidStateError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public InvalidStateException(String message, Throwable cause) {
    super("InvalidStateError", message, cause);
  }
}
