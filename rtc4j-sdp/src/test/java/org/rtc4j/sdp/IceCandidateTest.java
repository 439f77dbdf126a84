package org.rtc4j.sdp;

import org.rtc4j.testkit.MiniJson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trust test BI-16 and the RFC 8839 §5.1 grammar. */
class IceCandidateTest {

  static List<Map<String, Object>> examples() {
    return MiniJson.arr(Vectors.json("ice/rfc8445-priority.json").get("candidate_examples"))
        .stream().map(MiniJson::obj).toList();
  }

  static long num(Object o) {
    return ((Number) o).longValue();
  }

  @Test
  void everyRealCandidateParsesToItsListedPriorityAndTheFormulaReproducesIt() throws Exception {
    int lines = 0;
    for (Map<String, Object> ex : examples()) {
      long priority = num(ex.get("priority"));
      long formula = IcePriority.candidate((int) num(ex.get("type_preference")),
          (int) num(ex.get("local_preference")), (int) num(ex.get("component_id")));
      assertThat(formula).as((String) ex.get("name")).isEqualTo(priority);
      Object line = ex.get("candidate_line");
      if (line != null) {
        lines++;
        IceCandidate c = IceCandidate.parse((String) line);
        assertThat(c.priority()).as((String) ex.get("name")).isEqualTo(priority);
        assertThat(c.typePreference()).isEqualTo((int) num(ex.get("type_preference")));
        assertThat(c.localPreference()).isEqualTo((int) num(ex.get("local_preference")));
        assertThat(c.component()).isEqualTo((int) num(ex.get("component_id")));
        assertThat(IcePriority.candidate(c.typePreference(), c.localPreference(), c.component()))
            .isEqualTo(c.priority());
        // Writing and re-reading gives the same candidate.
        assertThat(IceCandidate.parse(c.toCandidateLine())).isEqualTo(c);
      }
    }
    assertThat(lines).isEqualTo(6);
  }

