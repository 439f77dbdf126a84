package org.rtc4j.bench.turn;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The relay benchmark: sets up N allocations with channels (or permissions) to M peers, then runs
 * paced steps of bidirectional traffic and searches for the highest offered rate the server
 * relays with zero loss.
 */
final class RelayBenchmark implements AutoCloseable {

    /** The run's shape; rates are packets per second, both directions together. */
    record Plan(
            int allocations,
            int peers,
            boolean clientToPeer,
            boolean peerToClient,
            int threads,
            long tickMicros,
            double warmupSeconds,
            double warmupRate,
            double referenceRate,
            double stepSeconds,
            long drainMillis,
            double startRate,
            double factor,
            double maxRate,
            int maxSteps,
            int bisections,
            int retries,
            double overloadFactor,
            double noiseThreshold,
            double maxSeconds,
            long serverPid,
            double setupTimeoutSeconds) {}

    /** One step's outcome. */
    record Step(
            int number,
            String phase,
            double targetPps,
            double offeredPps,
            double deliveredPps,
            long sent,
            long received,
            long lost,
            long late,
            long reordered,
            long lagSkipped,
            long backpressured,
            long p50Nanos,
            long p99Nanos,
            long p999Nanos,
            long maxNanos,
            double serverCores,
            double generatorCores,
            long serverSocketDrops,
            long generatorSocketDrops,
            double otherCores) {

        boolean zeroLoss() {
            return lost <= 0 && backpressured == 0;
        }

        /**
         * The generator did not offer the rate: it sent under 97% of it, or its loop fell more than
         * 50 ms behind for more than 0.5% of the packets (TCP back-pressure from the server is not
         * the generator's limit: that counts as the server failing the step).
         */
        boolean generatorLimited() {
            return backpressured == 0 && (offeredPps < 0.97 * targetPps || lagSkipped > 0.005 * (sent + lagSkipped));
        }

        boolean pass() {
            return zeroLoss() && !generatorLimited();
        }

        /** Other processes took a noticeable share of the CPUs during the step. */
        boolean noisy(double threshold) {
            return otherCores > threshold;
        }

        double serverCpuMicrosPerPacket() {
            return received == 0 || serverCores < 0 ? -1 : serverCores * 1e6 / deliveredPps;
        }
    }

    private final Settings settings;
    private final Plan plan;
    private final PrintStream out;
    private final MultiThreadIoEventLoopGroup group;
    private final List<Worker> workers = new ArrayList<>();
    private final List<TurnClient> clients = new ArrayList<>();
    private final List<Peer> peers = new ArrayList<>();
    private final Set<Integer> ownUdpPorts = new HashSet<>();
    private int stepNumber;
    boolean verbose = Boolean.getBoolean("turnload.verbose");
    final List<Step> steps = new ArrayList<>();

    RelayBenchmark(Settings settings, Plan plan, PrintStream out) {
        this.settings = settings;
        this.plan = plan;
        this.out = out;
        this.group = new MultiThreadIoEventLoopGroup(plan.threads(), EpollIoHandler.newFactory());
        int id = 0;
        for (EventExecutor e : group) {
            workers.add(new Worker((EventLoop) e, id++, settings, plan.allocations() * plan.peers()));
        }
    }

