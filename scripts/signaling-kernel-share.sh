#!/usr/bin/env bash
# How much of each signaling server's CPU per relayed message is the kernel's, rtc4j vs peerjs-server
# (npm `peer` 1.0.2), in one run: the floor under "5x peerjs-server's rate at a lower p99".
#
# Each case SERVER:RATE runs that server alone on CPU $SERVER_CPUS (as in signaling-bench.sh, the
# same launch lines and generator) with $PEERS peers, a step at RATE/2 and then two at RATE
# ($STEP_SECONDS each); in the first RATE step `perf record` samples the server process
# for $WINDOW_SECONDS (from half a window into the step). Per case it prints the server's CPU per relayed
# message in the second RATE step (/proc, all threads; perf's own cost would inflate it), the kernel's
# and libc's shares of perf's samples (libc here is almost only the system-call stubs), their product
# kernel+libc us/msg, /proc's own system share of the perf window beside perf's, and both steps' p99s.
# Then peerjs-server's CPU per message at its case divided by 5 (the budget of a server relaying 5x
# its rate at the same CPU load) against rtc4j's kernel+libc alone at each of its rates, and the share
# of one core that kernel+libc alone would take at 5x peerjs-server's rate at that per-message cost.
# The kernel share is taken from perf's samples; /proc's own system share of the same window (tick
# accounting) is printed beside it as a check.
#
#   scripts/signaling-kernel-share.sh      # defaults: ~10 min
#   CASES="peerjs:40000 rtc4j:200000" REPEATS=1 scripts/signaling-kernel-share.sh
#
# Needs what signaling-bench.sh needs, and perf (Debian: linux-perf) with permission to profile
# (root, or kernel.perf_event_paranoid <= 1). Everything binds 127.0.0.1; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

PEERS=${PEERS:-1000}
CASES=${CASES:-"peerjs:40000 rtc4j:40000 rtc4j:120000 rtc4j:160000 rtc4j:200000"}
REPEATS=${REPEATS:-3}
STEP_SECONDS=${STEP_SECONDS:-10}
WINDOW_SECONDS=${WINDOW_SECONDS:-6}
OUT=${OUT:-rtc4j-bench/target/signaling-kernel-share}
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }
mkdir -p "$OUT"
RESULTS="$OUT/results-$(date -u +%Y%m%dT%H%M%SZ).txt"
# shellcheck source=scripts/signaling-servers.sh
. scripts/signaling-servers.sh

