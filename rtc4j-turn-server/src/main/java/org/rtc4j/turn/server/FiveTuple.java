package org.rtc4j.turn.server;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.rtc4j.net.Transport;

/**
 * The 5-tuple that identifies a TURN allocation (RFC 8656 §2, §3.1): the client's transport
 * address, the server transport address it sent to, and the transport protocol between them.
 *
 * @param transport UDP, TCP or TLS between client and server
 * @param client the client's address as the server sees it (after NATs)
 * @param server the server's listening address the client used
 */
public record FiveTuple(Transport transport, InetSocketAddress client, InetSocketAddress server) {

  public FiveTuple {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(server, "server");
  }

  @Override
  public String toString() {
    return transport + " " + client + " -> " + server;
  }
}
