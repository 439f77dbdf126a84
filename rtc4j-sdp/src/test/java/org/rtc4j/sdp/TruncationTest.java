package org.rtc4j.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deterministic robustness on every build: each prefix of the Chrome offer and each
 * single-line deletion of every browser file either parses (and re-parses equal after writing)
 * or fails with {@link SdpParseException}; nothing else escapes.
 */
class TruncationTest {

  @Test
  void everyPrefixOfTheChromeOffer() {
    String text = Vectors.text("sdp/chrome-offer-data-audio-video.sdp");
    int parsed = 0;
    for (int n = 0; n <= text.length(); n++) {
      if (roundTripsOrRefuses(text.substring(0, n))) {
        parsed++;
      }
    }
    assertThat(parsed).isGreaterThan(100);
  }

  @Test
  void everySingleLineDeletion() {
    for (String file : Vectors.BROWSER_FILES) {
      List<String> lines = List.of(Vectors.text("sdp/" + file).split("\r\n"));
      for (int i = 0; i < lines.size(); i++) {
        List<String> l = new ArrayList<>(lines);
        l.remove(i);
        boolean ok = roundTripsOrRefuses(String.join("\r\n", l) + "\r\n");
        // Only v=, o= and s= are structurally required.
        assertThat(ok).as(file + " without line " + (i + 1)).isEqualTo(i > 2);
      }
    }
  }

  static boolean roundTripsOrRefuses(String sdp) {
    SessionDescription sd;
    try {
      sd = SessionDescription.parse(sdp);
    } catch (SdpParseException e) {
      assertThat(e.reason()).isNotBlank();
      return false;
    }
    SdpValidator.validate(sd);
    BrowserCorpusTest.summary(sd);
    try {
      assertThat(SessionDescription.parse(sd.write())).isEqualTo(sd);
    } catch (SdpParseException e) {
      throw new AssertionError(e);
    }
    return true;
  }
}
