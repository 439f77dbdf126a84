package org.rtc4j.stun.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.ShortTermCredentials;
import org.rtc4j.stun.Software;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.UnknownAttribute;
import org.rtc4j.stun.XorMappedAddress;

/** RFC 8489 §6.2.1 timer schedule with fake time, response matching, events. */
class StunClientTransactionTest {

  static final long MS = 1_000_000L;
  /** An arbitrary, negative start: nanoTime values may be negative. */
  static final long T0 = -123_456_789_000L;
  static final InetSocketAddress CLIENT = addr("127.0.0.1", 40000);
  static final InetSocketAddress SERVER = addr("127.0.0.1", 3478);

  static InetSocketAddress addr(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  final TransactionId tid = TransactionId.random(new SplittableRandom(42));

  Datagram request(Transport t) {
    byte[] b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, tid).encode(null, true);
    return new Datagram(t, CLIENT, SERVER, java.nio.ByteBuffer.wrap(b));
  }

  Datagram response(StunClass cls, TransactionId id, org.rtc4j.stun.StunAttribute... attrs) {
    StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING, cls, id);
    for (var a : attrs) {
      b.add(a);
    }
    return Datagram.udp(SERVER, CLIENT, b.encode(null, true));
  }

  /** Runs the transaction on fake time, always jumping to pollTimeout; returns the send times in ms after T0. */
  static List<Long> drive(StunClientTransaction tx, List<Long> eventTimes) {
    List<Long> sends = new ArrayList<>();
    long now = T0;
    for (int guard = 0; guard < 100; guard++) {
      for (Optional<Datagram> d = tx.pollTransmit(); d.isPresent(); d = tx.pollTransmit()) {
        sends.add((now - T0) / MS);
      }
      Optional<StunTransactionEvent> e = tx.pollEvent();
      if (e.isPresent()) {
        assertThat(e.get()).isInstanceOf(StunTransactionEvent.Timeout.class);
        eventTimes.add((now - T0) / MS);
        break;
      }
      long next = tx.pollTimeout();
      assertThat(next).isNotEqualTo(Long.MAX_VALUE);
      // Calling a nanosecond early does nothing.
      tx.handleTimeout(next - 1);
      assertThat(tx.pollTransmit()).isEmpty();
      assertThat(tx.pollEvent()).isEmpty();
      now = next;
      tx.handleTimeout(now);
    }
    assertThat(tx.isDone()).isTrue();
    assertThat(tx.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    return sends;
  }

  @Test
  void udpScheduleIsRfc8489Exactly() {
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT);
    List<Long> timeout = new ArrayList<>();
    List<Long> sends = drive(tx, timeout);
    assertThat(sends).containsExactly(0L, 500L, 1500L, 3500L, 7500L, 15500L, 31500L);
    assertThat(timeout).containsExactly(39500L);
    assertThat(tx.sendCount()).isEqualTo(7);
  }

  @Test
  void configurableRto() {
    StunTimers t = StunTimers.DEFAULT.withRto(Duration.ofMillis(100));
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), t);
    List<Long> timeout = new ArrayList<>();
    assertThat(drive(tx, timeout)).containsExactly(0L, 100L, 300L, 700L, 1500L, 3100L, 6300L);
    assertThat(timeout).containsExactly(6300L + 1600L);
    StunClientTransaction tx2 = new StunClientTransaction(T0, request(Transport.UDP),
        new StunTimers(Duration.ofMillis(250).toNanos(), 3, 4, 1));
    List<Long> timeout2 = new ArrayList<>();
    assertThat(drive(tx2, timeout2)).containsExactly(0L, 250L, 750L);
    assertThat(timeout2).containsExactly(750L + 1000L);
  }

  @Test
  void reliableTransportsSendOnceAndTimeOutAfter39point5Seconds() {
    for (Transport t : new Transport[] {Transport.TCP, Transport.TLS}) {
      StunClientTransaction tx = new StunClientTransaction(T0, request(t), StunTimers.DEFAULT);
      List<Long> timeout = new ArrayList<>();
      assertThat(drive(tx, timeout)).containsExactly(0L);
      assertThat(timeout).containsExactly(39500L);
    }
  }

  @Test
  void lateTimerCallsRetransmitOnceAndRescheduleFromNow() {
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT);
    assertThat(tx.pollTransmit()).isPresent();
    tx.handleTimeout(T0 + 5000 * MS); // far past the 500 ms deadline
    assertThat(tx.pollTransmit()).isPresent();
    assertThat(tx.pollTransmit()).isEmpty();
    assertThat(tx.pollTimeout()).isEqualTo(T0 + 6000 * MS);
  }

  @Test
  void successResponseEndsTheTransaction() {
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT);
    Datagram sent = tx.pollTransmit().orElseThrow();
    assertThat(sent.destination()).isEqualTo(SERVER);
    assertThat(sent.source()).isEqualTo(CLIENT);
    assertThat(sent.payload().isReadOnly()).isTrue();
    tx.handleTimeout(T0 + 500 * MS);
    assertThat(tx.pollTransmit()).isPresent();

    Datagram in = response(StunClass.SUCCESS_RESPONSE, tid, new XorMappedAddress(addr("203.0.113.5", 1234)));
    tx.handleReceive(T0 + 600 * MS, in);
    // The driver reuses its receive buffer: the event must not depend on it.
    java.util.Arrays.fill(in.payload().array(), (byte) 0);
    StunTransactionEvent e = tx.pollEvent().orElseThrow();
    assertThat(e).isInstanceOfSatisfying(StunTransactionEvent.Success.class, s -> {
      assertThat(s.from()).isEqualTo(SERVER);
      assertThat(s.response().attribute(XorMappedAddress.class).orElseThrow().address())
          .isEqualTo(addr("203.0.113.5", 1234));
    });
    assertThat(e.transactionId()).isEqualTo(tid);
    assertThat(tx.isDone()).isTrue();
    assertThat(tx.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    tx.handleTimeout(T0 + 100_000 * MS);
    assertThat(tx.pollTransmit()).isEmpty();
    assertThat(tx.pollEvent()).isEmpty();
    // A duplicate response after completion is ignored.
    tx.handleReceive(T0 + 700 * MS, response(StunClass.SUCCESS_RESPONSE, tid));
    assertThat(tx.pollEvent()).isEmpty();
  }

  @Test
  void errorResponseIsAFailureWithItsCode() {
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.TCP), StunTimers.DEFAULT);
    tx.pollTransmit();
    // An error response without ERROR-CODE is malformed and ignored.
    tx.handleReceive(T0, response(StunClass.ERROR_RESPONSE, tid));
    assertThat(tx.pollEvent()).isEmpty();
    tx.handleReceive(T0, response(StunClass.ERROR_RESPONSE, tid, ErrorCode.UNAUTHENTICATED));
    assertThat(tx.pollEvent().orElseThrow()).isInstanceOfSatisfying(StunTransactionEvent.Failure.class,
        f -> assertThat(f.errorCode().code()).isEqualTo(401));
  }

  @Test
  void unrelatedAndMalformedInputIsDiscarded() {
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT);
    tx.pollTransmit();
    TransactionId other = TransactionId.random(new SplittableRandom(1));
    tx.handleReceive(T0, response(StunClass.SUCCESS_RESPONSE, other));
    tx.handleReceive(T0, Datagram.udp(SERVER, CLIENT, new byte[] {0, 1, 2}));
    tx.handleReceive(T0, Datagram.udp(SERVER, CLIENT, new byte[] {0x40, 0, 0, 0}));
    byte[] bad = response(StunClass.SUCCESS_RESPONSE, tid).bytes();
    bad[bad.length - 1] ^= 1; // broken FINGERPRINT
    tx.handleReceive(T0, Datagram.udp(SERVER, CLIENT, bad));
    // A request or indication with our id is not a response.
    tx.handleReceive(T0, response(StunClass.REQUEST, tid));
    tx.handleReceive(T0, response(StunClass.INDICATION, tid));
    assertThat(tx.pollEvent()).isEmpty();
    assertThat(tx.discardedCount()).isEqualTo(6);
    assertThat(tx.isDone()).isFalse();
  }

  @Test
  void responseFilterRejectsForgedResponses() {
    byte[] key = ShortTermCredentials.key("secret");
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT,
        m -> m.verifyMessageIntegrity(key));
    tx.pollTransmit();
    tx.handleReceive(T0, response(StunClass.SUCCESS_RESPONSE, tid));
    assertThat(tx.pollEvent()).isEmpty();
    byte[] signed = StunMessage.builder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, tid)
        .add(new Software("srv")).encode(key, true);
    tx.handleReceive(T0, Datagram.udp(SERVER, CLIENT, signed));
    assertThat(tx.pollEvent().orElseThrow()).isInstanceOf(StunTransactionEvent.Success.class);
  }

  @Test
  void successWithUnknownComprehensionRequiredAttributeFails() {
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT);
    tx.pollTransmit();
    tx.handleReceive(T0, response(StunClass.SUCCESS_RESPONSE, tid, new UnknownAttribute(0x7001, new byte[4])));
    assertThat(tx.pollEvent().orElseThrow()).isInstanceOfSatisfying(StunTransactionEvent.Failure.class,
        f -> assertThat(f.errorCode().code()).isEqualTo(420));
  }

  @Test
  void alreadyParsedResponsesAndCancel() throws Exception {
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT);
    StunMessage resp = StunMessage.parse(response(StunClass.SUCCESS_RESPONSE, tid).bytes());
    assertThat(tx.handleResponse(T0, resp, SERVER)).isTrue();
    assertThat(tx.handleResponse(T0, resp, SERVER)).isFalse();

    StunClientTransaction c = new StunClientTransaction(T0, request(Transport.UDP), StunTimers.DEFAULT);
    c.cancel();
    assertThat(c.pollTransmit()).isEmpty();
    assertThat(c.pollTimeout()).isEqualTo(Long.MAX_VALUE);
    c.handleTimeout(T0 + 100_000 * MS);
    assertThat(c.pollEvent()).isEmpty();
  }

  @Test
  void misuseIsRejected() {
    Datagram notStun = Datagram.udp(CLIENT, SERVER, new byte[20]);
    assertThatThrownBy(() -> new StunClientTransaction(T0, notStun, StunTimers.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class);
    Datagram indication = Datagram.udp(CLIENT, SERVER,
        StunMessage.builder(StunMethod.BINDING, StunClass.INDICATION, tid).encode());
    assertThatThrownBy(() -> new StunClientTransaction(T0, indication, StunTimers.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StunTimers(0, 7, 16, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hugeTimersSaturateInsteadOfOverflowing() {
    StunTimers t = new StunTimers(Long.MAX_VALUE / 4, 10, 16, Long.MAX_VALUE);
    StunClientTransaction tx = new StunClientTransaction(T0, request(Transport.UDP), t);
    tx.pollTransmit();
    long first = tx.pollTimeout();
    assertThat(first).isGreaterThan(T0);
    tx.handleTimeout(first);
    assertThat(tx.pollTimeout()).isGreaterThanOrEqualTo(first);
  }
}
