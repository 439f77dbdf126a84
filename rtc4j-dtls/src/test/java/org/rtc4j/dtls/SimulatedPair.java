package org.rtc4j.dtls;

import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.rtc4j.net.Datagram;

/**
 * Two engines on a simulated clock and a simulated wire: seeded random loss in both directions, a
 * fixed one-way delay, nothing else. Time jumps from one event (a delivery, a timer) to the next,
 * and only when both handshake threads are quiescent ({@link BcDtlsEngine#handshakeIdle()}), so 30
 * simulated seconds of a lossy handshake take a few milliseconds, and a seed replays the same
 * losses. (Bouncy Castle's own wall-clock retransmission after 1 s stays possible in a slow run; it
 * only adds attempts.)
 */
final class SimulatedPair implements AutoCloseable {

  static final InetSocketAddress CLIENT_ADDR = EnginePair.CLIENT_ADDR;
  static final InetSocketAddress SERVER_ADDR = EnginePair.SERVER_ADDR;

  /** What to simulate. */
  record Setup(DtlsCertificate clientCert, DtlsCertificate serverCert, int mtu, double loss, long seed,
      boolean clientCertificates, Duration oneWayDelay, Duration handshakeTimeout,
      Duration retransmitInitial, Duration retransmitMax) {

    static Setup of(DtlsCertificate clientCert, DtlsCertificate serverCert, int mtu, double loss, long seed,
        boolean clientCertificates) {
      return new Setup(clientCert, serverCert, mtu, loss, seed, clientCertificates, Duration.ofMillis(25),
          Duration.ofSeconds(30), DtlsConfig.DEFAULT_RETRANSMIT_INITIAL, DtlsConfig.DEFAULT_RETRANSMIT_MAX);
    }

    Setup timers(Duration initial, Duration max) {
      return new Setup(clientCert, serverCert, mtu, loss, seed, clientCertificates, oneWayDelay, handshakeTimeout,
          initial, max);
    }
  }

  /** How a run ended. */
  record Result(boolean clientComplete, boolean serverComplete, long elapsedNanos, int datagramsSent,
      int datagramsLost, int largestDatagram, long replays, List<DtlsEvent> clientEvents,
      List<DtlsEvent> serverEvents, String stuck) {

    boolean bothComplete() {
      return clientComplete && serverComplete;
    }

    @Override
    public String toString() {
      return "Result[client " + clientEvents + ", server " + serverEvents + ", " + elapsedNanos / 1_000_000
          + " ms simulated, " + datagramsLost + "/" + datagramsSent + " lost, largest " + largestDatagram
          + ", replays " + replays + (stuck != null ? ", " + stuck : "") + "]";
    }
  }

  private record InFlight(long arrival, long order, BcDtlsEngine to, Datagram datagram) {}

  private static final long T0 = 1_000_000_000L;

  final Setup setup;
  final BcDtlsEngine client;
  final BcDtlsEngine server;
  private final Semaphore wake = new Semaphore(0);
  private final SplittableRandom loss;
  private final PriorityQueue<InFlight> wire = new PriorityQueue<>(
      (a, b) -> a.arrival != b.arrival ? Long.compare(a.arrival, b.arrival) : Long.compare(a.order, b.order));
  private final List<DtlsEvent> clientEvents = new ArrayList<>();
  private final List<DtlsEvent> serverEvents = new ArrayList<>();
  /** Prints every datagram and timer when true (debugging a seed). */
  boolean trace;
  /** One line per datagram sent (bounded), for the failure message of a test. */
  final List<String> log = new ArrayList<>();
  private long order;
  private int sent;
  private int lost;
  private int largest;

  SimulatedPair(Setup s) {
    this(s, new BcDtlsEngine.Hooks());
  }

  SimulatedPair(Setup s, BcDtlsEngine.Hooks clientHooks) {
    this.setup = s;
    this.loss = new SplittableRandom(s.seed());
    BcDtlsEngine.Hooks serverHooks = new BcDtlsEngine.Hooks();
    serverHooks.requestClientCertificate = s.clientCertificates();
    client = new BcDtlsEngine(config(DtlsRole.CLIENT, s.clientCert(), s.serverCert(), CLIENT_ADDR, SERVER_ADDR, 1),
        BcDtlsEngine.RecordPath.OWNER, clientHooks);
    server = new BcDtlsEngine(config(DtlsRole.SERVER, s.serverCert(), s.clientCert(), SERVER_ADDR, CLIENT_ADDR, 2),
        BcDtlsEngine.RecordPath.OWNER, serverHooks);
  }

