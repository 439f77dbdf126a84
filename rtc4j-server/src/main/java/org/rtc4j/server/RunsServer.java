package org.rtc4j.server;

/**
 * A command that may have started a server: {@code main} then leaves the exit to the shutdown hook
 * instead of calling {@code System.exit}. Per command instance (no static state).
 */
interface RunsServer {

  /** Whether this command started its server. */
  boolean ranServer();
}
