package org.rtc4j.server.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

/** Assertions on the selected candidate pair that Chromium's getStats() reports. */
public final class ChromiumPair {
  private ChromiumPair() {}

  /**
   * The pair is nominated and has answered a check. Chromium marks a pair 'in-progress' every
   * time it sends a consent check on it (webrtc's Connection::Ping) until the response arrives,
   * so a selected, working pair reads 'in-progress' for one round trip every ~2.5 s; over a relay
   * that window is wide enough for a test to land in it.
   */
  public static void assertWorking(Map<?, ?> pair, String what) {
    assertThat(pair).as(what + " selected candidate pair").isNotNull();
    assertThat(pair.get("nominated")).as(what + " nominated: " + pair).isEqualTo(true);
    assertThat(pair.get("state")).as(what + " state: " + pair).isIn("succeeded", "in-progress");
    assertThat(((Number) pair.get("responsesReceived")).longValue()).as(what + " responsesReceived: " + pair)
        .isPositive();
  }
}
