package org.rtc4j.server.transfer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The control messages of the file transfer (see the package Javadoc) as flat JSON objects. */
final class TransferProtocol {
  private TransferProtocol() {}

  /** The data channel's label. */
  static final String LABEL = "rtc4j-file";
  /** Bytes per binary message: Chromium's usual size, well under every a=max-message-size. */
  static final int CHUNK = 64 * 1024;
  /** The sender stops queuing at this bufferedAmount ... */
  static final long HIGH_WATER = 4L * 1024 * 1024;
  /** ... and resumes when it fell to this (onBufferedAmountLow). */
  static final long LOW_WATER = 1L * 1024 * 1024;

  static String file(String name, long size) {
    return "{\"type\":\"file\",\"name\":" + quote(name) + ",\"size\":" + size + "}";
  }

  static String done(String name, long size, String sha256) {
    return "{\"type\":\"done\",\"name\":" + quote(name) + ",\"size\":" + size + ",\"sha256\":" + quote(sha256) + "}";
  }

  static String result(boolean ok, long bytes, String sha256, String error) {
    return "{\"type\":\"result\",\"ok\":" + ok + ",\"bytes\":" + bytes + ",\"sha256\":" + quote(sha256)
        + (error == null ? "" : ",\"error\":" + quote(error)) + "}";
  }

  /** The last line both commands print. */
  static String summary(long bytes, double seconds, String sha256) {
    double mbps = seconds > 0 ? bytes / 1e6 / seconds : 0;
    return String.format(Locale.ROOT, "bytes=%d seconds=%.3f MBps=%.2f sha256=%s", bytes, seconds, mbps, sha256);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * Parses a flat JSON object whose values are strings, numbers or booleans (what this protocol
   * sends); values come back as String, Long or Boolean.
   *
   * @throws IllegalArgumentException on anything else
   */
  static Map<String, Object> parse(String json) {
    Map<String, Object> m = new LinkedHashMap<>();
    int[] pos = {skip(json, 0)};
    expect(json, pos, '{');
    if (peek(json, pos) == '}') {
      pos[0]++;
      return m;
    }
    while (true) {
      String key = string(json, pos);
      expect(json, pos, ':');
      char c = peek(json, pos);
      Object value;
      if (c == '"') {
        value = string(json, pos);
      } else if (json.startsWith("true", pos[0])) {
        value = Boolean.TRUE;
        pos[0] += 4;
      } else if (json.startsWith("false", pos[0])) {
        value = Boolean.FALSE;
        pos[0] += 5;
      } else {
        int start = pos[0];
        while (pos[0] < json.length() && (Character.isDigit(json.charAt(pos[0])) || json.charAt(pos[0]) == '-')) {
          pos[0]++;
        }
        try {
          value = Long.parseLong(json.substring(start, pos[0]));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad value at " + start + " in " + json);
        }
      }
      m.put(key, value);
      char sep = peek(json, pos);
      pos[0]++;
      if (sep == '}') {
        return m;
      }
      if (sep != ',') {
        throw new IllegalArgumentException("expected , or } at " + (pos[0] - 1) + " in " + json);
      }
    }
  }

  private static int skip(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static char peek(String s, int[] pos) {
    pos[0] = skip(s, pos[0]);
    if (pos[0] >= s.length()) {
      throw new IllegalArgumentException("truncated JSON: " + s);
    }
    return s.charAt(pos[0]);
  }

  private static void expect(String s, int[] pos, char c) {
    if (peek(s, pos) != c) {
      throw new IllegalArgumentException("expected " + c + " at " + pos[0] + " in " + s);
    }
    pos[0]++;
  }

  private static String string(String s, int[] pos) {
    expect(s, pos, '"');
    StringBuilder b = new StringBuilder();
    while (pos[0] < s.length()) {
      char c = s.charAt(pos[0]++);
      if (c == '"') {
        return b.toString();
      }
      if (c == '\\') {
        if (pos[0] >= s.length()) {
          break;
        }
        char e = s.charAt(pos[0]++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            if (pos[0] + 4 > s.length()) {
              throw new IllegalArgumentException("bad \\u escape in " + s);
            }
            b.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
            pos[0] += 4;
          }
          default -> b.append(e);
        }
      } else {
        b.append(c);
      }
    }
    throw new IllegalArgumentException("unterminated string in " + s);
  }
}