  private DtlsConfig config(DtlsRole role, DtlsCertificate mine, DtlsCertificate theirs, InetSocketAddress local,
      InetSocketAddress remote, long salt) {
    return DtlsConfig.builder(role, mine).remoteFingerprint(theirs.fingerprint("sha-256")).addresses(local, remote)
        .mtu(setup.mtu()).handshakeTimeout(setup.handshakeTimeout())
        .retransmitTimeouts(setup.retransmitInitial(), setup.retransmitMax())
        .random(seeded(setup.seed() * 31 + salt)).wakeup(wake::release).build();
  }

  private static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  /** Runs the handshake on simulated time until both completed, one side failed, or nothing is left to happen. */
  Result run() {
    long now = T0;
    server.start(now);
    client.start(now);
    String stuck = null;
    for (int step = 0; step < 100_000; step++) {
      if (!awaitIdle(Duration.ofSeconds(20))) {
        stuck = "handshake threads not idle";
        break;
      }
      send(client, server, now);
      send(server, client, now);
      collect(client, clientEvents);
      collect(server, serverEvents);
      boolean clientDone = has(clientEvents, DtlsEvent.HandshakeComplete.class) || EnginePair.terminal(clientEvents);
      boolean serverDone = has(serverEvents, DtlsEvent.HandshakeComplete.class) || EnginePair.terminal(serverEvents);
      if (clientDone && serverDone) {
        break;
      }
      long next = Math.min(client.pollTimeout(), server.pollTimeout());
      if (!wire.isEmpty()) {
        next = Math.min(next, wire.peek().arrival());
      }
      if (next == Long.MAX_VALUE) {
        stuck = "nothing scheduled";
        break;
      }
      now = Math.max(now, next);
      while (!wire.isEmpty() && wire.peek().arrival() <= now) {
        InFlight f = wire.poll();
        f.to().handleReceive(now, f.datagram());
      }
      if (client.pollTimeout() <= now) {
        client.handleTimeout(now);
      }
      if (server.pollTimeout() <= now) {
        server.handleTimeout(now);
      }
    }
    return new Result(has(clientEvents, DtlsEvent.HandshakeComplete.class),
        has(serverEvents, DtlsEvent.HandshakeComplete.class), now - T0, sent, lost, largest,
        client.timerReplays() + client.duplicateReplays() + server.timerReplays() + server.duplicateReplays(),
        List.copyOf(clientEvents), List.copyOf(serverEvents), stuck);
  }

  private boolean awaitIdle(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!(client.handshakeIdle() && server.handshakeIdle())) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        wake.tryAcquire(200, TimeUnit.MICROSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void send(BcDtlsEngine from, BcDtlsEngine to, long now) {
    for (var d = from.pollTransmit(); d.isPresent(); d = from.pollTransmit()) {
      Datagram dg = d.get();
      sent++;
      largest = Math.max(largest, dg.length());
      boolean drop = setup.loss() > 0 && loss.nextDouble() < setup.loss();
      if (log.size() < 3000) {
        log.add(String.format("%8d ms %s -> %d bytes type %d epoch %d seq %d%s", (now - T0) / 1_000_000,
            from == client ? "C" : "S", dg.length(), dg.payload().get(0), dg.payload().getShort(3),
            dg.payload().getShort(9), drop ? " LOST" : ""));
        if (trace) {
          System.out.println(log.get(log.size() - 1));
        }
      }
      if (drop) {
        lost++;
        continue;
      }
      wire.add(new InFlight(now + setup.oneWayDelay().toNanos(), order++, to, dg));
    }
  }

  private static void collect(BcDtlsEngine e, List<DtlsEvent> sink) {
    for (var ev = e.pollEvent(); ev.isPresent(); ev = e.pollEvent()) {
      sink.add(ev.get());
    }
  }

  private static boolean has(List<DtlsEvent> events, Class<? extends DtlsEvent> type) {
    return EnginePair.has(events, type);
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
