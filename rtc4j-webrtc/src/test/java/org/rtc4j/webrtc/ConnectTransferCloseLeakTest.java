package org.rtc4j.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.testkit.ThreadLeakCheck;
import org.rtc4j.testkit.Wait;
import org.rtc4j.webrtc.runtime.RtcRuntime;

/**
 * Issue 4, "no leaks": 100 connect / open a channel / transfer with a hash check / close cycles
 * between two rtc4j peers on 127.0.0.1, then threads, file descriptors and heap are back at the
 * baseline taken after a few warm-up cycles (which load classes and open the JVM's lazily opened
 * files).
 *
 * <ul>
 *   <li>Threads: every thread started since the baseline must end; only the JVM's own
 *       ({@link ThreadLeakCheck#JVM_THREADS}: reference handler, finalizer, compiler threads,
 *       common-cleaner, JUnit's timeout watcher, …) are exempt. Callback-pool threads are not: idle
 *       ones end after 2 s, so they have to be gone too.
 *   <li>File descriptors: the count in /proc/self/fd returns to the baseline.
 *   <li>Heap: every PeerConnection and DataChannel of every cycle (both sides) is only weakly
 *       reachable from the test, and all must be collected; used heap after GC stays within
 *       {@link #HEAP_SLACK} of the baseline.
 * </ul>
 *
 * <p>Half the cycles share one runtime (the server case), half give each connection its own
 * (which it stops on close). One certificate per side is generated once and passed in the
 * configuration, as an application would (W3C {@code certificates}): generating a fresh ECDSA
 * key pair per connection is what a cycle would otherwise spend most of its CPU on.
 */
@Timeout(180)
class ConnectTransferCloseLeakTest {

  static final int CYCLES = Integer.getInteger("rtc4j.leakCycles", 100);
  static final int WARM_UP = 3;
  /** Used heap after GC may exceed the baseline by this much (class metadata is off-heap; this is noise). */
  static final long HEAP_SLACK = 4L << 20;
  static final int MESSAGES = 32;
  static final int MESSAGE_SIZE = 4096;

  private final DtlsCertificate certA = DtlsCertificate.generate();
  private final DtlsCertificate certB = DtlsCertificate.generate();
  private final List<WeakReference<Object>> cycleObjects = new ArrayList<>();
  private final long[] phaseNanos = new long[4];

