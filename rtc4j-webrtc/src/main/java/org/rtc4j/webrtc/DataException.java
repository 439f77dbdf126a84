package org.rtc4j.webrtc;

/**
 * The W3C/WebIDL {@code DataError}: data was invalid for the operation (e.g. a data-channel message larger than the peer accepts).
 */
public class DataException extends RtcException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message saying what was wrong. */
  public DataException(String message) {
    super("DataError", message, null);
  }

  /** An exception with a message and the underlying cause. */
  public DataException(String message, Throwable cause) {
    super("DataError", message, cause);
  }
}
