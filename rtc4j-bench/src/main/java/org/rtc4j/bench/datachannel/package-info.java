/**
 * Data-channel throughput benchmark (issue 4, "Performance"): reliable ordered channels on
 * loopback, 64 KiB messages, rtc4j↔rtc4j, rtc4j→Chromium, Chromium→rtc4j and Chromium↔Chromium in
 * one run; 1 KiB messages per second; time from createOffer to the first message.
 * Run by scripts/datachannel-bench.sh in a loopback-only network namespace.
 */
package org.rtc4j.bench.datachannel;
