package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rtc4j.stun.LongTermCredentials;

class TurnServerConfigTest {

  @Test
  void defaults() {
    TurnServerConfig c = TurnServerConfig.builder().build();
    assertThat(c.realm()).isEqualTo("rtc4j");
    assertThat(c.software()).isEqualTo("rtc4j");
    assertThat(c.userNames()).isEmpty();
    assertThat(c.authSecret()).isEmpty();
    assertThat(c.userQuota()).isZero();
    assertThat(c.totalQuota()).isZero();
    assertThat(c.maxBps()).isZero();
    assertThat(c.defaultLifetimeSeconds()).isEqualTo(600);
    assertThat(c.maxLifetimeSeconds()).isEqualTo(3600);
    assertThat(c.permissionLifetimeSeconds()).isEqualTo(300);
    assertThat(c.channelLifetimeSeconds()).isEqualTo(600);
    assertThat(c.nonceLifetimeSeconds()).isEqualTo(600);
    assertThat(c.maxPermissionsPerAllocation()).isEqualTo(1024);
    assertThat(c.allowAnonymousBinding()).isTrue();
    assertThat(c.secureStun()).isFalse();
    assertThat(c.maxChannelNumber()).isEqualTo(0x4FFF);
    assertThat(c.peerPolicy().allowLoopback()).isFalse();
    long epoch = c.epochSecondsAt().applyAsLong(System.nanoTime());
    assertThat(Math.abs(epoch - System.currentTimeMillis() / 1000)).isLessThanOrEqualTo(2);
  }

  @Test
  void passwordsAreSaslPreparedIntoKeys() {
    // RFC 5769 §2.4: "The<U+00AD>M<U+00AA>tr<U+2168>" prepares to "TheMatrIX".
    String user = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    TurnServerConfig c = TurnServerConfig.builder().realm("example.org").users(Map.of(user, "The\u00adM\u00aatr\u2168")).build();
    assertThat(c.userKey(user)).isEqualTo(LongTermCredentials.md5Key(user, "example.org", "TheMatrIX"));
    assertThatThrownBy(() -> TurnServerConfig.builder().user("u", "bad\u0007password").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("bad")
        .hasNoCause();
  }

  @Test
  void withPeerPolicyKeepsEverythingElse() {
    TurnServerConfig c = TurnServerConfig.builder().user("alice", "pw").authSecret("s").userQuota(3).realm("r").build();
    PeerAddressPolicy p = c.peerPolicy().toBuilder().serverAddress(CoreHarness.ip("8.8.4.4")).build();
    TurnServerConfig d = c.withPeerPolicy(p);
    assertThat(d.peerPolicy()).isSameAs(p);
    assertThat(d.userKey("alice")).isEqualTo(c.userKey("alice"));
    assertThat(d.authSecret()).contains("s");
    assertThat(d.userQuota()).isEqualTo(3);
    assertThat(d.realm()).isEqualTo("r");
    assertThat(d.peerPolicy().permits(CoreHarness.ip("8.8.4.4"))).isFalse();
  }

  @Test
  void validation() {
    assertThatThrownBy(() -> TurnServerConfig.builder().realm("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TurnServerConfig.builder().userQuota(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TurnServerConfig.builder().defaultLifetimeSeconds(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TurnServerConfig.builder().maxLifetimeSeconds(100).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TurnServerConfig.builder().authSecret("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TurnSharedState(TurnServerConfig.builder().build(), new byte[8])).isInstanceOf(IllegalArgumentException.class);
  }
}