    /** Opens the sockets and sets every allocation up; throws if any allocation fails. */
    void setup() throws Exception {
        long deadline = System.nanoTime() + (long) (plan.setupTimeoutSeconds() * 1e9);
        InetSocketAddress local = new InetSocketAddress(settings.bindAddress(), 0);
        InetSocketAddress[] peerAddresses = new InetSocketAddress[plan.peers()];
        for (int j = 0; j < plan.peers(); j++) {
            Worker w = workers.get(j % workers.size());
            Peer p = new Peer(j, w, plan.peers());
            Channel ch = await(Sockets.udp(w.loop, local, null, p.new Handler(), true, settings.gso()), deadline).channel();
            p.channel = ch;
            p.address = (InetSocketAddress) ch.localAddress();
            peerAddresses[j] = p.address;
            ownUdpPorts.add(p.address.getPort());
            peers.add(p);
            w.peers.add(p);
        }
        for (int i = 0; i < plan.allocations(); i++) {
            Worker w = workers.get(i % workers.size());
            TurnClient c = new TurnClient(i, w);
            ChannelFuture f = settings.tcp()
                    ? Sockets.tcp(w.loop, local, settings.server(), c.new TcpHandler())
                    : Sockets.udp(w.loop, local, settings.server(), c.new UdpHandler(), true);
            c.channel = await(f, deadline).channel();
            if (!settings.tcp()) {
                ownUdpPorts.add(Sockets.localPort(c.channel));
            }
            clients.add(c);
            w.clients.add(c);
        }
        CountDownLatch ready = new CountDownLatch(clients.size());
        for (TurnClient c : clients) {
            c.worker.loop.execute(() -> c.start(peerAddresses, x -> ready.countDown()));
        }
        if (!ready.await(remainingNanos(deadline), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("allocations not set up within " + plan.setupTimeoutSeconds() + " s");
        }
        List<String> failures = new ArrayList<>();
        InetSocketAddress[] relays = new InetSocketAddress[clients.size()];
        for (TurnClient c : clients) {
            Object[] st = onLoop(c.worker, () -> new Object[] {c.phase, c.failure, c.relay});
            if (st[0] != TurnClient.Phase.READY) {
                failures.add("allocation " + c.index + ": " + st[0] + " " + st[1]);
            }
            relays[c.index] = (InetSocketAddress) st[2];
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " allocations failed, first: " + failures.get(0));
        }
        for (Peer p : peers) {
            onLoop(p.worker, () -> {
                p.relays = relays.clone();
                return null;
            });
        }
        if (settings.gso()) {
            for (Peer p : peers) {
                for (int i = 0; i < relays.length; i++) {
                    PeerLink link = new PeerLink(p, i, relays[i]);
                    link.channel = await(Sockets.udp(p.worker.loop, p.address, relays[i], p.new Handler(), true, true),
                            deadline).channel();
                    onLoop(p.worker, () -> p.worker.links.add(link));
                }
            }
        }
        for (Worker w : workers) {
            onLoop(w, () -> {
                w.startTicker(plan.tickMicros());
                return null;
            });
        }
        out.printf(Locale.ROOT, "setup: %d allocations (%s, %s) x %d peers ready in %.2f s, %d generator loop(s)%n",
                clients.size(), settings.tcp() ? "TCP" : "UDP", settings.sendIndications() ? "Send/Data indications" : "channels",
                plan.peers(), (plan.setupTimeoutSeconds() * 1e9 - remainingNanos(deadline)) / 1e9, workers.size());
    }

    /** Warm-up, optional reference-rate step, step search, bisection, overload step. */
    void search() throws Exception {
        searchDeadline = System.nanoTime() + (long) (plan.maxSeconds() * 1e9);
        if (plan.warmupSeconds() > 0) {
            runStep("warmup", plan.warmupRate(), plan.warmupSeconds());
        }
        if (plan.referenceRate() > 0) {
            runStep("reference", plan.referenceRate(), plan.stepSeconds());
        }
        Step lastPass = null;
        Step firstFail = null;
        double rate = plan.startRate();
        int budget = plan.maxSteps();
        // Going down if even the start rate loses packets (bounded: 6 halvings).
        for (int down = 0; down < 6 && budget > 0 && !outOfTime(); down++) {
            Step s = runWithRetries("search", rate);
            budget--;
            if (s.pass()) {
                lastPass = s;
                break;
            }
            firstFail = s;
            if (s.generatorLimited() && s.zeroLoss()) {
                break;
            }
            rate /= 2;
        }
        if (lastPass != null) {
            rate = lastPass.targetPps() * plan.factor();
            while (budget > 0 && rate <= plan.maxRate() && !outOfTime()) {
                Step s = runWithRetries("search", rate);
                budget--;
                if (!s.pass()) {
                    firstFail = s;
                    break;
                }
                lastPass = s;
                rate *= plan.factor();
            }
            // Bisect (geometrically) between the last pass and the first failure, unless the
            // failure was the generator's own limit.
            for (int i = 0; i < plan.bisections() && budget > 0 && !outOfTime() && firstFail != null
                    && !(firstFail.generatorLimited() && firstFail.zeroLoss()); i++) {
                double mid = Math.sqrt(lastPass.targetPps() * firstFail.targetPps());
                Step s = runWithRetries("bisect", mid);
                budget--;
                if (s.pass()) {
                    lastPass = s;
                } else {
                    firstFail = s;
                }
            }
        }
        if (plan.overloadFactor() > 0 && budget > 0 && !outOfTime()) {
            double base = firstFail != null ? firstFail.targetPps() : lastPass != null ? lastPass.targetPps() : plan.startRate();
            runStep("overload", base * plan.overloadFactor(), plan.stepSeconds());
        }
        best = lastPass;
    }

    Step best;
    private long searchDeadline = Long.MAX_VALUE;

    /** The server process exited during the run (with --server-pid): nothing more to measure. */
    boolean serverGone;

