package org.rtc4j.ice.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.testkit.sim.Impairment;
import org.rtc4j.testkit.sim.SansIo;
import org.rtc4j.testkit.sim.SimCore;
import org.rtc4j.testkit.sim.SimEndpoint;
import org.rtc4j.testkit.sim.SimHost;
import org.rtc4j.testkit.sim.SimNet;

/**
 * {@link MdnsResolver} against a responder written here. SimNet has no multicast, so the
 * responder is a host that owns the group address 224.0.0.251 and answers from port 5353, as a
 * Chrome responder answers a QU query (unicast, source port 5353).
 */
class MdnsResolverTest {

  static final String NAME = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";
  static final long S = 1_000_000_000L;

  /** A responder for NAME → address, dropping the first {@code ignore} queries. */
  static SimEndpoint responder(SimNet net, String name, InetAddress address, int ignore, List<MdnsMessage> seen) {
    SimHost h = net.host("responder", "224.0.0.251");
    SimEndpoint ep = h.bind(5353);
    int[] count = {0};
    ep.onReceive(d -> {
      try {
        MdnsMessage q = MdnsMessage.parse(d.payload());
        seen.add(q);
        if (count[0]++ < ignore) {
          return;
        }
        for (MdnsQuestion question : q.questions()) {
          if (question.name().equalsIgnoreCase(name) && question.type() == MdnsMessage.TYPE_A) {
            // Some other record first, then the answer in the additional section to exercise both.
            MdnsMessage r = new MdnsMessage(0, MdnsMessage.FLAG_RESPONSE | MdnsMessage.FLAG_AUTHORITATIVE, List.of(),
                List.of(MdnsRecord.address("other.local", InetAddress.getByName("10.9.9.9"), 120, true)), List.of(),
                List.of(MdnsRecord.address(name.toUpperCase(), address, 120, true)));
            ep.send(d.source(), r.encode());
          }
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    return ep;
  }

  @Test
  void resolvesAgainstAResponderOnSimNetEvenWhenTheFirstQueryIsUnanswered() throws Exception {
    SimNet net = new SimNet(7);
    net.defaultImpairment(Impairment.delay(Duration.ofMillis(5)));
    List<MdnsMessage> seen = new ArrayList<>();
    responder(net, NAME, InetAddress.getByName("192.168.7.7"), 1, seen);
    SimHost me = net.host("me", "192.168.7.1");
    MdnsResolver r = new MdnsResolver(new InetSocketAddress(me.address(), 5353), null);
    SimCore<MdnsEvent> c = me.attach(SansIo.of(r::handleReceive, r::handleTimeout, r::pollTransmit, r::pollEvent,
        r::pollTimeout));
    c.bind(5353);
    long t0 = net.clock().nanos();
    r.resolve(t0, NAME);
    net.await(Duration.ofSeconds(5), "resolved", () -> c.hasEvent(e -> e instanceof MdnsEvent.Resolved));
    assertThat(c.events()).containsExactly(new MdnsEvent.Resolved(NAME, InetAddress.getByName("192.168.7.7")));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).questions()).allMatch(MdnsQuestion::unicastResponse);
    assertThat(net.clock().nanos() - t0).isBetween(S, S + 50_000_000L); // the second try, 1 s later
    assertThat(r.cached(net.clock().nanos(), NAME.toUpperCase())).contains(InetAddress.getByName("192.168.7.7"));
    assertThat(r.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    assertThat(r.ignoredCount()).isZero();

    // Cached: answered at once, no query.
    r.resolve(net.clock().nanos(), NAME);
    assertThat(r.pollEvent()).contains(new MdnsEvent.Resolved(NAME, InetAddress.getByName("192.168.7.7")));
    net.runFor(Duration.ofMillis(10));
    assertThat(seen).hasSize(2);
  }

  @Test
  void threeTriesOneSecondApartThenNotFound() {
    InetSocketAddress v4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
    InetSocketAddress v6 = new InetSocketAddress("::1", 5353);
    MdnsResolver r = new MdnsResolver(v4, v6);
    long t = 10 * S;
    r.resolve(t, NAME);
    r.resolve(t, NAME + "."); // the same name: no second query
    List<Datagram> out = drain(r);
    assertThat(out).extracting(Datagram::destination).containsExactly(MdnsResolver.GROUP_V4, MdnsResolver.GROUP_V6);
    assertThat(out).extracting(Datagram::source).containsExactly(v4, v6);
    assertThat(r.pollTimeout()).isEqualTo(t + S);
    r.handleTimeout(t + S - 1);
    assertThat(drain(r)).isEmpty();
    r.handleTimeout(t + S);
    assertThat(drain(r)).hasSize(2);
    r.handleTimeout(t + 2 * S);
    assertThat(drain(r)).hasSize(2);
    assertThat(r.pollEvent()).isEmpty();
    r.handleTimeout(t + 3 * S);
    assertThat(drain(r)).isEmpty();
    assertThat(r.pollEvent()).contains(new MdnsEvent.NotFound(NAME));
    assertThat(r.pollTimeout()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void ttlExpiryGoodbyeWrongPortQueriesAndGarbage() throws Exception {
    InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
    InetSocketAddress responder = new InetSocketAddress(InetAddress.getByName("192.168.1.2"), 5353);
    MdnsResolver r = new MdnsResolver(local, null);
    long t = 0;
    r.resolve(t, NAME);
    drain(r);
    byte[] answer = MdnsMessage.response(List.of(MdnsRecord.address(NAME, InetAddress.getByName("192.168.1.2"), 2, true)))
        .encode();
    // From another port than 5353: ignored (RFC 6762 §6).
    r.handleReceive(t, Datagram.udp(new InetSocketAddress(responder.getAddress(), 5354), local, answer));
    // A query (QR=0) and garbage.
    r.handleReceive(t, Datagram.udp(responder, local, MdnsMessage.query(NAME).encode()));
    r.handleReceive(t, Datagram.udp(responder, local, new byte[] {1, 2, 3}));
    assertThat(r.pollEvent()).isEmpty();
    assertThat(r.ignoredCount()).isEqualTo(2);
    assertThat(r.malformedCount()).isEqualTo(1);

    r.handleReceive(t, Datagram.udp(responder, local, answer));
    assertThat(r.pollEvent()).contains(new MdnsEvent.Resolved(NAME, InetAddress.getByName("192.168.1.2")));
    assertThat(r.cached(t + S, NAME)).isPresent();
    assertThat(r.cached(t + 2 * S, NAME)).isEmpty(); // TTL 2 s

    r.resolve(t + S, NAME);
    assertThat(r.pollEvent()).isPresent(); // from the cache
    byte[] goodbye = MdnsMessage.response(List.of(MdnsRecord.address(NAME, InetAddress.getByName("192.168.1.2"), 0, true)))
        .encode();
    r.handleReceive(t + S, Datagram.udp(responder, local, goodbye));
    assertThat(r.cached(t + S, NAME)).isEmpty();
    assertThatThrownBy(() -> r.resolve(0, "example.com")).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Datagram> drain(MdnsResolver r) {
    List<Datagram> out = new ArrayList<>();
    for (Optional<Datagram> d; (d = r.pollTransmit()).isPresent(); ) {
      out.add(d.get());
    }
    return out;
  }
}
