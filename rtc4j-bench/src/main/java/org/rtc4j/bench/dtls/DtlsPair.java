package org.rtc4j.bench.dtls;

import java.lang.reflect.Constructor;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.dtls.DtlsConfig;
import org.rtc4j.dtls.DtlsEngine;
import org.rtc4j.dtls.DtlsEvent;
import org.rtc4j.dtls.DtlsRole;
import org.rtc4j.net.Datagram;

/**
 * Two {@link DtlsEngine}s back to back in memory, pumped by the calling thread. The server can run
 * its post-handshake record path on the handshake thread instead of the caller's: that variant is
 * not API (rtc4j keeps the caller's thread, see docs/ARCHITECTURE.md), so it is reached by
 * reflection, for the comparison only.
 */
final class DtlsPair implements AutoCloseable {

  static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40001);
  static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 40002);

  final DtlsEngine client;
  final DtlsEngine server;
  private final Semaphore wake = new Semaphore(0);

  DtlsPair(DtlsCertificate clientCert, DtlsCertificate serverCert, boolean serverRecordsOnHandshakeThread) {
    client = DtlsEngine.create(DtlsConfig.builder(DtlsRole.CLIENT, clientCert)
        .remoteFingerprint(serverCert.fingerprint("sha-256")).addresses(CLIENT, SERVER).wakeup(wake::release).build());
    DtlsConfig sc = DtlsConfig.builder(DtlsRole.SERVER, serverCert).remoteFingerprint(clientCert.fingerprint("sha-256"))
        .addresses(SERVER, CLIENT).wakeup(wake::release).build();
    server = serverRecordsOnHandshakeThread ? handshakeThreadVariant(sc) : DtlsEngine.create(sc);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static DtlsEngine handshakeThreadVariant(DtlsConfig config) {
    try {
      Class<?> engine = Class.forName("org.rtc4j.dtls.BcDtlsEngine");
      Class<? extends Enum> path = (Class<? extends Enum>) Class.forName("org.rtc4j.dtls.BcDtlsEngine$RecordPath");
      Constructor<?> c = engine.getDeclaredConstructor(DtlsConfig.class, path);
      c.setAccessible(true);
      return (DtlsEngine) c.newInstance(config, Enum.valueOf(path, "HANDSHAKE_THREAD"));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the handshake-thread record path variant is gone", e);
    }
  }

  /** Runs the handshake to completion (both sides), or throws. */
  DtlsPair connect() {
    long now = System.nanoTime();
    server.start(now);
    client.start(now);
    boolean c = false;
    boolean s = false;
    long deadline = now + 10_000_000_000L;
    while (!(c && s)) {
      boolean any = move(client, server) | move(server, client);
      for (Optional<DtlsEvent> e = client.pollEvent(); e.isPresent(); e = client.pollEvent()) {
        c |= check(e.get());
        any = true;
      }
      for (Optional<DtlsEvent> e = server.pollEvent(); e.isPresent(); e = server.pollEvent()) {
        s |= check(e.get());
        any = true;
      }
      long t = System.nanoTime();
      if (client.pollTimeout() - t <= 0) {
        client.handleTimeout(t);
      }
      if (server.pollTimeout() - t <= 0) {
        server.handleTimeout(t);
      }
      if (t - deadline > 0) {
        throw new IllegalStateException("handshake did not complete");
      }
      if (!any) {
        try {
          wake.tryAcquire(1, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    // Retransmissions queued while the handshake finished (a slow machine outruns the 100 ms
    // timer) and the answers they provoke: deliver them all, so the record path starts clean.
    for (int quiet = 0; quiet < 3; ) {
      boolean any = move(client, server) | move(server, client);
      while (client.pollEvent().isPresent() | server.pollEvent().isPresent()) {
        any = true;
      }
      quiet = any ? 0 : quiet + 1;
    }
    return this;
  }

  /** Sends {@code bytes} from {@code from} and delivers everything until {@code to} reports the data. */
  static void transfer(DtlsEngine from, DtlsEngine to, int bytes) {
    from.send(java.nio.ByteBuffer.allocate(bytes));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      move(from, to);
      for (Optional<DtlsEvent> e = to.pollEvent(); e.isPresent(); e = to.pollEvent()) {
        if (e.get() instanceof DtlsEvent.ApplicationData) {
          return;
        }
      }
    }
    throw new IllegalStateException("no data arrived");
  }

  private static boolean check(DtlsEvent e) {
    if (e instanceof DtlsEvent.Failed || e instanceof DtlsEvent.Closed) {
      throw new IllegalStateException("handshake ended: " + e);
    }
    return e instanceof DtlsEvent.HandshakeComplete;
  }

  private static boolean move(DtlsEngine from, DtlsEngine to) {
    boolean any = false;
    for (Optional<Datagram> d = from.pollTransmit(); d.isPresent(); d = from.pollTransmit()) {
      to.handleReceive(System.nanoTime(), d.get());
      any = true;
    }
    return any;
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
