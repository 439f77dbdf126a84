package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.CipherSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.net.Datagram;

/**
 * The engine's own record protection ({@link RecordProtection}) against Bouncy Castle's record
 * layer: each side of a handshake can keep Bouncy Castle's, so records cross between the two
 * implementations in both directions, and a Bouncy Castle record is compared byte for byte with
 * ours for the same key block and sequence number.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordProtectionTest {

  private static final int[] SIZES = {1, 2, 100, 1000};

  private static EnginePair pair(int suite, boolean clientOwn, boolean serverOwn, AtomicReference<byte[]> keyBlock) {
    EnginePair.Options o = EnginePair.options();
    o.clientHooks.cipherSuites = new int[] {suite};
    o.serverHooks.cipherSuites = new int[] {suite};
    o.clientHooks.ownRecordLayer = clientOwn;
    o.serverHooks.ownRecordLayer = serverOwn;
    o.clientHooks.keyBlockSeen = keyBlock::set;
    o.serverHooks.keyBlockSeen = keyBlock::set;
    EnginePair p = o.build();
    p.start(false);
    assertThat(p.pumpUntil(Duration.ofSeconds(20), p::bothComplete)).as("handshake %s %s", p.clientEvents, p.serverEvents)
        .isTrue();
    // the hand-over happens right after HandshakeComplete: wait for the handshake threads to end
    assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> !p.client.handshakeThreadAlive() && !p.server.handshakeThreadAlive()))
        .isTrue();
    assertThat(p.client.ownsRecordLayer()).isEqualTo(clientOwn);
    assertThat(p.server.ownsRecordLayer()).isEqualTo(serverOwn);
    return p;
  }

  private static List<byte[]> data(List<DtlsEvent> events) {
    List<byte[]> out = new ArrayList<>();
    for (DtlsEvent e : events) {
      if (e instanceof DtlsEvent.ApplicationData a) {
        out.add(a.data());
      }
    }
    return out;
  }

  /** Sends SIZES-byte messages plus one of the largest size each way; asserts both sides got exactly them, in order. */
  private static void exchange(EnginePair p) {
    SplittableRandom r = new SplittableRandom(7);
    List<byte[]> toServer = new ArrayList<>();
    List<byte[]> toClient = new ArrayList<>();
    int[] sizes = Arrays.copyOf(SIZES, SIZES.length + 1);
    sizes[SIZES.length] = p.client.maxApplicationDataSize();
    assertThat(p.client.maxApplicationDataSize()).isEqualTo(p.server.maxApplicationDataSize()).isBetween(1100, 1200);
    for (int n : sizes) {
      byte[] a = new byte[n];
      byte[] b = new byte[n];
      r.nextBytes(a);
      r.nextBytes(b);
      toServer.add(a);
      toClient.add(b);
      p.client.send(ByteBuffer.wrap(a));
      p.server.send(ByteBuffer.wrap(b));
    }
    int before = data(p.serverEvents).size();
    int beforeClient = data(p.clientEvents).size();
    assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> data(p.serverEvents).size() - before >= sizes.length
        && data(p.clientEvents).size() - beforeClient >= sizes.length)).isTrue();
    List<byte[]> gotServer = data(p.serverEvents).subList(before, data(p.serverEvents).size());
    List<byte[]> gotClient = data(p.clientEvents).subList(beforeClient, data(p.clientEvents).size());
    assertThat(gotServer).containsExactlyElementsOf(toServer);
    assertThat(gotClient).containsExactlyElementsOf(toClient);
  }

  @ParameterizedTest(name = "suite 0x{0}")
  @ValueSource(ints = {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384})
  void ownClientAndBouncyCastleServerUnderstandEachOtherAndWriteTheSameBytes(int suite) throws Exception {
    AtomicReference<byte[]> kb = new AtomicReference<>();
    try (EnginePair p = pair(suite, true, false, kb)) {
      exchange(p);
      assertThat(kb.get()).hasSize(RecordProtection.keyBlockLength(suite));

      // A record Bouncy Castle wrote (server) is byte for byte what ours writes for the same key,
      // sequence number and plaintext.
      byte[] plain = "the same bytes from both implementations".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      p.serverSent.clear();
      p.server.send(ByteBuffer.wrap(plain));
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> !p.serverSent.isEmpty())).isTrue();
      byte[] bc = p.serverSent.get(0);
      long seq = RecordProtection.getLong(bc, 3) & 0xFFFF_FFFF_FFFFL;
      RecordProtection asServer = new RecordProtection(suite, kb.get(), false, seq);
      byte[] ours = new byte[asServer.recordLength(plain.length)];
      assertThat(asServer.protect(RecordProtection.CONTENT_APPLICATION_DATA, plain, 0, plain.length, ours, 0))
          .isEqualTo(bc.length);
      assertThat(ours).isEqualTo(bc);

      // close_notify written by us is understood by Bouncy Castle
      p.client.close();
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.terminal(p.serverEvents))).isTrue();
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.Closed.class).reason()).contains("close_notify");
    }
  }

  @ParameterizedTest(name = "suite 0x{0}")
  @ValueSource(ints = {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384})
  void ownServerAndBouncyCastleClientUnderstandEachOther(int suite) {
    try (EnginePair p = pair(suite, false, true, new AtomicReference<>())) {
      exchange(p);
      // Bouncy Castle's close_notify is understood by ours
      p.client.close();
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> EnginePair.terminal(p.serverEvents))).isTrue();
      assertThat(EnginePair.first(p.serverEvents, DtlsEvent.Closed.class).reason()).contains("close_notify");
    }
  }

  @Test
  void replayedAndTamperedRecordsAreDroppedAndSequenceNumbersNeverRepeat() {
    try (EnginePair p = pair(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true, true, new AtomicReference<>())) {
      exchange(p);
      p.clientSent.clear();
      p.client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      p.client.send(ByteBuffer.wrap(new byte[] {4, 5, 6}));
      int before = data(p.serverEvents).size();
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> data(p.serverEvents).size() == before + 2)).isTrue();
      byte[] first = p.clientSent.get(0);
      byte[] second = p.clientSent.get(1);
      // the client's sequence numbers continue after Bouncy Castle's Finished and never repeat
      long s1 = RecordProtection.getLong(first, 3);
      long s2 = RecordProtection.getLong(second, 3);
      assertThat(s1 >>> 48).isEqualTo(1);
      assertThat(s2).isEqualTo(s1 + 1);
      assertThat(s1 & 0xFFFF_FFFF_FFFFL).isGreaterThan(0); // 0 was the Finished

      long rejected = p.server.recordsRejected();
      Datagram replay = Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, first.clone());
      p.server.handleReceive(System.nanoTime(), replay);
      byte[] tampered = second.clone();
      tampered[tampered.length - 1] ^= 1;
      p.server.handleReceive(System.nanoTime(), Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, tampered));
      byte[] truncated = Arrays.copyOf(second, 20);
      p.server.handleReceive(System.nanoTime(), Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, truncated));
      p.pumpOnce();
      assertThat(data(p.serverEvents)).hasSize(before + 2);
      assertThat(p.server.recordsRejected()).isEqualTo(rejected + 3);
      assertThat(p.server.isConnected()).isTrue();

      // Two records in one datagram (RFC 6347 §4.1) are both read.
      p.clientSent.clear();
      p.client.send(ByteBuffer.wrap(new byte[] {7}));
      p.client.send(ByteBuffer.wrap(new byte[] {8}));
      p.pumpOnce(); // moves them one by one; build the packed datagram from what the wire saw
      byte[] a = p.clientSent.get(0);
      byte[] b = p.clientSent.get(1);
      assertThat(data(p.serverEvents)).hasSize(before + 4);
      // replays of both, packed, change nothing
      byte[] packed = new byte[a.length + b.length];
      System.arraycopy(a, 0, packed, 0, a.length);
      System.arraycopy(b, 0, packed, a.length, b.length);
      p.server.handleReceive(System.nanoTime(), Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, packed));
      p.pumpOnce();
      assertThat(data(p.serverEvents)).hasSize(before + 4);
    }
  }

  @Test
  void twoFreshRecordsInOneDatagramAreBothDelivered() throws Exception {
    AtomicReference<byte[]> kb = new AtomicReference<>();
    try (EnginePair p = pair(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false, true, kb)) {
      // the client keeps Bouncy Castle's layer, so we write "its" records with the key block: seq far ahead
      RecordProtection asClient = new RecordProtection(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, kb.get(), true, 1000);
      byte[] packed = new byte[asClient.recordLength(3) * 2];
      int n = asClient.protect(RecordProtection.CONTENT_APPLICATION_DATA, new byte[] {9, 9, 9}, 0, 3, packed, 0);
      asClient.protect(RecordProtection.CONTENT_APPLICATION_DATA, new byte[] {8, 8, 8}, 0, 3, packed, n);
      p.server.handleReceive(System.nanoTime(), Datagram.udp(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR, packed));
      p.pumpOnce();
      assertThat(data(p.serverEvents)).containsExactly(new byte[] {9, 9, 9}, new byte[] {8, 8, 8});
    }
  }

  /**
   * REVIEW #1: a send that waits for the record lock while the hand-over runs must not go through
   * Bouncy Castle afterwards (its next sequence number is the one our protection starts at: a
   * repeated AES-GCM nonce). HandshakeComplete is published only after the hand-over.
   */
  @Test
  void aSendRacingTheHandOverNeverReusesASequenceNumber() throws Exception {
    EnginePair.Options o = EnginePair.options();
    java.util.concurrent.atomic.AtomicReference<Thread> racer = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<Throwable> racerFailed = new java.util.concurrent.atomic.AtomicReference<>();
    o.clientHooks.beforeHandOver = () -> {
      Thread t = new Thread(() -> {
        try {
          p0.get().client.send(ByteBuffer.wrap(new byte[] {1}));
        } catch (Throwable e) {
          racerFailed.set(e);
        }
      }, "racing-send");
      racer.set(t);
      t.start();
      // wait (bounded) until the racing send is parked on the record lock held by this thread
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (t.getState() != Thread.State.WAITING && t.isAlive() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    };
    try (EnginePair p = o.build()) {
      p0.set(p);
      p.start(false);
      assertThat(p.pumpUntil(Duration.ofSeconds(20), p::bothComplete)).isTrue();
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> racer.get() != null && !racer.get().isAlive())).isTrue();
      assertThat(racerFailed.get()).isNull();
      assertThat(p.client.ownsRecordLayer()).isTrue();
      int before = data(p.serverEvents).size();
      p.client.send(ByteBuffer.wrap(new byte[] {2}));
      assertThat(p.pumpUntil(Duration.ofSeconds(5), () -> data(p.serverEvents).size() >= before + 1)).isTrue();
      // every epoch-1 application-data record the client wrote has its own sequence number
      java.util.Set<Long> seqs = new java.util.HashSet<>();
      int appRecords = 0;
      for (byte[] d : p.clientSent) {
        if ((d[0] & 0xFF) == RecordProtection.CONTENT_APPLICATION_DATA) {
          appRecords++;
          seqs.add(RecordProtection.getLong(d, 3));
        }
      }
      assertThat(appRecords).isEqualTo(2); // the racing send and the one after
      assertThat(seqs).hasSize(appRecords);
      // both bytes arrived (the racing one before or with the handshake's end, then the second)
      List<byte[]> got = data(p.serverEvents);
      assertThat(got).anySatisfy(b -> assertThat(b).containsExactly(1));
      assertThat(got).anySatisfy(b -> assertThat(b).containsExactly(2));
    }
  }

  private final AtomicReference<EnginePair> p0 = new AtomicReference<>();
}
