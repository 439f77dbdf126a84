package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.net.Datagram;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.ThreadLeakCheck;

/**
 * trust-tests FT-2: DTLS 1.2 against OpenSSL on loopback, both roles, with {@code use_srtp} and
 * the {@code EXTRACTOR-dtls_srtp} keying material OpenSSL prints compared to ours.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenSslInteropTest {

  private static final Pattern KEYING = Pattern.compile("Keying material: ([0-9A-Fa-f]+)");

  @TempDir Path dir;

  @Test
  void rtc4jClientAgainstOpensslServer() throws Exception {
    String openssl = External.require("openssl").toString();
    Fingerprint theirs = certificate(openssl);
    int port = FreePorts.udp(FreePorts.LOOPBACK);
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    try (Processes.Running server = Processes.command(
            // s_server quits at EOF on stdin, and Processes gives it /dev/null: feed it a pipe that stays open.
            "sh", "-c", "sleep 60 | \"$0\" \"$@\"", openssl, "s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port,
            "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString(), "-verify", "1",
            "-use_srtp", "SRTP_AES128_CM_SHA1_80", "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60")
        .log(dir.resolve("s_server.log")).start();
        DatagramChannel ch = DatagramChannel.open()) {
      server.awaitOutput(Duration.ofSeconds(10), "ACCEPT");
      ch.bind(new InetSocketAddress("127.0.0.1", 0));
      ch.configureBlocking(false);
      InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
      DtlsCertificate ours = DtlsCertificate.generate();
      DtlsEngine engine = DtlsEngine.create(DtlsConfig.builder(DtlsRole.CLIENT, ours).remoteFingerprint(theirs)
          .addresses((InetSocketAddress) ch.getLocalAddress(), remote).build());
      List<DtlsEvent> events = new ArrayList<>();
      engine.start(System.nanoTime());
      pump(ch, engine, events, Duration.ofSeconds(20), () -> has(events, DtlsEvent.HandshakeComplete.class) || terminal(events));
      assertThat(has(events, DtlsEvent.HandshakeComplete.class)).as("events %s, s_server said:%n%s", events, server.output()).isTrue();
      var done = first(events, DtlsEvent.HandshakeComplete.class);
      assertThat(done.profile()).isEqualTo(SrtpProfile.AES128_CM_HMAC_SHA1_80);
      server.awaitOutput(Duration.ofSeconds(10), KEYING);
      assertThat(keying(server.output())).isEqualTo(HexFormat.of().withUpperCase().formatHex(done.keyingMaterial()));
      engine.send(ByteBuffer.wrap("hello from rtc4j\n".getBytes(StandardCharsets.UTF_8)));
      pump(ch, engine, events, Duration.ofSeconds(1), () -> false);
      server.awaitOutput(Duration.ofSeconds(10), "hello from rtc4j");
      engine.close();
      pump(ch, engine, events, Duration.ofMillis(200), () -> false);
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }

  @Test
  void opensslClientAgainstRtc4jServer() throws Exception {
    String openssl = External.require("openssl").toString();
    Fingerprint theirs = certificate(openssl);
    int clientPort = FreePorts.udp(FreePorts.LOOPBACK);
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.bind(new InetSocketAddress("127.0.0.1", 0));
      ch.configureBlocking(false);
      InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
      DtlsEngine engine = DtlsEngine.create(DtlsConfig.builder(DtlsRole.SERVER, DtlsCertificate.generate())
          .remoteFingerprint(theirs).addresses(local, new InetSocketAddress("127.0.0.1", clientPort)).build());
      List<DtlsEvent> events = new ArrayList<>();
      engine.start(System.nanoTime());
      try (Processes.Running client = Processes.command(openssl, "s_client", "-dtls1_2",
              "-connect", "127.0.0.1:" + local.getPort(), "-bind", "127.0.0.1:" + clientPort, "-ign_eof",
              "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString(),
              "-use_srtp", "SRTP_AES128_CM_SHA1_80", "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60")
          .log(dir.resolve("s_client.log")).start()) {
        pump(ch, engine, events, Duration.ofSeconds(20), () -> has(events, DtlsEvent.HandshakeComplete.class) || terminal(events));
        assertThat(has(events, DtlsEvent.HandshakeComplete.class)).as("events %s, s_client said:%n%s", events, client.output()).isTrue();
        var done = first(events, DtlsEvent.HandshakeComplete.class);
        assertThat(done.profile()).isEqualTo(SrtpProfile.AES128_CM_HMAC_SHA1_80);
        assertThat(done.localIsClient()).isFalse();
        client.awaitOutput(Duration.ofSeconds(10), KEYING);
        // SC-7: an ECDHE-ECDSA AEAD suite and the extended master secret were negotiated.
        assertThat(client.output()).containsPattern("Cipher is ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)")
            .contains("Extended master secret: yes");
        assertThat(keying(client.output())).isEqualTo(HexFormat.of().withUpperCase().formatHex(done.keyingMaterial()));
        engine.send(ByteBuffer.wrap("hello openssl\n".getBytes(StandardCharsets.UTF_8)));
        pump(ch, engine, events, Duration.ofSeconds(1), () -> false);
        client.awaitOutput(Duration.ofSeconds(10), "hello openssl");
        engine.close();
        pump(ch, engine, events, Duration.ofMillis(200), () -> false);
      }
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }

  @Test
  void opensslClientOfferingOnlyCbcIsRefused() throws Exception {
    String openssl = External.require("openssl").toString();
    Fingerprint theirs = certificate(openssl);
    int clientPort = FreePorts.udp(FreePorts.LOOPBACK);
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.bind(new InetSocketAddress("127.0.0.1", 0));
      ch.configureBlocking(false);
      InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
      DtlsEngine engine = DtlsEngine.create(DtlsConfig.builder(DtlsRole.SERVER, DtlsCertificate.generate())
          .remoteFingerprint(theirs).addresses(local, new InetSocketAddress("127.0.0.1", clientPort)).build());
      List<DtlsEvent> events = new ArrayList<>();
      engine.start(System.nanoTime());
      try (Processes.Running client = Processes.command(openssl, "s_client", "-dtls1_2",
              "-connect", "127.0.0.1:" + local.getPort(), "-bind", "127.0.0.1:" + clientPort, "-ign_eof",
              "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString(),
              "-cipher", "ECDHE-ECDSA-AES128-SHA", "-use_srtp", "SRTP_AES128_CM_SHA1_80")
          .log(dir.resolve("s_client.log")).start()) {
        pump(ch, engine, events, Duration.ofSeconds(20), () -> terminal(events));
        assertThat(first(events, DtlsEvent.Failed.class).reason()).contains("handshake_failure");
        assertThat(has(events, DtlsEvent.HandshakeComplete.class)).isFalse();
        engine.close();
      }
    }
  }

  /** Makes an OpenSSL P-256 certificate in the temp dir and returns its SHA-256 fingerprint as OpenSSL computes it. */
  private Fingerprint certificate(String openssl) throws IOException {
    Processes.command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=openssl-interop", "-days", "1", "-keyout", dir.resolve("key.pem").toString(),
            "-out", dir.resolve("cert.pem").toString())
        .timeout(Duration.ofSeconds(20)).log(dir.resolve("req.log")).run().assertExitCode(0);
    String out = Processes.command(openssl, "x509", "-in", dir.resolve("cert.pem").toString(), "-noout",
            "-fingerprint", "-sha256")
        .timeout(Duration.ofSeconds(20)).log(dir.resolve("fp.log")).run().assertExitCode(0).output().trim();
    assertThat(Files.exists(dir.resolve("cert.pem"))).isTrue();
    return Fingerprint.parse("sha-256 " + out.substring(out.indexOf('=') + 1).trim());
  }

  private static String keying(String output) {
    Matcher m = KEYING.matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return m.group(1).toUpperCase();
  }

  /** The UDP adapter: socket ⇄ engine, on the test thread, until {@code done} or {@code limit}. */
  private static void pump(DatagramChannel ch, DtlsEngine engine, List<DtlsEvent> events, Duration limit,
      java.util.function.BooleanSupplier done) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean() && System.nanoTime() - deadline < 0) {
      boolean any = false;
      buf.clear();
      InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
      if (from != null) {
        buf.flip();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        engine.handleReceive(System.nanoTime(), Datagram.udp(from, (InetSocketAddress) ch.getLocalAddress(), bytes));
        any = true;
      }
      for (var d = engine.pollTransmit(); d.isPresent(); d = engine.pollTransmit()) {
        ch.send(d.get().payload(), d.get().destination());
        any = true;
      }
      for (var e = engine.pollEvent(); e.isPresent(); e = engine.pollEvent()) {
        events.add(e.get());
        any = true;
      }
      engine.handleTimeout(System.nanoTime());
      if (!any) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // a selector would be overkill for one socket in a test
      }
    }
  }

  private static boolean has(List<DtlsEvent> events, Class<? extends DtlsEvent> type) {
    return EnginePair.has(events, type);
  }

  private static boolean terminal(List<DtlsEvent> events) {
    return EnginePair.terminal(events);
  }

  private static <T extends DtlsEvent> T first(List<DtlsEvent> events, Class<T> type) {
    return EnginePair.first(events, type);
  }
}
