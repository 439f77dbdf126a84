package org.rtc4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.ThreadLeakCheck;
import picocli.CommandLine;

/**
 * {@code rtc4j serve} runs the signaling server next to TURN and shares the TURN REST secret:
 * credentials minted by {@code GET /peerjs/ice-servers} allocate on the suite's TURN server
 * (checked with coturn's {@code turnutils_uclient}).
 */
class ServeSignalingTest {

  @TempDir
  Path stateDir;

  ServeCommand parse(String... args) {
    ServeCommand c = new ServeCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void serveStartsSignalingWithWorkingTurnCredentials() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot().ignoringNamePrefixes("HttpClient-");
    ServeCommand serve = parse("--listening-ip", "127.0.0.1", "--listening-port", "0", "--state-dir",
        stateDir.toString(), "--relay-threads", "1", "--allow-loopback-peers", "--signaling-ip", "127.0.0.1",
        "--signaling-port", "0");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    HttpClient http = HttpClient.newHttpClient();
    try (TurnService turn = TurnService.start(serve.turn, ps); AutoCloseable more = serve.startMore(turn, ps)) {
      SignalingService signaling = (SignalingService) more;
      int port = signaling.server().port();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("PeerJS signaling server is running",
          "/peerjs/ice-servers mints credentials");
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/peerjs/ice-servers?id=alice")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode j = new ObjectMapper().readTree(r.body());
      int turnPort = turn.server().udpAddresses().get(0).getPort();
      assertThat(j.at("/iceServers/0/urls/0").asText()).isEqualTo("stun:127.0.0.1:" + turnPort);
      JsonNode t = j.at("/iceServers/1");
      assertThat(t.at("/urls").toString()).contains("turn:127.0.0.1:" + turnPort + "?transport=udp",
          "turn:127.0.0.1:" + turn.server().tcpAddresses().get(0).getPort() + "?transport=tcp");
      String user = t.get("username").asText();
      String pass = t.get("credential").asText();
      assertThat(user).endsWith(":alice");

      // coturn's client allocates with exactly these credentials (client-to-client mode: no external peer)
      List<String> cmd = new ArrayList<>(List.of(External.require("turnutils_uclient").toString(), "-y", "-c",
          "-n", "5", "-m", "1", "-l", "100", "-z", "5", "-u", user, "-w", pass, "-p", Integer.toString(turnPort),
          "127.0.0.1"));
      Processes.Result uclient = Processes.command(cmd).timeout(Duration.ofSeconds(30))
          .log(Path.of("target/test-results/serve-signaling-uclient.log")).run();
      assertThat(turn.server().counters().allocationsCreated()).as("allocations with minted credentials; uclient:\n%s",
          uclient.output()).isGreaterThanOrEqualTo(1);
      assertThat(turn.server().counters().authFailures()).isZero();

      // a tampered credential is refused by the same TURN server
      List<String> bad = new ArrayList<>(cmd);
      // (a password that already started with 'x' was left unchanged by "x" + rest: 1 run in 64 failed)
      bad.set(bad.indexOf(pass), (pass.charAt(0) == 'x' ? "y" : "x") + pass.substring(1));
      long before = turn.server().counters().allocationsCreated();
      Processes.command(bad).timeout(Duration.ofSeconds(30)).log(Path.of("target/test-results/serve-signaling-uclient-bad.log")).run();
      assertThat(turn.server().counters().allocationsCreated()).isEqualTo(before);
      assertThat(turn.server().counters().authFailures()).isPositive();
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
  }

  /**
   * Under {@code serve} the suite has one metrics endpoint ({@code --metrics-port}): the signaling meters are on it
   * next to TURN's, and they count what happens (a peer that opens shows in the peers gauge and the connections
   * counter).
   */
  @Test
  void serveExportsSignalingMetricsOnTheSuitesEndpoint() throws Exception {
    int metricsPort = FreePorts.tcp(FreePorts.LOOPBACK);
    ServeCommand serve = parse("--listening-ip", "127.0.0.1", "--listening-port", "0", "--state-dir",
        stateDir.toString(), "--relay-threads", "1", "--signaling-ip", "127.0.0.1", "--signaling-port", "0",
        "--metrics-port", Integer.toString(metricsPort));
    PrintStream ps = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    HttpClient http = HttpClient.newHttpClient();
    try (TurnService turn = TurnService.start(serve.turn, ps); AutoCloseable more = serve.startMore(turn, ps)) {
      SignalingService signaling = (SignalingService) more;
      URI metrics = URI.create("http://127.0.0.1:" + turn.metrics().orElseThrow().address().getPort() + "/metrics");
      String before = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(before).contains("rtc4j_signaling_peers{key=\"peerjs\"} 0.0", "rtc4j_signaling_messages_relayed_total",
          "turn_relayed_packets_total");
      try (PeerJsSocket alice = PeerJsSocket.connect(http, signaling.server().port(), "peerjs", "alice", "t1")) {
        assertThat(alice.next()).isEqualTo("{\"type\":\"OPEN\"}");
        String after = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(after).contains("rtc4j_signaling_peers{key=\"peerjs\"} 1.0", "rtc4j_signaling_connections_total 1.0");
      }
    }
  }

  @Test
  void serveRedisSharesIdsWithAStandaloneSignalingNode() throws Exception {
    int redisPort = FreePorts.tcp();
    String redisUri = "redis://127.0.0.1:" + redisPort;
    ServeCommand serve = parse("--listening-ip", "127.0.0.1", "--listening-port", "0", "--state-dir",
        stateDir.toString(), "--relay-threads", "1", "--allow-loopback-peers", "--signaling-ip", "127.0.0.1",
        "--signaling-port", "0", "--redis", redisUri);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    HttpClient http = HttpClient.newHttpClient();
    try (Processes.Running redis = SignalingCommandTest.redisServer(redisPort);
        TurnService turn = TurnService.start(serve.turn, quiet); AutoCloseable more = serve.startMore(turn, quiet);
        SignalingService node = SignalingService.standalone(SignalingCommandTest.parse("--port", "0", "-H",
            "127.0.0.1", "--redis", redisUri), quiet);
        PeerJsSocket alice = PeerJsSocket.connect(http, ((SignalingService) more).server().port(), "peerjs",
            "alice", "t1")) {
      assertThat(alice.next()).isEqualTo("{\"type\":\"OPEN\"}");
      try (PeerJsSocket thief = PeerJsSocket.connect(http, node.server().port(), "peerjs", "alice", "t2")) {
        assertThat(thief.next()).isEqualTo("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
      }
    }
  }

  @Test
  void noSignalingStartsNothing() throws Exception {
    ServeCommand serve = parse("--no-signaling");
    assertThat(serve.signaling.disabled).isTrue();
    assertThat(serve.startMore(null, System.out)).isNotInstanceOf(SignalingService.class);
    assertThat(parse().signaling.port).isEqualTo(9000);
  }
}
