package org.rtc4j.webrtc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One received data-channel message (W3C {@code MessageEvent.data}): text (PPID 51/56, a JavaScript
 * string) or binary (PPID 53/57, an ArrayBuffer), RFC 8831 §6.6.
 */
public final class DataChannelMessage {
  private final ByteBuffer data;
  private final boolean text;

  DataChannelMessage(ByteBuffer data, boolean text) {
    this.data = data.asReadOnlyBuffer();
    this.text = text;
  }

  /** Whether the peer sent a string. */
  public boolean isText() {
    return text;
  }

  /** Whether the peer sent binary data. */
  public boolean isBinary() {
    return !text;
  }

  /** The message as a string (UTF-8 decoding of the bytes). */
  public String text() {
    return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
  }

  /** The bytes, read-only (position..limit). */
  public ByteBuffer data() {
    return data.duplicate();
  }

  /** A copy of the bytes. */
  public byte[] bytes() {
    byte[] b = new byte[data.remaining()];
    data.duplicate().get(b);
    return b;
  }

  /** Size in bytes. */
  public int size() {
    return data.remaining();
  }

  @Override
  public String toString() {
    return "DataChannelMessage[" + (text ? "text" : "binary") + ", " + data.remaining() + " bytes]";
  }
}
