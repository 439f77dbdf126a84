package org.rtc4j.bench.turn;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The TURN load generator's command line. {@code relay} searches the highest zero-loss relay rate;
 * {@code allocs} measures allocation rate and memory per allocation. Results are printed, and with
 * {@code --result-file} appended as {@code label.key=value} lines for scripts/turn-bench.sh.
 */
@Command(name = "turn-load", mixinStandardHelpOptions = true,
        description = "Load generator for TURN servers (RFC 8656): relay throughput, loss, latency; allocation rate; memory.",
        subcommands = {TurnLoadGenerator.Relay.class, TurnLoadGenerator.Allocs.class})
public final class TurnLoadGenerator implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new TurnLoadGenerator()).execute(args));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }

    /** Options both subcommands share. */
    static final class Common {
        @Option(names = "--server", description = "TURN server HOST:PORT (default ${DEFAULT-VALUE})", defaultValue = "127.0.0.1:3478")
        String server;

        @Option(names = "--bind", description = "local address of every generator socket (default ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
        String bind;

        @Option(names = "--user", description = "static long-term user USER:PASSWORD (default ${DEFAULT-VALUE})", defaultValue = "bench:bench")
        String user;

        @Option(names = "--secret", description = "TURN REST API shared secret (coturn static-auth-secret); overrides --user")
        String secret;

        @Option(names = "--rest-user", description = "user part of REST usernames (default ${DEFAULT-VALUE})", defaultValue = "bench")
        String restUser;

        @Option(names = "--fingerprint", description = "add FINGERPRINT to requests")
        boolean fingerprint;

        @Option(names = "--server-pid", description = "server process id: its CPU time and resident memory are read from /proc", defaultValue = "0")
        long serverPid;

        @Option(names = "--result-file", description = "append label.key=value result lines to this file")
        Path resultFile;

        @Option(names = "--label", description = "prefix of the result keys (default ${DEFAULT-VALUE})", defaultValue = "turn")
        String label;

        ClientCredentials credentials() {
            if (secret != null) {
                return ClientCredentials.rest(secret, restUser, System.currentTimeMillis() / 1000 + 24 * 3600);
            }
            return ClientCredentials.staticUser(user);
        }

        InetSocketAddress serverAddress() throws IOException {
            int colon = server.lastIndexOf(':');
            return new InetSocketAddress(InetAddress.getByName(server.substring(0, colon).replace("[", "").replace("]", "")),
                    Integer.parseInt(server.substring(colon + 1)));
        }

        void writeResults(Map<String, Object> results) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Object> e : results.entrySet()) {
                Object v = e.getValue();
                String s = v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(v);
                sb.append(label).append('.').append(e.getKey()).append('=').append(s).append('\n');
            }
            System.out.print(sb);
            if (resultFile != null) {
                Files.writeString(resultFile, sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    @Command(name = "relay", mixinStandardHelpOptions = true,
            description = "N allocations with channels (or permissions) to M local peers; paced bidirectional traffic;"
                    + " step search for the highest zero-loss rate.")
    static final class Relay implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--transport", description = "client transport: udp or tcp (default ${DEFAULT-VALUE})", defaultValue = "udp")
        String transport;

        @Option(names = "--mode", description = "channel (ChannelData) or send (Send/Data indications) (default ${DEFAULT-VALUE})", defaultValue = "channel")
        String mode;

        @Option(names = "--allocations", defaultValue = "64", description = "allocations (default ${DEFAULT-VALUE})")
        int allocations;

        @Option(names = "--peers", defaultValue = "4", description = "peer sockets, each bound to every allocation (default ${DEFAULT-VALUE})")
        int peers;

        @Option(names = "--payload", defaultValue = "100", description = "application bytes per packet, >= 28 (default ${DEFAULT-VALUE})")
        int payload;

        @Option(names = "--direction", defaultValue = "both", description = "both, c2p (client to peer) or p2c (default ${DEFAULT-VALUE})")
        String direction;

        @Option(names = "--threads", defaultValue = "1", description = "generator event loops (default ${DEFAULT-VALUE})")
        int threads;

        @Option(names = "--tick-us", defaultValue = "250", description = "pacing tick in microseconds (default ${DEFAULT-VALUE})")
        long tickMicros;

        @Option(names = "--gso", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "send each burst to one destination as one UDP_SEGMENT (GSO) write: client sockets, and"
                + " per-allocation connected peer sockets (SO_REUSEPORT on the peer's address); the server still sees"
                + " ordinary datagrams. Cuts the generator's kernel cost per packet (default ${DEFAULT-VALUE})")
        boolean gso;

        @Option(names = "--burst", defaultValue = "8", description = "packets per socket write, back to back to one"
                + " allocation (like the packets of a video frame); 1 spreads each tick over all sockets (default ${DEFAULT-VALUE})")
        int burst;

        @Option(names = "--warmup-seconds", defaultValue = "10", description = "(default ${DEFAULT-VALUE})")
        double warmupSeconds;

        @Option(names = "--warmup-rate", defaultValue = "30000", description = "packets/s during warm-up (default ${DEFAULT-VALUE})")
        double warmupRate;

        @Option(names = "--reference-rate", defaultValue = "20000",
                description = "one step at this rate before the search, to compare latency at equal load; 0: none (default ${DEFAULT-VALUE})")
        double referenceRate;

        @Option(names = "--step-seconds", defaultValue = "2", description = "(default ${DEFAULT-VALUE})")
        double stepSeconds;

        @Option(names = "--drain-ms", defaultValue = "300", description = "wait for stragglers after each step (default ${DEFAULT-VALUE})")
        long drainMillis;

        @Option(names = "--start-rate", defaultValue = "20000", description = "first offered rate, packets/s, both directions together (default ${DEFAULT-VALUE})")
        double startRate;

        @Option(names = "--factor", defaultValue = "1.25", description = "rate multiplier per step (default ${DEFAULT-VALUE})")
        double factor;

        @Option(names = "--max-rate", defaultValue = "4000000", description = "(default ${DEFAULT-VALUE})")
        double maxRate;

        @Option(names = "--max-steps", defaultValue = "30", description = "bound on measured steps (default ${DEFAULT-VALUE})")
        int maxSteps;

        @Option(names = "--bisect", defaultValue = "3", description = "bisection steps after the first loss (default ${DEFAULT-VALUE})")
        int bisections;

        @Option(names = "--retries", defaultValue = "2", description = "repeat a failed step (loss, or the generator"
                + " starved of CPU) this often before accepting the failure (default ${DEFAULT-VALUE})")
        int retries;

        @Option(names = "--overload-factor", defaultValue = "1.5",
                description = "a last step at this multiple of the first lossy rate, for the saturated throughput; 0: none (default ${DEFAULT-VALUE})")
        double overloadFactor;

        @Option(names = "--noise-threshold", defaultValue = "0.2",
                description = "CPU cores other processes may use during a step before a failed step is retried as noisy"
                        + " (needs --server-pid) (default ${DEFAULT-VALUE})")
        double noiseThreshold;

        @Option(names = "--max-seconds", defaultValue = "480", description = "time bound of the search; no step starts"
                + " after it (default ${DEFAULT-VALUE})")
        double maxSeconds;

        @Option(names = "--fixed-rate", defaultValue = "0", description = "no search: one measured step at this rate")
        double fixedRate;

        @Option(names = "--setup-timeout", defaultValue = "30", description = "seconds (default ${DEFAULT-VALUE})")
        double setupTimeout;

        @Override
        public Integer call() throws Exception {
            Epoll.ensureAvailability();
            if (gso && !io.netty.channel.epoll.EpollDatagramChannel.isSegmentedDatagramPacketSupported()) {
                gso = false;
            }
            if (payload < Payload.MIN_SIZE) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--payload must be >= " + Payload.MIN_SIZE);
            }
            Settings settings = new Settings(common.serverAddress(), InetAddress.getByName(common.bind),
                    "tcp".equalsIgnoreCase(transport), "send".equalsIgnoreCase(mode), common.credentials(),
                    common.fingerprint, payload, gso, burst);
            boolean c2p = !direction.equals("p2c");
            boolean p2c = !direction.equals("c2p");
            RelayBenchmark.Plan plan = new RelayBenchmark.Plan(allocations, peers, c2p, p2c, threads, tickMicros,
                    warmupSeconds, warmupRate, fixedRate > 0 ? 0 : referenceRate, stepSeconds, drainMillis,
                    startRate, factor, maxRate, maxSteps, bisections, retries, overloadFactor, noiseThreshold,
                    maxSeconds, common.serverPid, setupTimeout);
            PrintStream out = System.out;
            out.printf(Locale.ROOT, "relay: server %s, %s, %s, %d allocations x %d peers, payload %d B, direction %s, tick %d us, burst %d%s%n",
                    settings.server(), transport, mode, allocations, peers, payload, direction, tickMicros, burst, gso ? ", GSO" : "");
            try (RelayBenchmark bench = new RelayBenchmark(settings, plan, out)) {
                bench.setup();
                if (fixedRate > 0) {
                    if (warmupSeconds > 0) {
                        bench.runStep("warmup", warmupRate, warmupSeconds);
                    }
                    bench.best = bench.runStep("fixed", fixedRate, stepSeconds);
                } else {
                    bench.search();
                }
                Map<String, Object> r = new LinkedHashMap<>();
                RelayBenchmark.Step best = bench.best;
                RelayBenchmark.Step ref = bench.steps.stream().filter(s -> s.phase().equals("reference")).findFirst().orElse(null);
                RelayBenchmark.Step sat = bench.steps.stream().filter(s -> !s.phase().equals("warmup"))
                        .max((a, b) -> Double.compare(a.deliveredPps(), b.deliveredPps())).orElse(null);
                r.put("zero_loss_pps", best == null ? 0.0 : best.deliveredPps());
                r.put("zero_loss_target_pps", best == null ? 0.0 : best.targetPps());
                if (best != null) {
                    r.put("zero_loss_p50_us", best.p50Nanos() / 1e3);
                    r.put("zero_loss_p99_us", best.p99Nanos() / 1e3);
                    r.put("zero_loss_p999_us", best.p999Nanos() / 1e3);
                    r.put("zero_loss_server_cores", best.serverCores());
                    r.put("zero_loss_server_us_per_pkt", best.serverCpuMicrosPerPacket());
                    r.put("zero_loss_generator_cores", best.generatorCores());
                    r.put("zero_loss_other_cores", best.otherCores());
                }
                if (sat != null) {
                    r.put("saturated_pps", sat.deliveredPps());
                    r.put("saturated_offered_pps", sat.offeredPps());
                    r.put("saturated_loss_pct", 100.0 * sat.lost() / Math.max(1, sat.sent()));
                    r.put("saturated_server_cores", sat.serverCores());
                    r.put("saturated_generator_cores", sat.generatorCores());
                }
                if (ref != null) {
                    r.put("ref_rate_pps", ref.targetPps());
                    r.put("ref_loss", ref.lost());
                    r.put("ref_p50_us", ref.p50Nanos() / 1e3);
                    r.put("ref_p99_us", ref.p99Nanos() / 1e3);
                    r.put("ref_p999_us", ref.p999Nanos() / 1e3);
                    r.put("ref_server_us_per_pkt", ref.serverCpuMicrosPerPacket());
                }
                boolean genLimited = bench.steps.stream().anyMatch(s -> !s.phase().equals("warmup") && s.generatorLimited());
                r.put("generator_limited_steps", bench.steps.stream().filter(s -> !s.phase().equals("warmup") && s.generatorLimited()).count());
                r.put("steps", bench.steps.size());
                r.put("server_exited", bench.serverGone ? 1 : 0);
                r.put("noisy_steps", bench.steps.stream().filter(s -> s.noisy(noiseThreshold)).count());
                common.writeResults(r);
                if (genLimited) {
                    out.println("note: some steps were generator-limited (the generator could not offer the target rate);"
                            + " the search stops there, so the server's limit may be higher than reported");
                }
            }
            return 0;
        }
    }

    @Command(name = "allocs", mixinStandardHelpOptions = true,
            description = "Allocations per second (each from its own UDP socket, 401 round trip included) and memory per allocation.")
    static final class Allocs implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--count", defaultValue = "10000", description = "(default ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--warmup-count", defaultValue = "1000", description = "allocations created and deleted first (default ${DEFAULT-VALUE})")
        int warmupCount;

        @Option(names = "--window", defaultValue = "256", description = "exchanges in flight (default ${DEFAULT-VALUE})")
        int window;

        @Option(names = "--deadline-seconds", defaultValue = "120", description = "(default ${DEFAULT-VALUE})")
        double deadlineSeconds;

        @Option(names = "--jcmd", description = "the server is a JVM: read its live heap with jcmd GC.class_histogram before and after")
        boolean jcmd;

        @Option(names = "--jcmd-dir", description = "keep the class histograms here")
        Path jcmdDir;

        @Option(names = "--settle-ms", defaultValue = "1000", description = "pause before reading memory (default ${DEFAULT-VALUE})")
        long settleMillis;

        @Override
        public Integer call() throws Exception {
            Epoll.ensureAvailability();
            Settings settings = new Settings(common.serverAddress(), InetAddress.getByName(common.bind), false, false,
                    common.credentials(), common.fingerprint, Payload.MIN_SIZE, false, 1);
            AllocationBenchmark.Plan plan = new AllocationBenchmark.Plan(count, warmupCount, window, deadlineSeconds,
                    common.serverPid, jcmd, jcmdDir, settleMillis);
            System.out.printf(Locale.ROOT, "allocs: server %s, %d allocations (+%d warm-up), window %d%n",
                    settings.server(), count, warmupCount, window);
            try (AllocationBenchmark bench = new AllocationBenchmark(settings, plan, System.out)) {
                AllocationBenchmark.Result res = bench.run();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("allocs_requested", res.requested());
                r.put("allocs_created", res.created());
                r.put("allocs_failed", res.failed());
                r.put("allocs_seconds", res.seconds());
                r.put("allocs_per_second", res.perSecond());
                r.put("alloc_p50_ms", res.p50Nanos() / 1e6);
                r.put("alloc_p99_ms", res.p99Nanos() / 1e6);
                r.put("rss_before_kb", res.rssBeforeKb());
                r.put("rss_after_kb", res.rssAfterKb());
                r.put("rss_per_alloc_bytes", res.rssPerAllocationBytes());
                if (jcmd) {
                    r.put("heap_before_bytes", res.heapBeforeBytes());
                    r.put("heap_after_bytes", res.heapAfterBytes());
                    r.put("heap_per_alloc_bytes", res.heapPerAllocationBytes());
                }
                r.put("deleted", res.deleted());
                r.put("delete_seconds", res.deleteSeconds());
                common.writeResults(r);
                return res.created() == res.requested() ? 0 : 1;
            }
        }
    }
}
