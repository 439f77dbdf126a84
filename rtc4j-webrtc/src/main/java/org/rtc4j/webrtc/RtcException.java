package org.rtc4j.webrtc;

/**
 * Base of the W3C-named exceptions the API throws for misuse and operation failures. They are
 * unchecked: like the JavaScript API, a rejected promise is a {@link java.util.concurrent.CompletableFuture}
 * completed exceptionally with one of these, and a synchronous method throws it directly.
 *
 * <p>{@link #name()} is the WebIDL/DOMException name ({@code InvalidStateError}, ...), so code
 * ported from JavaScript can match on it.
 */
public abstract class RtcException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String name;

  protected RtcException(String name, String message, Throwable cause) {
    super(message, cause);
    this.name = name;
  }

  /** The DOMException name, e.g. {@code InvalidStateError}. */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name + ": " + getMessage();
  }
}
