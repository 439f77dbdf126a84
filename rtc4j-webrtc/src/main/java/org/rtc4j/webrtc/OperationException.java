package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code OperationError}: the operation failed for an operation-specific reason (e.g. a remote description that is not valid SDP, or a candidate that matches no media section).
 */
public class OperationException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public OperationException(String message) {
    super("OperationError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public OperationException(String message, Throwable cause) {
    super("OperationError", message, cause);
  }
}
