package org.rtc4j.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.testkit.Wait;

/**
 * Data channels between two rtc4j peers on 127.0.0.1 (RFC 8831/8832 over SCTP over DTLS):
 * messages keep text/binary and order, channels open from either side, negotiated channels,
 * 16 MiB messages when both sides advertise it, max-message-size enforced, close reaches both.
 */
@Timeout(90)
class DataChannelLoopbackTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void echoTextAndBinaryInOrderBothDirections() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannel a = p.offerer.createDataChannel("chat", DataChannelInit.defaults());
      assertThat(a.readyState()).isEqualTo(DataChannelState.CONNECTING);
      assertThat(a.id()).isNull(); // the DTLS role decides the parity (RFC 8832 §6)
      AtomicReference<DataChannel> remote = new AtomicReference<>();
      List<String> echoedOrder = new CopyOnWriteArrayList<>();
      p.answerer.onDataChannel(dc -> {
        remote.set(dc);
        dc.onMessage(m -> {
          if (m.isText()) {
            dc.send(m.text());
          } else {
            dc.send(m.data());
          }
        });
      });
      List<DataChannelMessage> received = new CopyOnWriteArrayList<>();
      a.onMessage(received::add);
      CompletableFuture<Void> opened = new CompletableFuture<>();
      a.onOpen(() -> opened.complete(null));
      p.connectTrickle();
      opened.get(20, TimeUnit.SECONDS);
      assertThat(a.readyState()).isEqualTo(DataChannelState.OPEN);
      assertThat(a.id()).isNotNull();
      assertThat(a.id() % 2).isEqualTo(1); // the offerer is the DTLS server here (the answerer is active)
      int n = 500;
      List<Object> sent = new ArrayList<>();
      Random r = new Random(42);
      for (int i = 0; i < n; i++) {
        if (i % 2 == 0) {
          String s = "message " + i + " \u00e9\u4e2d";
          sent.add(s);
          a.send(s);
        } else {
          byte[] b = new byte[r.nextInt(3000)];
          r.nextBytes(b);
          sent.add(b);
          a.send(b);
        }
      }
      a.send(""); // empty forms, PPID 56/57
      a.send(new byte[0]);
      Wait.until(WAIT, "all echoes", () -> received.size() == n + 2, () -> received.size() + " of " + (n + 2)
          + ", last: " + received.subList(Math.max(0, received.size() - 3), received.size()) + "\n"
          + LoopbackPeers.stats(p.offerer) + "\n" + LoopbackPeers.stats(p.answerer));
      for (int i = 0; i < n; i++) {
        DataChannelMessage m = received.get(i);
        if (sent.get(i) instanceof String s) {
          assertThat(m.isText()).as("message %d is text", i).isTrue();
          assertThat(m.text()).isEqualTo(s);
        } else {
          assertThat(m.isBinary()).as("message %d is binary", i).isTrue();
          assertThat(m.bytes()).isEqualTo((byte[]) sent.get(i));
        }
      }
      assertThat(received.get(n).isText()).isTrue();
      assertThat(received.get(n).text()).isEmpty();
      assertThat(received.get(n + 1).isBinary()).isTrue();
      assertThat(received.get(n + 1).size()).isZero();
      assertThat(remote.get().label()).isEqualTo("chat");
      RtcStatsReport stats = p.offerer.getStats().get(5, TimeUnit.SECONDS);
      RtcStats dcStats = stats.ofType("data-channel").get(0);
      assertThat(dcStats.getString("label")).isEqualTo("chat");
      assertThat(dcStats.getString("state")).isEqualTo("open");
      assertThat(dcStats.getLong("messagesSent")).isEqualTo(n + 2);
      assertThat(dcStats.getLong("messagesReceived")).isEqualTo(n + 2);
      assertThat(dcStats.getLong("dataChannelIdentifier")).isEqualTo((long) a.id());
      assertThat(stats.ofType("peer-connection").get(0).getLong("dataChannelsOpened")).isEqualTo(1);

      // Close from the offerer reaches both sides.
      CompletableFuture<Void> remoteClosed = new CompletableFuture<>();
      remote.get().onClose(() -> remoteClosed.complete(null));
      CompletableFuture<Void> localClosed = new CompletableFuture<>();
      a.onClose(() -> localClosed.complete(null));
      a.close();
      assertThat(a.readyState()).isIn(DataChannelState.CLOSING, DataChannelState.CLOSED);
      localClosed.get(10, TimeUnit.SECONDS);
      remoteClosed.get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> a.send("late")).isInstanceOf(InvalidStateException.class);
    }
  }

  /**
   * SCTP's path MTU discovery (RFC 8899) between two rtc4j peers: the probe of the largest size
   * an Ethernet path carries is answered, so bulk data leaves in ~1.45 KB datagrams instead of
   * 1.2 KB, and never larger (loopback's 64 KiB MTU is not used).
   */
  @Test
  void pathMtuDiscoveryRaisesDataPacketsToEthernetSize() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannel a = p.offerer.createDataChannel("bulk", DataChannelInit.defaults());
      AtomicLong got = new AtomicLong();
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      p.answerer.onDataChannel(dc -> dc.onMessage(m -> {
        synchronized (digest) {
          digest.update(m.bytes());
        }
        got.addAndGet(m.size());
      }));
      CompletableFuture<Void> opened = new CompletableFuture<>();
      a.onOpen(() -> opened.complete(null));
      p.connectTrickle();
      opened.get(20, TimeUnit.SECONDS);
      Wait.until(WAIT, "the probe answered", () -> transport(p.offerer).getString("rtc4jSctpPlpmtuState")
          .equals("SEARCH_COMPLETE"), () -> LoopbackPeers.stats(p.offerer));
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      Random r = new Random(5);
      int total = 4 << 20;
      for (int off = 0; off < total; off += 65536) {
        byte[] m = new byte[65536];
        r.nextBytes(m);
        sent.update(m);
        a.send(m);
      }
      Wait.until(WAIT, "4 MiB", () -> got.get() == total, () -> got.get() + " bytes");
      synchronized (digest) {
        assertThat(digest.digest()).isEqualTo(sent.digest());
      }
      RtcStats t = transport(p.offerer);
      // 1500 - IPv6 40 - UDP 8 - ChannelData 4 = 1448 per datagram, minus AES-GCM's 37-byte record overhead.
      assertThat(t.getLong("rtc4jSctpPlpmtu")).isEqualTo(1408L);
      assertThat(t.getLong("rtc4jSctpPlpmtuProbesAcked")).as("a path change or a BASE check may add probes").isGreaterThanOrEqualTo(1L);
      assertThat(t.getLong("rtc4jSctpPlpmtuBlackHoles")).isZero();
      // At the old 1150-byte packets 4 MiB took at least 4 MiB / 1122 = 3,739 DATA packets.
      assertThat(t.getLong("rtc4jSctpDataPacketsSent")).isLessThan(3300L);
      assertThat(transport(p.answerer).getLong("rtc4jSctpPlpmtu")).isEqualTo(1408L);
    }
  }

  private static RtcStats transport(PeerConnection pc) {
    try {
      return pc.getStats().get(5, TimeUnit.SECONDS).ofType("transport").get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void answererOpensAndNegotiatedChannelsWork() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannelInit negotiated = DataChannelInit.builder().negotiated(7).ordered(false).maxRetransmits(3).build();
      DataChannel na = p.offerer.createDataChannel("n", negotiated);
      DataChannel nb = p.answerer.createDataChannel("n", negotiated);
      assertThat(na.id()).isEqualTo(7);
      List<String> atA = new CopyOnWriteArrayList<>();
      na.onMessage(m -> atA.add(m.text()));
      AtomicReference<DataChannel> fromAnswerer = new AtomicReference<>();
      p.offerer.onDataChannel(fromAnswerer::set);
      p.connectTrickle();
      p.awaitBoth(RtcPeerConnectionState.CONNECTED);
      DataChannel b = p.answerer.createDataChannel("late", DataChannelInit.builder().protocol("proto").build());
      Wait.until(WAIT, "offerer sees the answerer's channel", () -> fromAnswerer.get() != null);
      assertThat(fromAnswerer.get().label()).isEqualTo("late");
      assertThat(fromAnswerer.get().protocol()).isEqualTo("proto");
      assertThat(b.id() % 2).isZero(); // the answerer is the DTLS client: even ids
      Wait.until(WAIT, "negotiated channel open", () -> nb.readyState() == DataChannelState.OPEN);
      nb.send("over negotiated");
      Wait.until(WAIT, "negotiated message", () -> atA.contains("over negotiated"));
      assertThat(na.ordered()).isFalse();
      assertThat(na.maxRetransmits()).isEqualTo(3);
    }
  }

  @Test
  void sixteenMebibyteMessagesWhenBothSidesAllowThem() throws Exception {
    long mms = 17L * 1024 * 1024;
    RtcConfiguration c = LoopbackPeers.loopbackConfig().maxMessageSize(mms).build();
    try (LoopbackPeers p = new LoopbackPeers(c, c)) {
      DataChannel a = p.offerer.createDataChannel("big", DataChannelInit.defaults());
      AtomicReference<byte[]> digest = new AtomicReference<>();
      AtomicLong size = new AtomicLong();
      p.answerer.onDataChannel(dc -> dc.onMessage(m -> {
        size.set(m.size());
        digest.set(sha256(m.bytes()));
      }));
      CompletableFuture<Void> opened = new CompletableFuture<>();
      a.onOpen(() -> opened.complete(null));
      p.connectTrickle();
      opened.get(20, TimeUnit.SECONDS);
      assertThat(p.offerer.sctp().maxMessageSize()).isEqualTo(mms);
      byte[] big = new byte[16 * 1024 * 1024];
      new Random(7).nextBytes(big);
      long t = System.nanoTime();
      a.send(big);
      Wait.until(Duration.ofSeconds(60), "16 MiB message", () -> digest.get() != null, () -> "buffered " + a.bufferedAmount());
      double s = (System.nanoTime() - t) / 1e9;
      System.out.printf("16 MiB message in %.2f s (%.1f MB/s)%n", s, big.length / s / 1e6);
      assertThat(size.get()).isEqualTo(big.length);
      assertThat(digest.get()).isEqualTo(sha256(big));
      // The peer's limit is enforced on send (W3C: TypeError).
      assertThatThrownBy(() -> a.send(new byte[(int) mms + 1])).isInstanceOf(TypeException.class);
      Wait.until(WAIT, "buffer drained", () -> a.bufferedAmount() == 0, () -> "buffered " + a.bufferedAmount());
    }
  }

  @Test
  void defaultMaxMessageSizeIsEnforcedAndBackPressureReported() throws Exception {
    try (LoopbackPeers p = new LoopbackPeers(LoopbackPeers.loopbackConfig().build(),
        LoopbackPeers.loopbackConfig().build())) {
      DataChannel a = p.offerer.createDataChannel("bp", DataChannelInit.defaults());
      AtomicLong bytes = new AtomicLong();
      p.answerer.onDataChannel(dc -> dc.onMessage(m -> bytes.addAndGet(m.size())));
      CompletableFuture<Void> opened = new CompletableFuture<>();
      a.onOpen(() -> opened.complete(null));
      p.connectTrickle();
      opened.get(20, TimeUnit.SECONDS);
      assertThat(p.offerer.sctp().maxMessageSize()).isEqualTo(RtcConfiguration.DEFAULT_MAX_MESSAGE_SIZE);
      assertThatThrownBy(() -> a.send(new byte[256 * 1024 + 1])).isInstanceOf(TypeException.class);
      a.setBufferedAmountLowThreshold(64 * 1024);
      CompletableFuture<Void> low = new CompletableFuture<>();
      a.onBufferedAmountLow(() -> low.complete(null));
      byte[] chunk = new byte[64 * 1024];
      int count = 64; // 4 MiB
      long t = System.nanoTime();
      for (int i = 0; i < count; i++) {
        a.send(chunk);
      }
      assertThat(a.bufferedAmount()).isGreaterThan(0);
      low.get(30, TimeUnit.SECONDS);
      Wait.until(Duration.ofSeconds(30), "4 MiB arrive", () -> bytes.get() == (long) count * chunk.length,
          () -> bytes.get() + " bytes");
      double s = (System.nanoTime() - t) / 1e9;
      System.out.printf("4 MiB in 64 KiB messages: %.2f s (%.1f MB/s)%n", s, count * chunk.length / s / 1e6);
    }
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void ignore(ByteBuffer b) {}
}
