package org.rtc4j.ice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rtc4j.ice.turn.LoopbackTurnRuntime.Client;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.Wait;
import org.rtc4j.turn.server.PeerAddressPolicy;
import org.rtc4j.turn.server.TurnServerConfig;
import org.rtc4j.turn.server.netty.TurnServer;
import org.rtc4j.turn.server.netty.TurnServerOptions;

/**
 * {@link TurnAllocation} on real loopback sockets against our netty {@link TurnServer} and coturn's
 * {@code turnserver}: two allocations (over UDP and/or TCP to the server) relay random payloads to
 * each other's relayed address; every byte and a SHA-256 over them are compared; then both
 * deallocate. Everything binds 127.0.0.1; coturn is skipped when absent (External).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TurnAllocationLoopbackTest {

  private static final String REALM = "rtc4j.test";
  private static final String USER = "alice";
  private static final String PASSWORD = "wonderland-3f9c";
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Path LOG_DIR = Path.of("target", "interop");

  @TempDir
  static Path dir;

  /** Started on first use and shared by the parameterized cases (starting servers dominates the run time). */
  private static TurnServer sharedOurs;
  private static Processes.Running sharedCoturn;
  private static int sharedCoturnPort;

  @AfterAll
  static void stopServers() {
    if (sharedOurs != null) {
      sharedOurs.close();
    }
    if (sharedCoturn != null) {
      sharedCoturn.close();
    }
  }

  private static TurnServer ourServer() throws IOException {
    FreePorts.PortRange relay = FreePorts.udpRange(20);
    TurnServerConfig cfg = TurnServerConfig.builder().realm(REALM).user(USER, PASSWORD)
        .peerPolicy(PeerAddressPolicy.builder().allowLoopback(true).build()).build();
    TurnServerOptions opts = TurnServerOptions.builder().listeningIp(FreePorts.LOOPBACK).listeningPort(0)
        .tlsListeningPort(0).certificate(LoopbackTurnRuntime.resource("test-cert.pem"),
            LoopbackTurnRuntime.resource("test-key.pem"))
        .portRange(relay.first(), relay.last()).eventLoops(1).build();
    return TurnServer.start(cfg, opts);
  }

  /** coturn on 127.0.0.1 only, loopback peers allowed, TLS on {@code port + 1} with the test certificate, no DTLS/CLI, files in the temp dir. */
  private static Processes.Running coturn(int port, String... extra) {
    FreePorts.PortRange relay = FreePorts.udpRange(50);
    List<String> cmd = new ArrayList<>(List.of(External.require("turnserver").toString(), "-n",
        "--listening-ip=127.0.0.1", "--listening-port=" + port, "--relay-ip=127.0.0.1",
        "--min-port=" + relay.first(), "--max-port=" + relay.last(),
        "--realm=" + REALM, "--lt-cred-mech", "--user=" + USER + ":" + PASSWORD,
        "--tls-listening-port=" + (port + 1), "--cert=" + LoopbackTurnRuntime.resource("test-cert.pem"),
        "--pkey=" + LoopbackTurnRuntime.resource("test-key.pem"), "--no-dtls", "--no-cli", "--no-rfc5780", "--allow-loopback-peers",
        "--pidfile=" + dir.resolve("turnserver-" + port + ".pid"), "--db=" + dir.resolve("turnserver-" + port + ".db"),
        "--log-file=stdout", "--simple-log", "--relay-threads=1"));
    cmd.addAll(List.of(extra));
    Processes.Running p = Processes.command(cmd).grace(Duration.ofSeconds(2))
        .log(LOG_DIR.resolve("coturn-turnclient-" + port + ".log")).start();
    try {
      InetSocketAddress address = new InetSocketAddress(FreePorts.LOOPBACK, port);
      Wait.until(Duration.ofSeconds(15), Duration.ofMillis(50), "coturn answers Binding on " + address, () -> {
        if (!p.isAlive()) {
          throw new AssertionError("turnserver exited: " + p.output());
        }
        return answersBinding(address);
      }, p::output);
    } catch (AssertionError | RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  /** One Binding request; true when a success response comes within 200 ms. */
  private static boolean answersBinding(InetSocketAddress server) {
    try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET); Selector sel = Selector.open()) {
      ch.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
      ch.configureBlocking(false);
      ch.register(sel, SelectionKey.OP_READ);
      byte[] req = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TransactionId.random(new SplittableRandom()))
          .encode();
      ch.send(ByteBuffer.wrap(req), server);
      if (sel.select(200) == 0) {
        return false;
      }
      ByteBuffer in = ByteBuffer.allocate(1500);
      ch.receive(in);
      in.flip();
      return StunMessage.looksLikeStun(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Alice (over {@code ta}) and Bob (over {@code tb}) allocate on {@code server}, permit each
   * other's relayed IP, and exchange {@code n} random payloads each way; then both close.
   */
  private static void relayBetweenTwoAllocations(InetSocketAddress server, Transport ta, InetSocketAddress serverB,
      Transport tb, int n) throws Exception {
    try (LoopbackTurnRuntime rt = new LoopbackTurnRuntime()) {
      Client a = rt.add(server, ta, USER, PASSWORD, b -> b);
      Client b = rt.add(serverB, tb, USER, PASSWORD, x -> x);
      a.alloc.start(LoopbackTurnRuntime.now());
      b.alloc.start(LoopbackTurnRuntime.now());
      rt.await(WAIT, "both allocated", () -> a.has(TurnClientEvent.Allocated.class) && b.has(TurnClientEvent.Allocated.class));
      InetSocketAddress ra = a.alloc.relayedAddress().orElseThrow();
      InetSocketAddress rb = b.alloc.relayedAddress().orElseThrow();
      assertThat(ra.getAddress()).isEqualTo(FreePorts.LOOPBACK);
      assertThat(a.alloc.mappedAddress()).contains(a.alloc.config().local());
      a.alloc.createPermission(LoopbackTurnRuntime.now(), rb.getAddress());
      b.alloc.createPermission(LoopbackTurnRuntime.now(), ra.getAddress());
      rt.await(WAIT, "permissions", () -> a.alloc.hasPermission(rb.getAddress()) && b.alloc.hasPermission(ra.getAddress()));

      SplittableRandom rnd = new SplittableRandom(42);
      MessageDigest aSent = MessageDigest.getInstance("SHA-256");
      MessageDigest bSent = MessageDigest.getInstance("SHA-256");
      long aBytes = 0;
      long bBytes = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        byte[] pa = new byte[1 + rnd.nextInt(1200)];
        rnd.nextBytes(pa);
        byte[] pb = new byte[1 + rnd.nextInt(1200)];
        rnd.nextBytes(pb);
        aSent.update(pa);
        bSent.update(pb);
        aBytes += pa.length;
        bBytes += pb.length;
        a.alloc.send(LoopbackTurnRuntime.now(), rb, ByteBuffer.wrap(pa));
        b.alloc.send(LoopbackTurnRuntime.now(), ra, ByteBuffer.wrap(pb));
        rt.flush();
        if (i % 16 == 15) {
          // Pace by what has arrived, so loopback socket buffers never overflow.
          int sent = i + 1;
          rt.await(WAIT, "relayed " + sent, () -> b.all(TurnClientEvent.PeerData.class).size() >= sent
              && a.all(TurnClientEvent.PeerData.class).size() >= sent);
        }
      }
      rt.await(WAIT, "everything relayed", () -> b.all(TurnClientEvent.PeerData.class).size() >= n
          && a.all(TurnClientEvent.PeerData.class).size() >= n);
      long elapsed = System.nanoTime() - t0;
      check(b, ra, n, aBytes, aSent.digest());
      check(a, rb, n, bBytes, bSent.digest());
      assertThat(a.alloc.channel(rb)).isPresent();
      assertThat(b.alloc.channel(ra)).isPresent();
      assertThat(a.alloc.stats().channelDataSent()).isGreaterThanOrEqualTo(n - 16L);
      // stdout: the module has no SLF4J binding in tests; surefire keeps it with the report.
      System.out.printf("TURN loopback %s via %s/%s: %d + %d payloads (%d + %d bytes) relayed in %d ms; alice %s; bob %s%n",
          server, ta, tb, n, n, aBytes, bBytes, elapsed / 1_000_000, a.alloc.stats(), b.alloc.stats());

      a.alloc.close(LoopbackTurnRuntime.now());
      b.alloc.close(LoopbackTurnRuntime.now());
      rt.await(WAIT, "both closed", () -> a.has(TurnClientEvent.Closed.class) && b.has(TurnClientEvent.Closed.class));
      assertThat(a.alloc.stats().malformed() + b.alloc.stats().malformed()).isZero();
      assertThat(a.alloc.stats().internalErrors() + b.alloc.stats().internalErrors()).isZero();
    }
  }

  private static void check(Client receiver, InetSocketAddress from, int n, long bytes, byte[] hash) throws Exception {
    List<TurnClientEvent.PeerData> got = receiver.all(TurnClientEvent.PeerData.class);
    assertThat(got).hasSize(n);
    MessageDigest h = MessageDigest.getInstance("SHA-256");
    long total = 0;
    for (TurnClientEvent.PeerData p : got) {
      assertThat(p.peer()).isEqualTo(from);
      total += p.data().remaining();
      h.update(p.data().duplicate());
    }
    assertThat(total).isEqualTo(bytes);
    assertThat(h.digest()).isEqualTo(hash);
  }

  private static InetSocketAddress address(TurnServer server, Transport t) {
    return switch (t) {
      case UDP -> server.udpAddresses().get(0);
      case TCP -> server.tcpAddresses().get(0);
      case TLS -> server.tlsAddresses().get(0);
    };
  }

  @ParameterizedTest(name = "our server, alice {0}, bob {1}")
  @CsvSource({"UDP,UDP", "UDP,TCP", "TCP,TCP", "TLS,UDP", "TLS,TLS"})
  void ourTurnServerRelaysBetweenTwoAllocations(Transport ta, Transport tb) throws Exception {
    if (sharedOurs == null) {
      sharedOurs = ourServer();
    }
    TurnServer server = sharedOurs;
    relayBetweenTwoAllocations(address(server, ta), ta, address(server, tb), tb, 300);
    Wait.until(Duration.ofSeconds(5), "relay ports released", () -> server.relayPortsInUse() == 0);
  }

  @ParameterizedTest(name = "coturn, alice {0}, bob {1}")
  @CsvSource({"UDP,UDP", "UDP,TCP", "TCP,TCP", "TLS,UDP"})
  void coturnRelaysBetweenTwoAllocations(Transport ta, Transport tb) throws Exception {
    if (sharedCoturn == null) {
      sharedCoturnPort = freePortPair();
      sharedCoturn = coturn(sharedCoturnPort);
    }
    InetSocketAddress plain = new InetSocketAddress(FreePorts.LOOPBACK, sharedCoturnPort);
    InetSocketAddress tls = new InetSocketAddress(FreePorts.LOOPBACK, sharedCoturnPort + 1);
    relayBetweenTwoAllocations(ta == Transport.TLS ? tls : plain, ta, tb == Transport.TLS ? tls : plain, tb, 300);
    assertThat(sharedCoturn.isAlive()).isTrue();
  }

  /** A port free for TCP and UDP whose successor is free for TCP (coturn's TLS port). */
  private static int freePortPair() {
    FreePorts.PortRange r = FreePorts.tcpAndUdpRange(2);
    return r.first();
  }

  @Test
  void coturnStaleNonceIsRetriedAndWrongPasswordFails() throws Exception {
    int port = freePortPair();
    try (Processes.Running server = coturn(port, "--stale-nonce=2");
        LoopbackTurnRuntime rt = new LoopbackTurnRuntime()) {
      InetSocketAddress address = new InetSocketAddress(FreePorts.LOOPBACK, port);
      Client a = rt.add(address, Transport.UDP, USER, PASSWORD, b -> b);
      Client wrong = rt.add(address, Transport.TCP, USER, "not-" + PASSWORD, b -> b);
      a.alloc.start(LoopbackTurnRuntime.now());
      wrong.alloc.start(LoopbackTurnRuntime.now());
      rt.await(WAIT, "allocated", () -> a.has(TurnClientEvent.Allocated.class));
      rt.await(WAIT, "wrong password refused", () -> wrong.has(TurnClientEvent.AllocationFailed.class));
      assertThat(wrong.all(TurnClientEvent.AllocationFailed.class).get(0).code()).isEqualTo(401);

      long until = System.nanoTime() + Duration.ofMillis(3500).toNanos();
      rt.runUntil(Duration.ofSeconds(4), () -> System.nanoTime() > until); // let the 2 s nonce go stale
      InetSocketAddress peer = new InetSocketAddress(FreePorts.LOOPBACK, 9);
      a.alloc.createPermission(LoopbackTurnRuntime.now(), peer.getAddress());
      rt.await(WAIT, "permission", () -> a.alloc.hasPermission(peer.getAddress()));
      assertThat(a.alloc.stats().staleNonces()).isGreaterThanOrEqualTo(1);
      assertThat(a.has(TurnClientEvent.PermissionFailed.class)).isFalse();
      a.alloc.close(LoopbackTurnRuntime.now());
      rt.await(WAIT, "closed", () -> a.has(TurnClientEvent.Closed.class));
      assertThat(server.isAlive()).isTrue();
    }
  }
}
