#!/usr/bin/env bash
# TURN relay benchmark: rtc4j's TURN server against coturn, same load, same machine, one run.
#
#   rtc4j-bench/scripts/turn-bench.sh                 # 3 rounds, every test, both servers
#   ROUNDS=5 TESTS="udp-channel tcp-channel" rtc4j-bench/scripts/turn-bench.sh
#
# What it does:
#  1. builds the server jar and the benchmark jar if missing (mvn -q -o install -DskipTests; BUILD=1 forces);
#  2. re-runs itself inside a fresh network namespace that has only loopback (unshare --net), so
#     every packet stays on 127.0.0.1, port 3478 is free, and /proc/net/udp shows only our sockets;
#  3. per round (the servers' order alternates round by round) and per server: for each relay test,
#     starts the server (fresh), runs the load generator's step search against it, stops it; then
#     starts it again for the allocation test (10,000 allocations, memory before/after);
#  4. prints per-round figures and median/min/max per server, and the ratio rtc4j/coturn.
#
# Both servers get the same configuration: listening and relay IP 127.0.0.1, port 3478, relay
# ports 49152-65535, realm rtc4j, static user bench:bench (AUTH=rest: a REST shared secret),
# loopback peers allowed, no TLS/DTLS, 2 relay threads (coturn --relay-threads 2, rtc4j
# --relay-threads 2: two event loops), logs to a file, no database, no CLI.
# Pinning (default): the server runs on CPU 1, the generator (and jcmd) on CPU 0, so the two do not
# compete for a core; SERVER_CPUS= GEN_CPUS= (empty) disables it. The rtc4j JVM is started with
# -XX:ActiveProcessorCount=2 so that, confined to one CPU, it sizes itself (GC, defaults) as on
# this 2-core machine.
#
# Environment: ROUNDS (3), TESTS ("udp-channel udp-send tcp-channel tcp-send udp-channel-b1": client
# transport, channel or send (Send/Data indications), optional -bN packets per socket write, default 8), ALLOCS (10000;
# 0 skips the allocation test), AUTH (static|rest), SERVER_CPUS (1), GEN_CPUS (0), RELAY_THREADS (2),
# GEN_OPTS (extra generator options, e.g. "--step-seconds 3"), RTC4J_JAVA_OPTS (server JVM flags),
# OUT (result directory), QUIET_WAIT (seconds to wait for an idle machine before each test, 180),
# BUILD=1 (rebuild first), SERVERS ("coturn rtc4j"), SERVER_JAR / BENCH_JAR (jars to use).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

ROUNDS="${ROUNDS:-3}"
TESTS="${TESTS:-udp-channel udp-send tcp-channel tcp-send udp-channel-b1}"
SERVERS="${SERVERS:-coturn rtc4j}"
ALLOCS="${ALLOCS:-10000}"
AUTH="${AUTH:-static}"
SERVER_CPUS="${SERVER_CPUS-1}"
GEN_CPUS="${GEN_CPUS-0}"
RELAY_THREADS="${RELAY_THREADS:-2}"
GEN_OPTS="${GEN_OPTS:-}"
QUIET_WAIT="${QUIET_WAIT:-180}"
SERVER_JAR="${SERVER_JAR:-$root/rtc4j-server/target/rtc4j.jar}"
BENCH_JAR="${BENCH_JAR:-$root/rtc4j-bench/target/rtc4j-bench.jar}"
SECRET="turn-bench-shared-secret"

