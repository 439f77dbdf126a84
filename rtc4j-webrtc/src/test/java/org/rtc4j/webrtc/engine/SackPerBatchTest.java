package org.rtc4j.webrtc.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.ice.IceTransportPolicy;
import org.rtc4j.net.Datagram;
import org.rtc4j.sctp.SctpStats;
import org.rtc4j.testkit.Wait;
import org.rtc4j.webrtc.RtcSdpType;
import org.rtc4j.webrtc.RtcSessionDescription;

/**
 * Two engines wired in memory (no sockets): a batch of received DATA packets must still be
 * answered with a SACK for at least every {@link PeerEngine#SACK_EVERY} of them, since the
 * sender's slow start grows by at most one MTU per SACK (RFC 9260 §6.2, §7.2.1, REVIEW #4).
 */
class SackPerBatchTest {

  private static final InetSocketAddress ADDR_A = new InetSocketAddress(InetAddress.getLoopbackAddress(), 41001);
  private static final InetSocketAddress ADDR_B = new InetSocketAddress(InetAddress.getLoopbackAddress(), 41002);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int BATCH = 64;

  private final PeerEngine a = engine(ADDR_A);
  private final PeerEngine b = engine(ADDR_B);
  private final List<Datagram> toA = new ArrayList<>();
  private final List<Datagram> toB = new ArrayList<>();
  private int messagesAtA;

  private static PeerEngine engine(InetSocketAddress host) {
    SecureRandom random = new SecureRandom();
    PeerEngineConfig config = new PeerEngineConfig(List.of(), IceTransportPolicy.ALL, List.of(host),
        DtlsCertificate.generate(), 256 * 1024, 5000, Duration.ofSeconds(5), Duration.ofSeconds(30), () -> {});
    return new PeerEngine(config, random);
  }

  @Test
  void aBatchOfDataPacketsIsAnsweredBySacksNotByOne() {
    connect();
    // Warm up: B sends to A one datagram at a time, so B's cwnd opens past a batch's worth.
    int warm = 0;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (b.sctpAssociation().stats().cwnd() < 2L * BATCH * 1200 && System.nanoTime() < deadline && warm < 20_000) {
      b.sendOwned(System.nanoTime(), 1, false, new byte[1000]);
      warm++;
      exchange();
    }
    assertTrue(b.sctpAssociation().stats().cwnd() >= 2L * BATCH * 1200,
        "B's cwnd did not open: " + b.sctpAssociation().stats());
    int sent = warm;
    drainUntil(() -> b.sctpAssociation().stats().flightSize() == 0 && messagesAtA == sent);

    // B sends BATCH one-packet messages; collect them without delivering.
    for (int i = 0; i < BATCH; i++) {
      b.sendOwned(System.nanoTime(), 1, false, new byte[1000]);
    }
    long end = System.nanoTime() + WAIT.toNanos();
    while (toA.size() < BATCH && System.nanoTime() < end) {
      long now = System.nanoTime();
      if (b.pollTimeout() - now <= 0) {
        b.handleTimeout(now);
      }
      collect(b, toA);
    }
    assertEquals(BATCH, toA.size(), "B's DATA packets");

    // A reads them as one batch (handleReceive × 64), then polls once, as PeerDriver does.
    SctpStats before = b.sctpAssociation().stats();
    int messagesBefore = messagesAtA;
    long now = System.nanoTime();
    for (Datagram d : toA) {
      a.handleReceive(now, d);
    }
    toA.clear();
    collect(a, toB);
    drainEvents(a);
    assertEquals(messagesBefore + BATCH, messagesAtA, "messages delivered at A");
    for (Datagram d : toB) {
      b.handleReceive(now, d);
    }
    toB.clear();
    drainEvents(b);
    SctpStats after = b.sctpAssociation().stats();
    long sacks = after.sacksReceived() - before.sacksReceived();
    assertTrue(sacks >= BATCH / PeerEngine.SACK_EVERY,
        "SACKs for " + BATCH + " DATA packets read in one batch: " + sacks);
    assertEquals(0, after.flightSize(), "all acknowledged");
  }

  private void connect() {
    long now = System.nanoTime();
    a.createDataChannel(now, 1, "bulk", "", true, -1, -1, true, 1);
    b.createDataChannel(now, 1, "bulk", "", true, -1, -1, true, 1);
    RtcSessionDescription offer = a.createOffer(now);
    a.setLocalDescription(now, RtcSdpType.OFFER, offer.sdp());
    b.setRemoteDescription(now, offer);
    RtcSessionDescription answer = b.createAnswer(now);
    b.setLocalDescription(now, RtcSdpType.ANSWER, answer.sdp());
    a.setRemoteDescription(now, answer);
    drainUntil(() -> a.sctpConnected() && b.sctpConnected());
  }

  private void drainUntil(java.util.function.BooleanSupplier done) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "not reached in time");
      exchange();
      Thread.onSpinWait();
    }
  }

  /** One round, one datagram per read: timers, output both ways, events. */
  private void exchange() {
    long now = System.nanoTime();
    for (PeerEngine e : List.of(a, b)) {
      if (e.pollTimeout() - now <= 0) {
        e.handleTimeout(now);
      }
    }
    collect(a, toB);
    collect(b, toA);
    for (Datagram d : toA) {
      a.handleReceive(now, d);
      collect(a, toB); // one datagram per read: the per-datagram path
    }
    toA.clear();
    for (Datagram d : toB) {
      b.handleReceive(now, d);
      collect(b, toA);
    }
    toB.clear();
    drainEvents(a);
    drainEvents(b);
  }

  private void collect(PeerEngine from, List<Datagram> into) {
    while (true) {
      Optional<Datagram> d = from.pollTransmit();
      if (d.isEmpty()) {
        return;
      }
      into.add(d.get());
    }
  }

  private void drainEvents(PeerEngine e) {
    while (true) {
      Optional<PeerEvent> ev = e.pollEvent();
      if (ev.isEmpty()) {
        return;
      }
      if (ev.get() instanceof PeerEvent.LocalCandidate c) {
        (e == a ? b : a).addIceCandidate(System.nanoTime(), c.candidate());
      } else if (ev.get() instanceof PeerEvent.ChannelMessage && e == a) {
        messagesAtA++;
      }
    }
  }
}
