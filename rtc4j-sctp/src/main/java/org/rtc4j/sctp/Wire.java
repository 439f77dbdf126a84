package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/** Bounds-checked reads and padding helpers shared by the codecs. */
final class Wire {
  private Wire() {}

  static int pad4(int n) {
    return (n + 3) & ~3;
  }

  static void need(ByteBuffer b, int n, int base, String what) throws SctpParseException {
    if (b.remaining() < n) {
      throw new SctpParseException(what + ": need " + n + " bytes, have " + b.remaining(), b.position() - base);
    }
  }

  static long u32(ByteBuffer b) {
    return b.getInt() & 0xFFFFFFFFL;
  }

  static int u16(ByteBuffer b) {
    return b.getShort() & 0xFFFF;
  }

  static int u8(ByteBuffer b) {
    return b.get() & 0xFF;
  }

  /** A read-only copy-free view of {@code len} bytes at the current position; advances. */
  static ByteBuffer slice(ByteBuffer b, int len) {
    ByteBuffer s = b.slice();
    s.limit(len);
    b.position(b.position() + len);
    return s.asReadOnlyBuffer();
  }

  static void zeros(ByteBuffer out, int n) {
    for (int i = 0; i < n; i++) {
      out.put((byte) 0);
    }
  }

  static void putBytes(ByteBuffer out, ByteBuffer src) {
    out.put(src.duplicate());
  }

  static ByteBuffer ro(ByteBuffer b) {
    return b == null ? ByteBuffer.allocate(0).asReadOnlyBuffer() : b.asReadOnlyBuffer();
  }
}
