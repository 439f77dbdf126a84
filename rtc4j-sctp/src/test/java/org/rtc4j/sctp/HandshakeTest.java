package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** FT-3 (handshake and RE-CONFIG loss) and SC-9 (cookie integrity and privacy). */
class HandshakeTest {

  static int firstChunkType(ByteBuffer p) {
    return p.remaining() > 12 ? p.get(p.position() + 12) & 0xFF : -1;
  }

  static boolean containsChunk(ByteBuffer p, int type) {
    try {
      return SctpPacket.parse(p.duplicate()).chunks().stream().anyMatch(c -> c.type() == type);
    } catch (SctpParseException e) {
      return false;
    }
  }

  @ParameterizedTest(name = "drop first {1} of chunk type {0}")
  @CsvSource({"1,1", "1,3", "2,1", "2,3", "10,1", "10,2", "10,3", "11,1", "11,3"})
  void lostHandshakeChunksAreRecovered(int type, int count) {
    Pair p = new Pair(100 + type * 10 + count);
    p.link.impair(0, 0, 0, 30, 0);
    int[] left = {count};
    // INIT and COOKIE-ECHO come from a; INIT-ACK and COOKIE-ACK from b.
    java.util.function.Predicate<ByteBuffer> drop = b -> {
      if (containsChunk(b, type) && left[0] > 0) {
        left[0]--;
        return true;
      }
      return false;
    };
    p.link.dropAtoB = drop;
    p.link.dropBtoA = drop;
    p.connect();
    assertThat(left[0]).isZero();
    p.a.send(p.link.now, 0, 51, ByteBuffer.wrap("hi".getBytes()), false, -1, -1);
    p.link.runUntil(() -> !Pair.messages(p.eventsB).isEmpty(), 10_000);
  }

  @Test
  void lostReconfigStillClosesTheStreamOnBothSides() {
    Pair p = new Pair(7);
    p.link.impair(0, 0, 0, 20, 0);
    p.connect();
    int[] left = {1};
    p.link.dropAtoB = b -> containsChunk(b, Chunk.RE_CONFIG) && left[0]-- > 0;
    p.a.send(p.link.now, 2, 51, ByteBuffer.wrap("last".getBytes()), false, -1, -1);
    p.a.resetStreams(p.link.now, 2);
    p.link.runUntil(() -> p.eventsB.stream().anyMatch(e -> e instanceof SctpEvent.StreamsReset)
        && p.eventsA.stream().anyMatch(e -> e instanceof SctpEvent.OutgoingStreamsReset), 20_000);
    assertThat(left[0]).isNegative();
    assertThat(Pair.messages(p.eventsB)).hasSize(1);
    // The stream is usable again from SSN 0.
    p.a.send(p.link.now, 2, 51, ByteBuffer.wrap("again".getBytes()), false, -1, -1);
    p.link.runUntil(() -> Pair.messages(p.eventsB).size() == 2, 10_000);
  }

