package org.rtc4j.ice.mdns;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Domain names on the wire (RFC 1035 §3.1, §4.1.4): a sequence of length-prefixed labels ended
 * by a zero byte or a compression pointer (two bytes, top bits 11, 14-bit offset).
 */
final class DnsNames {

  static final int MAX_LABEL = 63;
  static final int MAX_NAME = 255;

  private DnsNames() {}

  /** A name in canonical form: lower case ASCII, no trailing dot. */
  static String canonical(String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    return n.toLowerCase(Locale.ROOT);
  }

  /**
   * Reads the name at {@code off} of the message {@code msg} (positions are absolute, the message
   * starts at 0). Pointers must point strictly before the label that holds them, so a name can
   * never loop.
   *
   * @return the name, and sets {@code end[0]} to the offset just after the name at {@code off}
   */
  static String read(ByteBuffer msg, int off, int[] end) throws MdnsParseException {
    StringBuilder sb = new StringBuilder();
    int p = off;
    int wireLength = 1;
    boolean jumped = false;
    int limit = msg.limit();
    while (true) {
      if (p >= limit) {
        throw new MdnsParseException("name runs past the end", p);
      }
      int len = msg.get(p) & 0xFF;
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= limit) {
          throw new MdnsParseException("truncated compression pointer", p);
        }
        int target = ((len & 0x3F) << 8) | (msg.get(p + 1) & 0xFF);
        if (target >= p) {
          throw new MdnsParseException("compression pointer does not point backwards", p);
        }
        if (!jumped) {
          end[0] = p + 2;
          jumped = true;
        }
        p = target;
        continue;
      }
      if ((len & 0xC0) != 0) {
        throw new MdnsParseException("reserved label type", p);
      }
      if (len == 0) {
        if (!jumped) {
          end[0] = p + 1;
        }
        return sb.toString();
      }
      if (p + 1 + len > limit) {
        throw new MdnsParseException("label runs past the end", p);
      }
      wireLength += len + 1;
      if (wireLength > MAX_NAME) {
        throw new MdnsParseException("name longer than 255 bytes", p);
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      byte[] label = new byte[len];
      msg.get(p + 1, label);
      for (byte c : label) {
        if (c == '.') {
          throw new MdnsParseException("label contains a dot", p + 1);
        }
      }
      sb.append(new String(label, StandardCharsets.UTF_8));
      p += 1 + len;
    }
  }

  /** Encoded size of {@code name} without compression. */
  static int encodedLength(String name) {
    if (name.isEmpty()) {
      return 1;
    }
    return name.getBytes(StandardCharsets.UTF_8).length + 2;
  }

  /** Writes {@code name} without compression. */
  static void write(ByteBuffer out, String name) {
    if (!name.isEmpty()) {
      for (String label : name.split("\\.", -1)) {
        byte[] b = label.getBytes(StandardCharsets.UTF_8);
        out.put((byte) b.length);
        out.put(b);
      }
    }
    out.put((byte) 0);
  }

  /** Checks that {@code name} can be encoded: labels 1..63 bytes, total at most 255. */
  static String validate(String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (n.isEmpty()) {
      return n;
    }
    for (String label : n.split("\\.", -1)) {
      int len = label.getBytes(StandardCharsets.UTF_8).length;
      if (len == 0 || len > MAX_LABEL) {
        throw new IllegalArgumentException("DNS label must be 1..63 bytes: '" + label + "' in " + name);
      }
    }
    if (encodedLength(n) > MAX_NAME) {
      throw new IllegalArgumentException("DNS name longer than 255 bytes: " + name);
    }
    return n;
  }
}
