package org.rtc4j.turn.server.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;
import org.rtc4j.turn.server.TurnServerConfig;

/**
 * Socket-level life of the driver: binding every transport, garbage on every transport (BI-1..4 at
 * the socket level: the server stays up), and a close that leaves no thread and no bound port.
 */
class TurnServerLifecycleTest {

  static final InetAddress LOOPBACK = FreePorts.LOOPBACK;

  static TurnServerOptions.Builder loopbackOptions() {
    return TurnServerOptions.builder().listeningIp(LOOPBACK).relayIp(LOOPBACK).eventLoops(2);
  }

  @Test
  void bindsUdpTcpAndTlsThenReleasesEverySocketAndThread() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    int port = FreePorts.tcpAndUdp();
    int tlsPort = FreePorts.tcp();
    TurnServer server = TurnServer.start(TurnServerConfig.builder().build(), loopbackOptions()
        .listeningPort(port).tlsListeningPort(tlsPort).certificate(TestTls.certFile(), TestTls.keyFile()).build());
    try {
      assertThat(server.udpAddresses()).containsExactly(new InetSocketAddress(LOOPBACK, port));
      assertThat(server.tcpAddresses()).containsExactly(new InetSocketAddress(LOOPBACK, port));
      assertThat(server.tlsAddresses()).containsExactly(new InetSocketAddress(LOOPBACK, tlsPort));
      assertThat(server.relayIps()).containsExactly(LOOPBACK);
      assertThat(server.shardCount()).isEqualTo(2);
      assertThat(FreePorts.isUdpFree(LOOPBACK, port)).isFalse();

      try (SSLSocket tls = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket(LOOPBACK, tlsPort)) {
        tls.startHandshake(); // the certificate chain verifies against the test certificate
        assertThat(tls.getSession().getProtocol()).startsWith("TLSv1.");
        Wait.until(Duration.ofSeconds(5), "TLS connection registered", () -> server.streamConnections() == 1);
      }
      Wait.until(Duration.ofSeconds(5), "TLS connection gone", () -> server.streamConnections() == 0);
    } finally {
      server.close();
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
    assertThat(FreePorts.isUdpFree(LOOPBACK, port)).isTrue();
    assertThat(FreePorts.isTcpFree(LOOPBACK, port)).isTrue();
    assertThat(FreePorts.isTcpFree(LOOPBACK, tlsPort)).isTrue();
    server.close(); // idempotent
  }

  @Test
  void portZeroBindsFreePortsAndReportsThem() throws Exception {
    try (TurnServer server = TurnServer.start(TurnServerConfig.builder().build(),
        loopbackOptions().listeningPort(0).build())) {
      assertThat(server.udpAddresses().get(0).getPort()).isPositive();
      assertThat(server.tcpAddresses().get(0).getPort()).isPositive();
      assertThat(server.tlsAddresses()).isEmpty();
    }
  }

