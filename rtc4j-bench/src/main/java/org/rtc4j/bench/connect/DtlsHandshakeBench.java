package org.rtc4j.bench.connect;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
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
 * DTLS handshakes per second: two {@link DtlsEngine}s (client and server, ECDSA P-256, the
 * certificates made once up front, as a PeerConnection given a certificate would) wired back to
 * back in memory and pumped from this thread, one handshake after the other; each pair is closed
 * before the next starts. Meant to run on one core ({@code taskset -c 0}), so the figure is what
 * one core does, the engines' handshake threads included. Reports the rate and the process CPU
 * time per handshake. Certificate generation (once per PeerConnection without a supplied
 * certificate) is measured separately.
 */
final class DtlsHandshakeBench {

  record Result(int handshakes, double seconds, double perSecond, double cpuMsPerHandshake, double certsPerSecond) {}

  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40001);
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 40002);

  private final DtlsCertificate clientCert = DtlsCertificate.generate();
  private final DtlsCertificate serverCert = DtlsCertificate.generate();
  private final SecureRandom random = new SecureRandom();

  Result run(Duration warmup, Duration measure) {
    runFor(warmup);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    int n = runFor(measure);
    double secs = (System.nanoTime() - t0) / 1e9;
    double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6;
    // certificate generation rate, for reference
    long c0 = System.nanoTime();
    int certs = 0;
    while (System.nanoTime() - c0 < 1_000_000_000L) {
      DtlsCertificate.generate(random, java.time.Instant.now());
      certs++;
    }
    double certSecs = (System.nanoTime() - c0) / 1e9;
    return new Result(n, secs, n / secs, cpuMs / n, certs / certSecs);
  }

  private int runFor(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    int n = 0;
    while (System.nanoTime() - end < 0) {
      handshake();
      n++;
    }
    return n;
  }

  /** One complete handshake; throws if it does not complete within 10 s. */
  void handshake() {
    Semaphore wake = new Semaphore(0);
    DtlsEngine client = DtlsEngine.create(DtlsConfig.builder(DtlsRole.CLIENT, clientCert)
        .remoteFingerprint(serverCert.fingerprint("sha-256")).addresses(CLIENT, SERVER).random(random)
        .wakeup(wake::release).build());
    DtlsEngine server = DtlsEngine.create(DtlsConfig.builder(DtlsRole.SERVER, serverCert)
        .remoteFingerprint(clientCert.fingerprint("sha-256")).addresses(SERVER, CLIENT).random(random)
        .wakeup(wake::release).build());
    try {
      long now = System.nanoTime();
      server.start(now);
      client.start(now);
      boolean clientDone = false;
      boolean serverDone = false;
      long deadline = now + TimeUnit.SECONDS.toNanos(10);
      while (!(clientDone && serverDone)) {
        boolean any = move(client, server) | move(server, client);
        for (Optional<DtlsEvent> e = client.pollEvent(); e.isPresent(); e = client.pollEvent()) {
          clientDone |= check(e.get());
          any = true;
        }
        for (Optional<DtlsEvent> e = server.pollEvent(); e.isPresent(); e = server.pollEvent()) {
          serverDone |= check(e.get());
          any = true;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("DTLS handshake did not complete within 10 s");
        }
        if (!any) {
          wake.tryAcquire(5, TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      client.close();
      server.close();
    }
  }

  private static boolean check(DtlsEvent e) {
    if (e instanceof DtlsEvent.HandshakeComplete) {
      return true;
    }
    if (e instanceof DtlsEvent.Failed || e instanceof DtlsEvent.Closed) {
      throw new IllegalStateException("DTLS handshake ended: " + e);
    }
    return false;
  }

  private static boolean move(DtlsEngine from, DtlsEngine to) {
    boolean any = false;
    for (Optional<Datagram> d = from.pollTransmit(); d.isPresent(); d = from.pollTransmit()) {
      to.handleReceive(System.nanoTime(), d.get());
      any = true;
    }
    return any;
  }
}
