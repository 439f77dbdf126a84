/**
 * The connection set-up benchmark ({@link org.rtc4j.bench.connect.ConnectBench}): time from
 * createOffer to 'connected' for rtc4j↔rtc4j, Chromium→rtc4j and Chromium↔Chromium in one run;
 * DTLS handshakes per second on one core; heap per idle connection. Run by
 * {@code scripts/connect-bench.sh} inside a loopback-only network namespace; results in BENCHMARKS.md.
 *
 * <p>Threading: the benchmark thread drives everything; rtc4j PeerConnections run on their own
 * loops, DtlsEngines on their handshake threads, Chromium in its own processes.
 */
package org.rtc4j.bench.connect;
