package org.rtc4j.sdp;

import org.rtc4j.testkit.MiniJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Loads the shared conformance vectors copied into src/test/resources/vectors. */
final class Vectors {
  private Vectors() {}

  static final List<String> BROWSER_FILES = List.of(
      "chrome-offer-data-audio-video.sdp",
      "firefox-121-offer-audio-video.sdp",
      "firefox-offer-datachannel-sctp-port.sdp",
      "firefox-58-offer-datachannel-sctpmap-legacy.sdp",
      "firefox-46-offer-audio-video-data-legacy.sdp",
      "firefox-46-answer-audio-video-data-legacy.sdp",
      "opera-chromium-offer-audio-video-data-legacy.sdp",
      "safari-offer-datachannel.sdp");

  static String text(String path) {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /vectors/" + path);
      }
      // ISO-8859-1 keeps every byte (the NUL case included) as one char.
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> json(String path) {
    return MiniJson.obj(MiniJson.parse(text(path)));
  }
}
