package org.rtc4j.bench.turn;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The allocation benchmark: many allocations, each from its own UDP socket (an allocation is
 * identified by its 5-tuple), created as fast as the server answers with at most {@code window}
 * exchanges in flight; then the server's memory is read, and the allocations are deleted.
 */
final class AllocationBenchmark implements AutoCloseable {

    record Plan(int count, int warmupCount, int window, double deadlineSeconds, long serverPid,
                boolean jcmd, Path jcmdDir, long settleMillis) {}

    /** What the run measured; memory figures are -1 when not measured. */
    record Result(int requested, int created, int failed, double seconds, double perSecond,
                  long p50Nanos, long p99Nanos, long rssBeforeKb, long rssAfterKb,
                  long heapBeforeBytes, long heapAfterBytes, int deleted, double deleteSeconds, String firstFailure) {

        double rssPerAllocationBytes() {
            return rssBeforeKb < 0 || rssAfterKb < 0 || created == 0 ? -1 : (rssAfterKb - rssBeforeKb) * 1024.0 / created;
        }

        double heapPerAllocationBytes() {
            return heapBeforeBytes < 0 || heapAfterBytes < 0 || created == 0 ? -1 : (double) (heapAfterBytes - heapBeforeBytes) / created;
        }
    }

    private final Settings settings;
    private final Plan plan;
    private final PrintStream out;
    private final MultiThreadIoEventLoopGroup group;
    private final Worker worker;
    private final List<TurnClient> warmClients = new ArrayList<>();
    private final List<TurnClient> clients = new ArrayList<>();

    AllocationBenchmark(Settings settings, Plan plan, PrintStream out) {
        this.settings = settings;
        this.plan = plan;
        this.out = out;
        // One loop: the exchanges are tiny, the server is what is measured.
        this.group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventExecutor e = group.next();
        this.worker = new Worker((EventLoop) e, 0, settings, 1);
    }

    Result run() throws Exception {
        long deadline = System.nanoTime() + (long) (plan.deadlineSeconds() * 1e9);
        // Sockets first, outside the timed part: opening 10,000 sockets is the generator's cost.
        open(warmClients, plan.warmupCount(), deadline);
        open(clients, plan.count(), deadline);
        out.printf(Locale.ROOT, "allocs: %d + %d warm-up client sockets open%n", clients.size(), warmClients.size());

        if (!warmClients.isEmpty()) {
            Batch w = createAll(warmClients, deadline);
            deleteAll(warmClients, deadline);
            out.printf(Locale.ROOT, "allocs: warm-up %d created, %d failed in %.2f s (%s)%n",
                    w.created.get(), w.failed.get(), w.seconds, w.firstFailure == null ? "-" : w.firstFailure);
        }
        RelayBenchmark.sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(plan.settleMillis()));
        long heapBefore = plan.jcmd() ? liveHeap("before") : -1;
        long rssBefore = plan.serverPid() > 0 ? ProcStats.rssKb(plan.serverPid()) : -1;

        Batch b = createAll(clients, deadline);
        LatencyHistogram h = new LatencyHistogram();
        for (TurnClient c : clients) {
            if (c.phase == TurnClient.Phase.READY) {
                h.record(c.doneNanos - c.startNanos);
            }
        }
        out.printf(Locale.ROOT, "allocs: %d created, %d failed in %.3f s = %.0f allocations/s (p50 %.2f ms, p99 %.2f ms per allocation)%n",
                b.created.get(), b.failed.get(), b.seconds, b.created.get() / b.seconds,
                h.quantile(0.5) / 1e6, h.quantile(0.99) / 1e6);
        if (b.firstFailure != null) {
            out.println("allocs: first failure: " + b.firstFailure);
        }

