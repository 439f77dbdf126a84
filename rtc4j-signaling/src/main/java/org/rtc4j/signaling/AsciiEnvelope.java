package org.rtc4j.signaling;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The relay hot path's parser: one pass over an ASCII frame that validates the whole JSON text
 * (RFC 8259, as strictly as the Jackson parser of {@link ClientMessage#parse(com.fasterxml.jackson.databind.ObjectMapper, String)})
 * and picks out the top-level {@code type}, {@code dst} and the raw text of {@code payload}.
 *
 * <p>It only ever accepts: whenever it is not certain to give the reference parser's answer it
 * returns null and the caller runs the reference parser, which then also produces the error text.
 * So it returns null for bytes ≥ 0x80, a root that is not an object, a backslash in a top-level
 * name or in the {@code type}/{@code dst} strings, nesting deeper than {@value #MAX_DEPTH} (Jackson's
 * cap here is 64), numbers longer than {@value #MAX_NUMBER} characters (Jackson's cap is 100), names
 * longer than {@value #MAX_NAME} (Jackson's default cap is 50,000), a
 * bad {@code type} or {@code dst}, and for every syntax error.
 *
 * <p>Stateless apart from the cursor of one call; not thread-safe per instance (one per call).
 */
final class AsciiEnvelope {

  static final int MAX_DEPTH = 60;
  static final int MAX_NUMBER = 90;
  /** Jackson's default maxNameLength is 50,000; longer names are left to it. */
  static final int MAX_NAME = 49_000;

  private static final byte[] TYPE = "type".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DST = "dst".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.US_ASCII);

  /** Thrown (never escaping this class) when the reference parser must decide. */
  private static final class Unsure extends Exception {
    Unsure() {
      super(null, null, false, false);
    }
  }

  private static final Unsure UNSURE = new Unsure();

  /** Reads eight bytes of an array as one long (byte order does not matter to {@link #plain}). */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH = 0x8080808080808080L;

  /** Indexes into the ranges array {@link #ranges} fills: [start, end) of each part, -1 when absent. */
  static final int TYPE_START = 0;
  static final int TYPE_END = 1;
  static final int DST_START = 2;
  static final int DST_END = 3;
  static final int PAYLOAD_START = 4;
  static final int PAYLOAD_END = 5;
  static final int RANGES = 6;

  private byte[] b;
  private int end;
  private int[] out;
  private int pos;
  private boolean lastStringEscaped;

  /**
   * A parser to reuse, one per thread (the relay path keeps one per event loop): {@link #scan}
   * allocates nothing. (A fresh parser per frame was not scalar-replaced by the JIT: it was 14 % of
   * the relay path's allocation in a JFR profile at 10,000 peers.)
   */
  AsciiEnvelope() {}

  /** The message, or null when the reference parser has to decide (see the class comment). */
  static ClientMessage parse(byte[] utf8) {
    int[] r = new int[RANGES];
    if (!ranges(utf8, utf8.length, r)) {
      return null;
    }
    return new ClientMessage(ascii(utf8, r[TYPE_START], r[TYPE_END]),
        r[DST_START] < 0 ? null : ascii(utf8, r[DST_START], r[DST_END]),
        r[PAYLOAD_START] < 0 ? null : ascii(utf8, r[PAYLOAD_START], r[PAYLOAD_END]));
  }

  /**
   * The relay path's form of {@link #parse}: the first {@code len} bytes of {@code b} parsed without
   * allocating anything, the parts' positions written to {@code out} ({@link #RANGES} ints; {@code type}'s
   * and {@code dst}'s ranges exclude the quotes and hold no escapes; {@code dst} is absent for
   * {@code "dst":null}; {@code payload}'s is its raw JSON text).
   *
   * @return false when the reference parser has to decide (then {@code out} means nothing)
   */
  static boolean ranges(byte[] b, int len, int[] out) {
    return new AsciiEnvelope().scan(b, len, out);
  }

  /** {@link #ranges} with this (reused) parser. */
  boolean scan(byte[] b, int len, int[] out) {
    this.b = b;
    this.end = len;
    this.out = out;
    this.pos = 0;
    this.lastStringEscaped = false;
    try {
      envelope();
      return true;
    } catch (Unsure e) {
      return false;
    }
  }

  private void envelope() throws Unsure {
    skipWs();
    expect('{');
    boolean type = false;
    boolean typeBad = false;
    boolean dstBad = false;
    int[] o = out;
    o[DST_START] = -1;
    o[DST_END] = -1;
    o[PAYLOAD_START] = -1;
    o[PAYLOAD_END] = -1;
    skipWs();
    if (peek() == '}') {
      pos++;
    } else {
      while (true) {
        expect('"');
        int ks = pos;
        string();
        if (lastStringEscaped) {
          throw UNSURE; // a name such as "ty\u0070e": let the reference decode it
        }
        int ke = pos - 1;
        if (ke - ks > MAX_NAME) {
          throw UNSURE;
        }
        skipWs();
        expect(':');
        skipWs();
        int vs = pos;
        byte first = peek();
        if (is(ks, ke, TYPE)) {
          if (first == '"') {
            pos++;
            string();
            if (lastStringEscaped) {
              throw UNSURE;
            }
            o[TYPE_START] = vs + 1;
            o[TYPE_END] = pos - 1;
            type = true;
            typeBad = false;
          } else {
            value(1);
            type = false;
            typeBad = true;
          }
        } else if (is(ks, ke, DST)) {
          if (first == '"') {
            pos++;
            string();
            if (lastStringEscaped) {
              throw UNSURE;
            }
            int n = pos - 1 - (vs + 1);
            o[DST_START] = n == 0 ? -1 : vs + 1;
            o[DST_END] = n == 0 ? -1 : pos - 1;
            dstBad = n == 0;
          } else if (first == 'n') {
            value(1);
            o[DST_START] = -1;
            o[DST_END] = -1;
            dstBad = false;
          } else {
            value(1);
            dstBad = true;
          }
        } else if (is(ks, ke, PAYLOAD)) {
          value(1);
          o[PAYLOAD_START] = vs;
          o[PAYLOAD_END] = pos;
        } else {
          value(1);
        }
        skipWs();
        byte c = next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw UNSURE;
        }
        skipWs();
      }
    }
    skipWs();
    if (pos != end || !type || typeBad || dstBad) {
      throw UNSURE; // trailing bytes, or an error the reference words
    }
  }

  /** Skips one value; {@code depth} is the nesting of the container it sits in (root object = 1). */
  private void value(int depth) throws Unsure {
    byte c = peek();
    switch (c) {
      case '"' -> {
        pos++;
        string();
      }
      case '{' -> {
        if (depth + 1 > MAX_DEPTH) {
          throw UNSURE;
        }
        pos++;
        skipWs();
        if (peek() == '}') {
          pos++;
          return;
        }
        while (true) {
          expect('"');
          int ns = pos;
          string();
          if (pos - 1 - ns > MAX_NAME) {
            throw UNSURE;
          }
          skipWs();
          expect(':');
          skipWs();
          value(depth + 1);
          skipWs();
          byte d = next();
          if (d == '}') {
            return;
          }
          if (d != ',') {
            throw UNSURE;
          }
          skipWs();
        }
      }
      case '[' -> {
        if (depth + 1 > MAX_DEPTH) {
          throw UNSURE;
        }
        pos++;
        skipWs();
        if (peek() == ']') {
          pos++;
          return;
        }
        while (true) {
          value(depth + 1);
          skipWs();
          byte d = next();
          if (d == ']') {
            return;
          }
          if (d != ',') {
            throw UNSURE;
          }
          skipWs();
        }
      }
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
        } else {
          throw UNSURE;
        }
      }
    }
  }

  /** After the opening quote: to just after the closing one. Control characters and non-ASCII: unsure. */
  private void string() throws Unsure {
    boolean escaped = false;
    byte[] a = b;
    int p = pos;
    int e = end;
    while (true) {
      // Eight bytes at a time while none of them needs a look (an SDP is mostly such runs), then
      // straight to the first one that does.
      while (p + 8 <= e) {
        long m = special((long) LONGS.get(a, p));
        if (m != 0) {
          p += Long.numberOfTrailingZeros(m) >>> 3;
          break;
        }
        p += 8;
      }
      if (p >= e) {
        throw UNSURE;
      }
      byte c = a[p++];
      if (c == '"') {
        break;
      }
      if (c < 0x20) { // also every byte >= 0x80 (negative)
        throw UNSURE;
      }
      if (c == '\\') {
        escaped = true;
        if (p >= e) {
          throw UNSURE;
        }
        byte x = a[p++];
        switch (x) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
          case 'u' -> {
            if (p + 4 > e) {
              throw UNSURE;
            }
            for (int i = 0; i < 4; i++) {
              byte h = a[p++];
              if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                throw UNSURE;
              }
            }
          }
          default -> throw UNSURE;
        }
      }
    }
    pos = p;
    lastStringEscaped = escaped;
  }

  /** True when none of the eight bytes in {@code w} is a quote, a backslash, a control character or non-ASCII. */
  static boolean plain(long w) {
    return special(w) == 0;
  }

  /**
   * The high bit of each byte of {@code w} (read little-endian) that may be a quote, a backslash,
   * a control character (&lt; 0x20) or non-ASCII (&ge; 0x80), zero when none is: the classic "has a
   * zero byte" test, {@code (v - 0x01..) & ~v & 0x80..}, on {@code w} XOR each special byte, and its
   * "has a byte below n" form for the control characters. Borrows only reach bytes above a match,
   * so the lowest bit set marks exactly the first such byte.
   */
  private static long special(long w) {
    long q = w ^ (ONES * '"');
    long s = w ^ (ONES * '\\');
    return (((q - ONES) & ~q) | ((s - ONES) & ~s) | ((w - ONES * 0x20) & ~w) | w) & HIGH;
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; what follows is checked by the caller. */
  private void number() throws Unsure {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    byte c = peek();
    if (c == '0') {
      pos++;
    } else if (c >= '1' && c <= '9') {
      digits();
    } else {
      throw UNSURE;
    }
    if (pos < end && b[pos] == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw UNSURE;
      }
      digits();
    }
    if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw UNSURE;
      }
      digits();
    }
    if (pos - start > MAX_NUMBER) {
      throw UNSURE;
    }
    if (pos < end && !isDelimiter(b[pos])) {
      throw UNSURE; // "01", "1x": the reference reports it
    }
  }

  private void digits() {
    while (pos < end && isDigit(b[pos])) {
      pos++;
    }
  }

  private void literal(String word) throws Unsure {
    int n = word.length();
    if (pos + n > end) {
      throw UNSURE;
    }
    for (int i = 0; i < n; i++) {
      if (b[pos + i] != word.charAt(i)) {
        throw UNSURE;
      }
    }
    pos += n;
    if (pos < end && !isDelimiter(b[pos])) {
      throw UNSURE; // "truex"
    }
  }

  private static boolean isDelimiter(byte c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private void skipWs() {
    while (pos < end) {
      byte c = b[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private byte peek() throws Unsure {
    if (pos >= end) {
      throw UNSURE;
    }
    return b[pos];
  }

  private byte next() throws Unsure {
    if (pos >= end) {
      throw UNSURE;
    }
    return b[pos++];
  }

  private void expect(char c) throws Unsure {
    if (next() != c) {
      throw UNSURE;
    }
  }

  private boolean is(int s, int e, byte[] word) {
    if (e - s != word.length) {
      return false;
    }
    for (int i = 0; i < word.length; i++) {
      if (b[s + i] != word[i]) {
        return false;
      }
    }
    return true;
  }

  private static String ascii(byte[] b, int s, int e) {
    return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
  }
}
