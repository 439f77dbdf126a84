package org.rtc4j.sctp;

import java.nio.ByteBuffer;

/**
 * A chunk type this module does not implement (I-DATA, ASCONF, AUTH, PAD, ...). The two high
 * bits of the type say what the receiver does (RFC 9260 §3.2): 00 stop and discard the packet,
 * 01 stop, discard and report, 10 skip, 11 skip and report.
 */
public record UnknownChunk(int type, int flags, ByteBuffer value) implements Chunk {
  public UnknownChunk {
    value = Wire.ro(value);
  }

  @Override
  public int length() {
    return 4 + value.remaining();
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    Wire.putBytes(out, value);
  }
}
