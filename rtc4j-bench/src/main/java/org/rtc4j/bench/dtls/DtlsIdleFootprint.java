package org.rtc4j.bench.dtls;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.dtls.DtlsEngine;

/**
 * Heap and threads per idle connected {@link DtlsEngine}: connects N pairs in memory, sends one
 * record each way (as SCTP's INIT/INIT-ACK would right after the handshake), then measures the
 * retained heap after full GCs and counts threads named {@code rtc4j-dtls*} (there must be none:
 * the handshake thread ends when the handshake does).
 *
 * <pre>java -cp rtc4j-bench/target/rtc4j-bench.jar org.rtc4j.bench.dtls.DtlsIdleFootprint [pairs]</pre>
 *
 * The two certificates are shared by all pairs; a PeerConnection that generates its own adds its
 * certificate and key (about 1 KB) to its engine's figure.
 */
public final class DtlsIdleFootprint {

  private DtlsIdleFootprint() {}

  public static void main(String[] args) throws Exception {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    DtlsCertificate c = DtlsCertificate.generate();
    DtlsCertificate s = DtlsCertificate.generate();
    // warm up the code paths (class loading, JIT) outside the measurement
    for (int i = 0; i < 50; i++) {
      try (DtlsPair p = new DtlsPair(c, s, false)) {
        exchange(p.connect());
      }
    }
    long before = retainedHeap();
    int threadsBefore = Thread.activeCount();
    List<DtlsPair> kept = new ArrayList<>(pairs);
    long t0 = System.nanoTime();
    for (int i = 0; i < pairs; i++) {
      DtlsPair p = new DtlsPair(c, s, false).connect();
      exchange(p);
      kept.add(p);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long dtlsThreads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("rtc4j-dtls")).filter(Thread::isAlive).count();
    long after = retainedHeap();
    System.out.printf("DTLS idle footprint: %d connected pairs (%d engines) made in %.1f s; retained heap %.0f bytes"
            + " per engine; live rtc4j-dtls threads: %d; threads before/after: %d/%d%n",
        pairs, 2 * pairs, secs, (after - before) / (2.0 * pairs), dtlsThreads, threadsBefore, Thread.activeCount());
    for (DtlsPair p : kept) {
      p.close();
    }
  }

  private static void exchange(DtlsPair p) {
    DtlsPair.transfer(p.client, p.server, 100);
    DtlsPair.transfer(p.server, p.client, 100);
  }

  private static long retainedHeap() throws InterruptedException {
    var mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100); // a benchmark main, not a test: let the collector finish
    }
    return mem.getHeapMemoryUsage().getUsed();
  }
}
