package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/**
 * BI-6: a stateful harness (usrsctp {@code fuzzer_connect} style). Two associations with the
 * checksum check off are driven to a state chosen by the input (COOKIE-WAIT, COOKIE-ECHOED,
 * ESTABLISHED with data in flight, SHUTDOWN-*, after ABORT); then fuzzed packets, with the right
 * verification tag patched in most of the time, are interleaved with real traffic, timeouts, sends,
 * resets, shutdowns and aborts. Nothing may throw, no internal error may be caught, and what goes
 * out stays within the MTU.
 */
class AssociationFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void stateful(FuzzedDataProvider data) {
    SctpConfig cfg = SctpConfig.builder().verifyChecksum(false).cookieLifetime(Duration.ofSeconds(5)).build();
    SctpAssociation a = new SctpAssociation(cfg, new Random(1));
    SctpAssociation b = new SctpAssociation(cfg, new Random(2));
    long[] now = {1_000_000_000_000L};
    int target = data.consumeInt(0, 6);
    a.connect(now[0]);
    if (target >= 1) {
      deliver(a, b, now[0]); // INIT → b
      deliver(b, a, now[0]); // INIT-ACK → a, a is COOKIE-ECHOED
    }
    if (target >= 2) {
      deliver(a, b, now[0]);
      deliver(b, a, now[0]);
      if (a.state() == SctpState.ESTABLISHED) {
        a.send(now[0], 1, 53, ByteBuffer.allocate(3000), false, -1, -1);
        b.send(now[0], 2, 51, ByteBuffer.allocate(10), true, 0, -1);
      }
    }
    if (target == 3) {
      a.shutdown(now[0]);
    } else if (target == 4) {
      b.shutdown(now[0]);
      deliver(b, a, now[0]);
    } else if (target == 5) {
      a.abort(now[0], "fuzz");
    } else if (target == 6) {
      a.resetStreams(now[0], 1, 2);
    }
    for (int step = 0; step < 40 && data.remainingBytes() > 0; step++) {
      SctpAssociation to = data.consumeBoolean() ? a : b;
      SctpAssociation other = to == a ? b : a;
      switch (data.consumeInt(0, 6)) {
        case 0, 1, 2 -> {
          byte[] pkt = data.consumeBytes(data.consumeInt(0, 1500));
          if (pkt.length >= 12 && data.consumeBoolean()) {
            // Use the tag the receiver expects, learned from what the other side sent.
            Optional<ByteBuffer> real = other.pollTransmit();
            if (real.isPresent()) {
              System.arraycopy(real.get().array(), 4, pkt, 4, 4);
            }
          }
          to.handleReceive(now[0], ByteBuffer.wrap(pkt));
        }
        case 3 -> deliver(other, to, now[0]);
        case 4 -> {
          now[0] += data.consumeLong(0, 70_000_000_000L);
          a.handleTimeout(now[0]);
          b.handleTimeout(now[0]);
        }
        case 5 -> {
          if (to.state() == SctpState.ESTABLISHED) {
            to.send(now[0], data.consumeInt(0, 3), 53, ByteBuffer.allocate(data.consumeInt(1, 5000)),
                data.consumeBoolean(), data.consumeInt(-1, 2), -1);
          }
        }
        default -> {
          switch (data.consumeInt(0, 2)) {
            case 0 -> to.resetStreams(now[0], data.consumeInt(0, 4));
            case 1 -> to.shutdown(now[0]);
            default -> to.abort(now[0], "fuzz");
          }
        }
      }
      drainEvents(a);
      drainEvents(b);
    }
    for (SctpAssociation x : new SctpAssociation[] {a, b}) {
      Optional<ByteBuffer> p;
      int n = 0;
      while ((p = x.pollTransmit()).isPresent() && n++ < 10_000) {
        assertThat(p.get().remaining()).isLessThanOrEqualTo(cfg.mtu());
      }
      assertThat(x.internalErrors()).as(x.debugState()).isZero();
      assertThat(x.stats()).isNotNull();
      assertThat(x.pollTimeout()).isGreaterThan(0);
    }
  }

  private static void deliver(SctpAssociation from, SctpAssociation to, long now) {
    Optional<ByteBuffer> p;
    int n = 0;
    while ((p = from.pollTransmit()).isPresent() && n++ < 1000) {
      assertThat(p.get().remaining()).isLessThanOrEqualTo(from.config().mtu());
      to.handleReceive(now, p.get());
    }
  }

  private static void drainEvents(SctpAssociation x) {
    int n = 0;
    while (x.pollEvent().isPresent() && n++ < 100_000) {
      // events are not checked here, only that producing them is safe
    }
  }
}
