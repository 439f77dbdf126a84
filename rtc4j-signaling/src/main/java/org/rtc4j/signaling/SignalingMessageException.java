package org.rtc4j.signaling;

/** A client frame that is not a PeerJS message: not JSON, not an object, no type, or a bad field. */
public final class SignalingMessageException extends Exception {
  private static final long serialVersionUID = 1L;

  public SignalingMessageException(String message) {
    super(message, null, false, false);
  }
}
