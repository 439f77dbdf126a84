package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code NetworkError}: a network error prevented the operation (e.g. no local socket could be bound).
 */
public class NetworkException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public NetworkException(String message) {
    super("NetworkError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public NetworkException(String message, Throwable cause) {
    super("NetworkError", message, cause);
  }
}
