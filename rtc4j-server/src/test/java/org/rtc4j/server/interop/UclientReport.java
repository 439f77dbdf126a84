package org.rtc4j.server.interop;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What coturn's {@code turnutils_uclient} (4.6.x) printed at the end of a run, parsed from its
 * output. The format was learnt from runs against coturn's own {@code turnserver} (recorded in
 * {@code src/test/resources/interop/coturn-uclient-*.txt}); the lines we read look like:
 *
 * <pre>
 * 5: : start_mclient: tot_send_msgs=200, tot_recv_msgs=200
 * 5: : start_mclient: tot_send_bytes ~ 34000, tot_recv_bytes ~ 34000
 * 5: : Total transmit time is 5
 * 5: : Total lost packets 0 (0.000000%), total send dropped 0 (0.000000%)
 * 5: : Average round trip delay 0.000000 ms; min = 0 ms, max = 0 ms
 * 5: : Average jitter 1.510000 ms; min = 0 ms, max = 5 ms
 * </pre>
 *
 * and on failure, e.g. {@code channel bind: error 403 (Forbidden IP)},
 * {@code create permission error 403 (Forbidden IP)} or {@code ERROR: Cannot complete Allocation}.
 * uclient logs each line to stdout twice at times (its log goes to two sinks); the last match wins.
 *
 * @param sent total messages sent ({@code tot_send_msgs} of the final summary)
 * @param received total messages received back from the echo peer
 * @param sentBytes total bytes sent (approximate per uclient)
 * @param receivedBytes total bytes received
 * @param lost "Total lost packets"
 * @param lostPercent the loss percentage uclient printed
 * @param sendDropped "total send dropped"
 * @param rttAvgMs average round trip delay, ms
 * @param rttMinMs minimum round trip, ms
 * @param rttMaxMs maximum round trip, ms
 * @param jitterAvgMs average jitter, ms
 */
