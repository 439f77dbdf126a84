package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.util.Optional;
import org.rtc4j.net.Datagram;
import org.rtc4j.testkit.Wait;

/**
 * Trust test BI-9: arbitrary datagrams fed to a server-role engine in the middle of its handshake
 * (after a real ClientHello, while it waits for the client's second flight) never throw out of
 * the engine, never buffer more than the caps, and the handshake thread still ends on close.
 *
 * <p>Input framing: repeated {@code [length:2 big-endian][datagram bytes]}; a short tail is one
 * last datagram. The seeds in {@code src/test/resources/org/rtc4j/dtls/DtlsEngineFuzzTestInputs/
 * midHandshake/} are zero-length and overlapping fragments, a fragment past its message's end, a
 * 16 MB message length, messages of the wrong type for the state, early ChangeCipherSpec/Finished,
 * alerts, epoch-1 garbage and records longer than their datagram.
 * {@code mvn test} runs them; {@code JAZZER_FUZZ=1 mvn test -Dtest=DtlsEngineFuzzTest} fuzzes.
 */
class DtlsEngineFuzzTest {

  /** Made once: certificate generation and a real ClientHello cost more than one fuzz iteration. */
  private static final class Fixture {
    static final DtlsCertificate SERVER = DtlsCertificate.generate();
    static final Fingerprint CLIENT_FP = DtlsCertificate.generate().fingerprint("sha-256");
    static final byte[] CLIENT_HELLO = TestInputs.clientHello();
    static final DtlsCertificate CLIENT = DtlsCertificate.generate();
  }

  /**
   * The same after the handshake: arbitrary datagrams from the peer's address reach a connected
   * server on its owner-thread record path. Nothing throws; the engine ends connected (and still
   * decrypts the client's next record) or terminal (Failed or Closed, not connected), never
   * reports a second handshake, and its thread is gone. Seeds in {@code .../afterHandshake/}:
   * epoch-1 garbage, plaintext alerts and ClientHellos, records longer than their datagram, an
   * empty application record, a wrong version, many records in one datagram.
   */
  @FuzzTest(maxDuration = "5m")
  void afterHandshake(byte[] input) {
    EnginePair.Options o = EnginePair.options();
    o.serverCert = Fixture.SERVER;
    o.clientCert = Fixture.CLIENT;
    try (EnginePair p = o.build()) {
      p.start(true);
      assertThat(p.pumpUntil(Duration.ofSeconds(20), p::bothComplete)).isTrue();
      p.pumpUntil(Duration.ofMillis(20), () -> false); // let late retransmissions settle
      p.serverEvents.clear();
      for (byte[] d : split(input)) {
        p.server.handleReceive(System.nanoTime(), Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, d));
        assertThat(p.server.queuedInboundBytes()).isLessThanOrEqualTo(BcDtlsEngine.MAX_QUEUED_BYTES);
      }
      p.pumpOnce();
      assertThat(p.serverEvents).noneMatch(e -> e instanceof DtlsEvent.HandshakeComplete);
      if (EnginePair.terminal(p.serverEvents)) {
        assertThat(p.server.isConnected()).isFalse();
      } else {
        assertThat(p.server.isConnected()).isTrue();
        p.client.send(java.nio.ByteBuffer.wrap(new byte[] {42}));
        assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.has(p.serverEvents, DtlsEvent.ApplicationData.class)
            || EnginePair.terminal(p.serverEvents))).isTrue();
      }
      assertThat(p.server.handshakeThreadAlive()).isFalse();
    }
  }

  private static java.util.List<byte[]> split(byte[] input) {
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    int pos = 0;
    while (pos < input.length) {
      int len;
      if (input.length - pos >= 2) {
        len = Math.min(((input[pos] & 0xFF) << 8) | (input[pos + 1] & 0xFF), input.length - pos - 2);
        pos += 2;
      } else {
        len = input.length - pos;
      }
      byte[] d = new byte[len];
      System.arraycopy(input, pos, d, 0, len);
      pos += len;
      out.add(d);
    }
    return out;
  }

  @FuzzTest(maxDuration = "5m")
  void midHandshake(byte[] input) {
    BcDtlsEngine server = new BcDtlsEngine(DtlsConfig.builder(DtlsRole.SERVER, Fixture.SERVER)
        .remoteFingerprint(Fixture.CLIENT_FP).addresses(EnginePair.SERVER_ADDR, EnginePair.CLIENT_ADDR).build());
    try {
      server.start(System.nanoTime());
      server.handleReceive(System.nanoTime(), datagram(Fixture.CLIENT_HELLO));
      // The server's first flight proves it is now mid-handshake.
      Wait.until(Duration.ofSeconds(10), "server flight", () -> server.pollTransmit().isPresent()
          || !server.handshakeThreadAlive());
      int pos = 0;
      while (pos < input.length) {
        int len;
        if (input.length - pos >= 2) {
          len = Math.min(((input[pos] & 0xFF) << 8) | (input[pos + 1] & 0xFF), input.length - pos - 2);
          pos += 2;
        } else {
          len = input.length - pos;
        }
        byte[] d = new byte[len];
        System.arraycopy(input, pos, d, 0, len);
        pos += len;
        server.handleReceive(System.nanoTime(), datagram(d));
        assertThat(server.queuedInboundBytes()).isLessThanOrEqualTo(BcDtlsEngine.MAX_QUEUED_BYTES);
        drain(server);
      }
      Wait.until(Duration.ofSeconds(10), "fuzzed datagrams consumed",
          () -> server.queuedInboundBytes() == 0 || !server.handshakeThreadAlive());
      for (Optional<DtlsEvent> e = server.pollEvent(); e.isPresent(); e = server.pollEvent()) {
        assertThat(e.get()).isNotInstanceOf(DtlsEvent.HandshakeComplete.class);
        if (e.get() instanceof DtlsEvent.Failed f) {
          // A Bouncy Castle alert (or its wrapped internal_error), never a raw exception.
          assertThat(f.reason()).startsWith("fatal alert");
        }
      }
    } finally {
      server.close();
    }
    Wait.until(Duration.ofSeconds(10), "handshake thread ends after close", () -> !server.handshakeThreadAlive());
    assertThat(server.queuedInboundBytes()).isZero();
  }

  private static void drain(BcDtlsEngine e) {
    while (e.pollTransmit().isPresent()) {
      // discard: nobody answers
    }
  }

  private static Datagram datagram(byte[] bytes) {
    return Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, bytes);
  }
}
