package org.rtc4j.server.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.DataChannelInit;
import org.rtc4j.webrtc.DataChannelMessage;
import org.rtc4j.webrtc.DataChannelState;
import org.rtc4j.webrtc.RtcStats;
import org.rtc4j.webrtc.runtime.RtcRuntime;

/**
 * What partially reliable data channels drop between rtc4j and headless Chromium (issue 4,
 * trust-tests FT-5), measured, not assumed.
 *
 * <p>rtc4j → Chromium: rtc4j sends {@link #MESSAGES} numbered messages of {@link #SIZE} bytes as
 * fast as its send buffer takes them, on an unordered channel with maxRetransmits=0 and then on an
 * ordered channel with a short maxPacketLifeTime, then "end" on a reliable channel. On loopback the
 * drops come from the queue (a message whose lifetime ends before it was sent is never sent) and
 * from Chromium itself, which drops UDP under a burst (browser-notes.md). The page reports every
 * sequence number that arrived (and checks each message's bytes). Asserted: no duplicate, nothing
 * that was not sent, no cut message, arrival order increasing on the ordered channel, the channel
 * still carries a later message (no stall), and on the unordered channel every message missing at
 * Chromium was abandoned by rtc4j (SctpStats abandonedMessages, read through getStats as
 * rtc4jSctpAbandonedMessages): sent - delivered &lt;= abandoned. Equality does not hold: a T3
 * timeout abandons in-flight chunks that may have arrived. On the ordered channel the accounting
 * is printed only (a known gap: see docs/TESTING.md).
 *
 * <p>Chromium → rtc4j: the page sends the same way on an unordered maxRetransmits=0 channel;
 * rtc4j checks the same properties on what it receives (Chromium reports no abandoned count, so
 * the drop count is messagesSent minus what arrived).
 *
 * <p>Fractions are printed as {@code [ChromiumPartialReliabilityTest] ...} lines. Runs inside a
 * network namespace with only {@code lo} (scripts/test.sh).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@SuppressWarnings("unchecked")
class ChromiumPartialReliabilityTest {

  static final BrowserOptions OPTIONS = BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false).build();
  static final Duration STEP = Duration.ofSeconds(30);
  static final int MESSAGES = Integer.getInteger("rtc4j.prMessages", 2000);
  static final int SIZE = 4096;
  /** The sender keeps at most this much buffered (W3C back-pressure), resuming at half. */
  static final long HIGH = 1L << 20;
  /** trust-tests FT-5's lifetime. */
  static final int LIFETIME_MS = 150;

  @RegisterExtension
  static final SharedBrowsers browsers = new SharedBrowsers();

  StaticHttpServer web;
  Browser browser;

  @BeforeEach
  void start() throws IOException {
    web = BrowserEndpoint.pages();
    browser = browsers.get(OPTIONS);
    BrowserEndpoint.openPage(browser, web, "partialreliability.js");
  }

  @AfterEach
  void stop() {
    web.close();
  }

  @Test
  void rtc4jToChromiumDropsOnlyWhatPartialReliabilityAllows() throws Exception {
    try (RtcRuntime runtime = RtcRuntime.create(1);
        JavaEndpoint java = new JavaEndpoint("rtc4j", JavaEndpoint.loopback().build(), runtime)) {
      DataChannel rexmit0 = java.pc().createDataChannel("rexmit0",
          DataChannelInit.builder().ordered(false).maxRetransmits(0).build());
      DataChannel life = java.pc().createDataChannel("life",
          DataChannelInit.builder().ordered(true).maxPacketLifeTime(LIFETIME_MS).build());
      DataChannel ctl = java.pc().createDataChannel("ctl", DataChannelInit.defaults());
      BrowserEndpoint chromium = BrowserEndpoint.create(browser, "c", Map.of());
      Signaling.connect(java, chromium, true);
      assertThat(chromium.awaitState(Duration.ofSeconds(20), "connected", "failed")).as(chromium.describe())
          .isEqualTo("connected");
      for (String label : List.of("rexmit0", "life", "ctl")) {
        browser.awaitJs(String.class, STEP, "return await window.pr.adopt('c', args[0], args[0], 20000);", label);
        browser.js("return window.pr.record(arguments[0]);", label);
      }
      for (DataChannel dc : List.of(rexmit0, life, ctl)) {
        Wait.until(Duration.ofSeconds(20), dc.label() + " open", () -> dc.readyState() == DataChannelState.OPEN,
            dc::toString);
      }

      measure(java, rexmit0, ctl, false);
      measure(java, life, ctl, true);
    }
  }

  /** One channel's run: blast, end marker, settle, probe, assert, print. */
  private void measure(JavaEndpoint java, DataChannel dc, DataChannel ctl, boolean ordered) throws Exception {
    String key = dc.label();
    long abandonedBefore = sctp(java, "rtc4jSctpAbandonedMessages");
    long t0 = System.nanoTime();
    for (int i = 0; i < MESSAGES; i++) {
      if (dc.bufferedAmount() > HIGH) {
        Wait.until(Duration.ofSeconds(30), key + " drains", () -> dc.bufferedAmount() <= HIGH / 2);
      }
      dc.send(numbered(i, SIZE));
    }
    ctl.send("end " + key);
    double sendSeconds = (System.nanoTime() - t0) / 1e9;
    Wait.until(Duration.ofSeconds(30), "end marker at Chromium",
        () -> browser.js(Map.class, "return window.pr.summary('ctl', 0);").get("text").toString().contains("end " + key));
    // Settled: nothing queued, nothing in flight (every chunk acknowledged, or abandoned and
    // skipped by a FORWARD-TSN the peer acknowledged).
    Wait.until(Duration.ofSeconds(30), key + ": rtc4j has nothing queued or in flight",
        () -> dc.bufferedAmount() == 0 && sctp(java, "rtc4jSctpFlightSize") == 0,
        () -> "buffered " + dc.bufferedAmount() + ", flight " + sctp(java, "rtc4jSctpFlightSize"));
    long abandoned = sctp(java, "rtc4jSctpAbandonedMessages") - abandonedBefore;

    // No stall: a later message still arrives (a few tries: partial reliability may drop one). On
    // the ordered channel it also comes after every earlier message Chromium delivers, so what the
    // page holds afterwards is final.
    boolean arrived = false;
    for (int k = 0; k < 10 && !arrived; k++) {
      int seq = MESSAGES + k;
      dc.send(numbered(seq, SIZE));
      try {
        Wait.until(Duration.ofSeconds(2), key + " probe " + seq,
            () -> Boolean.TRUE.equals(browser.js(Boolean.class, "return window.pr.hasSeq(arguments[0], arguments[1]);",
                key, seq)));
        arrived = true;
      } catch (AssertionError dropped) {
        // dropped: try the next
      }
    }
    assertThat(arrived).as(key + ": a message sent after the run arrives").isTrue();

    Map<?, ?> s = browser.js(Map.class, "return window.pr.summary(arguments[0], arguments[1]);", key, MESSAGES);
    long received = (Long) s.get("received");
    System.out.printf("[ChromiumPartialReliabilityTest] rtc4j->Chromium %s: sent %d x %d B in %.2f s, delivered %d,"
        + " abandoned by rtc4j %d (drop fraction %.3f), unaccounted %d; rtc4j SCTP %s%n", describe(dc), MESSAGES, SIZE,
        sendSeconds, received, abandoned, abandoned / (double) MESSAGES, MESSAGES - received - abandoned,
        sctpSummary(java));

    assertThat(s.get("dups")).as(key + " duplicates: " + s).isEqualTo(0L);
    assertThat(s.get("outOfRange")).as(key + " never sent: " + s).isEqualTo(0L);
    assertThat(s.get("corrupt")).as(key + " cut or mixed messages: " + s).isEqualTo(0L);
    assertThat(received).as(key + ": something arrives").isPositive();
    if (ordered) {
      assertThat(s.get("notIncreasing")).as(key + " out of order on an ordered channel: " + s).isEqualTo(0L);
      // Known gap (reported to sctp-cc, docs/TESTING.md): on the ordered channel a few complete
      // messages can be neither delivered nor counted as abandoned (a FORWARD-TSN that names the
      // SSN of a gap-acked message makes Chromium discard it), so the accounting is only printed.
    } else {
      // Every message that did not arrive was given up by rtc4j: nothing is lost silently. The
      // converse does not hold exactly: a T3 timeout abandons in-flight chunks that may already
      // have arrived (the "unaccounted" count printed above is then negative).
      assertThat(MESSAGES - received).as(key + ": missing at Chromium vs abandoned by rtc4j " + abandoned)
          .isLessThanOrEqualTo(abandoned);
    }
  }

  @Test
  void chromiumToRtc4jMaxRetransmitsZero() throws Exception {
    try (RtcRuntime runtime = RtcRuntime.create(1);
        JavaEndpoint java = new JavaEndpoint("rtc4j", JavaEndpoint.loopback().build(), runtime)) {
      DataChannel ctl = java.pc().createDataChannel("ctl", DataChannelInit.defaults());
      List<String> ctlGot = new CopyOnWriteArrayList<>();
      ctl.onMessage(m -> ctlGot.add(m.isText() ? m.text() : "binary"));
      List<Integer> seqs = new CopyOnWriteArrayList<>();
      AtomicInteger corrupt = new AtomicInteger();
      List<DataChannel> remote = new CopyOnWriteArrayList<>();
      java.pc().onDataChannel(dc -> {
        remote.add(dc);
        if (!dc.label().equals("c2r")) {
          return;
        }
        dc.onMessage(m -> {
          int seq = check(m);
          if (seq < 0) {
            corrupt.incrementAndGet();
          } else {
            seqs.add(seq);
          }
        });
      });
      BrowserEndpoint chromium = BrowserEndpoint.create(browser, "c", Map.of());
      Signaling.connect(java, chromium, true);
      assertThat(chromium.awaitState(Duration.ofSeconds(20), "connected", "failed")).as(chromium.describe())
          .isEqualTo("connected");
      browser.awaitJs(String.class, STEP, "return await window.pr.adopt('c', 'ctl', 'ctl', 20000);");
      browser.js("return window.pr.open('c', 'c2r', 'c2r', {ordered: false, maxRetransmits: 0});");
      Map<?, ?> props = browser.awaitJs(Map.class, STEP, "return await window.pr.waitOpen('c2r', 20000);");
      assertThat(props.get("maxRetransmits")).isEqualTo(0L);
      DataChannel c2r = Wait.forValue(Duration.ofSeconds(20), "rtc4j sees c2r",
          () -> remote.stream().filter(c -> c.label().equals("c2r")).findFirst());
      assertThat(c2r.maxRetransmits()).isEqualTo(0);
      assertThat(c2r.ordered()).isFalse();

      Map<?, ?> blast = browser.awaitJs(Map.class, Duration.ofSeconds(120),
          "return await window.pr.blast('c2r', args[0], args[1], args[2], 'ctl', 'end c2r');", MESSAGES, SIZE, HIGH);
      Wait.until(Duration.ofSeconds(30), "end marker at rtc4j", () -> ctlGot.contains("end c2r"), ctlGot::toString);
      // No stall: a later message arrives (sent until one does; it also flushes what was in flight,
      // as Chromium's SCTP sends it after the earlier TSNs).
      boolean arrived = false;
      for (int k = 0; k < 10 && !arrived; k++) {
        int seq = MESSAGES + k;
        browser.js("return window.pr.send('c2r', arguments[0], arguments[1]);", seq, SIZE);
        try {
          Wait.until(Duration.ofSeconds(2), "probe " + seq, () -> seqs.contains(seq));
          arrived = true;
        } catch (AssertionError dropped) {
          // dropped: try the next
        }
      }
      assertThat(arrived).as("a message Chromium sends after the run arrives at rtc4j").isTrue();
      Map<?, ?> chromeStats = (Map<?, ?>) browser.awaitJs(Map.class, STEP, "return await window.pr.stats();").get("c2r");

      List<Integer> data = new ArrayList<>();
      for (int s : seqs) {
        if (s < MESSAGES) {
          data.add(s);
        }
      }
      long distinct = data.stream().distinct().count();
      System.out.printf("[ChromiumPartialReliabilityTest] Chromium->rtc4j unordered maxRetransmits=0: sent %d x %d B"
          + " in %.2f s (refused %s), delivered %d (drop fraction %.3f); Chromium data-channel stats %s; rtc4j SCTP %s%n",
          MESSAGES, SIZE, ((Number) blast.get("ms")).doubleValue() / 1000, blast.get("refused"), data.size(),
          1 - data.size() / (double) MESSAGES, chromeStats, sctpSummary(java));
      assertThat(corrupt.get()).as("cut or mixed messages").isZero();
      assertThat(distinct).as("duplicates").isEqualTo(data.size());
      assertThat(data).as("only what was sent").allSatisfy(s -> assertThat(s).isBetween(0, MESSAGES - 1));
      assertThat(blast.get("refused")).isEqualTo(0L);
    }
  }

  private static String describe(DataChannel dc) {
    return dc.label() + " (" + (dc.ordered() ? "ordered" : "unordered")
        + (dc.maxRetransmits() != null ? ", maxRetransmits=" + dc.maxRetransmits() : "")
        + (dc.maxPacketLifeTime() != null ? ", maxPacketLifeTime=" + dc.maxPacketLifeTime() + " ms" : "") + ")";
  }

  private static long sctp(JavaEndpoint java, String member) {
    try {
      RtcStats t = java.pc().getStats().get(10, TimeUnit.SECONDS).ofType("transport").get(0);
      Object v = t.get(member);
      if (v == null) {
        throw new AssertionError("getStats transport has no " + member + ": " + t);
      }
      return ((Number) v).longValue();
    } catch (Exception e) {
      throw new AssertionError("getStats: " + e, e);
    }
  }

  private static String sctpSummary(JavaEndpoint java) {
    try {
      RtcStats t = java.pc().getStats().get(10, TimeUnit.SECONDS).ofType("transport").get(0);
      StringBuilder b = new StringBuilder();
      for (String k : List.of("rtc4jSctpDataChunksSent", "rtc4jSctpRetransmittedChunks", "rtc4jSctpAbandonedMessages",
          "rtc4jSctpT3Expirations", "rtc4jSctpFastRetransmits", "rtc4jSctpDataChunksReceived",
          "rtc4jSctpDroppedChunks", "rtc4jSctpForwardTsnSent", "rtc4jSctpForwardTsnReceived")) {
        Object v = t.get(k);
        if (v != null) {
          b.append(k.substring("rtc4jSctp".length())).append('=').append(v).append(' ');
        }
      }
      return b.toString().trim();
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** 4 bytes big-endian sequence number, then (seq * 31 + j) &amp; 255: the page's format. */
  static byte[] numbered(int seq, int size) {
    byte[] b = new byte[size];
    ByteBuffer.wrap(b).putInt(seq);
    for (int j = 4; j < size; j++) {
      b[j] = (byte) (seq * 31 + j);
    }
    return b;
  }

  /** The sequence number of an intact numbered message, or -1. */
  static int check(DataChannelMessage m) {
    if (m.isText()) {
      return -1;
    }
    byte[] b = m.bytes();
    if (b.length < 4) {
      return -1;
    }
    int seq = ByteBuffer.wrap(b).getInt();
    for (int j = 4; j < b.length; j++) {
      if (b[j] != (byte) (seq * 31 + j)) {
        return -1;
      }
    }
    return seq;
  }
}
