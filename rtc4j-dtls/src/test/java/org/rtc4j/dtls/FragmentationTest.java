package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.net.Datagram;

/**
 * trust-tests FT-14 (the DTLS part): at MTU 1200 a handshake with certificate chains of several KB
 * fragments correctly and never sends a datagram over the MTU, also under loss; and a ClientHello
 * like Firefox's (about 1460 bytes in two fragments, offering DTLS 1.3 and 1.2 with an
 * X25519MLKEM768 key share, browser-notes.md) is reassembled, in either order, and answered with
 * DTLS 1.2, without the RFC 8446 downgrade sentinel a DTLS 1.3 client would abort on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FragmentationTest {

  /** RFC 8446 §4.1.3: the last 8 bytes of ServerHello.random when a 1.3-capable server negotiates 1.2. */
  private static final byte[] DOWNGRADE_TLS12 = "DOWNGRD\u0001".getBytes(StandardCharsets.ISO_8859_1);

  @Test
  void certificateChainsOfSeveralKilobytesFragmentToMtu1200() throws Exception {
    EnginePair.Options o = EnginePair.options();
    o.clientCert = TestCertificates.chain(2, 1200);
    o.serverCert = TestCertificates.chain(3, 1200);
    int clientChain = total(o.clientCert);
    int serverChain = total(o.serverCert);
    assertThat(clientChain).isGreaterThan(4096);
    assertThat(serverChain).isGreaterThan(5000);
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(20), p::bothComplete))
          .as("client %s server %s", p.clientEvents, p.serverEvents).isTrue();
      assertThat(p.largestDatagram).isGreaterThan(1000).isLessThanOrEqualTo(1200);
      // the server's Certificate message alone needs at least ceil(5000 / 1188) fragments
      assertThat(p.serverSent.size()).isGreaterThanOrEqualTo(serverChain / 1200 + 1);
      assertThat(EnginePair.first(p.clientEvents, DtlsEvent.HandshakeComplete.class).peerFingerprint())
          .isEqualTo(o.serverCert.fingerprint("sha-256"));
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.HandshakeComplete.class).peerFingerprint())
          .isEqualTo(o.clientCert.fingerprint("sha-256"));
      p.client.send(ByteBuffer.allocate(p.client.maxApplicationDataSize()));
      p.server.send(ByteBuffer.allocate(p.server.maxApplicationDataSize()));
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.has(p.serverEvents, DtlsEvent.ApplicationData.class)
          && EnginePair.has(p.clientEvents, DtlsEvent.ApplicationData.class))).isTrue();
      assertThat(p.largestDatagram).isLessThanOrEqualTo(1200);
    }
  }

  @Test
  void certificateChainsUnderLossStayWithinTheMtu() throws Exception {
    DtlsCertificate client = TestCertificates.chain(2, 1200);
    DtlsCertificate server = TestCertificates.chain(3, 1200);
    for (int seed = 0; seed < 8; seed++) {
      try (SimulatedPair p = new SimulatedPair(SimulatedPair.Setup.of(client, server, 1200, 0.2, seed, true))) {
        p.trace = Integer.getInteger("traceSeed", -1) == seed;
        SimulatedPair.Result r = p.run();
        if (!r.bothComplete()) {
          System.out.println(String.join("\n", p.log));
        }
        assertThat(r.bothComplete()).as("seed %d: %s", seed, r).isTrue();
        assertThat(r.largestDatagram()).as("seed %d", seed).isLessThanOrEqualTo(1200);
        assertThat(r.elapsedNanos()).isLessThan(Duration.ofSeconds(30).toNanos());
      }
    }
  }

  @ParameterizedTest(name = "fragments delivered in reverse order: {0}")
  @ValueSource(booleans = {false, true})
  void firefoxLikeClientHelloOfferingDtls13IsReassembledAndAnsweredWithDtls12(boolean reverse) {
    EnginePair.Options o = EnginePair.options();
    o.clientHooks.clientExtensions = FragmentationTest::offerDtls13LikeFirefox;
    try (EnginePair p = o.build()) {
      p.start(true);
      // The client's first flight: one ClientHello in two fragments, two datagrams.
      List<Datagram> hello = List.of(
          org.rtc4j.testkit.Wait.forValue(Duration.ofSeconds(10), "fragment 1", p.client::pollTransmit),
          org.rtc4j.testkit.Wait.forValue(Duration.ofSeconds(10), "fragment 2", p.client::pollTransmit));
      ByteBuffer f1 = hello.get(0).payload();
      ByteBuffer f2 = hello.get(1).payload();
      int length = uint24(f1, 13 + 1);
      assertThat(f1.get(13)).isEqualTo((byte) 1); // client_hello
      assertThat(length).isBetween(1400, 1500);
      assertThat(uint24(f1, 13 + 6)).isZero(); // fragment_offset
      int firstLength = uint24(f1, 13 + 9);
      assertThat(firstLength).isLessThan(length);
      assertThat(f2.get(13)).isEqualTo((byte) 1);
      assertThat(uint24(f2, 13 + 6)).isEqualTo(firstLength);
      assertThat(firstLength + uint24(f2, 13 + 9)).isEqualTo(length);
      assertThat(hello.get(0).length()).isLessThanOrEqualTo(1200);
      for (Datagram d : reverse ? List.of(hello.get(1), hello.get(0)) : hello) {
        p.server.handleReceive(System.nanoTime(), d);
      }
      assertThat(p.pumpUntil(Duration.ofSeconds(10), p::bothComplete))
          .as("client %s server %s", p.clientEvents, p.serverEvents).isTrue();
      ByteBuffer serverHello = ByteBuffer.wrap(p.serverSent.get(0));
      assertThat(serverHello.get(13)).isEqualTo((byte) 2); // server_hello
      assertThat(serverHello.getShort(13 + 12)).as("server_version").isEqualTo((short) 0xfefd); // DTLS 1.2
      byte[] randomTail = new byte[8];
      serverHello.get(13 + 12 + 2 + 24, randomTail);
      assertThat(randomTail).isNotEqualTo(DOWNGRADE_TLS12);
      assertThat(EnginePair.first(p.clientEvents, DtlsEvent.HandshakeComplete.class).keyingMaterial())
          .isEqualTo(EnginePair.first(p.serverEvents, DtlsEvent.HandshakeComplete.class).keyingMaterial());
    }
  }

  @Test
  void firefoxLikeClientHelloUnderLoss() {
    DtlsCertificate client = DtlsCertificate.generate();
    DtlsCertificate server = DtlsCertificate.generate();
    BcDtlsEngine.Hooks hooks = new BcDtlsEngine.Hooks();
    hooks.clientExtensions = FragmentationTest::offerDtls13LikeFirefox;
    for (int seed = 0; seed < 8; seed++) {
      try (SimulatedPair p = new SimulatedPair(SimulatedPair.Setup.of(client, server, 1200, 0.3, seed, true), hooks)) {
        SimulatedPair.Result r = p.run();
        assertThat(r.bothComplete()).as("seed %d: %s", seed, r).isTrue();
        assertThat(r.largestDatagram()).isLessThanOrEqualTo(1200);
      }
    }
  }

  /**
   * What Firefox adds to a DTLS 1.2 ClientHello: supported_versions (DTLS 1.3, 1.2),
   * X25519MLKEM768 first in supported_groups, a key_share with an X25519MLKEM768 share (1184-byte
   * ML-KEM-768 encapsulation key + 32-byte X25519 key) and an X25519 share, psk_key_exchange_modes.
   * The shares are random bytes: a DTLS 1.2 server must not look at them.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static void offerDtls13LikeFirefox(Hashtable<Integer, byte[]> ext) {
    try {
      ext.put(43, new byte[] {4, (byte) 0xfe, (byte) 0xfc, (byte) 0xfe, (byte) 0xfd});
      int[] groups = TlsExtensionsUtils.getSupportedGroupsExtension((Hashtable) ext);
      int[] withPq = new int[groups.length + 1];
      withPq[0] = 0x11EC;
      System.arraycopy(groups, 0, withPq, 1, groups.length);
      TlsExtensionsUtils.addSupportedGroupsExtension((Hashtable) ext, withPq);
      SplittableRandom r = new SplittableRandom(7);
      ByteArrayOutputStream shares = new ByteArrayOutputStream();
      share(shares, 0x11EC, 1184 + 32, r);
      share(shares, 0x001D, 32, r);
      byte[] s = shares.toByteArray();
      byte[] keyShare = new byte[2 + s.length];
      keyShare[0] = (byte) (s.length >> 8);
      keyShare[1] = (byte) s.length;
      System.arraycopy(s, 0, keyShare, 2, s.length);
      ext.put(51, keyShare);
      ext.put(45, new byte[] {1, 1});
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void share(ByteArrayOutputStream out, int group, int length, SplittableRandom r) {
    out.write(group >> 8);
    out.write(group);
    out.write(length >> 8);
    out.write(length);
    for (int i = 0; i < length; i++) {
      out.write(r.nextInt(256));
    }
  }

  private static int uint24(ByteBuffer b, int at) {
    return ((b.get(at) & 0xFF) << 16) | ((b.get(at + 1) & 0xFF) << 8) | (b.get(at + 2) & 0xFF);
  }

  private static int total(DtlsCertificate c) {
    return c.der().length + c.chain().stream().mapToInt(d -> d.length).sum();
  }
}
