package org.rtc4j.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One unit of bytes between two transport addresses: a UDP datagram, or one complete framed
 * message of a stream transport (TCP, TLS). This is what every sans-IO core receives in
 * {@code handleReceive} and hands out from {@code pollTransmit}.
 *
 * <p>The payload is a view: its position..limit are the bytes. A core that keeps the bytes beyond
 * the call copies them; a driver that receives a datagram from {@code pollTransmit} owns it.
 *
 * @param transport how the bytes travel
 * @param source where the bytes come from (for a transmit: the local address to send from)
 * @param destination where the bytes go (for a receive: the local address they arrived on)
 * @param payload the bytes, from position to limit
 */
public record Datagram(Transport transport, InetSocketAddress source, InetSocketAddress destination, ByteBuffer payload) {

  public Datagram {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(payload, "payload");
  }

  /** A UDP datagram. */
  public static Datagram udp(InetSocketAddress source, InetSocketAddress destination, ByteBuffer payload) {
    return new Datagram(Transport.UDP, source, destination, payload);
  }

  /** A UDP datagram wrapping {@code bytes} (no copy). */
  public static Datagram udp(InetSocketAddress source, InetSocketAddress destination, byte[] bytes) {
    return new Datagram(Transport.UDP, source, destination, ByteBuffer.wrap(bytes));
  }

  /** Number of payload bytes. */
  public int length() {
    return payload.remaining();
  }

  /** A copy of the payload bytes (position..limit), leaving the buffer untouched. */
  public byte[] bytes() {
    byte[] out = new byte[payload.remaining()];
    payload.duplicate().get(out);
    return out;
  }

  @Override
  public String toString() {
    return "Datagram[" + transport + " " + source + " -> " + destination + ", " + payload.remaining() + " bytes]";
  }
}