  /** Runs a's INIT through b and returns a's COOKIE-ECHO packet (b stays CLOSED). */
  static ByteBuffer cookieEcho(SctpAssociation a, SctpAssociation b, long now) {
    a.connect(now);
    b.handleReceive(now, a.pollTransmit().orElseThrow());
    a.handleReceive(now, b.pollTransmit().orElseThrow());
    ByteBuffer ce = a.pollTransmit().orElseThrow();
    assertThat(firstChunkType(ce)).isEqualTo(Chunk.COOKIE_ECHO);
    return ce;
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void modifiedCookieIsRejected() {
    long now = 1_000_000_000L;
    SctpAssociation a = new SctpAssociation(SctpConfig.defaults(), new Random(1));
    SctpAssociation b = new SctpAssociation(SctpConfig.defaults(), new Random(2));
    byte[] ce = bytes(cookieEcho(a, b, now));
    for (int i = 16; i < ce.length; i += 7) {
      byte[] m = ce.clone();
      m[i] ^= 0x20;
      Crc32c.writeField(ByteBuffer.wrap(m), 0, m.length);
      b.handleReceive(now, ByteBuffer.wrap(m));
      assertThat(b.state()).isEqualTo(SctpState.CLOSED);
      assertThat(b.pollTransmit()).isEmpty();
    }
    assertThat(b.pollEvent()).isEmpty();
    // The untouched one works.
    b.handleReceive(now, ByteBuffer.wrap(ce));
    assertThat(b.state()).isEqualTo(SctpState.ESTABLISHED);
  }

  @Test
  void expiredCookieIsRejected() {
    long now = 1_000_000_000L;
    SctpConfig cfg = SctpConfig.builder().cookieLifetime(Duration.ofSeconds(5)).build();
    SctpAssociation a = new SctpAssociation(cfg, new Random(1));
    SctpAssociation b = new SctpAssociation(cfg, new Random(2));
    ByteBuffer ce = cookieEcho(a, b, now);
    b.handleReceive(now + Duration.ofSeconds(6).toNanos(), ce.duplicate());
    assertThat(b.state()).isEqualTo(SctpState.CLOSED);
    assertThat(b.pollEvent()).isEmpty();
    // b answers with an ERROR (stale cookie), never a COOKIE-ACK.
    ByteBuffer answer = b.pollTransmit().orElseThrow();
    assertThat(firstChunkType(answer)).isEqualTo(Chunk.ERROR);
    assertThat(b.pollTransmit()).isEmpty();
    // Within its lifetime the same cookie is accepted.
    b.handleReceive(now + Duration.ofSeconds(4).toNanos(), ce.duplicate());
    assertThat(b.state()).isEqualTo(SctpState.ESTABLISHED);
  }

  @Test
  void cookieWithWrongTagIsRejected() {
    long now = 1_000_000_000L;
    SctpAssociation a = new SctpAssociation(SctpConfig.defaults(), new Random(1));
    SctpAssociation b = new SctpAssociation(SctpConfig.defaults(), new Random(2));
    byte[] ce = bytes(cookieEcho(a, b, now));
    ce[7] ^= 1;
    Crc32c.writeField(ByteBuffer.wrap(ce), 0, ce.length);
    b.handleReceive(now, ByteBuffer.wrap(ce));
    assertThat(b.state()).isEqualTo(SctpState.CLOSED);
    assertThat(b.pollTransmit()).isEmpty();
    assertThat(b.stats().badTags()).isEqualTo(1);
  }

  @Test
  void cookieHoldsOnlyProtocolValuesAndTagsAreRandom() throws Exception {
    long now = 1_000_000_000L;
    SctpAssociation a = new SctpAssociation(SctpConfig.defaults(), new Random(1));
    SctpAssociation b = new SctpAssociation(SctpConfig.defaults(), new Random(2));
    a.connect(now);
    ByteBuffer initPacket = a.pollTransmit().orElseThrow();
    InitChunk init = (InitChunk) SctpPacket.parse(initPacket.duplicate()).chunks().get(0);
    b.handleReceive(now, initPacket);
    InitAckChunk ack = (InitAckChunk) SctpPacket.parse(b.pollTransmit().orElseThrow()).chunks().get(0);
    ByteBuffer cookie = ack.stateCookie().orElseThrow();
    assertThat(cookie.remaining()).isEqualTo(StateCookie.LENGTH);
    // Layout: version, flags, streams, then exactly the tags and TSNs seen on the wire, the
    // a_rwnd, the creation time we passed in and the lifetime; the rest is the HMAC.
    assertThat(cookie.getInt(8) & 0xFFFFFFFFL).isEqualTo(ack.initiateTag());
    assertThat(cookie.getInt(12) & 0xFFFFFFFFL).isEqualTo(init.initiateTag());
    assertThat(cookie.getInt(16) & 0xFFFFFFFFL).isEqualTo(ack.initialTsn());
    assertThat(cookie.getInt(20) & 0xFFFFFFFFL).isEqualTo(init.initialTsn());
    assertThat(cookie.getInt(24) & 0xFFFFFFFFL).isEqualTo(init.aRwnd());
    assertThat(cookie.getLong(28)).isEqualTo(now);
    // Tags differ between associations and runs with different randomness.
    SctpAssociation c = new SctpAssociation(SctpConfig.defaults(), new Random(3));
    c.connect(now);
    InitChunk init2 = (InitChunk) SctpPacket.parse(c.pollTransmit().orElseThrow()).chunks().get(0);
    assertThat(init2.initiateTag()).isNotEqualTo(init.initiateTag()).isNotZero();
  }

  @Test
  void shutdownAndAbort() {
    Pair p = new Pair(9);
    p.link.impair(0.05, 0, 0, 10, 0);
    p.connect();
    p.a.send(p.link.now, 0, 53, Pair.bytes(200_000, 1), false, -1, -1);
    p.a.shutdown(p.link.now);
    p.link.runUntil(() -> p.a.state() == SctpState.CLOSED && p.b.state() == SctpState.CLOSED, 60_000);
    p.poll();
    assertThat(Pair.messages(p.eventsB)).hasSize(1);
    assertThat(p.eventsA).last().isInstanceOf(SctpEvent.Closed.class);
    assertThat(p.eventsB).last().isInstanceOf(SctpEvent.Closed.class);

    Pair q = new Pair(10);
    q.connect();
    q.b.abort(q.link.now, "test over");
    q.link.runUntil(() -> q.a.state() == SctpState.CLOSED, 10_000);
    q.poll();
    assertThat(q.eventsA).last().isInstanceOfSatisfying(SctpEvent.Aborted.class,
        e -> assertThat(e.reason()).contains("test over"));
  }
}
