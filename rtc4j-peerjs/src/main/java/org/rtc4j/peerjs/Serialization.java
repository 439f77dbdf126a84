package org.rtc4j.peerjs;

/** peerjs DataConnection serializations (the wire names go in the OFFER payload). */
public enum Serialization {
  /** BinaryPack, messages over 16300 bytes chunked; also what peerjs's "binary-utf8" and "default" use. */
  BINARY("binary"),
  /** JSON text as UTF-8 bytes in binary frames; at most 16299 bytes per message. */
  JSON("json"),
  /** Strings as text frames, byte[]/ByteBuffer as binary frames, nothing added. */
  RAW("raw");

  private final String wire;

  Serialization(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  static Serialization fromWire(String s) {
    return switch (s) {
      case "binary", "binary-utf8", "default" -> BINARY;
      case "json" -> JSON;
      case "raw", "none" -> RAW;
      default -> null;
    };
  }
}