    /** The search's time bound: no new step starts after it; nor after the server process exited. */
    private boolean outOfTime() {
        if (plan.serverPid() > 0 && !ProcStats.alive(plan.serverPid())) {
            if (!serverGone) {
                out.println("!! the server process " + plan.serverPid() + " is gone: stopping the search");
            }
            serverGone = true;
            return true;
        }
        return System.nanoTime() - searchDeadline > 0;
    }

    /**
     * A step, repeated up to {@code retries} times while it fails: one lost packet or one moment
     * where another process took the generator's CPU (a shared, noisy machine) should not end the
     * search; a rate that fails every time does.
     */
    private Step runWithRetries(String phase, double rate) throws Exception {
        Step s = runStep(phase, rate, plan.stepSeconds());
        int noiseRetries = 0;
        for (int r = 0; r < plan.retries() && !s.pass() && !outOfTime(); r++) {
            // A failure while other processes used the CPUs says nothing about the server: wait,
            // and retry without counting it (bounded).
            if (s.noisy(plan.noiseThreshold()) && noiseRetries < MAX_NOISE_RETRIES) {
                noiseRetries++;
                r--;
                sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
            } else if (s.generatorLimited()) {
                sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            }
            s = runStep(phase + (s.noisy(plan.noiseThreshold()) ? "-noisy" : "-retry"), rate, plan.stepSeconds());
        }
        return s;
    }

    private static final int MAX_NOISE_RETRIES = 6;

    /** One step at a total offered rate (split evenly over the enabled directions). */
    Step runStep(String phase, double rate, double seconds) throws Exception {
        int number = ++stepNumber;
        int dirs = (plan.clientToPeer() ? 1 : 0) + (plan.peerToClient() ? 1 : 0);
        double c2p = plan.clientToPeer() ? rate / dirs : 0;
        double p2c = plan.peerToClient() ? rate / dirs : 0;
        ProcStats.UdpDrops drops0 = ProcStats.udpDrops(ownUdpPorts);
        double server0 = plan.serverPid() > 0 ? ProcStats.cpuSeconds(plan.serverPid()) : -1;
        double self0 = ProcStats.selfCpuSeconds();
        double busy0 = ProcStats.machineBusySeconds();
        double[] us0 = plan.serverPid() > 0 ? ProcStats.cpuUserSystem(plan.serverPid()) : null;
        double[] gs0 = ProcStats.cpuUserSystem(-1);
        long t0 = System.nanoTime();
        for (Worker w : workers) {
            double c = c2p * w.clients.size() / Math.max(1, clients.size());
            double p = p2c * w.peers.size() / Math.max(1, peers.size());
            onLoop(w, () -> {
                w.beginStep(number, c, p, plan.tickMicros());
                return null;
            });
        }
        sleepUntil(t0 + (long) (seconds * 1e9));
        for (Worker w : workers) {
            onLoop(w, () -> {
                w.endSending();
                return null;
            });
        }
        long t1 = System.nanoTime();
        double server1 = plan.serverPid() > 0 ? ProcStats.cpuSeconds(plan.serverPid()) : -1;
        double self1 = ProcStats.selfCpuSeconds();
        double busy1 = ProcStats.machineBusySeconds();
        double[] us1 = plan.serverPid() > 0 ? ProcStats.cpuUserSystem(plan.serverPid()) : null;
        double[] gs1 = ProcStats.cpuUserSystem(-1);
        sleepUntil(t1 + TimeUnit.MILLISECONDS.toNanos(plan.drainMillis()));
        Stats total = new Stats();
        for (Worker w : workers) {
            total.add(onLoop(w, w::snapshot));
        }
        ProcStats.UdpDrops drops = ProcStats.udpDrops(ownUdpPorts).minus(drops0);
        double secs = (t1 - t0) / 1e9;
        LatencyHistogram lat = total.latencyBoth();
        long sent = total.sentTotal();
        long received = total.receivedTotal();
        Step s = new Step(number, phase, rate, sent / secs, received / secs, sent, received, sent - received,
                total.late, total.reordered, total.lagSkipped[0] + total.lagSkipped[1],
                total.backpressured[0] + total.backpressured[1],
                lat.quantile(0.50), lat.quantile(0.99), lat.quantile(0.999), lat.max(),
                server0 < 0 || server1 < 0 ? -1 : (server1 - server0) / secs,
                (self1 - self0) / secs, drops.others(), drops.own(),
                server0 < 0 || server1 < 0 || busy0 < 0 ? -1
                        : Math.max(0, ((busy1 - busy0) - (server1 - server0) - (self1 - self0)) / secs));
        steps.add(s);
        if (verbose && us0 != null && us1 != null && gs0 != null && gs1 != null) {
            out.printf(Locale.ROOT, "     cpu cores: server user %.2f sys %.2f | generator user %.2f sys %.2f%n",
                    (us1[0] - us0[0]) / secs, (us1[1] - us0[1]) / secs, (gs1[0] - gs0[0]) / secs, (gs1[1] - gs0[1]) / secs);
        }
        printStep(s, total);
        return s;
    }

