package org.rtc4j.testkit.sim;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.rtc4j.net.Datagram;

/**
 * A toy sans-IO hole-puncher, shaped like an ICE agent: learns its mapped address from a
 * {@link Reflector}, pings the remote candidates it is given (and any address a ping came from, as
 * ICE learns peer-reflexive candidates), answers pings with pongs, and is connected on the first pong.
 */
final class Puncher implements SansIo<Puncher.Event> {

  sealed interface Event permits Mapped, Connected {}

  record Mapped(InetSocketAddress address) implements Event {}

  record Connected(InetSocketAddress remote) implements Event {}

  static final long INTERVAL = 50_000_000L;

  private final InetSocketAddress local;
  private final InetSocketAddress reflector;
  private final Set<InetSocketAddress> remotes = new LinkedHashSet<>();
  private final ArrayDeque<Datagram> out = new ArrayDeque<>();
  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private InetSocketAddress mapped;
  private boolean connected;
  private long next;

  Puncher(long nowNanos, InetSocketAddress local, InetSocketAddress reflector) {
    this.local = local;
    this.reflector = reflector;
    this.next = nowNanos;
  }

  void addRemote(InetSocketAddress remote) {
    remotes.add(remote);
  }

  @Override
  public void handleReceive(long nowNanos, Datagram in) {
    String msg = new String(in.bytes(), StandardCharsets.US_ASCII);
    if (msg.startsWith("YOU ") && mapped == null) {
      String[] hp = msg.substring(4).split(":");
      mapped = SimNet.addr(hp[0], Integer.parseInt(hp[1]));
      events.add(new Mapped(mapped));
    } else if (msg.equals("PING")) {
      send(in.source(), "PONG");
      remotes.add(in.source());
    } else if (msg.equals("PONG") && !connected) {
      connected = true;
      events.add(new Connected(in.source()));
    }
  }

  @Override
  public void handleTimeout(long nowNanos) {
    if (nowNanos < next) {
      return;
    }
    if (mapped == null) {
      send(reflector, "WHOAMI");
    }
    if (!connected) {
      for (InetSocketAddress r : remotes) {
        send(r, "PING");
      }
    }
    next = nowNanos + INTERVAL;
  }

  private void send(InetSocketAddress to, String text) {
    out.add(Datagram.udp(local, to, text.getBytes(StandardCharsets.US_ASCII)));
  }

  @Override
  public Optional<Datagram> pollTransmit() {
    return Optional.ofNullable(out.poll());
  }

  @Override
  public Optional<Event> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  @Override
  public long pollTimeout() {
    return mapped != null && connected ? Long.MAX_VALUE : next;
  }
}
