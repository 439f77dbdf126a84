package org.rtc4j.server.echo;

/** The remote SDP was refused: malformed, of the wrong kind, or not acceptable in the current state. HTTP 400. */
public final class RejectedDescriptionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RejectedDescriptionException(String message) {
    super(message);
  }

  public RejectedDescriptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
