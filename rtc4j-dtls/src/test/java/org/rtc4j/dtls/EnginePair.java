package org.rtc4j.dtls;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rtc4j.net.Datagram;

/**
 * Two engines wired back to back in memory, pumped from the test thread: datagrams move between
 * them with a seeded loss rate, events are collected per side.
 */
final class EnginePair implements AutoCloseable {

  static final InetSocketAddress CLIENT_ADDR = new InetSocketAddress("127.0.0.1", 40001);
  static final InetSocketAddress SERVER_ADDR = new InetSocketAddress("127.0.0.1", 40002);

  final DtlsCertificate clientCert;
  final DtlsCertificate serverCert;
  final BcDtlsEngine client;
  final BcDtlsEngine server;
  final List<DtlsEvent> clientEvents = new ArrayList<>();
  final List<DtlsEvent> serverEvents = new ArrayList<>();
  final Semaphore wake = new Semaphore(0);
  private final SplittableRandom loss;
  private final double lossRate;
  /** The first datagrams each side sent (bounded), for tests that inspect the wire. */
  final List<byte[]> clientSent = new ArrayList<>();
  final List<byte[]> serverSent = new ArrayList<>();
  int largestDatagram;
  int datagramsMoved;
  int datagramsLost;

  EnginePair(Options o) {
    this.clientCert = o.clientCert != null ? o.clientCert : DtlsCertificate.generate();
    this.serverCert = o.serverCert != null ? o.serverCert : DtlsCertificate.generate();
    this.loss = new SplittableRandom(o.seed);
    this.lossRate = o.lossRate;
    Fingerprint expectServer = o.clientExpects != null ? o.clientExpects : serverCert.fingerprint("sha-256");
    Fingerprint expectClient = o.serverExpects != null ? o.serverExpects : clientCert.fingerprint("sha-256");
    DtlsConfig.Builder cb = DtlsConfig.builder(DtlsRole.CLIENT, clientCert).remoteFingerprint(expectServer)
        .addresses(CLIENT_ADDR, SERVER_ADDR).mtu(o.mtu).handshakeTimeout(o.timeout).random(new SecureRandom())
        .wakeup(wake::release);
    DtlsConfig.Builder sb = DtlsConfig.builder(DtlsRole.SERVER, serverCert).remoteFingerprint(expectClient)
        .addresses(SERVER_ADDR, CLIENT_ADDR).mtu(o.mtu).handshakeTimeout(o.timeout).random(new SecureRandom())
        .wakeup(wake::release);
    if (o.clientProfiles != null) {
      cb.srtpProfiles(o.clientProfiles);
    }
    if (o.serverProfiles != null) {
      sb.srtpProfiles(o.serverProfiles);
    }
    this.client = new BcDtlsEngine(cb.build(), BcDtlsEngine.RecordPath.OWNER, o.clientHooks);
    this.server = new BcDtlsEngine(sb.build(), o.serverRecordPath, o.serverHooks);
  }

  static Options options() {
    return new Options();
  }

  /** Starts both engines, server first when {@code serverFirst}. */
  void start(boolean serverFirst) {
    long now = System.nanoTime();
    if (serverFirst) {
      server.start(now);
      client.start(now);
    } else {
      client.start(now);
      server.start(now);
    }
  }

  /** Moves datagrams and collects events once; returns whether anything happened. */
  boolean pumpOnce() {
    boolean any = false;
    any |= move(client, server);
    any |= move(server, client);
    any |= collect(client, clientEvents::add);
    any |= collect(server, serverEvents::add);
    long now = System.nanoTime();
    client.handleTimeout(now);
    server.handleTimeout(now);
    return any;
  }

  /** Pumps until {@code done} or {@code limit} passes; returns whether done. */
  boolean pumpUntil(Duration limit, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      if (!pumpOnce()) {
        try {
          wake.tryAcquire(5, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  boolean bothTerminalOrComplete() {
    return (has(clientEvents, DtlsEvent.HandshakeComplete.class) || terminal(clientEvents))
        && (has(serverEvents, DtlsEvent.HandshakeComplete.class) || terminal(serverEvents));
  }

  boolean bothComplete() {
    return has(clientEvents, DtlsEvent.HandshakeComplete.class) && has(serverEvents, DtlsEvent.HandshakeComplete.class);
  }

  static boolean terminal(List<DtlsEvent> events) {
    return has(events, DtlsEvent.Failed.class) || has(events, DtlsEvent.Closed.class);
  }

  static boolean has(List<DtlsEvent> events, Class<? extends DtlsEvent> type) {
    return events.stream().anyMatch(type::isInstance);
  }

  static <T extends DtlsEvent> T first(List<DtlsEvent> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + events));
  }

  boolean move(BcDtlsEngine from, BcDtlsEngine to) {
    boolean any = false;
    for (var d = from.pollTransmit(); d.isPresent(); d = from.pollTransmit()) {
      any = true;
      Datagram dg = d.get();
      largestDatagram = Math.max(largestDatagram, dg.length());
      List<byte[]> log = from == client ? clientSent : serverSent;
      if (log.size() < 64) {
        log.add(dg.bytes());
      }
      if (lossRate > 0 && loss.nextDouble() < lossRate) {
        datagramsLost++;
        continue;
      }
      datagramsMoved++;
      to.handleReceive(System.nanoTime(), dg);
    }
    return any;
  }

  private static boolean collect(BcDtlsEngine e, Consumer<DtlsEvent> sink) {
    boolean any = false;
    for (var ev = e.pollEvent(); ev.isPresent(); ev = e.pollEvent()) {
      sink.accept(ev.get());
      any = true;
    }
    return any;
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }

  static final class Options {
    DtlsCertificate clientCert;
    DtlsCertificate serverCert;
    Fingerprint clientExpects;
    Fingerprint serverExpects;
    SrtpProfile[] clientProfiles;
    SrtpProfile[] serverProfiles;
    int mtu = 1200;
    double lossRate;
    long seed = 1;
    Duration timeout = Duration.ofSeconds(30);
    BcDtlsEngine.RecordPath serverRecordPath = BcDtlsEngine.RecordPath.OWNER;
    BcDtlsEngine.Hooks clientHooks = new BcDtlsEngine.Hooks();
    BcDtlsEngine.Hooks serverHooks = new BcDtlsEngine.Hooks();

    EnginePair build() {
      return new EnginePair(this);
    }
  }
}