if [ -z "${TURN_BENCH_IN_NETNS:-}" ]; then
  if [ "${BUILD:-0}" = 1 ] || [ ! -f "$SERVER_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
    echo "==> building (mvn -q -o install -DskipTests)"
    mvn -q -o install -DskipTests -pl rtc4j-server,rtc4j-bench -am
  fi
  command -v turnserver >/dev/null || { echo "coturn's turnserver is missing: apt-get install coturn" >&2; exit 1; }
  OUT="${OUT:-$root/rtc4j-bench/target/turn-bench/$(date +%Y%m%d-%H%M%S)}"
  mkdir -p "$OUT"
  export OUT TURN_BENCH_IN_NETNS=1
  if [ "$(id -u)" -eq 0 ]; then ns=(unshare --net); else ns=(unshare --map-root-user --net); fi
  exec "${ns[@]}" bash -c 'ip link set lo up && exec "$0" "$@"' "${BASH_SOURCE[0]}" "$@"
fi

# ---- inside the namespace ----
# The generator's 10,000+ client sockets take ephemeral ports; keep those out of the servers'
# relay range (49152-65535) so neither server trips over them (this namespace only).
sysctl -q -w net.ipv4.ip_local_port_range="20000 48999" 2>/dev/null || true
log="$OUT/run.log"
exec > >(tee -a "$log") 2>&1
server_pid=""
save_metrics() { # rtc4j's Prometheus counters after a test (drops inside the server show here)
  if [ "$1" = rtc4j ]; then
    curl -s -m 5 http://127.0.0.1:9641/metrics >"$OUT/rtc4j-$2.metrics" 2>/dev/null || true
    grep -E '^turn_(dropped|malformed|relayed_packets)' "$OUT/rtc4j-$2.metrics" 2>/dev/null | sed 's/^/    metrics: /' || true
  fi
}
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap cleanup EXIT
# A signal ends the whole run (the EXIT trap then stops the server); the generator gets it too.
trap 'echo "!! interrupted" >&2; exit 130' INT
trap 'echo "!! terminated" >&2; exit 143' TERM

# Command prefixes that pin to CPUs (taskset execs the command: same PID), or nothing.
server_pin=(); gen_pin=()
if [ -n "$SERVER_CPUS" ]; then server_pin=(taskset -c "$SERVER_CPUS"); fi
if [ -n "$GEN_CPUS" ]; then gen_pin=(taskset -c "$GEN_CPUS"); fi

if [ "$AUTH" = rest ]; then
  coturn_auth=(--use-auth-secret --static-auth-secret "$SECRET")
  rtc4j_auth=(--use-auth-secret --static-auth-secret "$SECRET")
  gen_auth=(--secret "$SECRET")
else
  coturn_auth=(--lt-cred-mech --user bench:bench)
  rtc4j_auth=(--user bench:bench)
  gen_auth=(--user bench:bench)
fi
common_opts=(--listening-ip 127.0.0.1 --relay-ip 127.0.0.1 --listening-port 3478 --min-port 49152 --max-port 65535
  --realm rtc4j --allow-loopback-peers --relay-threads "$RELAY_THREADS")

start_server() { # start_server NAME TAG
  local name="$1" tag="$2"
  case "$name" in
    coturn)
      # -n: no config file; no TLS/DTLS listeners, no CLI, no RFC 5780 second address; no
      # database (static user on the command line); log to a file only.
      "${server_pin[@]}" turnserver -n "${common_opts[@]}" "${coturn_auth[@]}" \
        --no-tls --no-dtls --no-cli --no-rfc5780 \
        --log-file "$OUT/coturn-$tag.log" --simple-log --no-stdout-log --pidfile "$OUT/coturn.pid" \
        >"$OUT/coturn-$tag.stdout" 2>&1 &
      server_pid=$!
      ;;
    rtc4j)
      # shellcheck disable=SC2086  # RTC4J_JAVA_OPTS is a list of JVM flags
      "${server_pin[@]}" java -XX:ActiveProcessorCount="$RELAY_THREADS" ${RTC4J_JAVA_OPTS:-} -jar "$SERVER_JAR" turn \
        "${common_opts[@]}" "${rtc4j_auth[@]}" --metrics-port 9641 --metrics-ip 127.0.0.1 >"$OUT/rtc4j-$tag.log" 2>&1 &
      server_pid=$!
      ;;
  esac
  # Ready when both the UDP and the TCP listener exist (bounded: 30 s).
  for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "!! $name exited at start, see $OUT/$name-$tag.*" >&2; return 1; fi
    if [ -n "$(ss -Hulnp 'sport = :3478' 2>/dev/null)" ] && [ -n "$(ss -Htlnp 'sport = :3478' 2>/dev/null)" ]; then
      sleep 0.5
      return 0
    fi
    sleep 0.1
  done
  echo "!! $name did not listen on 3478 within 30 s" >&2
  return 1
}

