package org.rtc4j.testkit.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import org.rtc4j.net.Datagram;

/** A toy STUN-like server core: answers "WHOAMI" with "YOU ip:port" (the source it saw). Not a real core's interface: adapted with {@link SansIo#of}. */
final class Reflector {
  private final ArrayDeque<Datagram> out = new ArrayDeque<>();
  long answered;

  void handleReceive(long nowNanos, Datagram in) {
    if (new String(in.bytes(), StandardCharsets.US_ASCII).equals("WHOAMI")) {
      String you = "YOU " + in.source().getAddress().getHostAddress() + ":" + in.source().getPort();
      out.add(Datagram.udp(in.destination(), in.source(), you.getBytes(StandardCharsets.US_ASCII)));
      answered++;
    }
  }

  void handleTimeout(long nowNanos) {}

  Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(out.poll());
  }

  Optional<String> pollEvent() {
    return Optional.empty();
  }

  long pollTimeout() {
    return Long.MAX_VALUE;
  }

  SansIo<String> sansIo() {
    return SansIo.of(this::handleReceive, this::handleTimeout, this::pollTransmit, this::pollEvent, this::pollTimeout);
  }
}
