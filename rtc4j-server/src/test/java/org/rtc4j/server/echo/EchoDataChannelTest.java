package org.rtc4j.server.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.server.EchoCommand;
import org.rtc4j.testkit.Wait;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.DataChannelInit;
import org.rtc4j.webrtc.DataChannelMessage;
import org.rtc4j.webrtc.DataChannelState;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import picocli.CommandLine;

/**
 * {@code rtc4j echo} serving data channels, driven in-process by an rtc4j PeerConnection over the
 * HTTP signaling (no browser): mixed text/binary echoed in order with its type kept, a burst far
 * over the echo's high-water mark, and the {@code sink} channel's count and hash.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EchoDataChannelTest {

  EchoCommand.Running echo;
  RtcRuntime runtime;
  PeerConnection client;
  final HttpClient http = HttpClient.newHttpClient();
  final CompletableFuture<Void> gathered = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    echo = CommandLine.populateCommand(new EchoCommand(), "--http", "127.0.0.1:0", "--ice-address", "127.0.0.1",
        "--timeout", "10").start();
    runtime = RtcRuntime.create(1);
    client = new PeerConnection(RtcConfiguration.builder().hostAddress(InetAddress.getLoopbackAddress()).build(), runtime);
    client.onIceGatheringStateChange(s -> {
      if (s == RtcIceGatheringState.COMPLETE) {
        gathered.complete(null);
      }
    });
  }

  @AfterEach
  void stop() {
    client.close();
    runtime.close();
    echo.close();
  }

  /** Creates the channels first (so the offer has the data section), then offers over POST /offer. */
  void connect() throws Exception {
    client.setLocalDescription(client.createOffer().get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
    gathered.get(10, TimeUnit.SECONDS);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(echo.server().baseUrl() + "/offer"))
        .header("Content-Type", "application/sdp")
        .POST(HttpRequest.BodyPublishers.ofString(client.localDescription().sdp())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    client.setRemoteDescription(RtcSessionDescription.answer(r.body())).get(10, TimeUnit.SECONDS);
  }

  static void awaitOpen(DataChannel dc) {
    Wait.until(Duration.ofSeconds(20), "channel " + dc.label() + " open", () -> dc.readyState() == DataChannelState.OPEN,
        dc::toString);
  }

  @Test
  void mixedTextAndBinaryAreEchoedInOrderWithTheirType() throws Exception {
    DataChannel dc = client.createDataChannel("echo", DataChannelInit.defaults());
    List<DataChannelMessage> got = new CopyOnWriteArrayList<>();
    dc.onMessage(got::add);
    connect();
    awaitOpen(dc);
    int n = 1000;
    SplittableRandom rnd = new SplittableRandom(4);
    List<Object> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        String s = "text-" + i + "-é€" + "x".repeat(rnd.nextInt(200));
        sent.add(s);
        dc.send(s);
      } else {
        byte[] b = new byte[rnd.nextInt(1, 3000)];
        rnd.nextBytes(b);
        b[0] = (byte) i;
        sent.add(b);
        dc.send(b);
      }
    }
    Wait.until(Duration.ofSeconds(30), n + " echoes", () -> got.size() >= n, () -> got.size() + " echoes");
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      DataChannelMessage m = got.get(i);
      if (sent.get(i) instanceof String s) {
        assertThat(m.isText()).as("message %d is text", i).isTrue();
        assertThat(m.text()).as("message %d", i).isEqualTo(s);
      } else {
        assertThat(m.isBinary()).as("message %d is binary", i).isTrue();
        assertThat(m.bytes()).as("message %d", i).isEqualTo((byte[]) sent.get(i));
      }
    }
  }

  @Test
  void aBurstFarOverTheHighWaterMarkIsEchoedCompletely() throws Exception {
    DataChannel dc = client.createDataChannel("burst", DataChannelInit.defaults());
    AtomicLong received = new AtomicLong();
    MessageDigest echoed = MessageDigest.getInstance("SHA-256");
    dc.onMessage(m -> {
      received.addAndGet(m.size());
      echoed.update(m.data());
    });
    connect();
    awaitOpen(dc);
    MessageDigest sentHash = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[64 * 1024];
    int count = 96; // 6 MiB, six times the echo's HIGH_WATER
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < count; i++) {
      rnd.nextBytes(chunk);
      sentHash.update(chunk);
      Wait.until(Duration.ofSeconds(20), "client buffer drains", () -> dc.bufferedAmount() < 4L << 20);
      dc.send(chunk);
    }
    long total = (long) count * chunk.length;
    EchoSession session = (EchoSession) echo.server().sessions().values().iterator().next();
    Wait.until(Duration.ofSeconds(60), total + " bytes echoed", () -> received.get() >= total,
        () -> received + " received; client bufferedAmount " + dc.bufferedAmount() + "; echo side "
            + session.dataChannels().stream().map(c -> c + " bufferedAmount=" + c.bufferedAmount()).toList()
            + " " + session.peerConnection().getStats().join());
    assertThat(received.get()).isEqualTo(total);
    assertThat(echoed.digest()).isEqualTo(sentHash.digest());
  }

  @Test
  void theSinkCountsAndHashesAndRepliesOnDone() throws Exception {
    DataChannel sink = client.createDataChannel("sink", DataChannelInit.defaults());
    List<String> replies = new CopyOnWriteArrayList<>();
    sink.onMessage(m -> replies.add(m.isText() ? m.text() : "binary " + m.size()));
    connect();
    awaitOpen(sink);
    MessageDigest h = MessageDigest.getInstance("SHA-256");
    SplittableRandom rnd = new SplittableRandom(11);
    long total = 0;
    for (int i = 0; i < 64; i++) {
      byte[] b = new byte[rnd.nextInt(1, 64 * 1024)];
      rnd.nextBytes(b);
      h.update(b);
      total += b.length;
      Wait.until(Duration.ofSeconds(20), "client buffer drains", () -> sink.bufferedAmount() < 4L << 20);
      sink.send(b);
    }
    String text = "text counts too ✓";
    h.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    total += text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    sink.send(text);
    sink.send("done");
    Wait.until(Duration.ofSeconds(30), "sink reply", () -> !replies.isEmpty());
    assertThat(replies).containsExactly("bytes=" + total + " sha256=" + HexFormat.of().formatHex(h.digest()));
    // a second round starts from zero
    sink.send(new byte[] {1, 2, 3});
    sink.send("done");
    Wait.until(Duration.ofSeconds(30), "second sink reply", () -> replies.size() == 2);
    byte[] three = MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3});
    assertThat(replies.get(1)).isEqualTo("bytes=3 sha256=" + HexFormat.of().formatHex(three));
    assertThat(Arrays.asList(replies.get(0).split(" "))).hasSize(2);
  }
}
