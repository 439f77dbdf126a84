/**
 * Benchmarks of rtc4j-dtls (not tests): JMH for the post-handshake record path
 * ({@link org.rtc4j.bench.dtls.DtlsRecordBenchmark}, caller thread versus handshake thread) and for
 * handshakes per second ({@link org.rtc4j.bench.dtls.DtlsHandshakeBenchmark}), and
 * {@link org.rtc4j.bench.dtls.DtlsIdleFootprint} for the heap and threads an idle connected engine
 * keeps. Run them with {@code rtc4j-bench/scripts/dtls-bench.sh}; results go to BENCHMARKS.md.
 */
package org.rtc4j.bench.dtls;
