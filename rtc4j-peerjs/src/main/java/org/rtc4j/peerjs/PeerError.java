package org.rtc4j.peerjs;

/**
 * An error of a {@link Peer} or of one of its connections, with peerjs's error {@link #type()} string:
 * Peer errors {@code "browser-incompatible", "disconnected", "invalid-id", "invalid-key", "network",
 * "peer-unavailable", "ssl-unavailable", "server-error", "socket-error", "socket-closed", "unavailable-id",
 * "webrtc"}; connection errors {@code "negotiation-failed", "connection-closed"}; data errors
 * {@code "not-open-yet", "message-too-big"}.
 */
public final class PeerError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final String DISCONNECTED = "disconnected";
  public static final String INVALID_ID = "invalid-id";
  public static final String INVALID_KEY = "invalid-key";
  public static final String NETWORK = "network";
  public static final String PEER_UNAVAILABLE = "peer-unavailable";
  public static final String SERVER_ERROR = "server-error";
  public static final String SOCKET_ERROR = "socket-error";
  public static final String SOCKET_CLOSED = "socket-closed";
  public static final String UNAVAILABLE_ID = "unavailable-id";
  public static final String WEBRTC = "webrtc";
  public static final String NEGOTIATION_FAILED = "negotiation-failed";
  public static final String CONNECTION_CLOSED = "connection-closed";
  public static final String NOT_OPEN_YET = "not-open-yet";
  public static final String MESSAGE_TOO_BIG = "message-too-big";

  private final String type;

  public PeerError(String type, String message) {
    super(message);
    this.type = type;
  }

  public PeerError(String type, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
  }

  /** The peerjs error type, e.g. {@code "peer-unavailable"}. */
  public String type() {
    return type;
  }

  @Override
  public String toString() {
    return "PeerError[" + type + "]: " + getMessage();
  }
}
