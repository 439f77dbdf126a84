package org.rtc4j.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.testkit.Wait;

/**
 * The W3C rules for {@code bufferedAmount} (webrtc-pc §6.2 RTCDataChannel), between two rtc4j peers
 * on 127.0.0.1:
 *
 * <ul>
 *   <li>{@code send()} increases it synchronously by the message's byte size (UTF-8 for text);
 *   <li>inside {@code onbufferedamountlow} it reads the current, already decreased value (the
 *       event fires when it "decreases to or below" the threshold);
 *   <li>{@code send()} that does not fit the send buffer throws OperationError and changes nothing;
 *       on a channel that is not open it throws InvalidStateError;
 *   <li>it "does not reset to zero once the channel closes": unsent bytes stay counted.
 * </ul>
 *
 * <p>To make the buffer fill deterministically a test parks a connection's loop thread (a task
 * that waits on a latch): nothing is sent or received by that connection until it is released.
 */
@Timeout(90)
class DataChannelBufferedAmountTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * Bursts of 256 KiB sent from the callbacks (onOpen, then each onBufferedAmountLow), as a W3C
   * application on its event loop does: exactly one event per burst, each reading a value at or
   * below the threshold.
   */
  @Test
  void lowEventSeesTheDecreasedValue() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannel a = p.offerer.createDataChannel("buffered", DataChannelInit.defaults());
      p.answerer.onDataChannel(dc -> { });
      long threshold = 64 * 1024;
      a.setBufferedAmountLowThreshold(threshold);
      int rounds = 20;
      byte[] chunk = new byte[16 * 1024];
      List<Long> seenInHandler = new CopyOnWriteArrayList<>();
      List<Long> roundMillis = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      long[] t0 = {0};
      Runnable burst = () -> {
        t0[0] = System.nanoTime();
        for (int i = 0; i < 16; i++) {
          a.send(chunk); // 256 KiB: far above the threshold
        }
      };
      a.onOpen(burst);
      a.onBufferedAmountLow(() -> {
        seenInHandler.add(a.bufferedAmount());
        roundMillis.add((System.nanoTime() - t0[0]) / 1_000_000);
        if (seenInHandler.size() < rounds) {
          burst.run();
        } else {
          done.complete(null);
        }
      });
      p.connectTrickle();
      done.get(60, TimeUnit.SECONDS);
      System.out.println("ms per round: " + roundMillis);
      assertThat(seenInHandler).as("bufferedAmount read inside onBufferedAmountLow (threshold %d)", threshold)
          .hasSize(rounds).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(threshold));
      // No spurious event: the last burst drained, one event per burst (Wait.during would sleep-poll;
      // a getStats round trip through the loop and the callback executor is enough to flush one).
      Wait.until(WAIT, "drained", () -> a.bufferedAmount() == 0);
      p.offerer.getStats().get(10, TimeUnit.SECONDS);
      assertThat(seenInHandler).hasSize(rounds);
    }
  }

  @Test
  void sendCountsSynchronouslyAndRefusesWhatDoesNotFit() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannel early = p.offerer.createDataChannel("early", DataChannelInit.defaults());
      assertThatThrownBy(() -> early.send("too early")).isInstanceOf(InvalidStateException.class);
      assertThat(early.bufferedAmount()).isZero();
      DataChannel a = open(p);

      CountDownLatch releaseA = new CountDownLatch(1);
      CountDownLatch releaseB = new CountDownLatch(1);
      park(p.answerer, releaseB);
      park(p.offerer, releaseA);
      a.send(new byte[1000]);
      assertThat(a.bufferedAmount()).isEqualTo(1000);
      a.send("h\u00e9llo"); // 6 UTF-8 bytes
      assertThat(a.bufferedAmount()).isEqualTo(1006);

      int size = 256 * 1024; // Jsep's default remote max-message-size
      byte[] big = new byte[size];
      Random r = new Random(7);
      int accepted = 0;
      OperationException refused = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        r.nextBytes(big);
        long before = a.bufferedAmount();
        try {
          a.send(big);
          accepted++;
          assertThat(a.bufferedAmount()).isEqualTo(before + size);
        } catch (OperationException e) {
          refused = e;
          assertThat(a.bufferedAmount()).as("a refused send changes nothing").isEqualTo(before);
        }
      }
      assertThat(refused).as("send beyond %d bytes buffered", DataChannel.MAX_BUFFERED_AMOUNT).isNotNull();
      assertThat(accepted).isEqualTo((int) ((DataChannel.MAX_BUFFERED_AMOUNT - 1006) / size));
      assertThat(a.readyState()).isEqualTo(DataChannelState.OPEN);
      long full = a.bufferedAmount();
      assertThat(full).isEqualTo(1006 + (long) accepted * size);
      a.send(new byte[10]); // what still fits is taken
      assertThat(a.bufferedAmount()).isEqualTo(full + 10);

      releaseA.countDown();
      releaseB.countDown();
      a.close();
      assertThatThrownBy(() -> a.send("closing")).isInstanceOf(InvalidStateException.class);
      assertThatThrownBy(() -> a.send(new byte[1])).isInstanceOf(InvalidStateException.class);
      assertThat(a.bufferedAmount()).isLessThanOrEqualTo(full + 10);
    }
  }

  /**
   * What the previous test queued while both loops were parked arrives in full, in order, and the
   * buffer drains to 0: recovery after a stall of a few seconds (retransmission timer, window).
   */
  @Test
  void aBurstQueuedDuringAStallArrivesInFull() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      MessageDigest received = sha256();
      AtomicLong receivedBytes = new AtomicLong();
      DataChannel a = open(p, m -> {
        received.update(m.data());
        receivedBytes.addAndGet(m.size());
      });
      CountDownLatch releaseA = new CountDownLatch(1);
      CountDownLatch releaseB = new CountDownLatch(1);
      park(p.answerer, releaseB);
      park(p.offerer, releaseA);
      MessageDigest sent = sha256();
      byte[] big = new byte[256 * 1024];
      Random r = new Random(11);
      for (int i = 0; i < 60; i++) {
        r.nextBytes(big);
        sent.update(big);
        a.send(big);
      }
      long total = 60L * big.length;
      releaseA.countDown();
      releaseB.countDown();
      Wait.until(WAIT, "everything received", () -> receivedBytes.get() == total,
          () -> receivedBytes.get() + " of " + total + ", buffered " + a.bufferedAmount() + "\n"
              + LoopbackPeers.stats(p.offerer) + "\n" + LoopbackPeers.stats(p.answerer));
      assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
      Wait.until(WAIT, "bufferedAmount back to 0", () -> a.bufferedAmount() == 0, () -> "buffered " + a.bufferedAmount());
    }
  }

  @Test
  void unsentBytesStayCountedWhenTheChannelCloses() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannel a = open(p);
      CompletableFuture<Void> closed = new CompletableFuture<>();
      a.onClose(() -> closed.complete(null));
      CountDownLatch releaseB = new CountDownLatch(1);
      park(p.answerer, releaseB);
      byte[] chunk = new byte[256 * 1024];
      for (int i = 0; i < 60; i++) {
        a.send(chunk); // 15 MiB: the parked peer takes at most a receive window of it
      }
      // The answerer closes (its loop runs its queued work first, then ABORTs the association):
      // the offerer's channel closes with most of the 15 MiB never sent.
      releaseB.countDown();
      p.answerer.close();
      closed.get(20, TimeUnit.SECONDS);
      assertThat(a.readyState()).isEqualTo(DataChannelState.CLOSED);
      long left = a.bufferedAmount();
      assertThat(left).as("bufferedAmount after close (W3C: not reset to zero)").isGreaterThan(0);
      p.offerer.close();
      assertThat(a.bufferedAmount()).isEqualTo(left);
    }
  }

  /** Parks {@code pc}'s loop thread until {@code release} (bounded: 10 s). */
  private static void park(PeerConnection pc, CountDownLatch release) throws Exception {
    CountDownLatch parked = new CountDownLatch(1);
    pc.runOnLoop(engine -> {
      parked.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static DataChannel open(LoopbackPeers p) throws Exception {
    return open(p, m -> { });
  }

  /** Connects and opens a reliable channel offerer → answerer; {@code onRemote} gets what arrives. */
  private static DataChannel open(LoopbackPeers p, java.util.function.Consumer<DataChannelMessage> onRemote)
      throws Exception {
    DataChannel a = p.offerer.createDataChannel("buffered", DataChannelInit.defaults());
    AtomicReference<DataChannel> remote = new AtomicReference<>();
    p.answerer.onDataChannel(dc -> {
      remote.set(dc);
      dc.onMessage(m -> {
        if (m.isBinary()) {
          onRemote.accept(m);
        }
      });
    });
    CompletableFuture<Void> opened = new CompletableFuture<>();
    a.onOpen(() -> opened.complete(null));
    p.connectTrickle();
    opened.get(20, TimeUnit.SECONDS);
    return a;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