  @Test
  void pairPriorityExamples() {
    // Read the 64-bit values from the text: MiniJson gives doubles, which lose the low bits.
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "\"G\":\\s*(\\d+),\\s*\"D\":\\s*(\\d+),\\s*\"pair_priority\":\\s*(\\d+)")
        .matcher(Vectors.text("ice/rfc8445-priority.json"));
    int n = 0;
    while (m.find()) {
      n++;
      long expected = Long.parseUnsignedLong(m.group(3));
      assertThat(IcePriority.pair(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))))
          .isEqualTo(expected);
    }
    assertThat(n).isEqualTo(3);
  }

  @Test
  void recommendedTypePreferences() {
    assertThat(IcePriority.candidate(IceCandidate.Type.HOST.recommendedPreference(), 65535, 1))
        .isEqualTo(2130706431L);
    assertThat(IcePriority.candidate(IceCandidate.Type.RELAY.recommendedPreference(), 65535, 1))
        .isEqualTo(16777215L);
    assertThat(IcePriority.componentId(2130706430L)).isEqualTo(2);
    assertThatThrownBy(() -> IcePriority.candidate(127, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IcePriority.candidate(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fieldsOfAServerReflexiveCandidate() throws Exception {
    IceCandidate c = IceCandidate.parse("a=candidate:842163049 1 udp 1677729535 186.50.9.10 52200 "
        + "typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999");
    assertThat(c.foundation()).isEqualTo("842163049");
    assertThat(c.type()).isEqualTo(IceCandidate.Type.SRFLX);
    assertThat(c.relatedAddress()).isEqualTo("0.0.0.0");
    assertThat(c.relatedPort()).isZero();
    assertThat(c.extensions()).containsExactly(new IceCandidate.Extension("generation", "0"),
        new IceCandidate.Extension("network-cost", "999"));
    assertThat(c.toValue()).isEqualTo("842163049 1 udp 1677729535 186.50.9.10 52200 typ srflx "
        + "raddr 0.0.0.0 rport 0 generation 0 network-cost 999");
  }

  @Test
  void mdnsIpv6RelayAndTcp() throws Exception {
    IceCandidate m = IceCandidate.parse("candidate:1560499547 1 udp 2113937151 "
        + "2cf0b2c0-0842-4fe3-aaa0-4556a2dfbadc.local 33192 typ host generation 0 ufrag abcd");
    assertThat(m.isMdns()).isTrue();
    assertThat(m.extension("ufrag")).isEqualTo("abcd");
    IceCandidate v6 = IceCandidate.parse("candidate:1 1 UDP 2122252543 ::1 44087 typ host");
    assertThat(v6.address()).isEqualTo("::1");
    IceCandidate v4in6 = IceCandidate.parse("candidate:1 1 UDP 2122252543 ::ffff:10.0.0.1 44087 typ host");
    assertThat(v4in6.address()).isEqualTo("::ffff:10.0.0.1");
    IceCandidate relay = IceCandidate.parse("candidate:9 2 udp 16777214 203.0.113.5 3478 typ relay "
        + "raddr 198.51.100.7 rport 61000");
    assertThat(relay.component()).isEqualTo(2);
    assertThat(relay.type()).isEqualTo(IceCandidate.Type.RELAY);
    IceCandidate so = IceCandidate.parse("candidate:3 1 TCP 1 10.0.0.1 9 typ prflx tcptype so");
    assertThat(so.tcpType()).isEqualTo("so");
    assertThat(so.transport()).isEqualTo(IceCandidate.Transport.TCP);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "candidate:",
      "candidate:1 1 udp 0 10.0.0.1 5000 typ host",                 // priority 0
      "candidate:1 1 udp 2147483648 10.0.0.1 5000 typ host",        // 2^31
      "candidate:1 1 udp 18446744073709551616 10.0.0.1 5000 typ host",
      "candidate:1 257 udp 1 10.0.0.1 5000 typ host",                // component
      "candidate:1 1 sctp 1 10.0.0.1 5000 typ host",                 // transport
      "candidate:1 1 udp 1 10.0.0.256 5000 typ host",
      "candidate:1 1 udp 1 1:2:3:4:5:6:7:8:9 5000 typ host",
      "candidate:1 1 udp 1 fe80::1%eth0 5000 typ host",
      "candidate:1 1 udp 1 example.com 5000 typ host",               // would need DNS
      "candidate:1 1 udp 1 .local 5000 typ host",
      "candidate:1 1 udp 1 10.0.0.1 -1 typ host",
      "candidate:1 1 udp 1 10.0.0.1 5000 type host",
      "candidate:1 1 udp 1 10.0.0.1 5000 typ host generation",        // odd extension
      "candidate:1 1 udp 1 10.0.0.1 5000 typ host tcptype active",    // tcptype on UDP
      "candidate:1 1 tcp 1 10.0.0.1 5000 typ host tcptype sideways",
      "candidate:1  1 udp 1 10.0.0.1 5000 typ host",                 // double space
      "candidate:f\u00f6o 1 udp 1 10.0.0.1 5000 typ host",            // not an ice-char
      "candidate:123456789012345678901234567890123 1 udp 1 10.0.0.1 5000 typ host",
      "candidate:1 1 udp 1 10.0.0.1 5000 typ srflx raddr nope rport 1",
      "candidate:1 1 udp 1 10.0.0.1 5000 typ host rport 1 raddr 10.0.0.2",
  })
  void rejected(String line) {
    SdpParseException e = catchThrowableOfType(SdpParseException.class, () -> IceCandidate.parse(line));
    assertThat(e).as(line).isNotNull();
    assertThat(e.reason()).isNotBlank();
    assertThat(e.line()).isEqualTo(line);
  }

  @Test
  void tooManyExtensionsAreRefused() {
    StringBuilder sb = new StringBuilder("candidate:1 1 udp 1 10.0.0.1 5000 typ host");
    for (int i = 0; i < 33; i++) {
      sb.append(" x").append(i).append(" 1");
    }
    assertThatThrownBy(() -> IceCandidate.parse(sb.toString())).isInstanceOf(SdpParseException.class)
        .hasMessageContaining("extensions");
  }
}