cpu_idle_pct() { # idle share of all CPUs over one second, from /proc/stat
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * idle / total : 0 ))
}

wait_quiet() { # wait (bounded) until other work on the machine leaves both CPUs mostly idle
  local waited=0 idle
  idle=$(cpu_idle_pct)
  while [ "$idle" -lt 85 ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    sleep 4; waited=$((waited + 5)); idle=$(cpu_idle_pct)
  done
  echo "    (machine idle before this test: ${idle}% after waiting ${waited}s)"
}

gen() { # gen ARGS... : the load generator on the generator CPU
  # shellcheck disable=SC2086
  "${gen_pin[@]}" timeout 900 java -Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled \
    -Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false \
    -Dio.netty.machineId=02:00:00:00:00:01 -cp "$BENCH_JAR" org.rtc4j.bench.turn.TurnLoadGenerator "$@"
}

echo "==> TURN benchmark $(date -u +%FT%TZ), results in $OUT"
echo "    machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB,"\
  "kernel $(uname -r); $(java -version 2>&1 | head -1); coturn $(turnserver --version 2>/dev/null | tail -1)"
echo "    rounds $ROUNDS, tests: $TESTS, allocations $ALLOCS, auth $AUTH, relay threads $RELAY_THREADS,"\
  "server CPUs '${SERVER_CPUS:-any}', generator CPUs '${GEN_CPUS:-any}', generator options '$GEN_OPTS'"

for round in $(seq 1 "$ROUNDS"); do
  order="$SERVERS"
  if [ $((round % 2)) -eq 0 ]; then order="$(echo "$SERVERS" | awk '{for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "")}')"; fi
  results="$OUT/results-round$round.txt"
  for server in $order; do
    for test in $TESTS; do
      # TEST = TRANSPORT-MODE[-bBURST]: udp-channel, tcp-send, udp-channel-b1 (1 packet per socket write)
      IFS=- read -r transport mode burst_spec <<<"$test"
      burst_opt=()
      if [ -n "${burst_spec:-}" ]; then burst_opt=(--burst "${burst_spec#b}"); fi
      echo "==> round $round: $server, relay $test"
      wait_quiet
      start_server "$server" "r$round-$test" || continue
      # shellcheck disable=SC2086
      gen relay --transport "$transport" --mode "$mode" "${burst_opt[@]}" "${gen_auth[@]}" --server-pid "$server_pid" \
        --label "$server.$test" --result-file "$results" $GEN_OPTS \
        >"$OUT/$server-$test-r$round.log" 2>&1 || echo "!! generator failed, see $OUT/$server-$test-r$round.log"
      grep -E '^(step|[0-9]+ )' "$OUT/$server-$test-r$round.log" | cut -c1-160 || true
      grep -E "^$server\.$test\.(zero_loss_pps|saturated_pps|zero_loss_p99_us)=" "$OUT/$server-$test-r$round.log" || true
      save_metrics "$server" "r$round-$test"
      cleanup
    done
    if [ "$ALLOCS" -gt 0 ]; then
      echo "==> round $round: $server, $ALLOCS allocations"
      wait_quiet
      start_server "$server" "r$round-allocs" || continue
      jcmd_opts=()
      if [ "$server" = rtc4j ]; then jcmd_opts=(--jcmd --jcmd-dir "$OUT/heap-r$round"); fi
      gen allocs --count "$ALLOCS" "${gen_auth[@]}" --server-pid "$server_pid" "${jcmd_opts[@]}" \
        --label "$server.allocs" --result-file "$results" \
        >"$OUT/$server-allocs-r$round.log" 2>&1 || echo "!! allocation test incomplete, see $OUT/$server-allocs-r$round.log"
      grep -E '^allocs:|per_alloc|per_second' "$OUT/$server-allocs-r$round.log" || true
      save_metrics "$server" "r$round-allocs"
      cleanup
    fi
  done
done

echo "==> summary (medians over $ROUNDS rounds; ratio = median of the per-round rtc4j/coturn ratios)"
java -cp "$BENCH_JAR" org.rtc4j.bench.turn.TurnBenchReport "$OUT"/results-round*.txt | tee "$OUT/summary.md"
