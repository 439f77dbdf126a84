package org.rtc4j.stun;

import java.text.Normalizer;
import java.util.Objects;
import java.util.Optional;

/**
 * SASLprep (RFC 4013, the stringprep profile of RFC 3454) for STUN passwords: RFC 5389 §15.4 and
 * RFC 5769 §2.4 derive the long-term key from SASLprep(password); RFC 8489 replaced it with the
 * OpaqueString profile (RFC 8265), which gives the same result for the passwords people use
 * (ASCII, and ordinary non-ASCII text already in NFC).
 *
 * <p>Steps: map the "commonly mapped to nothing" characters (RFC 3454 B.1, e.g. U+00AD SOFT
 * HYPHEN) to nothing and non-ASCII spaces (C.1.2) to U+0020; normalize with NFKC; reject the
 * prohibited characters (C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9) and strings that
 * break the bidirectional rule (RFC 3454 §6). Unassigned code points are allowed (the "query"
 * profile), and Java's Unicode tables, newer than Unicode 3.2, drive NFKC and bidi.
 *
 * <p>Pure functions; thread-safe.
 */
public final class Saslprep {
  private Saslprep() {}

  /**
   * Prepares a string.
   *
   * @throws IllegalArgumentException when it contains a prohibited character or breaks the bidi rule
   */
  public static String prepare(String s) {
    Objects.requireNonNull(s, "s");
    if (isPlainAscii(s)) {
      return s; // mapping and NFKC leave printable ASCII unchanged; nothing in it is prohibited
    }
    StringBuilder mapped = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (isMappedToNothing(cp)) {
        continue;
      }
      if (isNonAsciiSpace(cp)) {
        mapped.append(' ');
      } else {
        mapped.appendCodePoint(cp);
      }
    }
    String n = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
    boolean hasRandAl = false;
    boolean hasL = false;
    for (int i = 0; i < n.length(); ) {
      int cp = n.codePointAt(i);
      if (isProhibited(cp)) {
        throw new IllegalArgumentException(String.format("prohibited character U+%04X at index %d", cp, i));
      }
      byte dir = Character.getDirectionality(cp);
      if (dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC) {
        hasRandAl = true;
      } else if (dir == Character.DIRECTIONALITY_LEFT_TO_RIGHT) {
        hasL = true;
      }
      i += Character.charCount(cp);
    }
    if (hasRandAl) {
      // RFC 3454 §6: no LCat at all, and RandALCat first and last.
      if (hasL || !isRandAl(n.codePointAt(0)) || !isRandAl(n.codePointBefore(n.length()))) {
        throw new IllegalArgumentException("string breaks the stringprep bidirectional rule");
      }
    }
    return n;
  }

  /** Like {@link #prepare} but empty instead of throwing. */
  public static Optional<String> tryPrepare(String s) {
    try {
      return Optional.of(prepare(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static boolean isPlainAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static boolean isRandAl(int cp) {
    byte dir = Character.getDirectionality(cp);
    return dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
  }

  /** RFC 3454 B.1. */
  static boolean isMappedToNothing(int cp) {
    return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
        || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF;
  }

  /** RFC 3454 C.1.2. */
  static boolean isNonAsciiSpace(int cp) {
    return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F
        || cp == 0x3000;
  }

  /** RFC 4013 §2.3 prohibited output: RFC 3454 C.1.2 and C.2.1-C.9. */
  static boolean isProhibited(int cp) {
    if (isNonAsciiSpace(cp)) {
      return true; // C.1.2 (already mapped, but may reappear through NFKC)
    }
    if (cp < 0x20 || cp == 0x7F) {
      return true; // C.2.1
    }
    if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x06DD || cp == 0x070F || cp == 0x180E || cp == 0x200C || cp == 0x200D
        || cp == 0x2028 || cp == 0x2029 || (cp >= 0x2060 && cp <= 0x2063) || (cp >= 0x206A && cp <= 0x206F)
        || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC) || (cp >= 0x1D173 && cp <= 0x1D17A)) {
      return true; // C.2.2
    }
    if ((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD) || (cp >= 0x100000 && cp <= 0x10FFFD)) {
      return true; // C.3
    }
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
      return true; // C.4 (U+FDD0..FDEF and the last two code points of every plane)
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      return true; // C.5 (an unpaired surrogate in a Java string)
    }
    if (cp >= 0xFFF9 && cp <= 0xFFFD) {
      return true; // C.6
    }
    if (cp >= 0x2FF0 && cp <= 0x2FFB) {
      return true; // C.7
    }
    if (cp == 0x0340 || cp == 0x0341 || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)) {
      return true; // C.8 (206A-206F are in C.2.2 above)
    }
    return cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F); // C.9
  }
}
