package org.rtc4j.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * BinaryPack against vectors produced by the real js-binarypack (src/test/node/binarypack-vectors.cjs →
 * src/test/resources/binarypack/vectors.json), plus round trips and malformed input.
 */
class BinaryPackTest {
  private static final HexFormat HEX = HexFormat.of();

  static JsonNode vectors() throws Exception {
    try (InputStream in = BinaryPackTest.class.getResourceAsStream("/binarypack/vectors.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static Stream<Arguments> packVectors() throws Exception {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode v : vectors().get("pack")) {
      out.add(Arguments.of(v.get("name").asText(), v.get("value"), v.get("hex").asText()));
    }
    return out.stream();
  }

  static Stream<Arguments> unpackVectors() throws Exception {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode v : vectors().get("unpack")) {
      out.add(Arguments.of(v.get("name").asText(), v.get("value"), v.get("hex").asText()));
    }
    return out.stream();
  }

  /** Tagged JSON → the Java value the encoder accepts and the decoder returns. */
  static Object toJava(JsonNode n) {
    if (n.isNull()) {
      return null;
    } else if (n.isBoolean()) {
      return n.booleanValue();
    } else if (n.isIntegralNumber()) {
      return n.longValue();
    } else if (n.isNumber()) {
      return n.doubleValue();
    } else if (n.isTextual()) {
      return n.textValue();
    } else if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(e -> l.add(toJava(e)));
      return l;
    } else if (n.has("$bin")) {
      return HEX.parseHex(n.get("$bin").asText());
    } else if (n.has("$double")) {
      return Double.parseDouble(n.get("$double").asText());
    } else if (n.has("$undefined")) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), toJava(e.getValue()));
    }
    return m;
  }

  @ParameterizedTest(name = "pack {0}")
  @MethodSource("packVectors")
  void encodesExactlyAsJsBinaryPack(String name, JsonNode value, String hex) {
    assertThat(HEX.formatHex(BinaryPack.encode(toJava(value)))).isEqualTo(hex);
  }

  @ParameterizedTest(name = "unpack {0}")
  @MethodSource("packVectors")
  void decodesWhatJsBinaryPackEncodes(String name, JsonNode value, String hex) {
    assertThat(BinaryPack.decode(HEX.parseHex(hex))).usingRecursiveComparison().isEqualTo(toJava(value));
  }

  @ParameterizedTest(name = "unpack-only {0}")
  @MethodSource("unpackVectors")
  void decodesTheFormsJsNeverWrites(String name, JsonNode value, String hex) {
    assertThat(BinaryPack.decode(HEX.parseHex(hex))).usingRecursiveComparison().isEqualTo(toJava(value));
  }

  /**
   * A chunk encoded straight from a packed header + body is byte for byte the map peerjs packs
   * ({@code {__peerData, n, data, total}}), whether the chunk starts inside the header, spans it, or lies in the
   * body, for short, 16-bit and 32-bit lengths and message ids of every integer width.
   */
  @Test
  void chunksEncodedInPlaceEqualThePackedChunkMap() {
    Random r = new Random(7);
    for (int size : new int[] {10, 300, 16_300, 16_301, 70_000, 200_003}) {
      byte[] body = new byte[size];
      r.nextBytes(body);
      byte[] header = BinaryPack.binHeader(size);
      byte[] packed = BinaryPack.encode(body);
      assertThat(packed).hasSize(header.length + size);
      assertThat(java.util.Arrays.copyOf(packed, header.length)).isEqualTo(header);
      int mtu = 16_300;
      int total = (packed.length + mtu - 1) / mtu;
      for (long msgId : new long[] {1, 200, 70_000, 5_000_000_000L}) {
        for (int n = 0; n < total; n++) {
          int start = n * mtu;
          int end = Math.min(packed.length, start + mtu);
          Map<String, Object> chunk = new LinkedHashMap<>();
          chunk.put("__peerData", msgId);
          chunk.put("n", n);
          chunk.put("data", java.util.Arrays.copyOfRange(packed, start, end));
          chunk.put("total", total);
          assertThat(BinaryPack.encodeChunk(msgId, n, total, header, body, start, end - start))
              .as("size %d, chunk %d of %d, id %d", size, n, total, msgId).isEqualTo(BinaryPack.encode(chunk));
          // the same with the whole packed form as the body (how non-binary values are chunked)
          assertThat(BinaryPack.encodeChunk(msgId, n, total, new byte[0], packed, start, end - start))
              .isEqualTo(BinaryPack.encode(chunk));
        }
      }
    }
    // a chunk that starts inside the header and ends in the body
    byte[] body = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
    byte[] header = BinaryPack.binHeader(body.length);
    byte[] packed = BinaryPack.encode(body);
    Map<String, Object> chunk = new LinkedHashMap<>();
    chunk.put("__peerData", 3L);
    chunk.put("n", 0);
    chunk.put("data", java.util.Arrays.copyOfRange(packed, 1, 6));
    chunk.put("total", 1);
    assertThat(BinaryPack.encodeChunk(3, 0, 1, header, body, 1, 5)).isEqualTo(BinaryPack.encode(chunk));
  }

  @Test
  void javaNumberTypesAndEdgeCasesMatchJs() {
    assertThat(HEX.formatHex(BinaryPack.encode(3.0))).isEqualTo("03"); // integral doubles are integers in JS
    assertThat(HEX.formatHex(BinaryPack.encode(-0.0))).isEqualTo("00");
    assertThat(HEX.formatHex(BinaryPack.encode(Double.NaN))).isEqualTo("cb0000000000000000");
    assertThat(HEX.formatHex(BinaryPack.encode((byte) -5))).isEqualTo("fb");
    assertThat(HEX.formatHex(BinaryPack.encode(1.5f))).isEqualTo("cb3ff8000000000000");
    assertThat(HEX.formatHex(BinaryPack.encode(new Object[] {"a"}))).isEqualTo("91b161");
    assertThat(HEX.formatHex(BinaryPack.encode(java.nio.ByteBuffer.wrap(new byte[] {1, 2})))).isEqualTo("a20102");
    assertThat(HEX.formatHex(BinaryPack.encode("\ud800"))).isEqualTo("b3efbfbd"); // TextEncoder: U+FFFD
    assertThatThrownBy(() -> BinaryPack.encode(Double.POSITIVE_INFINITY)).hasMessageContaining("Invalid integer");
    assertThatThrownBy(() -> BinaryPack.encode(new Object() {})).isInstanceOf(BinaryPack.BinaryPackException.class);
  }

  @Test
  void roundTripsRandomValues() {
    Random r = new Random(42);
    for (int i = 0; i < 300; i++) {
      Object v = randomValue(r, 0);
      byte[] packed = BinaryPack.encode(v);
      Object back = BinaryPack.decode(packed);
      // (recursive comparison of large arrays is slow; the generated types are exactly the decoded ones, so
      // identical re-encoding plus equal shapes means equal values)
      assertThat(BinaryPack.encode(back)).isEqualTo(packed);
      assertThat(back == null ? null : back.getClass().getSimpleName().replace("Linked", "").replace("Array", ""))
          .isEqualTo(v == null ? null : v.getClass().getSimpleName().replace("Linked", "").replace("Array", ""));
    }
  }

  private static Object randomValue(Random r, int depth) {
    int k = r.nextInt(depth > 3 ? 7 : 9);
    return switch (k) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> switch (r.nextInt(4)) {
        case 0 -> (long) r.nextInt(256) - 128;
        case 1 -> (long) r.nextInt();
        case 2 -> r.nextLong() >> r.nextInt(20);
        default -> (long) r.nextInt(70000);
      };
      case 3 -> {
        double d = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(30) - 15);
        yield Math.floor(d) == d ? d + 0.5 : d; // integral doubles are packed as integers, like JS
      }
      case 4 -> {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(3) == 0 ? r.nextInt(20000) : r.nextInt(20);
        for (int j = 0; j < n; j++) {
          sb.appendCodePoint(r.nextInt(10) == 0 ? 0x1f600 + r.nextInt(50) : 0x20 + r.nextInt(0x500));
        }
        yield sb.toString();
      }
      case 5, 6 -> {
        byte[] b = new byte[r.nextInt(3) == 0 ? r.nextInt(20000) : r.nextInt(20)];
        r.nextBytes(b);
        yield b;
      }
      case 7 -> {
        List<Object> l = new ArrayList<>();
        int n = r.nextInt(20);
        for (int j = 0; j < n; j++) {
          l.add(randomValue(r, depth + 1));
        }
        yield l;
      }
      default -> {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = r.nextInt(20);
        for (int j = 0; j < n; j++) {
          m.put("k" + r.nextInt(1000), randomValue(r, depth + 1));
        }
        yield m;
      }
    };
  }

  @Test
  void malformedInputThrowsBinaryPackExceptionOnly() {
    for (String hex : List.of("", "d8", "d8ffff", "dbffffffff", "ddffffffff00", "dfffffffff", "b4ffffffff", "cb00", "f8")) {
      if (hex.equals("f8")) {
        assertThat(BinaryPack.decode(HEX.parseHex(hex))).isEqualTo(-8L);
        continue;
      }
      assertThatThrownBy(() -> BinaryPack.decode(HEX.parseHex(hex))).isInstanceOf(BinaryPack.BinaryPackException.class);
    }
    byte[] deep = new byte[10000];
    java.util.Arrays.fill(deep, (byte) 0x91);
    assertThatThrownBy(() -> BinaryPack.decode(deep)).isInstanceOf(BinaryPack.BinaryPackException.class);
    assertThat(BinaryPack.decode(HEX.parseHex("0102"))).isEqualTo(1L); // trailing bytes ignored, like JS
  }
}