  @Test
  void aPortInUseFailsStartWithTheAddressAndLeavesNothingOpen() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, LOOPBACK)) {
      int port = taken.getLocalPort();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TurnServer.start(TurnServerConfig.builder().build(),
              loopbackOptions().listeningPort(port).udp(false).build()))
          .isInstanceOf(IOException.class).hasMessageContaining("TCP").hasMessageContaining(":" + port);
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
  }

  @Test
  void anUnreadableKeyFailsStartWithAHint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    java.nio.file.Path key = dir.resolve("key.pem");
    java.nio.file.Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TurnServer.start(TurnServerConfig.builder().build(),
            loopbackOptions().listeningPort(0).certificate(TestTls.certFile(), key).build()))
        .isInstanceOf(IOException.class).hasMessageContaining("PKCS#8").hasMessageContaining(key.toString());
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
  }

  @Test
  void garbageOverUdpAndTcpDoesNotStopTheServer() throws Exception {
    try (TurnServer server = TurnServer.start(TurnServerConfig.builder().build(),
        loopbackOptions().listeningPort(0).build())) {
      InetSocketAddress udp = server.udpAddresses().get(0);
      InetSocketAddress tcp = server.tcpAddresses().get(0);
      Random random = new Random(7);
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
        for (int i = 0; i < 200; i++) {
          byte[] junk = new byte[random.nextInt(1, 1400)];
          random.nextBytes(junk);
          if (i % 3 == 0) {
            junk[0] = 0; // looks like STUN: header checks must catch it
          }
          s.send(new DatagramPacket(junk, junk.length, udp));
        }
        s.send(new DatagramPacket(new byte[0], 0, udp)); // empty datagram
      }
      long before = server.counters().malformed();
      Wait.until(Duration.ofSeconds(5), "malformed datagrams counted",
          () -> server.counters().malformed() >= 150, () -> server.counters());
      assertThat(before).isGreaterThanOrEqualTo(0);

      for (byte[] junk : new byte[][] {
          {(byte) 0xFF, 1, 2, 3, 4, 5, 6, 7},                                    // not STUN/ChannelData
          {0, 1, 0, 8, 0x21, 0x12, (byte) 0xA4, 0x43},                            // bad magic cookie
          {0, 1, 0, 3, 0x21, 0x12, (byte) 0xA4, 0x42},                            // length not multiple of 4
          {(byte) 0x80, 0, 0, 0}}) {                                              // RTP-like
        try (Socket s = new Socket(tcp.getAddress(), tcp.getPort())) {
          s.setSoTimeout(5000);
          s.getOutputStream().write(junk);
          assertThat(readUntilClosed(s.getInputStream())).as("server closes on garbage").isTrue();
        }
      }
      // Truncated and huge-length frames: the server waits for the rest, the client goes away.
      try (Socket s = new Socket(tcp.getAddress(), tcp.getPort())) {
        s.getOutputStream().write(new byte[] {0x40, 0, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
        s.getOutputStream().write(new byte[] {0, 1, 0, 8, 0x21, 0x12});
      }
      // Still serving: a fresh connection is accepted and kept.
      try (Socket s = new Socket(tcp.getAddress(), tcp.getPort())) {
        s.setSoTimeout(200);
        Wait.until(Duration.ofSeconds(5), "connection accepted", () -> server.streamConnections() >= 1);
        try {
          assertThat(s.getInputStream().read()).isNotEqualTo(-1);
        } catch (SocketTimeoutException expected) {
          // nothing sent, nothing received, connection still open
        }
      }
      Wait.until(Duration.ofSeconds(5), "all connections gone", () -> server.streamConnections() == 0);
    }
  }

  @Test
  void connectionsThatSendNoWholeFrameAreClosedAfterTheIdleTimeout() throws Exception {
    try (TurnServer server = TurnServer.start(TurnServerConfig.builder().build(),
        loopbackOptions().listeningPort(0).udp(false).streamIdleSeconds(1).build())) {
      InetSocketAddress tcp = server.tcpAddresses().get(0);
      long start = System.nanoTime();
      try (Socket silent = new Socket(tcp.getAddress(), tcp.getPort());
          Socket http = new Socket(tcp.getAddress(), tcp.getPort())) {
        silent.setSoTimeout(10_000);
        http.setSoTimeout(10_000);
        // "GE" frames as ChannelData 0x4745 with a 12064-byte length: the framer waits for the rest.
        http.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(readUntilClosed(silent.getInputStream())).isTrue();
        assertThat(readUntilClosed(http.getInputStream())).isTrue();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
      Wait.until(Duration.ofSeconds(5), "connections forgotten", () -> server.streamConnections() == 0);
    }
  }

  private static boolean readUntilClosed(InputStream in) throws IOException {
    byte[] buf = new byte[512];
    try {
      while (true) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
    } catch (java.net.SocketException reset) {
      return true; // closed with RST because unread bytes were left
    }
  }
}
