package org.rtc4j.stun;

import org.rtc4j.testkit.MiniJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

/** Loads the shared conformance vectors copied into src/test/resources/vectors. */
final class Vectors {
  private Vectors() {}

  static String text(String path) {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /vectors/" + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(String path) {
    return HexFormat.of().parseHex(text(path).trim());
  }

  static Map<String, Object> json(String path) {
    return MiniJson.obj(MiniJson.parse(text(path)));
  }

  static byte[] unhex(String s) {
    return HexFormat.of().parseHex(s);
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
