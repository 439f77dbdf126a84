package org.rtc4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.Tenant;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.ThreadLeakCheck;
import picocli.CommandLine;

/** {@code rtc4j signaling}: peerjs-server's option names map onto the configuration; the service runs and stops cleanly. */
class SignalingCommandTest {

  @TempDir
  Path dir;

  static SignalingOptions parse(String... args) {
    SignalingCommand c = new SignalingCommand();
    new CommandLine(c).parseArgs(args);
    return c.options;
  }

  @Test
  void defaultsAreUpstreams() throws Exception {
    SignalingConfig c = parse().toBuilder().build();
    assertThat(c.port()).isEqualTo(System.getenv("PORT") == null ? 9000 : Integer.parseInt(System.getenv("PORT")));
    assertThat(c.key()).isEqualTo("peerjs");
    assertThat(c.expireTimeout()).isEqualTo(Duration.ofMillis(5000));
    assertThat(c.aliveTimeout()).isEqualTo(Duration.ofMillis(60000));
    assertThat(c.tenants().get(0).concurrentLimit()).isEqualTo(5000);
    assertThat(c.allowDiscovery()).isFalse();
    assertThat(c.proxied()).isFalse();
    assertThat(c.turnSecret()).isNull();
  }

  @Test
  void peerjsServerOptionNamesAndAliases() throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "s3cret\n");
    SignalingConfig c = parse("--port", "9100", "-H", "127.0.0.1", "--path", "/myapp", "-k", "k1", "-t", "700",
        "--alive_timeout", "9000", "-c", "3", "--allow_discovery", "--proxied", "--cors", "http://a.example",
        "--tenant", "t2:7", "--rate-limit", "50", "--rate-burst", "60", "--max-message-size", "2048",
        "--max-queued", "1,2,3", "--static-auth-secret-file", secret.toString(), "--turn-url", "turn:{host}:3478")
        .toBuilder().build();
    assertThat(c.port()).isEqualTo(9100);
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.path()).isEqualTo("/myapp/");
    assertThat(c.webSocketPath()).isEqualTo("/myapp/peerjs");
    assertThat(c.expireTimeout()).isEqualTo(Duration.ofMillis(700));
    assertThat(c.aliveTimeout()).isEqualTo(Duration.ofMillis(9000));
    assertThat(c.allowDiscovery()).isTrue();
    assertThat(c.proxied()).isTrue();
    assertThat(c.allowedOrigins()).containsExactly("http://a.example");
    assertThat(c.maxMessageBytes()).isEqualTo(2048);
    assertThat(c.turnSecret()).isEqualTo("s3cret");
    assertThat(c.turnUrls()).containsExactly("turn:{host}:3478");
    assertThat(c.tenants()).containsExactly(new Tenant("k1", 3, 50, 60, 1, 2, 3), new Tenant("t2", 7, 50, 60, 1, 2, 3));
  }

  @Test
  void booleansTakeTrueOrFalseAndTheNoFormAsYargsDoes() throws Exception {
    // peerjs-server's yargs reads "--allow_discovery false" as false (not as a flag plus a stray word)
    // and has a --no- form for every boolean.
    assertThat(parse("--allow_discovery", "true").toBuilder().build().allowDiscovery()).isTrue();
    assertThat(parse("--allow_discovery", "false").toBuilder().build().allowDiscovery()).isFalse();
    assertThat(parse("--allow_discovery=false").toBuilder().build().allowDiscovery()).isFalse();
    assertThat(parse("--allow_discovery", "-p", "9001").toBuilder().build().allowDiscovery()).isTrue();
    assertThat(parse("--no-allow_discovery").toBuilder().build().allowDiscovery()).isFalse();
    assertThat(parse("--proxied", "false").toBuilder().build().proxied()).isFalse();
    assertThat(parse("--proxied", "true").toBuilder().build().proxied()).isTrue();
    assertThat(parse("--no-proxied").toBuilder().build().proxied()).isFalse();
  }

  @Test
  void corsTakesSeveralOriginsAfterOneFlagAsAYargsArray() throws Exception {
    SignalingConfig c = parse("--cors", "http://a.example", "https://b.example:8443", "-k", "k1").toBuilder().build();
    assertThat(c.allowedOrigins()).containsExactlyInAnyOrder("http://a.example", "https://b.example:8443");
    assertThat(c.key()).isEqualTo("k1");
    assertThat(parse("--cors", "http://a.example", "--cors=http://b.example").toBuilder().build().allowedOrigins())
        .containsExactlyInAnyOrder("http://a.example", "http://b.example");
  }

  @Test
  void eachTenantTakesItsOwnLimitsNamedAsTheGlobalFlags() throws Exception {
    SignalingConfig c = parse("-k", "k1", "-c", "3", "--rate-limit", "50", "--rate-burst", "60", "--max-queued", "1,2,3",
        "--tenant", "t2:concurrent_limit=7,rate-limit=20,rate-burst=30,max-queued=4,5,6",
        "--tenant", "t3:rate-limit=9", "--tenant", "t4:8", "--tenant", "t5").toBuilder().build();
    assertThat(c.tenants()).containsExactly(new Tenant("k1", 3, 50, 60, 1, 2, 3), new Tenant("t2", 7, 20, 30, 4, 5, 6),
        new Tenant("t3", 3, 9, 60, 1, 2, 3), new Tenant("t4", 8, 50, 60, 1, 2, 3), new Tenant("t5", 3, 50, 60, 1, 2, 3));
    assertThatThrownBy(() -> parse("--tenant", "t2:rate=5").toBuilder()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rate-limit");
    assertThatThrownBy(() -> parse("--tenant", "t2:max-queued=4,5").toBuilder())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-queued");
  }

  @Test
  void aTenantKeyGivenTwiceIsAnError() {
    assertThatThrownBy(() -> parse("--tenant", "app:3", "--tenant", "app:4").toBuilder())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tenant app:4")
        .hasMessageContaining("'app' given twice");
  }

  @Test
  void aTenantNamingTheDefaultKeyIsAnErrorPointingAtTheGlobalFlags() {
    assertThatThrownBy(() -> parse("--tenant", "peerjs:3").toBuilder()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'peerjs' is the default key").hasMessageContaining("--concurrent_limit");
    assertThatThrownBy(() -> parse("-k", "k1", "--tenant", "k1:rate-limit=5").toBuilder())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'k1' is the default key");
  }

  @Test
  void aTenantWithANonNumberAfterTheColonNamesTheForms() throws Exception {
    assertThatThrownBy(() -> parse("--tenant", "a:b").toBuilder()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--tenant a:b").hasMessageContaining("KEY, KEY:LIMIT and KEY:NAME=VALUE,...");
    // a key with ':' works when limits follow it
    assertThat(parse("--tenant", "a:b:7").toBuilder().build().tenant("a:b").orElseThrow().concurrentLimit()).isEqualTo(7);
  }

  @Test
  void oneTenantsFlooderIsCutOffAtARateAnotherTenantAllows() throws Exception {
    // The default key allows 5 frames/s (bursts of 10); the tenant "roomy" 100/s (bursts of 200).
    // The same 60 HEARTBEATs at once cut off the default key's client, not roomy's.
    String heartbeat = "{\"type\":\"HEARTBEAT\"}";
    HttpClient http = HttpClient.newHttpClient();
    try (SignalingService s = SignalingService.standalone(parse("--port", "0", "-H", "127.0.0.1",
            "--rate-limit", "5", "--rate-burst", "10", "--tenant", "roomy:rate-limit=100,rate-burst=200"),
            new PrintStream(new ByteArrayOutputStream()));
        PeerJsSocket tight = PeerJsSocket.connect(http, s.server().port(), "peerjs", "flooder", "t1");
        PeerJsSocket roomy = PeerJsSocket.connect(http, s.server().port(), "roomy", "flooder", "t2");
        PeerJsSocket bob = PeerJsSocket.connect(http, s.server().port(), "roomy", "bob", "t3")) {
      for (PeerJsSocket c : List.of(tight, roomy, bob)) {
        assertThat(c.next()).isEqualTo("{\"type\":\"OPEN\"}");
      }
      tight.sendUntilClosed(heartbeat, 60);
      assertThat(tight.next()).contains("\"type\":\"ERROR\"", "Rate limit exceeded");
      assertThat(tight.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);

      roomy.sendUntilClosed(heartbeat, 60);
      roomy.send("{\"type\":\"OFFER\",\"dst\":\"bob\",\"payload\":{\"sdp\":\"after the flood\"}}");
      assertThat(bob.next()).contains("\"src\":\"flooder\"", "after the flood");
      assertThat(roomy.closed).isNotDone();
      assertThat(roomy.received).isEmpty();
    }
  }

  /** Debian's redis-server on 127.0.0.1:{@code port}, no persistence, ready (as rtc4j-signaling's RedisProcess). */
  static Processes.Running redisServer(int port) {
    Processes.Running redis = Processes.command(External.require("redis-server").toString(), "--port",
        Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
        .grace(Duration.ofSeconds(2)).start();
    try {
      redis.awaitOutput(Duration.ofSeconds(15), "Ready to accept connections");
    } catch (RuntimeException | AssertionError e) {
      redis.close();
      throw e;
    }
    return redis;
  }

  @Test
  void redisOnTheCommandLineSharesIdsBetweenTwoServices() throws Exception {
    int redisPort = FreePorts.tcp();
    try (Processes.Running redis = redisServer(redisPort)) {
      String[] args = {"--port", "0", "-H", "127.0.0.1", "--redis", "redis://127.0.0.1:" + redisPort};
      HttpClient http = HttpClient.newHttpClient();
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
      try (SignalingService a = SignalingService.standalone(parse(args), quiet);
          SignalingService b = SignalingService.standalone(parse(args), quiet);
          PeerJsSocket alice = PeerJsSocket.connect(http, a.server().port(), "peerjs", "alice", "t1")) {
        assertThat(alice.next()).isEqualTo("{\"type\":\"OPEN\"}");
        try (PeerJsSocket thief = PeerJsSocket.connect(http, b.server().port(), "peerjs", "alice", "t2")) {
          assertThat(thief.next()).isEqualTo("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
        }
        try (PeerJsSocket bob = PeerJsSocket.connect(http, b.server().port(), "peerjs", "bob", "t3")) {
          assertThat(bob.next()).isEqualTo("{\"type\":\"OPEN\"}");
          bob.send("{\"type\":\"OFFER\",\"dst\":\"alice\",\"payload\":{\"sdp\":\"across\"}}");
          assertThat(alice.next()).contains("\"src\":\"bob\"", "across");
        }
      }
    }
  }

  @Test
  void tlsNeedsBothFiles() {
    assertThatThrownBy(() -> parse("--sslkey", "k.pem").toBuilder()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--sslcert");
  }

  @Test
  void helpListsTheUpstreamNames() {
    StringWriter w = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(w));
    assertThat(cli.execute("signaling", "--help")).isZero();
    assertThat(w.toString()).contains("--port", "--path", "--key", "--expire_timeout", "--alive_timeout",
        "--concurrent_limit", "--[no-]allow_discovery", "--[no-]proxied", "--sslkey", "--sslcert");
  }

  @Test
  void standaloneServiceServesIdsAndMetricsAndStopsCleanly() throws Exception {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot().ignoringNamePrefixes("HttpClient-");
    int metricsPort = FreePorts.tcp();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    HttpClient http = HttpClient.newHttpClient();
    int port;
    try (SignalingService s = SignalingService.standalone(parse("--port", "0", "-H", "127.0.0.1", "--path", "/app",
        "--metrics-port", String.valueOf(metricsPort)), new PrintStream(out, true, StandardCharsets.UTF_8))) {
      port = s.server().port();
      HttpResponse<String> id = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app/peerjs/id"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(id.statusCode()).isEqualTo(200);
      String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(scrape).contains("rtc4j_signaling_peers{key=\"peerjs\"} 0.0", "rtc4j_signaling_ids_issued_total 1.0");
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("PeerJS signaling server is running",
          "listening  http  127.0.0.1:" + port, "GET /app/peerjs/id", "/app/peerjs?key=peerjs");
    }
    leaks.assertNoNewThreads(Duration.ofSeconds(10));
    try (java.net.ServerSocket again = new java.net.ServerSocket()) {
      again.setReuseAddress(true); // our client's side of the connections may sit in TIME_WAIT
      again.bind(new java.net.InetSocketAddress("127.0.0.1", port));
    }
  }

  @Test
  void sslkeyAndSslcertServeHttpsAsPeerjsServerDoes() throws Exception {
    org.rtc4j.testkit.SelfSignedCertificate cert = org.rtc4j.testkit.SelfSignedCertificate.create(dir);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    HttpClient https = HttpClient.newBuilder().sslContext(cert.trustingContext()).build();
    try (SignalingService s = SignalingService.standalone(parse("--port", "0", "-H", "127.0.0.1", "--sslkey",
        cert.key().toString(), "--sslcert", cert.cert().toString()), new PrintStream(out, true, StandardCharsets.UTF_8))) {
      int port = s.server().port();
      HttpResponse<String> id = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/peerjs/id"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(id.statusCode()).isEqualTo(200);
      assertThat(id.body()).isNotBlank();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("listening  https  127.0.0.1:" + port);
    }
  }

  @Test
  void sslkeyTakesPkcs1RsaAndSec1EcKeysAsWellAsPkcs8() throws Exception {
    // The older PEM forms (what --help promises besides PKCS#8, covered above): Netty reads them
    // through BouncyCastle, which the CLI has on its classpath (rtc4j-dtls).
    String openssl = External.require("openssl").toString();
    Path log = dir.resolve("openssl.log");
    Path params = dir.resolve("ec.params");
    Processes.run(Duration.ofSeconds(30), log, openssl, "ecparam", "-name", "prime256v1", "-out", params.toString())
        .assertExitCode(0);
    for (String[] k : new String[][] {{"rsa:2048", "rsa", "RSA PRIVATE KEY"}, {"ec:" + params, "ec", "EC PRIVATE KEY"}}) {
      Path pkcs8 = dir.resolve(k[1] + "-pkcs8.pem");
      Path key = dir.resolve(k[1] + "-key.pem");
      Path cert = dir.resolve(k[1] + "-cert.pem");
      Processes.run(Duration.ofSeconds(60), log, openssl, "req", "-x509", "-newkey", k[0], "-nodes",
          "-keyout", pkcs8.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
          "-addext", "subjectAltName=IP:127.0.0.1").assertExitCode(0);
      // "openssl rsa" writes PKCS#8 unless told -traditional; "openssl ec" writes SEC1 (and has no such flag)
      List<String> convert = new java.util.ArrayList<>(List.of(openssl, k[1], "-in", pkcs8.toString(),
          "-out", key.toString()));
      if (k[1].equals("rsa")) {
        convert.add("-traditional");
      }
      Processes.command(convert).log(log).run().assertExitCode(0);
      assertThat(Files.readString(key)).startsWith("-----BEGIN " + k[2] + "-----");
      HttpClient https = HttpClient.newBuilder().sslContext(org.rtc4j.testkit.SelfSignedCertificate.trusting(cert)).build();
      try (SignalingService s = SignalingService.standalone(parse("--port", "0", "-H", "127.0.0.1", "--sslkey",
          key.toString(), "--sslcert", cert.toString()), new PrintStream(new ByteArrayOutputStream()))) {
        HttpResponse<String> id = https.send(HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + s.server().port() + "/peerjs/id")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(id.statusCode()).as(k[2]).isEqualTo(200);
      }
    }
  }
}
