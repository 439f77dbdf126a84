package org.rtc4j.bench.dtls;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.dtls.DtlsEngine;
import org.rtc4j.dtls.DtlsEvent;
import org.rtc4j.net.Datagram;
import org.rtc4j.sctp.SctpAssociation;
import org.rtc4j.sctp.SctpConfig;
import org.rtc4j.sctp.SctpEvent;
import org.rtc4j.sctp.SctpState;

/**
 * The data path without sockets or threads: SCTP → DTLS → DTLS → SCTP and back (SACKs), two
 * associations over two connected DTLS engines, all pumped by this one thread, as the webrtc
 * engine glues them (decrypted records go to SCTP through {@code applicationDataHandler} when the
 * DTLS engine has it, else through ApplicationData events). Reports this thread's CPU seconds and
 * allocated MB per GB of messages delivered: figures that a loaded machine barely moves (it
 * slows the wall clock, not the work per byte), unlike MB/s. What it leaves out: the socket
 * syscalls, ICE, the loop and the API threads (see DataChannelBench for the whole stack).
 *
 * <pre>
 * java -cp rtc4j-bench/target/rtc4j-bench.jar org.rtc4j.bench.dtls.SctpOverDtlsCpu [MiB=256] [messageBytes=65536] [rounds=5]
 * </pre>
 */
public final class SctpOverDtlsCpu {

  private final DtlsPair dtls;
  /** As the webrtc engine configures it: packets fit one DTLS record in a 1200-byte datagram. */
  private static final int SCTP_MTU = 1150; // PeerEngine.SCTP_MTU
  private final SctpAssociation a = new SctpAssociation(SctpConfig.builder().mtu(SCTP_MTU).build(), new SplittableRandom(1));
  private final SctpAssociation b = new SctpAssociation(SctpConfig.builder().mtu(SCTP_MTU).build(), new SplittableRandom(2));
  private long delivered;
  private long now = System.nanoTime();

  private SctpOverDtlsCpu() {
    dtls = new DtlsPair(DtlsCertificate.generate(), DtlsCertificate.generate(), false).connect();
    a.connect(now);
    for (int i = 0; i < 100 && (a.state() != SctpState.ESTABLISHED || b.state() != SctpState.ESTABLISHED); i++) {
      pump();
    }
    if (a.state() != SctpState.ESTABLISHED) {
      throw new IllegalStateException("association not established: " + a.state());
    }
    // Once established only DATA and SACK flow, whose bytes SCTP copies or does not keep: the
    // transient view is safe (the webrtc engine copies packets with other chunks).
    boolean handler;
    try {
      dtls.server.applicationDataHandler(p -> b.handleReceive(now, p));
      dtls.client.applicationDataHandler(p -> a.handleReceive(now, p));
      handler = true;
    } catch (NoSuchMethodError e) {
      handler = false; // an rtc4j-dtls from before the handler: events
    }
    System.out.println("decrypted records reach SCTP via " + (handler ? "applicationDataHandler (view)" : "ApplicationData events (copy)"));
  }

  public static void main(String[] args) {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 65536;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    SctpOverDtlsCpu p = new SctpOverDtlsCpu();
    byte[] msg = new byte[size];
    new SplittableRandom(3).nextBytes(msg);
    com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    p.run(msg, 64L << 20); // warm-up
    double[] cpu = new double[rounds];
    double[] alloc = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long c0 = tm.getCurrentThreadCpuTime();
      long a0 = tm.getThreadAllocatedBytes(tid);
      long bytes = p.run(msg, (long) mib << 20);
      double gb = bytes / 1e9;
      cpu[r] = (tm.getCurrentThreadCpuTime() - c0) / 1e9 / gb;
      alloc[r] = (tm.getThreadAllocatedBytes(tid) - a0) / 1e6 / gb;
      System.out.printf(Locale.ROOT, "round %d: %d MiB in %d-byte messages: cpu %.2f s/GB, alloc %.0f MB/GB%n", r + 1, mib,
          size, cpu[r], alloc[r]);
    }
    java.util.Arrays.sort(cpu);
    java.util.Arrays.sort(alloc);
    System.out.printf(Locale.ROOT, "median: cpu_s_per_GB %.2f [%.2f-%.2f], alloc_MB_per_GB %.0f [%.0f-%.0f] (message %d B)%n",
        cpu[rounds / 2], cpu[0], cpu[rounds - 1], alloc[rounds / 2], alloc[0], alloc[rounds - 1], size);
    p.dtls.close();
  }

  /** Sends {@code total} bytes in messages, keeping up to 1 MiB buffered; returns the bytes delivered. */
  private long run(byte[] msg, long total) {
    long start = delivered;
    long sent = 0;
    while (delivered - start < total) {
      while (sent < total && a.bufferedAmount() < (1 << 20)) {
        a.send(now, 0, 53, ByteBuffer.wrap(msg), false, -1, -1);
        sent += msg.length;
      }
      if (!pump()) {
        // Nothing moved: a timer (delayed SACK) is due; jump to it as the loop would wait for it.
        now = Math.max(now, Math.min(a.pollTimeout(), b.pollTimeout()));
        if (a.pollTimeout() <= now) {
          a.handleTimeout(now);
        }
        if (b.pollTimeout() <= now) {
          b.handleTimeout(now);
        }
      }
    }
    return delivered - start;
  }

  /** One round of moving everything that is ready; returns whether anything moved. */
  private boolean pump() {
    boolean moved = false;
    now += 1_000;
    moved |= sctpOut(a, dtls.client);
    moved |= sctpOut(b, dtls.server);
    moved |= dtlsMove(dtls.client, dtls.server, b);
    moved |= dtlsMove(dtls.server, dtls.client, a);
    for (Optional<SctpEvent> e = b.pollEvent(); e.isPresent(); e = b.pollEvent()) {
      if (e.get() instanceof SctpEvent.Message m) {
        delivered += m.data().remaining();
      }
      moved = true;
    }
    while (a.pollEvent().isPresent()) {
      moved = true;
    }
    return moved;
  }

  private static boolean sctpOut(SctpAssociation s, DtlsEngine e) {
    boolean any = false;
    for (Optional<ByteBuffer> p = s.pollTransmit(); p.isPresent(); p = s.pollTransmit()) {
      e.send(p.get());
      any = true;
    }
    return any;
  }

  private boolean dtlsMove(DtlsEngine from, DtlsEngine to, SctpAssociation s) {
    boolean any = false;
    for (Optional<Datagram> d = from.pollTransmit(); d.isPresent(); d = from.pollTransmit()) {
      to.handleReceive(now, d.get());
      any = true;
    }
    for (Optional<DtlsEvent> e = to.pollEvent(); e.isPresent(); e = to.pollEvent()) {
      if (e.get() instanceof DtlsEvent.ApplicationData ad) {
        s.handleReceive(now, ByteBuffer.wrap(ad.data()));
      }
      any = true;
    }
    return any;
  }
}
