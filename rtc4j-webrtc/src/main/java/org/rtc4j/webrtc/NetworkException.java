package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code NetworkError}: a network error prevented the operation (e.g. no local socket could be bound).
 */
public class NetworkException extends RtcException {
  private static final long serialVersionUID = 1L;

  public NetworkException(String message) {
    super("NetworkError", message, null);
  }

  public NetworkException(String message, Throwable cause) {
    super("NetworkError", message, cause);
  }
}
