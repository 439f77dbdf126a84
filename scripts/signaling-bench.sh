#!/usr/bin/env bash
# PeerJS signaling capacity, rtc4j vs peerjs-server (npm `peer` 1.0.2), in one run.
#
# Each server in turn (order alternates) is pinned to CPU $SERVER_CPUS (one core: Node is
# single-threaded, and rtc4j gets the same single core, --io-threads 1), the load generator to
# $LOAD_CPUS (the other core). Both servers get the same limits (--concurrent_limit $LIMIT
# --expire_timeout 5000 --alive_timeout 60000; rtc4j's own per-client rate limit is lifted, since
# peerjs-server has none). For each N in $PEERS_LIST: N WebSocket peers connect (connections/s, RSS),
# then an open-loop sweep over $RATES relayed msgs/s ($STEP_SECONDS each after $WARMUP_SECONDS of
# warm-up at half the first rate): bursts of 1 OFFER + ($BURST-1) CANDIDATEs from one peer of a pair to the other at fixed
# times, latency from the scheduled send time. A step passes at >= 95% of the target with
# p99 <= $P99_BOUND_MS; the sweep stops at the first failing step; capacity = highest passing rate.
# Repeated $REPEATS times; one summary table (median [min-max]) and the rtc4j/peerjs-server ratios.
# Between bursts the generator waits >= 100 us by spinning without system calls (on this VM a thread
# woken from a sleep often ran tens of ms late), so it keeps its own core busy; its heap is pre-touched.
# Each STEP line shows gen_cpu_s, gen_spin_s (of that, spinning), gen_lag_max_ms, gen_lag_p99_ms (its own
# send lag at the 99th percentile, already inside p99_ms) and gen_gc_ms, so a step it could not drive shows up.
#
#   scripts/signaling-bench.sh                                  # defaults: ~5 min on a quiet machine
#   PEERS_LIST=1000 REPEATS=1 scripts/signaling-bench.sh        # a quick look
#   RTC4J_2CORE=1 scripts/signaling-bench.sh                    # also rtc4j on both cores (shared with the generator)
#   RATES=20000,30000,40000,60000,80000,100000,120000,160000,200000,240000 scripts/signaling-bench.sh  # finer
#
# Needs: rtc4j-server/target/rtc4j.jar and rtc4j-bench/target/rtc4j-bench.jar (built if missing),
# node + npm, taskset. peerjs-server is installed once from rtc4j-bench/peerjs-server/package-lock.json
# into rtc4j-bench/target/peerjs-server (npm ci --prefer-offline; later runs download nothing).
# Everything binds 127.0.0.1; every step and wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

PEERS_LIST=${PEERS_LIST:-"1000 10000"}
REPEATS=${REPEATS:-3}
RATES=${RATES:-"10000,20000,40000,80000,160000,320000"}
STEP_SECONDS=${STEP_SECONDS:-2}
WARMUP_SECONDS=${WARMUP_SECONDS:-3}
DRAIN_MS=${DRAIN_MS:-1000}
BURST=${BURST:-4}
P99_BOUND_MS=${P99_BOUND_MS:-50}
STOP_AFTER_FAILS=${STOP_AFTER_FAILS:-1}   # more: keep sweeping past a failed step (useful on a busy machine)
OUT=${OUT:-rtc4j-bench/target/signaling-bench}
mkdir -p "$OUT"
RESULTS="$OUT/results-$(date -u +%Y%m%dT%H%M%SZ).txt"
RTC4J_2CORE=${RTC4J_2CORE:-0}
# shellcheck source=scripts/signaling-servers.sh
. scripts/signaling-servers.sh

servers="rtc4j peerjs"
if [ "$RTC4J_2CORE" = 1 ]; then servers="$servers rtc4j-2core"; fi
header="# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); node $(node --version); commit $(git rev-parse --short HEAD 2>/dev/null || echo ?); server cpus $SERVER_CPUS, generator cpus $LOAD_CPUS, nice $NICE; rates $RATES; step ${STEP_SECONDS}s; burst $BURST; p99 bound ${P99_BOUND_MS} ms"
echo "$header" | tee "$RESULTS"
round=0
for r in $(seq 1 "$REPEATS"); do
  for n in $PEERS_LIST; do
    order=$servers
    if [ $((round % 2)) -eq 1 ]; then order=$(echo "$servers" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    round=$((round + 1))
    for s in $order; do
      port=$((19000 + RANDOM % 1000))
      log="$OUT/$s-$n-$r.log"
      start_server "$s" "$port" "$log"
      generator "$port" "$n" "$RATES" "$STEP_SECONDS" "$s" --stop-after-fails "$STOP_AFTER_FAILS" \
        2>"$OUT/load-$s-$n-$r.err" | sed "s/$/ repeat=$r/" \
        | tee -a "$RESULTS" | grep -E "RESULT|CONNECT" || echo "RESULT server=$s peers=$n FAILED (see $OUT)"
      echo "# load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS"
      cleanup
      SERVER_PID=""
    done
  done
done
echo "# end $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
java -cp rtc4j-bench/target/rtc4j-bench.jar org.rtc4j.bench.signaling.SweepSummary "$RESULTS"
echo "(all lines: $RESULTS)"
