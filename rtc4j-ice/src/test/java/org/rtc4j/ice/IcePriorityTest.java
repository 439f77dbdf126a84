package org.rtc4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.sdp.IcePriority;
import org.rtc4j.stun.Priority;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.testkit.MiniJson;

/** RFC 8445 §5.1.2 and §6.1.2.3 priorities against {@code ice/rfc8445-priority.json}, and the agent's use of them. */
class IcePriorityTest {

  private static final String JSON = StunVectors.resource("rfc8445-priority.json");

  @Test
  void candidatePriorityVectors() {
    List<Object> cases = MiniJson.arr(MiniJson.obj(MiniJson.parse(JSON)).get("candidate_examples"));
    assertThat(cases).hasSizeGreaterThan(5);
    for (Object o : cases) {
      Map<String, Object> c = MiniJson.obj(o);
      long expected = ((Number) c.get("priority")).longValue();
      long p = IcePriority.candidate(((Number) c.get("type_preference")).intValue(),
          ((Number) c.get("local_preference")).intValue(), ((Number) c.get("component_id")).intValue());
      assertThat(p).as((String) c.get("name")).isEqualTo(expected);
    }
  }

  @Test
  void pairPriorityVectors() {
    // Parsed from the text: 64-bit values do not survive a double.
    Matcher m = Pattern.compile("\"G\":\\s*(\\d+),\\s*\"D\":\\s*(\\d+),\\s*\"pair_priority\":\\s*(\\d+)").matcher(JSON);
    int n = 0;
    while (m.find()) {
      long g = Long.parseLong(m.group(1));
      long d = Long.parseLong(m.group(2));
      long expected = Long.parseUnsignedLong(m.group(3));
      assertThat(IcePriority.pair(g, d)).isEqualTo(expected);
      n++;
    }
    assertThat(n).isEqualTo(3);
  }

  @Test
  void agentUsesRecommendedPreferencesAndPairFormula() throws Exception {
    InetSocketAddress host = new InetSocketAddress(InetAddress.getByName("30.0.0.1"), 5000);
    IceAgent a = new IceAgent(IceConfig.builder().role(IceRole.CONTROLLING).tieBreaker(1)
        .localCredentials(IceCredentials.random(new SplittableRandom(1))).hostAddresses(List.of(host)).build(),
        new SplittableRandom(2));
    long now = 1;
    a.startGathering(now);
    a.setRemoteCredentials(now, IceCredentials.random(new SplittableRandom(3)));
    // rfc-recommended-host-component1
    assertThat(a.localCandidates()).singleElement().extracting(IceCandidate::priority).isEqualTo(2130706431L);
    // controlling-host-vs-controlled-srflx: the remote srflx has rfc-recommended-srflx priority.
    a.addRemoteCandidate(now, new IceCandidate("9", 1, IceCandidate.Transport.UDP, 1694498815L, "30.0.0.2", 7000,
        IceCandidate.Type.SRFLX, "10.0.0.2", 7000, null, List.of()));
    assertThat(a.stats().pairs()).singleElement().extracting(p -> p.pair().priority()).isEqualTo(7277816997797167103L);
    a.handleTimeout(now + 30_000_000L);
    Optional<Datagram> check = a.pollTransmit();
    while (check.isPresent() && check.get().destination().getPort() != 7000) {
      check = a.pollTransmit();
    }
    // The check's PRIORITY is the prflx priority with the same local preference (RFC 8445 §7.1.1): rfc-recommended-prflx.
    assertThat(StunMessage.parse(check.orElseThrow().bytes()).attribute(Priority.class).orElseThrow().priority())
        .isEqualTo(1862270975L);
    // A controlled agent computes the same pair from the other side (G is the remote's).
    a.setRole(IceRole.CONTROLLED);
    assertThat(a.stats().pairs().get(0).pair().priority()).isEqualTo(IcePriority.pair(1694498815L, 2130706431L));
  }
}
