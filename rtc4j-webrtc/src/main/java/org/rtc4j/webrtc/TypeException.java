package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code TypeError}: an argument has the wrong shape (e.g. a candidate without sdpMid and sdpMLineIndex).
 */
public class TypeException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public TypeException(String message) {
    super("TypeError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public TypeException(String message, Throwable cause) {
    super("TypeError", message, cause);
  }
}
