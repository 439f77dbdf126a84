package org.rtc4j.server.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.peerjs.ConnectOptions;
import org.rtc4j.peerjs.DataConnection;
import org.rtc4j.peerjs.Peer;
import org.rtc4j.peerjs.PeerOptions;
import org.rtc4j.peerjs.Serialization;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.SignalingServer;
import org.rtc4j.testkit.Wait;
import org.rtc4j.webrtc.RtcConfiguration;
import picocli.CommandLine;

/**
 * {@code rtc4j peerjs send} → {@code rtc4j peerjs receive} in this JVM through our SignalingServer on 127.0.0.1
 * (peer sockets on loopback only: passes inside {@code unshare --net}), and a sender announcing the wrong SHA-256:
 * receive exits 1, answers ok=false and keeps no file.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeerJsCommandTest {

  private static final Pattern SUMMARY =
      Pattern.compile("bytes=(\\d+) seconds=([0-9.]+) MBps=([0-9.]+) sha256=([0-9a-f]{64})");
  private static final Duration STEP = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  SignalingServer server;

  @BeforeEach
  void start() throws Exception {
    server = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  String url() {
    return "http://127.0.0.1:" + server.port() + "/";
  }

  static final class Cli {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final CompletableFuture<Integer> exit;

    Cli(String... args) {
      CommandLine cli = new CommandLine(new PeerJsCommand());
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
    }

    String lastLine() {
      String[] lines = out.toString().strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private Cli receive(String id, Path dir) {
    Cli r = new Cli("receive", "--id", id, "--out", dir.toString(), "--server", url(), "--ice-address", "127.0.0.1",
        "--timeout", "60");
    Wait.until(STEP, "peerjs receive registered", () -> r.err.toString().contains("waiting for a file") || r.exit.isDone(),
        r.err::toString);
    assertThat(r.exit).as("receive still running; stderr %s", r.err).isNotDone();
    return r;
  }

  @Test
  void sendToReceiveArrivesIntactWithTheSummaryOnBothSides() throws Exception {
    byte[] data = new byte[5 * 1024 * 1024 + 77];
    new SplittableRandom(5).nextBytes(data);
    Path src = Files.write(tmp.resolve("cli.bin"), data);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    Path dir = tmp.resolve("in");
    Cli r = receive("cli-receiver", dir);
    Cli s = new Cli("send", src.toString(), "--to", "cli-receiver", "--server", url(), "--ice-address", "127.0.0.1",
        "--timeout", "60");
    int sent = s.exit.get(90, TimeUnit.SECONDS);
    if (sent != 0) { // seen once in CI (the receiver's side closed early): say what the receiver saw
      try {
        r.exit.get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // still running (its connection closed under it) or failed: its stderr below says which
      }
    }
    assertThat(sent).as("send exit; stderr %s; receiver (%s) stderr %s", s.err,
        r.exit.isDone() ? "exited" : "still running", r.err).isZero();
    assertThat(r.exit.get(30, TimeUnit.SECONDS)).as("receive exit; stderr %s", r.err).isZero();
    for (Cli c : new Cli[] {s, r}) {
      Matcher m = SUMMARY.matcher(c.lastLine());
      assertThat(m.matches()).as("last line of %s", c.out).isTrue();
      assertThat(Long.parseLong(m.group(1))).isEqualTo(data.length);
      assertThat(m.group(4)).isEqualTo(sha);
      assertThat(c.err.toString()).contains("100.0%");
    }
    assertThat(Files.readAllBytes(dir.resolve("cli.bin"))).isEqualTo(data);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("cli.bin");
    }
  }

  @Test
  void aWrongHashFailsTheReceiverKeepsNoFileAndTellsTheSender() throws Exception {
    Path dir = tmp.resolve("in");
    Cli r = receive("strict-receiver", dir);
    Peer sender = new Peer(null, PeerOptions.builder().host("127.0.0.1").port(server.port())
        .config(RtcConfiguration.builder().hostAddress(InetAddress.getLoopbackAddress()).build()).build());
    try {
      CompletableFuture<String> opened = new CompletableFuture<>();
      sender.onOpen(opened::complete).onError(opened::completeExceptionally);
      opened.get(20, TimeUnit.SECONDS);
      DataConnection c = sender.connect("strict-receiver",
          new ConnectOptions("rtc4j-web", Map.of("app", "rtc4j-web"), Serialization.RAW, true));
      CompletableFuture<Void> open = new CompletableFuture<>();
      CompletableFuture<JsonNode> result = new CompletableFuture<>();
      c.onOpen(() -> open.complete(null)).onError(open::completeExceptionally);
      c.onData(d -> {
        try {
          result.complete(PeerJsCommand.JSON.readTree((String) d));
        } catch (Exception e) {
          result.completeExceptionally(e);
        }
      });
      open.get(30, TimeUnit.SECONDS);
      Map<String, Object> start = new LinkedHashMap<>();
      start.put("type", "file-start");
      start.put("id", "1");
      start.put("name", "../../evil.bin"); // only the last path element is used
      start.put("size", 3);
      c.send(PeerJsCommand.JSON.writeValueAsString(start));
      c.send(new byte[] {1, 2, 3});
      c.send("{\"type\":\"file-end\",\"id\":\"1\",\"sha256\":\"" + "00".repeat(32) + "\"}");
      JsonNode verdict = result.get(30, TimeUnit.SECONDS);
      assertThat(verdict.path("type").asText()).isEqualTo("file-result");
      assertThat(verdict.path("ok").asBoolean(true)).isFalse();
      assertThat(verdict.path("size").asLong()).isEqualTo(3);
      assertThat(verdict.path("sha256").asText()).isEqualTo(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3})));
    } finally {
      sender.destroy();
    }
    assertThat(r.exit.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(r.err.toString()).contains("sha256 mismatch");
    assertThat(SUMMARY.matcher(r.lastLine()).matches()).as("last line of %s", r.out).isTrue();
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).isEmpty();
    }
    assertThat(Files.exists(tmp.resolve("evil.bin"))).isFalse();
  }

  @Test
  void fileNamesStayInTheDirectory() {
    assertThat(PeerJsCommand.safeName("../../etc/passwd")).isEqualTo("passwd");
    assertThat(PeerJsCommand.safeName("a\\b\\c.txt")).isEqualTo("c.txt");
    assertThatThrownBy(() -> PeerJsCommand.safeName("..")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerJsCommand.safeName("dir/")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerJsCommand.safeName(".x.part")).isInstanceOf(IllegalArgumentException.class);
  }
}
