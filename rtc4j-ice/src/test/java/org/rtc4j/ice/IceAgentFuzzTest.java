package org.rtc4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.stun.ShortTermCredentials;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.XorMappedAddress;

/**
 * Feeds arbitrary datagrams to a connected {@link IceAgent}: from the peer, from strangers, from
 * the STUN server, over TCP, and (when the bytes parse as STUN) re-signed with the right
 * credentials so the authenticated paths are reached too. Nothing may throw; the agent keeps its
 * invariants (it transmits only from its host socket, application data only to its selected pair,
 * its timeout never lies in the past after handleTimeout, and no internal error is counted).
 * {@code mvn test} runs the seeds in
 * {@code src/test/resources/org/rtc4j/ice/IceAgentFuzzTestInputs/datagrams/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=IceAgentFuzzTest} fuzzes.
 */
class IceAgentFuzzTest {

  private static final IceCredentials LOCAL = new IceCredentials("evtj", "VOkJxbRl1RmTxUk/WvJxBt");
  private static final IceCredentials REMOTE = new IceCredentials("h6vY", "remotePasswordRemotePassword");
  private static final InetSocketAddress HOST = addr("30.0.0.1", 5000);
  private static final InetSocketAddress PEER = addr("30.0.0.9", 4000);
  private static final InetSocketAddress STRANGER = addr("30.0.0.66", 4444);
  private static final InetSocketAddress SERVER = addr("20.0.0.1", 3478);

  private static InetSocketAddress addr(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A controlling agent connected to PEER (its first check answered). */
  private static IceAgent connected(long now) throws StunParseException {
    IceAgent a = new IceAgent(IceConfig.builder().role(IceRole.CONTROLLING).tieBreaker(5).localCredentials(LOCAL)
        .hostAddresses(List.of(HOST)).servers(List.of(IceServer.parse("stun:20.0.0.1:3478", null, null))).build(),
        new SplittableRandom(1));
    a.startGathering(now);
    a.setRemoteCredentials(now, REMOTE);
    a.addRemoteCandidate(now, new IceCandidate("1", 1, IceCandidate.Transport.UDP, 2130706431L, "30.0.0.9", 4000,
        IceCandidate.Type.HOST, null, -1, null, List.of()));
    a.handleTimeout(now + 30_000_000L);
    Optional<Datagram> d;
    while ((d = a.pollTransmit()).isPresent()) {
      if (d.get().destination().equals(PEER)) {
        StunMessage check = StunMessage.parse(d.get().bytes());
        a.handleReceive(now + 40_000_000L, Datagram.udp(PEER, HOST,
            StunMessage.builder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, check.transactionId())
                .add(new XorMappedAddress(HOST)).encode(ShortTermCredentials.key(REMOTE.pwd()), true)));
      }
    }
    while (a.pollEvent().isPresent()) {
      // drain
    }
    return a;
  }

  @FuzzTest(maxDuration = "2m")
  void datagrams(byte[] input) throws Exception {
    long now = 1_000_000_000L;
    IceAgent a = connected(now);
    assertThat(a.selectedPair()).isPresent();
    int chunk = Math.max(1, input.length / 3);
    for (int off = 0, i = 0; off < input.length || i == 0; off += chunk, i++) {
      byte[] part = Arrays.copyOfRange(input, Math.min(off, input.length), Math.min(off + chunk, input.length));
      now += 7_000_000L;
      InetSocketAddress from = switch (i % 4) {
        case 0 -> PEER;
        case 1 -> STRANGER;
        case 2 -> SERVER;
        default -> PEER;
      };
      Transport t = i % 5 == 4 ? Transport.TCP : Transport.UDP;
      a.handleReceive(now, new Datagram(t, from, HOST, ByteBuffer.wrap(part)));
      // Reach the authenticated paths: the same bytes re-signed with the right key, if they parse.
      try {
        StunMessage m = StunMessage.parse(part);
        String key = m.stunClass() == StunClass.REQUEST ? LOCAL.pwd() : REMOTE.pwd();
        byte[] signed = m.toBuilder().encode(ShortTermCredentials.key(key), true);
        a.handleReceive(now, Datagram.udp(PEER, HOST, signed));
      } catch (StunParseException | RuntimeException notStun) {
        // not STUN, or not re-encodable: the raw bytes were enough
      }
      if (off >= input.length) {
        break;
      }
    }
    for (int k = 0; k < 5; k++) {
      a.send(now, ByteBuffer.wrap(new byte[] {(byte) 0x80, 1, 2}));
      long t = a.pollTimeout();
      now = Math.max(now + 1, Math.min(t, now + 3_000_000_000L));
      a.handleTimeout(now);
      assertThat(a.pollTimeout()).as("a timeout after handleTimeout is in the future").isGreaterThan(now);
      Optional<Datagram> d;
      while ((d = a.pollTransmit()).isPresent()) {
        Datagram out = d.get();
        assertThat(out.source()).isEqualTo(HOST);
        if (IceSim.isApplication(out)) {
          assertThat(out.destination()).isEqualTo(a.selectedPair().orElseThrow().remoteAddress());
        }
      }
      while (a.pollEvent().isPresent()) {
        // drain
      }
    }
    assertThat(a.internalErrors()).isZero();
    assertThat(a.state()).isNotEqualTo(IceConnectionState.NEW);
    IceStats s = a.stats();
    assertThat(s.dropped()).isNotNegative();
  }
}
