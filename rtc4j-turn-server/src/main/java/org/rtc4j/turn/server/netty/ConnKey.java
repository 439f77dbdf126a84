package org.rtc4j.turn.server.netty;

import java.net.InetSocketAddress;

/** A TCP or TLS connection as the core names it: (server's local address, client's address). */
record ConnKey(InetSocketAddress local, InetSocketAddress remote) {
}
