package org.rtc4j.server.echo;

/** Makes the peer of a new session. */
@FunctionalInterface
public interface EchoPeerFactory {

  /**
   * A fresh peer for session {@code id}; {@code ended} is called (once, on any thread) when the
   * peer's connection failed or closed by itself, so the server can forget the session.
   */
  EchoPeer create(String id, Runnable ended);
}
