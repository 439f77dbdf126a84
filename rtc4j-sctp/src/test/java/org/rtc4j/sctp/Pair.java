package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Two associations on a {@link Link}, with their events collected. */
final class Pair {
  final SctpAssociation a;
  final SctpAssociation b;
  final Link link;
  final List<SctpEvent> eventsA = new ArrayList<>();
  final List<SctpEvent> eventsB = new ArrayList<>();
  boolean readA = true;
  boolean readB = true;

  Pair(SctpConfig ca, SctpConfig cb, long seed) {
    a = new SctpAssociation(ca, new Random(seed * 31 + 1));
    b = new SctpAssociation(cb, new Random(seed * 31 + 2));
    link = new Link(Link.of(a), Link.of(b), seed);
    link.onStep = this::poll;
  }

  Pair(long seed) {
    this(SctpConfig.defaults(), SctpConfig.defaults(), seed);
  }

  void poll() {
    Optional<SctpEvent> e;
    if (readA) {
      while ((e = a.pollEvent()).isPresent()) {
        eventsA.add(e.get());
      }
    }
    if (readB) {
      while ((e = b.pollEvent()).isPresent()) {
        eventsB.add(e.get());
      }
    }
  }

  void connect() {
    a.connect(link.now);
    link.runUntil(() -> a.state() == SctpState.ESTABLISHED && b.state() == SctpState.ESTABLISHED, 60_000);
    poll();
  }

  static List<SctpEvent.Message> messages(List<SctpEvent> events) {
    List<SctpEvent.Message> out = new ArrayList<>();
    for (SctpEvent e : events) {
      if (e instanceof SctpEvent.Message m) {
        out.add(m);
      }
    }
    return out;
  }

  static ByteBuffer bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }
}
