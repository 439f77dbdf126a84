package org.rtc4j.sdp;

import java.util.ArrayList;
import java.util.List;

/** Small bounded text helpers; numbers are parsed from bounded digit strings, never sized. */
final class Text {
  private Text() {}

  /** Splits on single spaces into at most {@code limit} fields; empty fields are an error (-> short array). */
  static String[] split(String s, int limit) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i <= s.length()) {
      if (out.size() == limit - 1) {
        out.add(s.substring(i));
        break;
      }
      int sp = s.indexOf(' ', i);
      if (sp < 0) {
        out.add(s.substring(i));
        break;
      }
      out.add(s.substring(i, sp));
      i = sp + 1;
    }
    for (String f : out) {
      if (f.isEmpty()) {
        return new String[0];
      }
    }
    return out.toArray(new String[0]);
  }

  /** Splits on runs of spaces, dropping empty fields (for lists such as BUNDLE tags). */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    for (String w : s.split(" ")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a non-negative decimal in [min, max]. More than 19 digits is refused before any
   * conversion, so 2^32 or a 10,000-digit number gives the same clear error.
   */
  static long number(String s, long min, long max, String what) throws SdpParseException {
    if (!isDigits(s)) {
      throw SdpParseException.reason(what + " must be a decimal number, got \"" + cut(s) + "\"");
    }
    int start = 0;
    while (start < s.length() - 1 && s.charAt(start) == '0') {
      start++;
    }
    if (s.length() - start > 18) {
      throw SdpParseException.reason(what + " out of range " + min + ".." + max);
    }
    long v = Long.parseLong(s.substring(start));
    if (v < min || v > max) {
      throw SdpParseException.reason(what + " out of range " + min + ".." + max + ": " + v);
    }
    return v;
  }

  static int integer(String s, int min, int max, String what) throws SdpParseException {
    return (int) number(s, min, max, what);
  }

  /** RFC 8866 token-char. */
  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D
          || c == 0x2E || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A)
          || (c >= 0x5E && c <= 0x7E);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String cut(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
