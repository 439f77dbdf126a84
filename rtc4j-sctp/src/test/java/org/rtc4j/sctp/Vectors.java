package org.rtc4j.sctp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.rtc4j.testkit.MiniJson;

/** Loads the shared conformance vectors copied into src/test/resources/vectors/sctp. */
public final class Vectors {
  private Vectors() {}

  public static Map<String, Object> json(String name) {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/sctp/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /vectors/sctp/" + name);
      }
      return MiniJson.obj(MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] unhex(String s) {
    return HexFormat.of().parseHex(s);
  }

  public static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
