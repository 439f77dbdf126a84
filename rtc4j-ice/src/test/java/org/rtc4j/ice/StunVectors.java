package org.rtc4j.ice;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.Username;
import org.rtc4j.testkit.MiniJson;

/** Test vectors copied from /work/shared/vectors into src/test/resources/vectors. */
final class StunVectors {
  private StunVectors() {}

  static String resource(String name) {
    try (InputStream in = StunVectors.class.getResourceAsStream("/vectors/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A case of malformed-derived.json by name, as bytes. */
  static byte[] malformed(String name) {
    Map<String, Object> root = MiniJson.obj(MiniJson.parse(resource("malformed-derived.json")));
    for (Object o : MiniJson.arr(root.get("cases"))) {
      Map<String, Object> c = MiniJson.obj(o);
      if (name.equals(c.get("name"))) {
        return HexFormat.of().parseHex((String) c.get("hex"));
      }
    }
    throw new IllegalArgumentException("no case " + name);
  }

  static List<Object> malformedCases() {
    return MiniJson.arr(MiniJson.obj(MiniJson.parse(resource("malformed-derived.json"))).get("cases"));
  }

  /** RFC 5769 §2.1 sample request (USERNAME evtj:h6vY, password VOkJxbRl1RmTxUk/WvJxBt). */
  static byte[] rfc5769Request() {
    StringBuilder hex = new StringBuilder();
    for (String line : resource("rfc5769-2.1-sample-request.hex").split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      hex.append(l.replaceAll("[^0-9a-fA-F]", ""));
    }
    return HexFormat.of().parseHex(hex.toString());
  }

  /** A Binding request with a USERNAME but no MESSAGE-INTEGRITY. */
  static byte[] unauthenticatedBindingRequest() {
    return StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TransactionId.fromHex("0102030405060708090a0b0c"))
        .add(new Username("evtj:h6vY")).encode(null, true);
  }
}
