package org.rtc4j.stun.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;

/**
 * A client transaction fed arbitrary datagrams and time steps never throws, retransmits at most
 * Rc times, reports at most one event, and is idle once done. Datagrams whose bytes 8..19 are
 * replaced by the transaction id (chosen by the input) reach the response-matching code.
 */
class StunClientTransactionFuzzTest {

  static final TransactionId TID = TransactionId.fromHex("b7e7a701bc34d686fa87dfae");

  @FuzzTest(maxDuration = "2m")
  void arbitraryInput(FuzzedDataProvider data) throws Exception {
    InetSocketAddress client = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 5000);
    InetSocketAddress server = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 3478);
    Transport transport = data.consumeBoolean() ? Transport.TCP : Transport.UDP;
    byte[] req = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TID).encode(null, true);
    long now = data.consumeLong();
    StunClientTransaction tx = new StunClientTransaction(now, new Datagram(transport, client, server,
        java.nio.ByteBuffer.wrap(req)), StunTimers.DEFAULT);
    int events = 0;
    int sends = 0;
    while (tx.pollTransmit().isPresent()) {
      sends++;
    }
    for (int step = 0; step < 64 && data.remainingBytes() > 0; step++) {
      switch (data.consumeInt(0, 2)) {
        case 0: {
          byte[] b = data.consumeBytes(data.consumeInt(0, 600));
          if (b.length >= 20 && data.consumeBoolean()) {
            System.arraycopy(TID.bytes(), 0, b, 8, 12);
          }
          tx.handleReceive(now, Datagram.udp(server, client, b));
          break;
        }
        case 1: {
          long t = tx.pollTimeout();
          if (t != Long.MAX_VALUE && t >= now) {
            now = t;
          }
          tx.handleTimeout(now);
          break;
        }
        default: {
          long delta = data.consumeLong(0, 60_000_000_000L);
          now = now + delta < now ? now : now + delta;
          tx.handleTimeout(now);
        }
      }
      while (tx.pollTransmit().isPresent()) {
        sends++;
      }
      while (tx.pollEvent().isPresent()) {
        events++;
      }
      if (tx.isDone()) {
        assertThat(tx.pollTimeout()).isEqualTo(Long.MAX_VALUE);
      }
    }
    assertThat(events).isLessThanOrEqualTo(1);
    assertThat(sends).isBetween(1, transport == Transport.UDP ? 7 : 1);
  }
}
