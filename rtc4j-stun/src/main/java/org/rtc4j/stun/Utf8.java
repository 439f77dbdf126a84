package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Allocation-free UTF-8 length and encoding, and strict decoding. Records cannot cache their
 * encoded bytes, so the builder asks for the length first and writes the chars afterwards.
 */
final class Utf8 {
  private Utf8() {}

  /** Number of UTF-8 bytes of {@code s}; an unpaired surrogate counts as one byte ('?'). */
  static int length(String s) {
    int n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Writes {@code s} as UTF-8; an unpaired surrogate becomes '?' as in String.getBytes. */
  static void write(ByteBuffer out, String s) {
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out.put((byte) c);
      } else if (c < 0x800) {
        out.put((byte) (0xC0 | (c >> 6)));
        out.put((byte) (0x80 | (c & 0x3F)));
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out.put((byte) (0xF0 | (cp >> 18)));
        out.put((byte) (0x80 | ((cp >> 12) & 0x3F)));
        out.put((byte) (0x80 | ((cp >> 6) & 0x3F)));
        out.put((byte) (0x80 | (cp & 0x3F)));
      } else if (Character.isSurrogate(c)) {
        out.put((byte) '?');
      } else {
        out.put((byte) (0xE0 | (c >> 12)));
        out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
        out.put((byte) (0x80 | (c & 0x3F)));
      }
    }
  }

  /**
   * Decodes {@code len} bytes at absolute {@code off} as strict UTF-8 (no overlongs, no
   * surrogates, nothing above U+10FFFF).
   *
   * @return the string, or null when the bytes are not valid UTF-8
   */
  static String decode(ByteBuffer buf, int off, int len) {
    byte[] bytes = new byte[len];
    buf.get(off, bytes);
    if (!valid(bytes)) {
      return null;
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static boolean valid(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (i + need >= n) {
        return false;
      }
      int cp = c & (0x3F >> need);
      for (int k = 1; k <= need; k++) {
        int cc = b[i + k] & 0xFF;
        if ((cc & 0xC0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
      }
      i += need + 1;
    }
    return true;
  }
}