  @Test
  void hundredCyclesLeaveThreadsDescriptorsAndHeapAtBaseline() throws Exception {
    try (RtcRuntime shared = RtcRuntime.create(2)) {
      for (int i = 0; i < WARM_UP; i++) {
        cycle(i, i % 2 == 0 ? shared : null);
      }
      cycleObjects.clear();
      Arrays.fill(phaseNanos, 0);
      // Let the warm-up's callback threads end, so the baseline is an idle runtime.
      Wait.until(Duration.ofSeconds(10), "callback pool idle", () -> callbackThreads() == 0);
      long heapBefore = usedHeapAfterGc();
      ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
      long threadsBefore = nonJvmThreads();
      long fdsBefore = openFds();

      long t0 = System.nanoTime();
      long cpu0 = processCpuNanos();
      for (int i = 0; i < CYCLES; i++) {
        cycle(i, i % 2 == 0 ? shared : null);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      double cpuPerCycle = (processCpuNanos() - cpu0) / 1e6 / CYCLES;
      System.out.printf("%d cycles in %d ms, process CPU %.1f ms per cycle: per cycle connect+open %.1f ms, transfer %.1f ms, channel close (1 in 3) %.1f ms,"
          + " connection close %.1f ms%n", CYCLES, millis, cpuPerCycle, ms(phaseNanos[0]), ms(phaseNanos[1]), ms(phaseNanos[2]),
          ms(phaseNanos[3]));

      leaks.assertNoNewThreads(Duration.ofSeconds(10));
      assertThat(nonJvmThreads()).as("threads other than the JVM's").isLessThanOrEqualTo(threadsBefore);
      if (fdsBefore >= 0) {
        Wait.until(Duration.ofSeconds(10), "file descriptors back to the baseline", () -> openFds() <= fdsBefore,
            () -> openFds() + " open, " + fdsBefore + " before: " + describeFds());
      }
      Wait.until(Duration.ofSeconds(20), Duration.ofMillis(100), "every connection and channel of every cycle collected",
          () -> {
            System.gc();
            return cycleObjects.stream().allMatch(r -> r.get() == null);
          }, () -> {
            List<String> alive = cycleObjects.stream().map(WeakReference::get).filter(o -> o != null).map(String::valueOf)
                .toList();
            return alive.size() + " of " + cycleObjects.size() + " still reachable, e.g. " + alive.subList(0,
                Math.min(6, alive.size()));
          });
      assertThat(cycleObjects).hasSize(4 * CYCLES);
      long heapAfter = usedHeapAfterGc();
      System.out.printf("heap after GC: baseline %d KiB, after %d cycles %d KiB%n", heapBefore >> 10, CYCLES,
          heapAfter >> 10);
      assertThat(heapAfter).as("used heap after GC vs baseline %d", heapBefore).isLessThanOrEqualTo(heapBefore + HEAP_SLACK);
    }
  }

  /** {@code -Drtc4j.leakFreshCertificates=true}: a new certificate per connection (to measure what reuse saves). */
  private static RtcConfiguration config(DtlsCertificate certificate) {
    RtcConfiguration.Builder b = LoopbackPeers.loopbackConfig();
    return Boolean.getBoolean("rtc4j.leakFreshCertificates") ? b.build() : b.certificate(certificate).build();
  }

  private static double ms(long totalNanos) {
    return totalNanos / 1e6 / CYCLES;
  }

  /** One cycle; {@code runtime} null = each connection owns its runtime. */
  private void cycle(int n, RtcRuntime runtime) throws Exception {
    long t0 = System.nanoTime();
    RtcConfiguration ca = config(certA);
    RtcConfiguration cb = config(certB);
    try (LoopbackPeers p = new LoopbackPeers(ca, cb, runtime)) {
      DataChannel a = p.offerer.createDataChannel("cycle-" + n, DataChannelInit.defaults());
      AtomicReference<DataChannel> remote = new AtomicReference<>();
      CompletableFuture<String> remoteHash = new CompletableFuture<>();
      CompletableFuture<Void> remoteClosed = new CompletableFuture<>();
      p.answerer.onDataChannel(dc -> {
        remote.set(dc);
        MessageDigest md = sha256();
        dc.onMessage(m -> {
          if (m.isText()) {
            // "done": answer with the hash of every binary byte received, in order.
            dc.send(HexFormat.of().formatHex(md.digest()));
          } else {
            md.update(m.data());
          }
        });
        dc.onClose(() -> remoteClosed.complete(null));
      });
      CompletableFuture<Void> opened = new CompletableFuture<>();
      CompletableFuture<String> reply = new CompletableFuture<>();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      a.onOpen(() -> opened.complete(null));
      a.onMessage(m -> reply.complete(m.text()));
      a.onClose(() -> closed.complete(null));
      p.connectTrickle();
      opened.get(20, TimeUnit.SECONDS);
      long t1 = System.nanoTime();

      Random r = new Random(n);
      MessageDigest sent = sha256();
      for (int i = 0; i < MESSAGES; i++) {
        byte[] b = new byte[MESSAGE_SIZE];
        r.nextBytes(b);
        sent.update(b);
        a.send(ByteBuffer.wrap(b));
      }
      a.send("done");
      assertThat(reply.get(20, TimeUnit.SECONDS)).as("cycle %d: sha256 the answerer computed", n)
          .isEqualTo(HexFormat.of().formatHex(sent.digest()));
      long t2 = System.nanoTime();

      // Three ways to end, so each close path is checked for leaks: the channel closed and both
      // sides told before the connections close; the connections closed while the channel's
      // stream reset is in flight; the connections closed under an open channel.
      switch (n % 3) {
        case 0 -> {
          a.close();
          closed.get(10, TimeUnit.SECONDS);
          remoteClosed.get(10, TimeUnit.SECONDS);
        }
        case 1 -> a.close();
        default -> assertThat(a.readyState()).isEqualTo(DataChannelState.OPEN);
      }
      long t3 = System.nanoTime();
      cycleObjects.add(new WeakReference<>(p.offerer));
      cycleObjects.add(new WeakReference<>(p.answerer));
      cycleObjects.add(new WeakReference<>(a));
      cycleObjects.add(new WeakReference<>(remote.get()));
      phaseNanos[0] += t1 - t0;
      phaseNanos[1] += t2 - t1;
      phaseNanos[2] += t3 - t2;
      t0 = t3;
    }
    phaseNanos[3] += System.nanoTime() - t0;
  }

  private static long callbackThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("rtc4j-callback-")).count();
  }

  private static long nonJvmThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !ThreadLeakCheck.JVM_THREADS.test(t))
        .count();
  }

  /** CPU time of the whole JVM (all threads, GC and JIT included), which load does not inflate much. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static long openFds() {
    java.io.File[] fds = new java.io.File("/proc/self/fd").listFiles();
    return fds == null ? -1 : fds.length;
  }

  private static String describeFds() {
    java.io.File[] fds = new java.io.File("/proc/self/fd").listFiles();
    if (fds == null) {
      return "?";
    }
    List<String> out = new ArrayList<>();
    for (java.io.File f : fds) {
      try {
        out.add(f.getName() + "->" + java.nio.file.Files.readSymbolicLink(f.toPath()));
      } catch (java.io.IOException e) {
        out.add(f.getName());
      }
    }
    return out.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
