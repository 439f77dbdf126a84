/**
 * The runnable rtc4j server suite: the {@code rtc4j} command line (picocli: {@code serve},
 * {@code turn}), coturn-compatible options and config files, the start-up report with generated
 * TURN REST credentials, and the Prometheus metrics endpoint.
 *
 * <p>Layer: the top; wires the embeddable servers (today {@link org.rtc4j.turn.server.netty.TurnServer})
 * together. Logging: Logback, INFO to stdout; secrets never reach the log (trust test SC-14).
 *
 * <p>Threading: commands run on the main thread, which starts the servers and waits for a
 * shutdown signal; the servers run on their own event loops, the metrics endpoint on one thread,
 * and {@link org.rtc4j.server.JitYield} on one daemon thread that lowers the JIT compiler threads'
 * priority once the signaling server is warm.
 */
package org.rtc4j.server;