    static String header() {
        return String.format(Locale.ROOT, "%-4s %-14s %10s %10s %10s %9s %8s %8s %8s %9s %6s %6s %6s %s",
                "step", "phase", "target", "offered", "delivered", "lost", "p50us", "p99us", "p999us",
                "srv-cpu", "gen", "other", "us/pkt", "notes");
    }

    private void printStep(Step s, Stats t) {
        if (s.number() == 1) {
            out.println(header());
        }
        StringBuilder notes = new StringBuilder(s.pass() ? "ok" : s.zeroLoss() ? "GEN-LIMITED" : "LOSS");
        if (s.lost() != 0) {
            notes.append(String.format(Locale.ROOT, " loss=%.3f%% (c2p %d, p2c %d)", 100.0 * s.lost() / Math.max(1, s.sent()),
                    t.sent[0] - t.received[0], t.sent[1] - t.received[1]));
        }
        if (s.serverSocketDrops() != 0 || s.generatorSocketDrops() != 0) {
            notes.append(" sockdrops[server=").append(s.serverSocketDrops()).append(" gen=").append(s.generatorSocketDrops()).append(']');
        }
        if (s.lagSkipped() != 0) {
            notes.append(" lag-skipped=").append(s.lagSkipped());
        }
        if (s.backpressured() != 0) {
            notes.append(" tcp-backpressure=").append(s.backpressured());
        }
        if (s.late() != 0) {
            notes.append(" late(prev step)=").append(s.late());
        }
        if (s.reordered() != 0) {
            notes.append(" reordered=").append(s.reordered());
        }
        if (verbose) {
            notes.append(String.format(Locale.ROOT, " [c2p sent %d recv %d p50 %.1f p99 %.1f max %.1f | p2c sent %d recv %d p50 %.1f p99 %.1f max %.1f us]",
                    t.sent[0], t.received[0], t.latency[0].quantile(0.5) / 1e3, t.latency[0].quantile(0.99) / 1e3, t.latency[0].max() / 1e3,
                    t.sent[1], t.received[1], t.latency[1].quantile(0.5) / 1e3, t.latency[1].quantile(0.99) / 1e3, t.latency[1].max() / 1e3));
        }
        if (t.foreign != 0) {
            notes.append(" foreign=").append(t.foreign);
        }
        out.printf(Locale.ROOT, "%-4d %-14s %10.0f %10.0f %10.0f %9d %8.1f %8.1f %8.1f %9s %6.2f %6s %6s %s%n",
                s.number(), s.phase(), s.targetPps(), s.offeredPps(), s.deliveredPps(), s.lost(),
                s.p50Nanos() / 1e3, s.p99Nanos() / 1e3, s.p999Nanos() / 1e3,
                s.serverCores() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", s.serverCores()),
                s.generatorCores(),
                s.otherCores() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", s.otherCores()),
                s.serverCpuMicrosPerPacket() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", s.serverCpuMicrosPerPacket()),
                notes);
        out.flush();
    }

    /** Deletes the allocations (bounded wait) and closes everything. */
    @Override
    public void close() throws InterruptedException {
        for (Worker w : workers) {
            try {
                onLoop(w, () -> {
                    w.endSending();
                    w.stopTicker();
                    return null;
                });
            } catch (Exception e) {
                // shutting down anyway
            }
        }
        CountDownLatch deleted = new CountDownLatch(clients.size());
        for (TurnClient c : clients) {
            c.worker.loop.execute(() -> c.delete(x -> deleted.countDown()));
        }
        deleted.await(10, TimeUnit.SECONDS);
        for (TurnClient c : clients) {
            if (c.channel != null) {
                c.channel.close();
            }
        }
        for (Peer p : peers) {
            if (p.channel != null) {
                p.channel.close();
            }
        }
        for (Worker w : workers) {
            for (PeerLink l : w.links) {
                l.channel.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    // ---- helpers ----

    static <T> T onLoop(Worker w, java.util.concurrent.Callable<T> task) throws Exception {
        try {
            return w.loop.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    static ChannelFuture await(ChannelFuture f, long deadline) throws Exception {
        if (!f.await(remainingNanos(deadline), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("socket setup timed out");
        }
        if (!f.isSuccess()) {
            throw new IllegalStateException("socket setup failed: " + f.cause(), f.cause());
        }
        return f;
    }

    static long remainingNanos(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    static void sleepUntil(long nanoDeadline) throws InterruptedException {
        long left;
        while ((left = nanoDeadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
        }
    }
}
