package org.rtc4j.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes either decode (and then re-encode and decode to an equal value) or fail with BinaryPackException;
 * nothing else escapes. Seeds: src/test/resources/org/rtc4j/peerjs/BinaryPackFuzzTestInputs/decode/ (vectors from
 * js-binarypack); {@code JAZZER_FUZZ=1 mvn test -Dtest=BinaryPackFuzzTest} fuzzes.
 */
class BinaryPackFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void decode(byte[] input) {
    Object v;
    try {
      v = BinaryPack.decode(input);
    } catch (BinaryPack.BinaryPackException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    Object again;
    try {
      again = BinaryPack.decode(BinaryPack.encode(v));
    } catch (BinaryPack.BinaryPackException e) {
      // decoded doubles that are integral but out of JS integer range (or infinite) cannot be re-packed, as in JS
      assertThat(e.getMessage()).contains("Invalid integer");
      return;
    }
    if (!containsNaN(again)) {
      assertThat(again).usingRecursiveComparison().isEqualTo(normalize(v));
    }
  }

  private static boolean containsNaN(Object o) {
    if (o instanceof Double d) {
      return d.isNaN();
    } else if (o instanceof java.util.List<?> l) {
      return l.stream().anyMatch(BinaryPackFuzzTest::containsNaN);
    } else if (o instanceof java.util.Map<?, ?> m) {
      return m.values().stream().anyMatch(BinaryPackFuzzTest::containsNaN);
    }
    return false;
  }

  /** Integral doubles re-encode as integers (JS semantics). */
  private static Object normalize(Object o) {
    if (o instanceof Double d && Math.floor(d) == d && Math.abs(d) < 0x1p63) {
      return (long) (double) d;
    } else if (o instanceof java.util.List<?> l) {
      return l.stream().map(BinaryPackFuzzTest::normalize).toList();
    } else if (o instanceof java.util.Map<?, ?> m) {
      java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, val) -> out.put(k, normalize(val)));
      return out;
    }
    return o;
  }
}