        RelayBenchmark.sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(plan.settleMillis()));
        long rssAfter = plan.serverPid() > 0 ? ProcStats.rssKb(plan.serverPid()) : -1;
        long heapAfter = plan.jcmd() ? liveHeap("after") : -1;

        long t0 = System.nanoTime();
        int deleted = deleteAll(clients, deadline);
        double deleteSeconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "allocs: %d deleted in %.3f s%n", deleted, deleteSeconds);
        return new Result(plan.count(), b.created.get(), b.failed.get(), b.seconds, b.created.get() / b.seconds,
                h.quantile(0.5), h.quantile(0.99), rssBefore, rssAfter, heapBefore, heapAfter, deleted, deleteSeconds,
                b.firstFailure);
    }

    private void open(List<TurnClient> into, int n, long deadline) throws Exception {
        InetSocketAddress local = new InetSocketAddress(settings.bindAddress(), 0);
        List<ChannelFuture> futures = new ArrayList<>(n);
        int base = into.size();
        for (int i = 0; i < n; i++) {
            TurnClient c = new TurnClient(base + i, worker);
            into.add(c);
            futures.add(Sockets.udp(worker.loop, local, settings.server(), c.new UdpHandler(), false));
            // Bound the number of binds in flight so the loop's task queue stays short.
            if (futures.size() >= 512) {
                finishOpen(into, futures, base + i + 1 - futures.size(), deadline);
            }
        }
        finishOpen(into, futures, into.size() - futures.size(), deadline);
    }

    private static void finishOpen(List<TurnClient> into, List<ChannelFuture> futures, int first, long deadline) throws Exception {
        for (int k = 0; k < futures.size(); k++) {
            into.get(first + k).channel = RelayBenchmark.await(futures.get(k), deadline).channel();
        }
        futures.clear();
    }

    private static final class Batch {
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        volatile String firstFailure;
        double seconds;
    }

    /** Allocates every client's allocation with at most {@code window} exchanges in flight. */
    private Batch createAll(List<TurnClient> list, long deadline) throws InterruptedException {
        Batch batch = new Batch();
        CountDownLatch done = new CountDownLatch(list.size());
        AtomicInteger next = new AtomicInteger();
        AtomicLong last = new AtomicLong();
        InetSocketAddress[] noPeers = new InetSocketAddress[0];
        java.util.function.Consumer<TurnClient>[] onDone = new java.util.function.Consumer[1];
        Runnable startNext = () -> {
            int i = next.getAndIncrement();
            if (i < list.size()) {
                list.get(i).start(noPeers, onDone[0]);
            }
        };
        onDone[0] = c -> {
            if (c.phase == TurnClient.Phase.READY) {
                batch.created.incrementAndGet();
            } else {
                batch.failed.incrementAndGet();
                if (batch.firstFailure == null) {
                    batch.firstFailure = "allocation " + c.index + ": " + c.failure;
                }
            }
            last.set(System.nanoTime());
            done.countDown();
            startNext.run();
        };
        long t0 = System.nanoTime();
        worker.loop.execute(() -> {
            for (int k = 0; k < Math.min(plan.window(), list.size()); k++) {
                startNext.run();
            }
        });
        boolean all = done.await(RelayBenchmark.remainingNanos(deadline), TimeUnit.NANOSECONDS);
        long end = all ? last.get() : System.nanoTime();
        batch.seconds = (end - t0) / 1e9;
        if (!all) {
            batch.firstFailure = (batch.firstFailure == null ? "" : batch.firstFailure + "; ")
                    + "deadline reached with " + done.getCount() + " exchanges unfinished";
        }
        return batch;
    }

    private int deleteAll(List<TurnClient> list, long deadline) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(list.size());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger deleted = new AtomicInteger();
        java.util.function.Consumer<TurnClient>[] onDone = new java.util.function.Consumer[1];
        Runnable startNext = () -> {
            int i = next.getAndIncrement();
            if (i < list.size()) {
                list.get(i).delete(onDone[0]);
            }
        };
        onDone[0] = c -> {
            if (c.phase == TurnClient.Phase.DELETED) {
                deleted.incrementAndGet();
            }
            done.countDown();
            startNext.run();
        };
        worker.loop.execute(() -> {
            for (int k = 0; k < Math.min(plan.window(), list.size()); k++) {
                startNext.run();
            }
        });
        done.await(Math.max(RelayBenchmark.remainingNanos(deadline), TimeUnit.SECONDS.toNanos(5)), TimeUnit.NANOSECONDS);
        return deleted.get();
    }

    /**
     * Live heap of the server JVM: {@code jcmd PID GC.class_histogram} runs a full GC and sums the
     * live objects; its output is kept in jcmdDir when given (which classes grew, per allocation).
     */
    private long liveHeap(String tag) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(plan.serverPid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        byte[] bytes;
        try (var in = p.getInputStream()) {
            bytes = in.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (plan.jcmdDir() != null) {
            Files.createDirectories(plan.jcmdDir());
            Files.writeString(plan.jcmdDir().resolve("histogram-" + tag + ".txt"), text);
        }
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                return Long.parseLong(f[f.length - 1]);
            }
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        for (TurnClient c : warmClients) {
            if (c.channel != null) {
                c.channel.close();
            }
        }
        for (TurnClient c : clients) {
            if (c.channel != null) {
                c.channel.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS);
    }
}