record UclientReport(long sent, long received, long sentBytes, long receivedBytes, long lost,
    double lostPercent, long sendDropped, double rttAvgMs, long rttMinMs, long rttMaxMs, double jitterAvgMs) {

  private static final Pattern MSGS = Pattern.compile(
      "start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\s*$", Pattern.MULTILINE);
  private static final Pattern BYTES = Pattern.compile(
      "start_mclient: tot_send_bytes ~ (\\d+), tot_recv_bytes ~ (\\d+)\\s*$", Pattern.MULTILINE);
  private static final Pattern LOST = Pattern.compile(
      "Total lost packets (\\d+) \\(([0-9.]+)%\\), total send dropped (\\d+) \\(([0-9.]+)%\\)");
  private static final Pattern RTT = Pattern.compile(
      "Average round trip delay ([0-9.]+) ms; min = (\\d+) ms, max = (\\d+) ms");
  private static final Pattern JITTER = Pattern.compile(
      "Average jitter ([0-9.]+) ms; min = (\\d+) ms, max = (\\d+) ms");
  /** The error lines uclient prints before it gives up (and exits with 255). */
  private static final Pattern ERROR = Pattern.compile(
      "^(?:\\d+: : )?(.*(?:error \\d{3}|ERROR:|Cannot complete).*)$", Pattern.MULTILINE);
  private static final Pattern ERROR_CODE = Pattern.compile("error (\\d{3})");

  /** The final statistics, if the run got that far. */
  static Optional<UclientReport> parse(String output) {
    Matcher msgs = last(MSGS, output);
    Matcher bytes = last(BYTES, output);
    Matcher lost = last(LOST, output);
    Matcher rtt = last(RTT, output);
    Matcher jitter = last(JITTER, output);
    if (msgs == null || bytes == null || lost == null || rtt == null || jitter == null) {
      return Optional.empty();
    }
    return Optional.of(new UclientReport(
        Long.parseLong(msgs.group(1)), Long.parseLong(msgs.group(2)),
        Long.parseLong(bytes.group(1)), Long.parseLong(bytes.group(2)),
        Long.parseLong(lost.group(1)), Double.parseDouble(lost.group(2)), Long.parseLong(lost.group(3)),
        Double.parseDouble(rtt.group(1)), Long.parseLong(rtt.group(2)), Long.parseLong(rtt.group(3)),
        Double.parseDouble(jitter.group(1))));
  }

  /**
   * One relayed address uclient was given, in order, from its verbose ({@code -v}) output:
   * {@code IPv4. Received relay addr: 127.0.0.1:40094} followed by
   * {@code clnet_allocate: rtv=17536945573547514966} — the RESERVATION-TOKEN it got back
   * (EVEN-PORT R=1, the RTP allocation), or {@code rtv=0} for an allocation without one.
   *
   * @param port the relayed port
   * @param reservationToken the token received, 0 when none
   */
  record RelayAllocation(int port, String reservationToken) {
    boolean reserved() {
      return !reservationToken.equals("0");
    }
  }

  private static final Pattern RELAY = Pattern.compile(
      "Received relay addr: \\S+:(\\d+)\\s*\\n(?:[^\\n]*\\n)*?[^\\n]*clnet_allocate: rtv=(\\d+)");

  /** The relay allocations uclient reported with {@code -v}, in order. */
  static java.util.List<RelayAllocation> relayAllocations(String output) {
    java.util.List<RelayAllocation> all = new java.util.ArrayList<>();
    Matcher m = RELAY.matcher(output);
    while (m.find()) {
      all.add(new RelayAllocation(Integer.parseInt(m.group(1)), m.group(2)));
    }
    return all;
  }

  /**
   * uclient's RTP/RTCP pairs (without {@code -c}): an Allocate with EVEN-PORT R=1 that got a
   * token, then the Allocate that quoted it. RFC 8656 §7.2: the first relayed port is even and the
   * token reserves the next one, so the second allocation gets exactly port + 1.
   */
  static java.util.List<int[]> rtpRtcpPairs(String output) {
    java.util.List<RelayAllocation> all = relayAllocations(output);
    java.util.List<int[]> pairs = new java.util.ArrayList<>();
    for (int i = 0; i + 1 < all.size(); i++) {
      if (all.get(i).reserved() && !all.get(i + 1).reserved()) {
        pairs.add(new int[] {all.get(i).port(), all.get(i + 1).port()});
        i++;
      }
    }
    return pairs;
  }

  /** The statistics, or an AssertionError showing the output's tail. */
  static UclientReport require(String output) {
    return parse(output).orElseThrow(() -> new AssertionError(
        "turnutils_uclient printed no final statistics; last output:\n" + tail(output)));
  }

  /** The first error line uclient printed (e.g. {@code channel bind: error 403 (Forbidden IP)}). */
  static Optional<String> firstError(String output) {
    Matcher m = ERROR.matcher(output);
    return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
  }

  /** The STUN error code in the first error line, if it names one. */
  static OptionalLong firstErrorCode(String output) {
    Optional<String> line = firstError(output);
    if (line.isEmpty()) {
      return OptionalLong.empty();
    }
    Matcher m = ERROR_CODE.matcher(line.get());
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  /** One line for logs and reports. */
  String summary() {
    return String.format(java.util.Locale.ROOT,
        "sent=%d received=%d lost=%d (%.2f%%) sendDropped=%d rtt avg=%.3f ms min=%d max=%d jitter avg=%.3f ms",
        sent, received, lost, lostPercent, sendDropped, rttAvgMs, rttMinMs, rttMaxMs, jitterAvgMs);
  }

  private static Matcher last(Pattern p, String text) {
    Matcher m = p.matcher(text);
    Matcher found = null;
    while (m.find()) {
      found = p.matcher(text);
      found.find(m.start());
    }
    return found;
  }

  static String tail(String s) {
    return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
  }
}
