/**
 * JMH benchmarks of rtc4j-sctp: the association's send and receive paths in memory (two
 * associations, no DTLS), and the packet codec.
 *
 * <p>Single-threaded benchmark state; no static mutable state.
 */
package org.rtc4j.bench.sctp;