ticks() { # pid: utime stime (clock ticks)
  awk '{sub(/.*\) /, ""); print $12, $13}' "/proc/$1/stat" 2>/dev/null || true
}
gen=""
trap 'if [ -n "$gen" ]; then kill "$gen" 2>/dev/null || true; fi; cleanup' EXIT
field() { # line key
  echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
share() { # perf.data dso-pattern: percent of samples
  perf report -i "$1" --no-children --sort dso --stdio 2>/dev/null | awk -v p="$2" '$0 ~ p {gsub("%", "", $1); s += $1} END {printf "%.1f", s}'
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD 2>/dev/null || echo ?); peers $PEERS; cases $CASES; step ${STEP_SECONDS}s, perf window ${WINDOW_SECONDS}s" | tee "$RESULTS"
for r in $(seq 1 "$REPEATS"); do
  for c in $CASES; do
    s=${c%%:*}
    rate=${c##*:}
    port=$((19000 + RANDOM % 1000))
    steps="$OUT/steps-$s-$rate-$r.txt"
    data="$OUT/perf-$s-$rate-$r.data"
    start_server "$s" "$port" "$OUT/$s-$rate-$r.log"
    generator "$port" "$PEERS" "$((rate / 2)),$rate,$rate" "$STEP_SECONDS" "$s" --stop-after-fails 3 \
      >"$steps" 2>"$OUT/load-$s-$rate-$r.err" &
    gen=$!
    # the first STEP line ends the RATE/2 step: the RATE step starts right after it
    for _ in $(seq 1 1200); do
      if grep -q '^STEP' "$steps" || ! kill -0 "$gen" 2>/dev/null; then break; fi
      sleep 0.1
    done
    sleep "$((WINDOW_SECONDS / 2))"
    ticks0=$(ticks "$SERVER_PID")
    perf record -q -F 999 -p "$SERVER_PID" -o "$data" -- sleep "$WINDOW_SECONDS" >/dev/null 2>&1 || true
    ticks1=$(ticks "$SERVER_PID")
    wait "$gen" || true
    gen=
    profiled=$(grep "^STEP .* target=$rate " "$steps" | head -1 || true)
    line=$(grep "^STEP .* target=$rate " "$steps" | sed -n 2p || true)
    cpu=$(field "$line" server_cpu_ms_per_1k)
    if [ -z "$line" ] || [ -z "$cpu" ] || [ "$cpu" = n/a ] || [ ! -s "$data" ] || [ -z "$ticks0" ] || [ -z "$ticks1" ]; then
      echo "KPROF server=$s rate=$rate repeat=$r FAILED (see $OUT)" | tee -a "$RESULTS"
    else
      kern=$(share "$data" 'kernel')
      libc=$(share "$data" 'libc\.so')
      # CPU per message from the step after the profiled one (same rate, no perf: perf's own cost showed
      # as 35-40 % more server CPU inside its window); perf's share from the profiled step; /proc's own
      # system share of the perf window beside it.
      read -r u0 s0 <<<"$ticks0"
      read -r u1 s1 <<<"$ticks1"
      echo "KPROF server=$s peers=$PEERS rate=$rate repeat=$r cpu_us_per_msg=$cpu kernel_pct=$kern libc_pct=$libc" \
        "$(awk -v c="$cpu" -v k="$kern" -v l="$libc" -v u0="$u0" -v s0="$s0" -v u1="$u1" -v s1="$s1" 'BEGIN {
          printf "kernel_libc_us_per_msg=%.2f proc_sys_pct_in_window=%.1f", c * (k + l) / 100,
            (u1 - u0 + s1 - s0 > 0 ? 100 * (s1 - s0) / (u1 - u0 + s1 - s0) : 0) }')" \
        "p99_ms_under_perf=$(field "$profiled" p99_ms) p99_ms_after=$(field "$line" p99_ms)" \
        | tee -a "$RESULTS"
    fi
    cleanup
    SERVER_PID=""
  done
done
echo "# end $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"

# median [min-max] per case, and the 5x budget against rtc4j's kernel+libc floor
awk '
  /^KPROF/ && !/FAILED/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    k = f["server"] ":" f["rate"]
    if (!(k in n)) order[++nk] = k
    n[k]++; cpu[k, n[k]] = f["cpu_us_per_msg"]; kp[k, n[k]] = f["kernel_pct"]; kl[k, n[k]] = f["kernel_libc_us_per_msg"]
  }
  function stat(a, k, m,    i, j, t, v) {
    for (i = 1; i <= m; i++) v[i] = a[k, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    return sprintf("%.2f [%.2f-%.2f]", med, v[1], v[m])
  }
  END {
    printf "\n%-16s %-4s %-24s %-24s %-24s\n", "server:rate", "runs", "CPU us/msg", "kernel %", "kernel+libc us/msg"
    for (o = 1; o <= nk; o++) {
      k = order[o]
      c = stat(cpu, k, n[k]); split(c, cc, " "); medcpu[k] = cc[1]
      x = stat(kl, k, n[k]); split(x, xx, " "); medkl[k] = xx[1]
      printf "%-16s %-4d %-24s %-24s %-24s\n", k, n[k], c, stat(kp, k, n[k]), x
    }
    for (o = 1; o <= nk; o++) if (order[o] ~ /^peerjs:/) {
      p = order[o]; split(p, pr, ":")
      printf "\n5x peerjs-server at %s msgs/s (%s msgs/s) at its CPU load: %.2f us/msg for everything (its %.2f / 5)\n", pr[2], 5 * pr[2], medcpu[p] / 5, medcpu[p]
      for (q = 1; q <= nk; q++) if (order[q] ~ /^rtc4j/) {
        printf "  %-16s kernel+libc alone %.2f us/msg = %.2fx that budget; at %s msgs/s it alone takes %.0f %% of one core\n",
          order[q], medkl[order[q]], medkl[order[q]] / (medcpu[p] / 5), 5 * pr[2], medkl[order[q]] * 5 * pr[2] / 1e4
      }
    }
  }' "$RESULTS"
echo "(all lines: $RESULTS)"
