package org.rtc4j.bench.connect;

import java.time.Duration;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.StaticHttpServer;

/** The variants with an rtc4j PeerConnection on at least one side. */
final class Rtc4jVariants {
  private Rtc4jVariants() {}

  static ConnectBench.Variant create(String name, Browser browser, StaticHttpServer web, Duration timeout) {
    throw new IllegalArgumentException("unknown variant (or the PeerConnection API is not built yet): " + name);
  }

  static int memory(int pairs) {
    throw new UnsupportedOperationException("the PeerConnection API is not built yet");
  }
}
