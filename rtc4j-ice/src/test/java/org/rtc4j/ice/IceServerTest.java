package org.rtc4j.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7064/7065 URL parsing and RFC 8839 credentials. */
class IceServerTest {

  @Test
  void stunDefaults() {
    IceServer s = IceServer.parse("stun:stun.example.org", null, null);
    assertThat(s.scheme()).isEqualTo(IceServer.Scheme.STUN);
    assertThat(s.host()).isEqualTo("stun.example.org");
    assertThat(s.port()).isEqualTo(3478);
    assertThat(s.protocol()).isEqualTo(IceProtocol.UDP);
    assertThat(s.literalAddress()).isEmpty(); // no DNS in the core
  }

  @Test
  void turnWithTransportAndPort() {
    IceServer s = IceServer.parse("turn:192.0.2.1:3479?transport=tcp", "u", "p");
    assertThat(s.scheme()).isEqualTo(IceServer.Scheme.TURN);
    assertThat(s.port()).isEqualTo(3479);
    assertThat(s.protocol()).isEqualTo(IceProtocol.TCP);
    assertThat(s.literalAddress()).contains(new InetSocketAddress("192.0.2.1", 3479));
    assertThat(s.username()).isEqualTo("u");
  }

  @Test
  void turnsDefaultsToTlsPort5349() {
    IceServer s = IceServer.parse("turns:turn.example.org", "u", "p");
    assertThat(s.scheme().isTls()).isTrue();
    assertThat(s.port()).isEqualTo(5349);
    assertThat(s.protocol()).isEqualTo(IceProtocol.TCP);
  }

  @Test
  void ipv6InBrackets() {
    IceServer s = IceServer.parse("turn:[2001:db8::1]:3480?transport=udp", "u", "p");
    assertThat(s.host()).isEqualTo("2001:db8::1");
    assertThat(s.port()).isEqualTo(3480);
    assertThat(s.literalAddress()).isPresent();
    assertThat(IceServer.parse("stun:[::1]", null, null).port()).isEqualTo(3478);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "stun", "http://example.org", "stun://example.org", "stun:", "stun:host:0",
      "stun:host:70000", "stun:host:abc", "stun:2001:db8::1", "stun:[2001:db8::1", "stun:host?transport=udp",
      "turn:host?transport=sctp", "turns:host?transport=udp", "stun:ho st", "turn:[1.2.3.4]"})
  void malformedUrlsAreRefusedWithAReason(String url) {
    assertThatThrownBy(() -> IceServer.parse(url, "u", "p")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("Exception");
  }

  @Test
  void turnNeedsCredentials() {
    assertThatThrownBy(() -> IceServer.parse("turn:192.0.2.1", null, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("username");
  }

  @Test
  void randomCredentialsMeetRfc8839Minimums() {
    IceCredentials c = IceCredentials.random(new SplittableRandom(1));
    assertThat(c.ufrag()).hasSize(8).matches("[A-Za-z0-9+/]+");
    assertThat(c.pwd()).hasSize(24).matches("[A-Za-z0-9+/]+");
    assertThat(c.toString()).doesNotContain(c.pwd()); // SC-14: no secrets in logs
    assertThatThrownBy(() -> new IceCredentials("abc", c.pwd())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IceCredentials("abcd", "short")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("short");
  }
}
