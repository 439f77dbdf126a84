package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.net.Datagram;
import org.rtc4j.testkit.ThreadLeakCheck;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DtlsEngineTest {

  @ParameterizedTest(name = "server started first: {0}")
  @ValueSource(booleans = {true, false})
  void handshakeExportsIdenticalKeysAndCarriesData(boolean serverFirst) {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    try (EnginePair p = EnginePair.options().build()) {
      p.start(serverFirst);
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete))
          .as("handshake: client %s server %s", p.clientEvents, p.serverEvents).isTrue();
      var c = EnginePair.first(p.clientEvents, DtlsEvent.HandshakeComplete.class);
      var s = EnginePair.first(p.serverEvents, DtlsEvent.HandshakeComplete.class);
      assertThat(c.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM).isEqualTo(s.profile());
      assertThat(c.keyingMaterial()).hasSize(SrtpProfile.AEAD_AES_128_GCM.keyingMaterialLength())
          .isEqualTo(s.keyingMaterial());
      assertThat(c.peerFingerprint()).isEqualTo(p.serverCert.fingerprint("sha-256"));
      assertThat(s.peerFingerprint()).isEqualTo(p.clientCert.fingerprint("sha-256"));
      assertThat(c.localIsClient()).isTrue();
      assertThat(s.localIsClient()).isFalse();
      assertThat(p.client.isConnected()).isTrue();
      // the handshake thread hands over and ends: no thread per connection afterwards
      assertThat(p.pumpUntil(Duration.ofSeconds(5),
          () -> !p.client.handshakeThreadAlive() && !p.server.handshakeThreadAlive())).isTrue();

      p.client.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
      p.server.send(ByteBuffer.wrap("pong".getBytes(StandardCharsets.UTF_8)));
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.has(p.clientEvents, DtlsEvent.ApplicationData.class)
          && EnginePair.has(p.serverEvents, DtlsEvent.ApplicationData.class))).isTrue();
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.ApplicationData.class).data()).asString(StandardCharsets.UTF_8)
          .isEqualTo("ping");
      assertThat(EnginePair.first(p.clientEvents, DtlsEvent.ApplicationData.class).data()).asString(StandardCharsets.UTF_8)
          .isEqualTo("pong");
      assertThat(p.client.maxApplicationDataSize()).isBetween(1100, 1200);

      p.client.close();
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.terminal(p.serverEvents))).isTrue();
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.Closed.class).reason()).contains("close_notify");
      assertThatThrownBy(() -> p.client.send(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }

  @ParameterizedTest(name = "mismatch checked by the {0}")
  @ValueSource(strings = {"client", "server"})
  void fingerprintMismatchFailsBothSidesAndExportsNothing(String checker) {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    Fingerprint wrong = DtlsCertificate.generate().fingerprint("sha-256");
    EnginePair.Options o = EnginePair.options();
    if (checker.equals("client")) {
      o.clientExpects = wrong;
    } else {
      o.serverExpects = wrong;
    }
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10),
          () -> EnginePair.terminal(p.clientEvents) && EnginePair.terminal(p.serverEvents)))
          .as("client %s server %s", p.clientEvents, p.serverEvents).isTrue();
      assertThat(EnginePair.has(p.clientEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
      assertThat(EnginePair.has(p.serverEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
      var local = checker.equals("client") ? p.clientEvents : p.serverEvents;
      var remote = checker.equals("client") ? p.serverEvents : p.clientEvents;
      assertThat(EnginePair.first(local, DtlsEvent.Failed.class).reason()).contains("bad_certificate").contains("sent");
      assertThat(EnginePair.first(remote, DtlsEvent.Failed.class).reason()).contains("bad_certificate").contains("received");
      assertThat(p.client.isConnected()).isFalse();
      assertThat(p.server.isConnected()).isFalse();
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }

  @ParameterizedTest(name = "{0} loss")
  @ValueSource(doubles = {0.1, 0.2})
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void handshakeCompletesUnderSeededLossWithin30Seconds(double lossRate) {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    EnginePair.Options o = EnginePair.options();
    o.lossRate = lossRate;
    o.seed = 7;
    long start = System.nanoTime();
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(30), p::bothTerminalOrComplete)).isTrue();
      assertThat(p.bothComplete()).as("client %s server %s (lost %d of %d)", p.clientEvents, p.serverEvents,
          p.datagramsLost, p.datagramsLost + p.datagramsMoved).isTrue();
      assertThat(EnginePair.first(p.clientEvents, DtlsEvent.HandshakeComplete.class).keyingMaterial())
          .isEqualTo(EnginePair.first(p.serverEvents, DtlsEvent.HandshakeComplete.class).keyingMaterial());
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }

  @Test
  void mtu1200IsNeverExceededWithA4KbCertificate() throws Exception {
    EnginePair.Options o = EnginePair.options();
    o.serverCert = TestCertificates.large(4096);
    o.clientCert = TestCertificates.large(4096);
    try (EnginePair p = o.build()) {
      p.start(false);
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete))
          .as("client %s server %s", p.clientEvents, p.serverEvents).isTrue();
      assertThat(o.serverCert.der().length).isGreaterThan(4096);
      assertThat(p.largestDatagram).isGreaterThan(1000).isLessThanOrEqualTo(1200);
      p.client.send(ByteBuffer.allocate(p.client.maxApplicationDataSize()));
      p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.has(p.serverEvents, DtlsEvent.ApplicationData.class));
      assertThat(p.largestDatagram).isLessThanOrEqualTo(1200);
      // Application data is sized by the layer above (SCTP's path MTU discovery), not by the
      // handshake's MTU: a record for a 1448-byte datagram (IPv6 Ethernet minus UDP and TURN
      // ChannelData) leaves as exactly that datagram, and only UDP's own limit is refused.
      int forEthernet = p.client.maxApplicationDataSize(1448);
      assertThat(forEthernet).isEqualTo(1448 - 13 - 8 - 16); // AES-GCM: header, explicit nonce, tag
      p.serverEvents.clear();
      byte[] big = new byte[forEthernet];
      new java.util.Random(3).nextBytes(big);
      p.client.send(ByteBuffer.wrap(big));
      p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.has(p.serverEvents, DtlsEvent.ApplicationData.class));
      assertThat(p.largestDatagram).isEqualTo(1448);
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.ApplicationData.class).data()).isEqualTo(big);
      assertThatThrownBy(() -> p.client.send(ByteBuffer.allocate(p.client.maxApplicationDataSize(65507) + 1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void datagramsFromAnotherAddressAreIgnored() {
    try (EnginePair p = EnginePair.options().build()) {
      // An attacker's ClientHello races ahead of the real one (SC-6): it never reaches Bouncy Castle.
      p.server.start(System.nanoTime());
      byte[] hello = TestInputs.clientHello();
      var attacker = new java.net.InetSocketAddress("127.0.0.1", 6666);
      p.server.handleReceive(System.nanoTime(), Datagram.udp(attacker, EnginePair.SERVER_ADDR, hello));
      assertThat(p.server.droppedDatagrams()).isEqualTo(1);
      p.client.start(System.nanoTime());
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete))
          .as("client %s server %s", p.clientEvents, p.serverEvents).isTrue();
    }
  }

  @ParameterizedTest(name = "wrong signing key on the {0}")
  @ValueSource(strings = {"client", "server"})
  void certificateVerifyWithTheWrongKeyIsAFatalAlert(String liar) {
    // SC-7: the certificate (and so the fingerprint) is right, the key signing the handshake is not.
    DtlsCertificate real = DtlsCertificate.generate();
    DtlsCertificate forged = DtlsCertificate.of(DtlsCertificate.generate().privateKey(), real.der());
    EnginePair.Options o = EnginePair.options();
    if (liar.equals("client")) {
      o.clientCert = forged;
      o.clientExpects = null;
      o.serverExpects = real.fingerprint("sha-256");
    } else {
      o.serverCert = forged;
      o.clientExpects = real.fingerprint("sha-256");
    }
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10),
          () -> EnginePair.terminal(p.clientEvents) && EnginePair.terminal(p.serverEvents)))
          .as("client %s server %s", p.clientEvents, p.serverEvents).isTrue();
      assertThat(EnginePair.has(p.clientEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
      assertThat(EnginePair.has(p.serverEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
      var verifier = liar.equals("client") ? p.serverEvents : p.clientEvents;
      assertThat(EnginePair.first(verifier, DtlsEvent.Failed.class).reason()).startsWith("fatal alert sent");
    }
  }

  @Test
  void noCommonSrtpProfileFails() {
    EnginePair.Options o = EnginePair.options();
    o.clientProfiles = new SrtpProfile[] {SrtpProfile.AES128_CM_HMAC_SHA1_80};
    o.serverProfiles = new SrtpProfile[] {SrtpProfile.AEAD_AES_256_GCM};
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10),
          () -> EnginePair.terminal(p.clientEvents) && EnginePair.terminal(p.serverEvents))).isTrue();
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.Failed.class).reason()).contains("handshake_failure");
      assertThat(EnginePair.has(p.clientEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
    }
  }

  @Test
  void handshakeDeadlineOnTheOwnerClockFailsAndEndsTheThread() {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    DtlsConfig cfg = DtlsConfig.builder(DtlsRole.CLIENT, DtlsCertificate.generate())
        .remoteFingerprint(DtlsCertificate.generate().fingerprint("sha-256"))
        .addresses(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR).build();
    DtlsEngine e = DtlsEngine.create(cfg);
    long t0 = 1_000_000_000L;
    e.start(t0);
    // Retransmission timers come first; the deadline bounds them all.
    assertThat(e.pollTimeout()).isLessThanOrEqualTo(t0 + Duration.ofSeconds(30).toNanos());
    e.handleTimeout(t0 + Duration.ofSeconds(29).toNanos());
    assertThat(e.pollEvent()).isEmpty();
    e.handleTimeout(t0 + Duration.ofSeconds(30).toNanos());
    assertThat(e.pollEvent()).get().isInstanceOf(DtlsEvent.Failed.class);
    assertThat(e.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    e.close();
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }

  /**
   * The record path hands Bouncy Castle's output array to {@code pollTransmit} without a copy. That
   * is only correct while each record gets a fresh array: queue many records before polling any, and
   * every one must still decrypt to what was sent (a reused buffer would corrupt the earlier ones).
   */
  @Test
  void recordsQueuedBeforePollingStayIntact() {
    try (EnginePair p = EnginePair.options().build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete)).isTrue();
      assertThat(p.pumpUntil(Duration.ofSeconds(5),
          () -> !p.client.handshakeThreadAlive() && !p.server.handshakeThreadAlive())).isTrue();
      int before = p.serverEvents.size();
      java.util.List<byte[]> sent = new java.util.ArrayList<>();
      java.util.Random random = new java.util.Random(7);
      for (int i = 0; i < 32; i++) {
        byte[] msg = new byte[1 + random.nextInt(1000)];
        random.nextBytes(msg);
        msg[0] = (byte) i;
        sent.add(msg);
        p.client.send(ByteBuffer.wrap(msg.clone()));
      }
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> p.serverEvents.size() >= before + 32)).isTrue();
      java.util.List<byte[]> got = p.serverEvents.subList(before, before + 32).stream()
          .map(e -> ((DtlsEvent.ApplicationData) e).data()).toList();
      for (int i = 0; i < 32; i++) {
        assertThat(got.get(i)).as("record %d", i).isEqualTo(sent.get(i));
      }
    }
  }
}
