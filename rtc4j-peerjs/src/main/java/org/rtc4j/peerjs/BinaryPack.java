package org.rtc4j.peerjs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BinaryPack, the MessagePack-like encoding of peerjs's {@code "binary"} serialization, byte for byte as
 * peers/js-binarypack 2.1.0 (bundled in peerjs 1.5.x) packs and unpacks.
 *
 * <p>It is <em>not</em> MessagePack: 0xa0–0xaf is a short raw (binary), 0xb0–0xbf a short string, 0xd8/0xd9
 * str16/str32, 0xda/0xdb raw16/raw32; 0xc1 and 0xd4–0xd7 decode as {@code undefined}. Every JavaScript number
 * that is integral is packed as the smallest integer form in the order uint8, int8, uint16, int16, uint32,
 * int32, int64 (so 2^32 is an int64, never a uint64); other numbers as a double computed the way the JS packer
 * computes it (via {@code log2}, reproduced here, so e.g. NaN packs as {@code cb 00…00} like the browser).
 *
 * <p>Java mapping. Encode: {@code null}; {@link Boolean}; {@link Byte}/{@link Short}/{@link Integer}/{@link Long}
 * (integers); {@link Float}/{@link Double} (integral values → integer forms, like JS; infinities are refused like
 * JS's "Invalid integer"); {@link CharSequence}; {@code byte[]}/{@link ByteBuffer} (raw); {@link List}/{@code Object[]}
 * (array); {@link Map} (keys by {@code String.valueOf}). Decode: {@code null} (nil and undefined), {@link Boolean},
 * {@link Long} (all integer forms; a uint64 ≥ 2^63 as {@link Double}), {@link Double}, {@link String},
 * {@code byte[]}, {@link List}, {@link Map}{@code <String,Object>} (insertion order).
 *
 * <p>Deliberate difference from JS on malformed input: where the JS unpacker reads past the end as zeros, or
 * recurses until its stack overflows, {@link #decode} throws {@link BinaryPackException} (truncation, a length
 * larger than the input, nesting deeper than {@value #MAX_DEPTH}). Trailing bytes are ignored as in JS.
 * Stateless and thread-safe.
 */
public final class BinaryPack {
  /** Maximum nesting of arrays/maps accepted by {@link #decode}. */
  public static final int MAX_DEPTH = 512;

  private BinaryPack() {}

  /** Thrown for input that cannot be packed or unpacked. */
  public static final class BinaryPackException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BinaryPackException(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------- encode

  /** Packs {@code value} (see the class comment for the accepted types). */
  public static byte[] encode(Object value) {
    // a binary value is sized up front: growing from 64 bytes copied a 50 MiB file about three times
    Out out = new Out(value instanceof byte[] b ? b.length + 5 : 64);
    pack(out, value, 0);
    return out.bytes();
  }

  /** The bytes that precede {@code length} bytes of binary data in its packed form (0xa0+n, 0xda or 0xdb). */
  static byte[] binHeader(int length) {
    Out out = new Out(5);
    packLength(out, length, 0xa0, 0xda, 0xdb);
    return out.bytes();
  }

  /**
   * One peerjs chunk, exactly as {@code encode} packs the map {@code {__peerData: msgId, n, data, total}} in that
   * key order, with {@code data} the {@code length} bytes of {@code packed} from {@code start}, where
   * {@code packed} is {@code header} followed by {@code body} (so a packed binary need not be copied whole first).
   */
  static byte[] encodeChunk(long msgId, int n, int total, byte[] header, byte[] body, long start, int length) {
    Out out = new Out(length + 48);
    out.u8(0x84);
    packString(out, "__peerData");
    packInteger(out, msgId);
    packString(out, "n");
    packInteger(out, n);
    packString(out, "data");
    packLength(out, length, 0xa0, 0xda, 0xdb);
    long end = start + length;
    if (start < header.length) {
      int h = (int) Math.min(end, header.length);
      out.write(header, (int) start, h - (int) start);
      start = h;
    }
    if (end > start) {
      out.write(body, (int) (start - header.length), (int) (end - start));
    }
    packString(out, "total");
    packInteger(out, total);
    return out.bytes();
  }

  private static final class Out extends ByteArrayOutputStream {
    Out(int capacity) {
      super(capacity);
    }

    /** The packed bytes, without a copy when the buffer was sized exactly. */
    byte[] bytes() {
      return count == buf.length ? buf : java.util.Arrays.copyOf(buf, count);
    }

    void u8(int v) {
      write(v & 0xff);
    }

    void u16(int v) {
      write((v >>> 8) & 0xff);
      write(v & 0xff);
    }

    void u32(long v) {
      write((int) (v >>> 24) & 0xff);
      write((int) (v >>> 16) & 0xff);
      write((int) (v >>> 8) & 0xff);
      write((int) v & 0xff);
    }

    void u64(long v) {
      u32(v >>> 32);
      u32(v);
    }
  }

  private static void pack(Out out, Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new BinaryPackException("nesting deeper than " + MAX_DEPTH);
    }
    if (value == null) {
      out.u8(0xc0);
    } else if (value instanceof Boolean b) {
      out.u8(b ? 0xc3 : 0xc2);
    } else if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
      packInteger(out, ((Number) value).longValue());
    } else if (value instanceof Float || value instanceof Double) {
      packNumber(out, ((Number) value).doubleValue());
    } else if (value instanceof CharSequence s) {
      packString(out, s.toString());
    } else if (value instanceof byte[] bytes) {
      packBin(out, bytes, 0, bytes.length);
    } else if (value instanceof ByteBuffer buffer) {
      ByteBuffer b = buffer.duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      packBin(out, bytes, 0, bytes.length);
    } else if (value instanceof List<?> list) {
      packLength(out, list.size(), 0x90, 0xdc, 0xdd);
      for (Object o : list) {
        pack(out, o, depth + 1);
      }
    } else if (value instanceof Object[] array) {
      packLength(out, array.length, 0x90, 0xdc, 0xdd);
      for (Object o : array) {
        pack(out, o, depth + 1);
      }
    } else if (value instanceof Map<?, ?> map) {
      packLength(out, map.size(), 0x80, 0xde, 0xdf);
      for (Map.Entry<?, ?> e : map.entrySet()) {
        packString(out, String.valueOf(e.getKey()));
        pack(out, e.getValue(), depth + 1);
      }
    } else {
      throw new BinaryPackException("Type \"" + value.getClass().getName() + "\" not yet supported");
    }
  }

  private static void packLength(Out out, int length, int fix, int op16, int op32) {
    if (length <= 0x0f) {
      out.u8(fix + length);
    } else if (length <= 0xffff) {
      out.u8(op16);
      out.u16(length);
    } else {
      out.u8(op32);
      out.u32(length);
    }
  }

  private static void packBin(Out out, byte[] bytes, int off, int len) {
    packLength(out, len, 0xa0, 0xda, 0xdb);
    out.write(bytes, off, len);
  }

  private static void packString(Out out, String s) {
    // By hand: TextEncoder turns lone surrogates into U+FFFD where String.getBytes(UTF_8) writes '?'.
    byte[] utf8 = utf8(s);
    packLength(out, utf8.length, 0xb0, 0xd8, 0xd9);
    out.write(utf8, 0, utf8.length);
  }

  /** UTF-8 as the WHATWG TextEncoder produces it (lone surrogates → U+FFFD). */
  static byte[] utf8(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(s.length() + 8);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0xd800 && cp <= 0xdfff) {
        cp = 0xfffd;
      }
      if (cp < 0x80) {
        b.write(cp);
      } else if (cp < 0x800) {
        b.write(0xc0 | (cp >> 6));
        b.write(0x80 | (cp & 0x3f));
      } else if (cp < 0x10000) {
        b.write(0xe0 | (cp >> 12));
        b.write(0x80 | ((cp >> 6) & 0x3f));
        b.write(0x80 | (cp & 0x3f));
      } else {
        b.write(0xf0 | (cp >> 18));
        b.write(0x80 | ((cp >> 12) & 0x3f));
        b.write(0x80 | ((cp >> 6) & 0x3f));
        b.write(0x80 | (cp & 0x3f));
      }
    }
    return b.toByteArray();
  }

  private static void packNumber(Out out, double num) {
    if (Math.floor(num) == num) { // JS: Math.floor(value) === value (false for NaN, true for ±Infinity)
      if (Double.isInfinite(num) || Math.abs(num) > 0x1p64) {
        throw new BinaryPackException("Invalid integer");
      }
      if (num >= -0x1p63 && num < 0x1p63) {
        packInteger(out, (long) num);
      } else if (num == 0x1p63) { // JS int64 branch (0x7fffffffffffffff rounds to 2^63)
        out.u8(0xd3);
        out.u64(Long.MIN_VALUE);
      } else { // (2^63, 2^64]: JS uint64 branch, bytes via ToInt32 of high and low halves
        out.u8(0xcf);
        out.u32(toInt32(num / 0x1p32));
        out.u32(toInt32(num % 0x1p32));
      }
    } else {
      packDouble(out, num);
    }
  }

  private static void packInteger(Out out, long num) {
    if (num >= -0x20 && num <= 0x7f) {
      out.u8((int) num);
    } else if (num >= 0 && num <= 0xff) {
      out.u8(0xcc);
      out.u8((int) num);
    } else if (num >= -0x80 && num <= 0x7f) {
      out.u8(0xd0);
      out.u8((int) num);
    } else if (num >= 0 && num <= 0xffff) {
      out.u8(0xcd);
      out.u16((int) num);
    } else if (num >= -0x8000 && num <= 0x7fff) {
      out.u8(0xd1);
      out.u16((int) num);
    } else if (num >= 0 && num <= 0xffffffffL) {
      out.u8(0xce);
      out.u32(num);
    } else if (num >= Integer.MIN_VALUE && num <= Integer.MAX_VALUE) {
      out.u8(0xd2);
      out.u32(num);
    } else {
      out.u8(0xd3);
      out.u64(num);
    }
  }

  /** js-binarypack's pack_double, reproduced operation by operation (it derives the exponent from a logarithm). */
  private static void packDouble(Out out, double value) {
    int sign = 0;
    double num = value;
    if (num < 0) {
      sign = 1;
      num = -num;
    }
    double exp = Math.floor(StrictMath.log(num) / 0.6931471805599453); // V8's Math.log is fdlibm, like StrictMath
    double frac0 = num / Math.pow(2, exp) - 1;
    double frac1 = Math.floor(frac0 * 0x1p52);
    int h32 = (sign << 31) | (toInt32(exp + 1023) << 20) | (toInt32(frac1 / 0x1p32) & 0x0fffff);
    int l32 = toInt32(frac1 % 0x1p32);
    out.u8(0xcb);
    out.u32(h32);
    out.u32(l32);
  }

  /** ECMAScript ToInt32. */
  static int toInt32(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return 0;
    }
    double t = d < 0 ? Math.ceil(d) : Math.floor(d);
    double m = t % 0x1p32;
    return (int) (long) m;
  }

  // ---------------------------------------------------------------- decode

  /** Unpacks one value from the start of {@code data} (trailing bytes are ignored, as in JS). */
  public static Object decode(byte[] data) {
    return decode(data, 0, data.length);
  }

  /** Unpacks one value from {@code data[offset, offset+length)}. */
  public static Object decode(byte[] data, int offset, int length) {
    return new Reader(data, offset, offset + length).unpack(0);
  }

  /** Unpacks one value from the remaining bytes of {@code data} (its position is not changed). */
  public static Object decode(ByteBuffer data) {
    ByteBuffer b = data.duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return decode(bytes);
  }

  private static final class Reader {
    private final byte[] data;
    private int index;
    private final int end;

    Reader(byte[] data, int offset, int end) {
      this.data = data;
      this.index = offset;
      this.end = end;
    }

    private void need(long n) {
      if (n < 0 || index + n > end) {
        throw new BinaryPackException("BinaryPackFailure: read index out of range " + index + " " + n + " " + end);
      }
    }

    private int u8() {
      need(1);
      return data[index++] & 0xff;
    }

    private int u16() {
      need(2);
      int v = ((data[index] & 0xff) << 8) | (data[index + 1] & 0xff);
      index += 2;
      return v;
    }

    private long u32() {
      need(4);
      long v = ((long) (data[index] & 0xff) << 24) | ((data[index + 1] & 0xff) << 16)
          | ((data[index + 2] & 0xff) << 8) | (data[index + 3] & 0xff);
      index += 4;
      return v;
    }

    private long u64raw() {
      long hi = u32();
      long lo = u32();
      return (hi << 32) | lo;
    }

    Object unpack(int depth) {
      if (depth > MAX_DEPTH) {
        throw new BinaryPackException("nesting deeper than " + MAX_DEPTH);
      }
      int type = u8();
      if (type < 0x80) {
        return (long) type;
      } else if ((type ^ 0xe0) < 0x20) {
        return (long) ((type ^ 0xe0) - 0x20);
      }
      int size;
      if ((size = type ^ 0xa0) <= 0x0f) {
        return raw(size);
      } else if ((size = type ^ 0xb0) <= 0x0f) {
        return string(size);
      } else if ((size = type ^ 0x90) <= 0x0f) {
        return array(size, depth);
      } else if ((size = type ^ 0x80) <= 0x0f) {
        return map(size, depth);
      }
      switch (type) {
        case 0xc0:
        case 0xc1:
          return null;
        case 0xc2:
          return Boolean.FALSE;
        case 0xc3:
          return Boolean.TRUE;
        case 0xca:
          return float32(u32());
        case 0xcb:
          return float64(u32(), u32());
        case 0xcc:
          return (long) u8();
        case 0xcd:
          return (long) u16();
        case 0xce:
          return u32();
        case 0xcf: {
          long v = u64raw();
          return v >= 0 ? (Object) v : (Object) (Math.scalb((double) (v >>> 1), 1) + (v & 1));
        }
        case 0xd0:
          return (long) (byte) u8();
        case 0xd1:
          return (long) (short) u16();
        case 0xd2:
          return (long) (int) u32();
        case 0xd3:
          return u64raw();
        case 0xd8:
          return string(u16());
        case 0xd9:
          return string(u32());
        case 0xda:
          return raw(u16());
        case 0xdb:
          return raw(u32());
        case 0xdc:
          return array(u16(), depth);
        case 0xdd:
          return array(u32(), depth);
        case 0xde:
          return map(u16(), depth);
        case 0xdf:
          return map(u32(), depth);
        default: // 0xc4–0xc9, 0xd4–0xd7: the JS unpacker returns undefined
          return null;
      }
    }

    private byte[] raw(long size) {
      need(size);
      byte[] out = new byte[(int) size];
      System.arraycopy(data, index, out, 0, (int) size);
      index += (int) size;
      return out;
    }

    /** The JS unpack_string loop (lenient about malformed UTF-8 in the same way). */
    private String string(long size) {
      need(size);
      int n = (int) size;
      int base = index;
      StringBuilder sb = new StringBuilder(n);
      int i = 0;
      while (i < n) {
        int c = at(base, n, i);
        int code;
        if (c < 0xa0) {
          code = c;
          i++;
        } else if ((c ^ 0xc0) < 0x20) {
          code = ((c & 0x1f) << 6) | (at(base, n, i + 1) & 0x3f);
          i += 2;
        } else if ((c ^ 0xe0) < 0x10) {
          code = ((c & 0x0f) << 12) | ((at(base, n, i + 1) & 0x3f) << 6) | (at(base, n, i + 2) & 0x3f);
          i += 3;
        } else {
          code = ((c & 0x07) << 18) | ((at(base, n, i + 1) & 0x3f) << 12) | ((at(base, n, i + 2) & 0x3f) << 6)
              | (at(base, n, i + 3) & 0x3f);
          i += 4;
        }
        if (code > 0x10ffff) { // String.fromCodePoint throws a RangeError
          throw new BinaryPackException("Invalid code point " + code);
        }
        sb.appendCodePoint(code);
      }
      index += n;
      return sb.toString();
    }

    /** bytes[i] of the JS subarray: undefined (→ 0 after masking) past its end. */
    private int at(int base, int n, int i) {
      return i < n ? data[base + i] & 0xff : 0;
    }

    private List<Object> array(long size, int depth) {
      need(size); // every element needs at least one byte
      List<Object> out = new ArrayList<>((int) size);
      for (long i = 0; i < size; i++) {
        out.add(unpack(depth + 1));
      }
      return out;
    }

    private Map<String, Object> map(long size, int depth) {
      need(size * 2);
      Map<String, Object> out = new LinkedHashMap<>();
      for (long i = 0; i < size; i++) {
        String key = jsKey(unpack(depth + 1));
        out.put(key, unpack(depth + 1));
      }
      return out;
    }
  }

  /** JS ToPropertyKey of an unpacked value. */
  private static String jsKey(Object k) {
    if (k instanceof String s) {
      return s;
    } else if (k == null) {
      return "null"; // (undefined would be "undefined"; both decode to null here)
    } else if (k instanceof Double d) {
      return jsNumber(d);
    } else if (k instanceof byte[]) {
      return "[object ArrayBuffer]";
    } else if (k instanceof Map) {
      return "[object Object]";
    } else if (k instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object o : l) {
        parts.add(o == null ? "" : jsKey(o));
      }
      return String.join(",", parts);
    }
    return String.valueOf(k);
  }

  private static String jsNumber(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    return Double.isNaN(d) ? "NaN" : Double.toString(d);
  }

  private static double float32(long uint32) {
    int sign = (int) (uint32 >>> 31);
    int exp = (int) ((uint32 >>> 23) & 0xff) - 127;
    long fraction = (uint32 & 0x7fffff) | 0x800000;
    return (sign == 0 ? 1 : -1) * fraction * Math.pow(2, exp - 23);
  }

  private static double float64(long h32, long l32) {
    int sign = (int) (h32 >>> 31);
    int exp = (int) ((h32 >>> 20) & 0x7ff) - 1023;
    long hfrac = (h32 & 0xfffff) | 0x100000;
    double frac = hfrac * Math.pow(2, exp - 20) + l32 * Math.pow(2, exp - 52);
    return (sign == 0 ? 1 : -1) * frac;
  }
}
