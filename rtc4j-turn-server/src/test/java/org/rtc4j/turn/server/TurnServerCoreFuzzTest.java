package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.StunClass;

/**
 * Fuzzes {@link TurnServerCore#handleReceive} with arbitrary bytes from clients and peers of a
 * server that already holds allocations, permissions and channels: no exception may escape, and
 * the core's books must stay consistent.
 *
 * <p>{@code mvn test} runs the committed seed corpus under
 * {@code src/test/resources/org/rtc4j/turn/server/TurnServerCoreFuzzTestInputs/}; the seeds are
 * valid signed requests for {@link Rig} (same nonce, same key), so mutations reach deep paths.
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=TurnServerCoreFuzzTest} fuzzes.
 */
class TurnServerCoreFuzzTest {

  static final InetSocketAddress PEER = CoreHarness.addr("8.8.8.8", 4000);
  static final InetSocketAddress UNPERMITTED_PEER = CoreHarness.addr("9.9.9.9", 4000);
  static final InetSocketAddress STRANGER = CoreHarness.addr("192.0.2.77", 1);

  /** A server with a UDP and a TCP allocation, each with a permission for PEER and channel 0x4000 to it. */
  static final class Rig {
    final CoreHarness h = new CoreHarness();
    final TestClient udp = h.client("192.0.2.10", 40000);
    final TestClient tcp = h.client(Transport.TCP, CoreHarness.addr("192.0.2.11", 40000), CoreHarness.SERVER, "bob", "bob-password");

    Rig() {
      for (TestClient c : List.of(udp, tcp)) {
        c.allocate();
        assertThat(c.createPermission(PEER).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(c.channelBind(0x4000, PEER).stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      }
    }

    void feed(Datagram in) {
      h.core.handleReceive(h.now, in);
      h.pumpEvents();
      for (Datagram out : h.drain()) {
        assertThat(out.payload().remaining()).isLessThanOrEqualTo(0xFFFF + 4);
        assertThat(out.source()).isNotNull();
      }
      assertThat(h.counters.allocations()).isEqualTo(h.core.allocationCount());
      assertThat(h.shared.allocationCount()).isEqualTo(h.core.allocationCount() + h.shared.reservationCount());
      assertThat(h.counters.permissions()).isNotNegative();
      assertThat(h.counters.channels()).isNotNegative();
    }

    void fromClient(TestClient c, byte[] bytes) {
      feed(new Datagram(c.transport, c.address, c.server, ByteBuffer.wrap(bytes)));
    }

    void fromPeer(InetSocketAddress peer, InetSocketAddress relay, byte[] bytes) {
      feed(Datagram.udp(peer, relay, bytes));
    }
  }

  /** The signed seeds must still authenticate against the rig, or the corpus only reaches the 401/438 paths. */
  @Test
  void signedSeedsStillAuthenticate() throws Exception {
    Rig r = new Rig();
    for (String seed : List.of("create-permission", "channel-bind", "refresh")) {
      byte[] bytes = getClass().getResourceAsStream("TurnServerCoreFuzzTestInputs/anyBytesFromEverySender/" + seed).readAllBytes();
      List<Datagram> out = r.udp.sendRawToMe(bytes);
      assertThat(CoreHarness.single(out).stunClass())
          .as("seed %s (regenerate with FuzzSeedWriter after changing nonces or the rig)", seed)
          .isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
  }

  /** The same bytes from every kind of sender: the UDP client, the TCP client, a stranger, permitted and unpermitted peers. */
  @FuzzTest(maxDuration = "5m")
  void anyBytesFromEverySender(byte[] input) {
    Rig r = new Rig();
    r.fromClient(r.udp, input);
    r.fromClient(r.tcp, input);
    r.feed(Datagram.udp(STRANGER, CoreHarness.SERVER, input));
    r.fromPeer(PEER, r.udp.relay, input);
    r.fromPeer(UNPERMITTED_PEER, r.tcp.relay, input);
    // Read-only direct buffers, as a driver may pass them, must work as well.
    ByteBuffer direct = ByteBuffer.allocateDirect(input.length + 3).put(new byte[3]).put(input).flip();
    direct.position(3);
    r.feed(new Datagram(Transport.UDP, r.udp.address, r.udp.server, direct.asReadOnlyBuffer()));
  }

  /** A sequence of inputs from chosen senders with time passing in between. */
  @FuzzTest(maxDuration = "5m")
  void sequences(FuzzedDataProvider data) {
    Rig r = new Rig();
    for (int step = 0; step < 24 && data.remainingBytes() > 0; step++) {
      int kind = data.consumeInt(0, 5);
      if (kind == 5) {
        r.h.advanceSeconds(data.consumeInt(0, 700));
        continue;
      }
      byte[] bytes = data.consumeBytes(data.consumeInt(0, 600));
      switch (kind) {
        case 0 -> r.fromClient(r.udp, bytes);
        case 1 -> r.fromClient(r.tcp, bytes);
        case 2 -> r.fromPeer(PEER, r.udp.relay, bytes);
        case 3 -> r.fromPeer(PEER, r.tcp.relay, bytes);
        default -> r.feed(Datagram.udp(STRANGER, CoreHarness.SERVER, bytes));
      }
    }
    r.h.advanceSeconds(4000);
    assertThat(r.h.core.allocationCount()).isZero();
    assertThat(r.h.counters.permissions()).isZero();
    assertThat(r.h.counters.channels()).isZero();
  }
}
