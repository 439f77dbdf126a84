package org.rtc4j.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code rtc4j receive} and {@code rtc4j send} in this JVM on loopback: a 20 MiB random file
 * arrives with the same sha256, both print the summary line, the receiver's file equals the
 * original. Opens peer sockets on 127.0.0.1 only (passes inside {@code unshare --net}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransferCommandsTest {

  private static final Pattern SUMMARY =
      Pattern.compile("bytes=(\\d+) seconds=([0-9.]+) MBps=([0-9.]+) sha256=([0-9a-f]{64})");

  @TempDir
  Path tmp;

  @Test
  void twentyMibArriveIntactAndBothSidesPrintTheSummary() throws Exception {
    byte[] data = new byte[20 * 1024 * 1024];
    new SplittableRandom(4).nextBytes(data);
    Path src = tmp.resolve("random.bin");
    Files.write(src, data);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    Path outDir = tmp.resolve("in");

    ReceiveCommand receive = new ReceiveCommand();
    ByteArrayOutputStream rOut = new ByteArrayOutputStream();
    ByteArrayOutputStream rErr = new ByteArrayOutputStream();
    receive.stdout = new PrintStream(rOut, true, StandardCharsets.UTF_8);
    receive.stderr = new PrintStream(rErr, true, StandardCharsets.UTF_8);
    CompletableFuture<Integer> receiveExit = CompletableFuture.supplyAsync(() -> new CommandLine(receive)
        .execute("--http", "127.0.0.1:0", "--out", outDir.toString(), "--ice-address", "127.0.0.1", "--timeout", "60"));
    InetSocketAddress http = receive.listening.get(20, TimeUnit.SECONDS);

    SendCommand send = new SendCommand();
    ByteArrayOutputStream sOut = new ByteArrayOutputStream();
    ByteArrayOutputStream sErr = new ByteArrayOutputStream();
    send.stdout = new PrintStream(sOut, true, StandardCharsets.UTF_8);
    send.stderr = new PrintStream(sErr, true, StandardCharsets.UTF_8);
    int sendExit = new CommandLine(send).execute(src.toString(), "--to", "http://127.0.0.1:" + http.getPort(),
        "--ice-address", "127.0.0.1", "--timeout", "60");

    assertThat(sendExit).as("send exit; stderr: %s", sErr).isZero();
    assertThat(receiveExit.get(20, TimeUnit.SECONDS)).as("receive exit; stderr: %s", rErr).isZero();
    for (String out : List.of(sOut.toString(StandardCharsets.UTF_8), rOut.toString(StandardCharsets.UTF_8))) {
      String[] lines = out.strip().split("\n");
      Matcher m = SUMMARY.matcher(lines[lines.length - 1]);
      assertThat(m.matches()).as("last line of %s", out).isTrue();
      assertThat(Long.parseLong(m.group(1))).isEqualTo(data.length);
      assertThat(Double.parseDouble(m.group(3))).isPositive();
      assertThat(m.group(4)).isEqualTo(sha);
    }
    assertThat(Files.readAllBytes(outDir.resolve("random.bin"))).isEqualTo(data);
    assertThat(rErr.toString(StandardCharsets.UTF_8)).contains("100%");
    assertThat(sErr.toString(StandardCharsets.UTF_8)).contains("100%");
    try (var files = Files.list(outDir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("random.bin");
    }
  }

  /** A sender announcing the wrong sha256: receive exits 1, keeps no file, and tells the sender ok=false. */
  @Test
  void aHashMismatchFailsTheReceiverAndLeavesNoFile() throws Exception {
    Path outDir = tmp.resolve("in");
    ReceiveCommand receive = new ReceiveCommand();
    ByteArrayOutputStream rOut = new ByteArrayOutputStream();
    ByteArrayOutputStream rErr = new ByteArrayOutputStream();
    receive.stdout = new PrintStream(rOut, true, StandardCharsets.UTF_8);
    receive.stderr = new PrintStream(rErr, true, StandardCharsets.UTF_8);
    CompletableFuture<Integer> receiveExit = CompletableFuture.supplyAsync(() -> new CommandLine(receive)
        .execute("--http", "127.0.0.1:0", "--out", outDir.toString(), "--ice-address", "127.0.0.1", "--timeout", "60"));
    InetSocketAddress http = receive.listening.get(20, TimeUnit.SECONDS);

    try (var runtime = org.rtc4j.webrtc.runtime.RtcRuntime.create(1);
        var pc = new org.rtc4j.webrtc.PeerConnection(org.rtc4j.webrtc.RtcConfiguration.builder()
            .hostAddress(java.net.InetAddress.getLoopbackAddress()).build(), runtime)) {
      CompletableFuture<Void> gathered = new CompletableFuture<>();
      pc.onIceGatheringStateChange(st -> {
        if (st == org.rtc4j.webrtc.RtcIceGatheringState.COMPLETE) {
          gathered.complete(null);
        }
      });
      var ch = pc.createDataChannel(TransferProtocol.LABEL, org.rtc4j.webrtc.DataChannelInit.defaults());
      CompletableFuture<String> verdict = new CompletableFuture<>();
      ch.onMessage(m -> verdict.complete(m.text()));
      ch.onOpen(() -> {
        ch.send(TransferProtocol.file("bad.bin", 3));
        ch.send(new byte[] {1, 2, 3});
        ch.send(TransferProtocol.done("bad.bin", 3, "00".repeat(32)));
      });
      pc.setLocalDescription(pc.createOffer().get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
      gathered.get(15, TimeUnit.SECONDS);
      var client = java.net.http.HttpClient.newHttpClient();
      var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + http.getPort()
          + "/offer")).header("Content-Type", "application/sdp")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(pc.localDescription().sdp())).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(201);
      pc.setRemoteDescription(org.rtc4j.webrtc.RtcSessionDescription.answer(r.body())).get(10, TimeUnit.SECONDS);
      var v = TransferProtocol.parse(verdict.get(30, TimeUnit.SECONDS));
      assertThat(v).containsEntry("type", "result").containsEntry("ok", false).containsEntry("bytes", 3L);
      assertThat((String) v.get("error")).contains("sha256 mismatch");
    }
    assertThat(receiveExit.get(20, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(rErr.toString(StandardCharsets.UTF_8)).contains("sha256 mismatch");
    String[] lines = rOut.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(SUMMARY.matcher(lines[lines.length - 1]).matches()).isTrue();
    try (var files = Files.list(outDir)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void fileNamesCannotLeaveTheDirectory() {
    assertThat(FileReceiver.safeName("../../etc/passwd")).isEqualTo("passwd");
    assertThat(FileReceiver.safeName("a\\b\\c.txt")).isEqualTo("c.txt");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileReceiver.safeName("..")).isInstanceOf(
        IllegalArgumentException.class);
  }

  @Test
  void protocolMessagesRoundTrip() {
    var m = TransferProtocol.parse(TransferProtocol.done("we\"ird\\name\n.bin", 42, "ab"));
    assertThat(m).containsEntry("type", "done").containsEntry("name", "we\"ird\\name\n.bin").containsEntry("size", 42L)
        .containsEntry("sha256", "ab");
    assertThat(TransferProtocol.parse(TransferProtocol.result(false, 7, "cd", "bad"))).containsEntry("ok", false)
        .containsEntry("bytes", 7L).containsEntry("error", "bad");
    assertThat(TransferProtocol.summary(2_000_000, 2, "ef")).isEqualTo("bytes=2000000 seconds=2.000 MBps=1.00 sha256=ef");
  }
}
