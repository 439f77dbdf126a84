package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code InvalidModificationError}: the description passed to {@code setLocalDescription} is not the one {@code createOffer}/{@code createAnswer} produced, or a configuration change touches what cannot change.
 */
public class InvalidModificationException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public InvalidModificationException(String message) {
    super("InvalidModificationError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public InvalidModificationException(String message, Throwable cause) {
    super("InvalidModificationError", message, cause);
  }
}
