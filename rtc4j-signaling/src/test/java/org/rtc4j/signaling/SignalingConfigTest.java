package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The builder: each key is served once, with the limits it was given. */
class SignalingConfigTest {

  @Test
  void aTenantKeyGivenTwiceIsAnErrorNotTheLastOneWins() {
    SignalingConfig.Builder b = SignalingConfig.builder().tenant(Tenant.withDefaults("app").withConcurrentLimit(3));
    assertThatThrownBy(() -> b.tenant(Tenant.withDefaults("app").withConcurrentLimit(4)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'app' given twice");
  }

  @Test
  void aTenantWithTheDefaultKeyIsAnErrorNotDropped() {
    assertThatThrownBy(() -> SignalingConfig.builder().tenant(Tenant.withDefaults("peerjs").withConcurrentLimit(3))
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'peerjs' is the default key");
    // also when the default key is set after the tenant
    assertThatThrownBy(() -> SignalingConfig.builder().tenant(Tenant.withDefaults("app")).key("app").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'app' is the default key");
    assertThat(SignalingConfig.builder().key("k1").tenant(Tenant.withDefaults("app")).build().tenants())
        .extracting(Tenant::key).containsExactly("k1", "app");
  }
}
