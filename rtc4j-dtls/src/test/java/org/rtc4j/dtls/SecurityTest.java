package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.net.Datagram;

/**
 * trust-tests SC-1 (fingerprints), SC-6 (source pinning, as far as the engine goes: the webrtc
 * engine lets only the ICE-selected pair reach it) and SC-7 (what is negotiated). The mismatch and
 * wrong-signing-key cases themselves are in {@link DtlsEngineTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityTest {

  private static final InetSocketAddress ATTACKER = new InetSocketAddress("127.0.0.1", 6666);

  @ParameterizedTest(name = "expected fingerprint in {0}")
  @ValueSource(strings = {"sha-1", "sha-256", "sha-384", "sha-512"})
  void anySupportedHashOfTheRightCertificateIsAccepted(String hash) {
    EnginePair.Options o = EnginePair.options();
    o.serverCert = DtlsCertificate.generate();
    o.clientExpects = o.serverCert.fingerprint(hash);
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete)).as("%s %s", p.clientEvents, p.serverEvents)
          .isTrue();
      assertThat(EnginePair.first(p.clientEvents, DtlsEvent.HandshakeComplete.class).peerFingerprint())
          .isEqualTo(o.serverCert.fingerprint(hash));
    }
  }

  @ParameterizedTest(name = "{0} of another certificate")
  @ValueSource(strings = {"sha-1", "sha-384", "sha-512"})
  void anotherCertificatesFingerprintInAnyHashFailsWithoutKeys(String hash) {
    EnginePair.Options o = EnginePair.options();
    o.clientExpects = DtlsCertificate.generate().fingerprint(hash);
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10),
          () -> EnginePair.terminal(p.clientEvents) && EnginePair.terminal(p.serverEvents))).isTrue();
      assertThat(EnginePair.has(p.clientEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
      assertThat(EnginePair.has(p.serverEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
      assertThat(EnginePair.first(p.clientEvents, DtlsEvent.Failed.class).reason()).contains("bad_certificate");
      assertThatThrownBy(() -> p.client.send(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
      assertThat(p.client.maxApplicationDataSize()).isZero();
    }
  }

  @Test
  void unsupportedHashOrMissingFingerprintIsRefusedBeforeAnyHandshake() {
    // RFC 8122 §5 forbids MD2/MD5; an unknown name cannot be checked: both are refused at parse time.
    assertThatThrownBy(() -> Fingerprint.parse("md5 " + "AB:".repeat(15) + "CD"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fingerprint.parse("sha-3000 " + "AB:".repeat(31) + "CD"))
        .isInstanceOf(IllegalArgumentException.class);
    // No fingerprint, no engine: there is nothing to authenticate the peer against.
    assertThatThrownBy(() -> DtlsConfig.builder(DtlsRole.SERVER, DtlsCertificate.generate())
        .addresses(EnginePair.SERVER_ADDR, EnginePair.CLIENT_ADDR).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fingerprint");
  }

  @Test
  void aSecondHandshakeWithAnotherCertificateIsIgnored() {
    // SC-1's renegotiation case: Bouncy Castle does not renegotiate DTLS, so a new ClientHello on an
    // established association (here from a client with a different certificate, same address)
    // changes nothing: no second HandshakeComplete, the old keys and peer stay, data still flows.
    try (EnginePair p = EnginePair.options().build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete)).isTrue();
      for (int i = 0; i < 3; i++) {
        p.server.handleReceive(System.nanoTime(),
            Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, TestInputs.clientHello()));
      }
      p.client.send(ByteBuffer.wrap("still here".getBytes(StandardCharsets.UTF_8)));
      assertThat(p.pumpUntil(Duration.ofSeconds(5),
          () -> EnginePair.has(p.serverEvents, DtlsEvent.ApplicationData.class))).isTrue();
      assertThat(p.serverEvents.stream().filter(e -> e instanceof DtlsEvent.HandshakeComplete).count()).isEqualTo(1);
      assertThat(EnginePair.terminal(p.serverEvents)).isFalse();
      assertThat(p.server.isConnected()).isTrue();
    }
  }

  @Test
  void datagramsFromAnotherAddressNeverReachTheHandshakeOrTheRecordLayer() {
    try (EnginePair p = EnginePair.options().build()) {
      p.start(true);
      byte[] hello = TestInputs.clientHello();
      // Mid-handshake: a competing ClientHello and garbage from the attacker.
      p.server.handleReceive(System.nanoTime(), Datagram.udp(ATTACKER, EnginePair.SERVER_ADDR, hello));
      p.client.handleReceive(System.nanoTime(), Datagram.udp(ATTACKER, EnginePair.CLIENT_ADDR, new byte[] {22, 1, 2}));
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete)).isTrue();
      // Established: an attacker's alert or close_notify-looking record changes nothing either.
      byte[] fatalAlert = {21, (byte) 0xfe, (byte) 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40};
      p.server.handleReceive(System.nanoTime(), Datagram.udp(ATTACKER, EnginePair.SERVER_ADDR, fatalAlert));
      assertThat(p.server.droppedDatagrams()).isEqualTo(2);
      assertThat(p.client.droppedDatagrams()).isEqualTo(1);
      p.client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertThat(p.pumpUntil(Duration.ofSeconds(5),
          () -> EnginePair.has(p.serverEvents, DtlsEvent.ApplicationData.class))).isTrue();
      assertThat(p.server.isConnected()).isTrue();
    }
  }

  @Test
  void onlyEcdheEcdsaAeadSuitesAreOffered() {
    // Every suite we offer or accept: ECDHE key exchange, ECDSA authentication, an AEAD cipher.
    assertThat(BcDtlsEngine.CIPHER_SUITES).containsExactlyInAnyOrder(
        org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    // (OpenSslInteropTest shows a client offering only CBC suites is refused.)
  }

  @Test
  void aClientOfferingOnlyWeakSrtpProfilesIsRefused() {
    // SRTP_AES128_CM_HMAC_SHA1_32 (0x0002), SRTP_NULL_HMAC_SHA1_80 (0x0005), SRTP_NULL_HMAC_SHA1_32 (0x0006).
    EnginePair.Options o = EnginePair.options();
    o.clientHooks.rawClientSrtpProfiles = new int[] {0x0002, 0x0005, 0x0006};
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10),
          () -> EnginePair.terminal(p.clientEvents) && EnginePair.terminal(p.serverEvents))).isTrue();
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.Failed.class).reason())
          .contains("handshake_failure").contains("no common SRTP profile");
      assertThat(EnginePair.has(p.serverEvents, DtlsEvent.HandshakeComplete.class)).isFalse();
    }
    assertThat(SrtpProfile.byId(0x0002)).isNull();
    assertThat(SrtpProfile.byId(0x0005)).isNull();
    assertThat(SrtpProfile.byId(0x0006)).isNull();
  }

  @Test
  void aWeakProfileAmongStrongOnesIsNeverChosen() {
    EnginePair.Options o = EnginePair.options();
    o.clientHooks.rawClientSrtpProfiles = new int[] {0x0002, 0x0005, 0x0001};
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete)).as("%s", p.serverEvents).isTrue();
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.HandshakeComplete.class).profile())
          .isEqualTo(SrtpProfile.AES128_CM_HMAC_SHA1_80);
    }
  }
}
