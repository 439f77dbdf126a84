/**
 * JMH micro-benchmarks of the STUN/TURN codec (rtc4j-stun, RFC 8489 / RFC 8656): what a TURN
 * server pays per request (parse, then MESSAGE-INTEGRITY check with the long-term key) and per
 * relayed ChannelData message (parse), with the JDK's bare HMAC-SHA1 over the same bytes as the
 * floor the integrity check cannot beat. Run them with rtc4j-bench/scripts/stun-jmh.sh.
 *
 * <p>Threading: JMH's; each benchmark state is per thread.
 */
package org.rtc4j.bench.stun;
