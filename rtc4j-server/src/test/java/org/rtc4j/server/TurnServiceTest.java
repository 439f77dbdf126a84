package org.rtc4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The running service: start-up report, generated credentials, metrics endpoint, secrets hygiene (SC-14). */
class TurnServiceTest {

  @TempDir
  Path stateDir;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Logger root;

  @BeforeEach
  void captureLogs() {
    root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stopCapture() {
    root.detachAppender(logs);
  }

  static TurnOptions options(String... args) {
    TurnCommand command = new TurnCommand();
    new CommandLine(command).parseArgs(args);
    return command.turn;
  }

  private String logText() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
  }

  @Test
  void generatedSecretGoesToA0600FileAndWorkingCredentialsToStdoutNeverToTheLog() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    int port = FreePorts.tcpAndUdp();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TurnService service = TurnService.start(options("--listening-ip", "127.0.0.1", "--listening-port",
        String.valueOf(port), "--state-dir", stateDir.toString(), "--relay-threads", "2"),
        new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String report = out.toString(StandardCharsets.UTF_8);
      assertThat(report).contains("listening  udp  127.0.0.1:" + port, "listening  tcp  127.0.0.1:" + port,
          "relay      127.0.0.1", "realm      rtc4j", "TURN credentials (generated)");

      Path file = stateDir.resolve(TurnService.SECRET_FILE);
      assertThat(report).contains(file.toAbsolutePath().toString());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      String secret = Files.readString(file).strip();
      assertThat(secret).hasSizeGreaterThanOrEqualTo(40);

      Matcher user = Pattern.compile("username: (\\S+)").matcher(report);
      Matcher pass = Pattern.compile("password: (\\S+)").matcher(report);
      assertThat(user.find()).isTrue();
      assertThat(pass.find()).isTrue();
      assertThat(pass.group(1)).isEqualTo(RestCredentials.create(secret, "rtc4j",
          Long.parseLong(user.group(1).split(":")[0])).password());
      long expiry = Long.parseLong(user.group(1).split(":")[0]);
      assertThat(expiry - System.currentTimeMillis() / 1000).isBetween(86_000L, 86_400L);
      assertThat(report).contains("{\"iceServers\":[{\"urls\":[\"stun:127.0.0.1:" + port + "\"",
          "\"turn:127.0.0.1:" + port + "?transport=udp\"", "\"turn:127.0.0.1:" + port + "?transport=tcp\"",
          "\"credential\":\"" + pass.group(1) + "\"");

      assertThat(service.server().config().authSecret()).contains(secret);
      String logged = logText();
      assertThat(logged).contains("listening on udp 127.0.0.1:" + port);
      assertThat(logged).doesNotContain(secret).doesNotContain(pass.group(1));
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
    assertThat(FreePorts.isUdpFree(FreePorts.LOOPBACK, port)).isTrue();
  }

  @Test
  void configuredPasswordsAndSecretsAppearNowhere() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TurnService service = TurnService.start(options("--listening-ip", "127.0.0.1", "--listening-port", "0",
        "--user", "alice:Pa55-alice-word", "--static-auth-secret", "the-rest-secret-value", "--verbose",
        "--state-dir", stateDir.toString()), new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String report = out.toString(StandardCharsets.UTF_8);
      assertThat(report).contains("users      alice", "REST API   on").doesNotContain("TURN credentials (generated)");
      for (String text : List.of(report, logText(), service.server().config().toString())) {
        assertThat(text).doesNotContain("Pa55-alice-word").doesNotContain("the-rest-secret-value");
      }
      assertThat(Files.exists(stateDir.resolve(TurnService.SECRET_FILE))).isFalse();
    }
  }

  @Test
  void metricsEndpointExportsTheTurnCountersAndJvmBasics() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    int metricsPort = FreePorts.tcp();
    try (TurnService service = TurnService.start(options("--listening-ip", "127.0.0.1", "--listening-port", "0",
        "--user", "u:p", "--metrics-port", String.valueOf(metricsPort), "--relay-threads", "1"),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      assertThat(service.metrics().orElseThrow().address())
          .isEqualTo(new InetSocketAddress(FreePorts.LOOPBACK, metricsPort));
      InetSocketAddress udp = service.server().udpAddresses().get(0);
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0))) {
        byte[] junk = {(byte) 0xFF, 0, 0, 0, 1, 2, 3, 4};
        s.send(new DatagramPacket(junk, junk.length, udp));
      }
      Wait.until(Duration.ofSeconds(5), "malformed counted", () -> service.server().counters().malformed() >= 1);

      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(r.body()).contains("turn_allocations ", "turn_permissions ", "turn_channels ",
          "turn_relayed_bytes_total{direction=\"client_to_peer\"}", "turn_relayed_bytes_total{direction=\"peer_to_client\"}",
          "turn_relayed_packets_total{direction=\"client_to_peer\"}", "turn_auth_failures_total",
          "turn_quota_rejections_total", "turn_dropped_packets_total", "turn_malformed_total",
          "turn_allocation_creations_total", "turn_relay_ports ", "jvm_memory_used_bytes", "jvm_threads_live_threads",
          "process_uptime_seconds");
      Matcher m = Pattern.compile("(?m)^turn_malformed_total (\\S+)$").matcher(r.body());
      assertThat(m.find()).isTrue();
      assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(1.0);

      HttpResponse<String> notFound = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
          + "/other")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(notFound.statusCode()).isEqualTo(404);
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
    // The JDK HttpClient keeps a selector thread until it is collected; it belongs to the test.
    leaks.ignoringNamePrefixes("HttpClient-").assertNoNewThreads(Duration.ofSeconds(10));
    // The server closed the HTTP connections first, so they sit in TIME_WAIT on its port: a server
    // (SO_REUSEADDR) can bind it again; the listener itself is gone.
    try (java.net.ServerSocket again = new java.net.ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(FreePorts.LOOPBACK, metricsPort));
    }
  }

  @Test
  void aBusyPortFailsWithExitCode1AndAClearMessage() throws IOException {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, FreePorts.LOOPBACK)) {
      CliTest.Run r = CliTest.run("turn", "--listening-ip", "127.0.0.1", "--listening-port",
          String.valueOf(taken.getLocalPort()), "--no-udp", "--user", "a:b");
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).contains("cannot bind TCP 127.0.0.1:" + taken.getLocalPort());
    }
  }
}
