# Shared by signaling-bench.sh and signaling-kernel-share.sh (sourced, not run): the servers' launch lines,
# the generator's, and what they need. Both servers get the same limits (--concurrent_limit $LIMIT
# --expire_timeout 5000 --alive_timeout 60000); rtc4j's per-client rate limit is lifted, as peerjs-server has none.
SERVER_CPUS=${SERVER_CPUS:-0}
# Server and generator run at this niceness (e.g. -15 as root: other work on the machine, such as builds, gets
# only what they leave; both servers alike; but ksoftirqd, at 0, then waits too when loopback work spills to it).
NICE=${NICE:-0}
LOAD_CPUS=${LOAD_CPUS:-1}
LIMIT=${LIMIT:-20000}
# The launcher's (./rtc4j) collector settings: on the one pinned CPU the JVM would pick Serial GC.
RTC4J_JAVA=${RTC4J_JAVA:-"java -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=10 -jar rtc4j-server/target/rtc4j.jar"}
PEERJS_DIR=rtc4j-bench/target/peerjs-server

if [ ! -f rtc4j-server/target/rtc4j.jar ] || [ ! -f rtc4j-bench/target/rtc4j-bench.jar ]; then
  mvn -B -q -o -pl rtc4j-server,rtc4j-bench -am package -DskipTests
fi
if [ ! -f "$PEERJS_DIR/node_modules/peer/dist/bin/peerjs.js" ]; then
  mkdir -p "$PEERJS_DIR"
  cp rtc4j-bench/peerjs-server/package.json rtc4j-bench/peerjs-server/package-lock.json "$PEERJS_DIR/"
  npm ci --prefix "$PEERJS_DIR" --prefer-offline --no-audit --no-fund
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" -lt 11000 ]; then
  echo "warning: ulimit -n is $(ulimit -n); 10,000 peers need ~10,100 descriptors per process" >&2
fi

SERVER_PID=""
cleanup() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() { # name port log
  local common="--concurrent_limit $LIMIT --expire_timeout 5000 --alive_timeout 60000"
  case "$1" in
    rtc4j)
      # shellcheck disable=SC2086
      nice -n "$NICE" taskset -c "$SERVER_CPUS" $RTC4J_JAVA signaling --host 127.0.0.1 --port "$2" $common \
        --rate-limit 1000000 --rate-burst 1000000 --io-threads 1 ${RTC4J_ARGS:-} >"$3" 2>&1 &
      ;;
    rtc4j-2core)
      # shellcheck disable=SC2086
      nice -n "$NICE" taskset -c "$SERVER_CPUS,$LOAD_CPUS" $RTC4J_JAVA signaling --host 127.0.0.1 --port "$2" $common \
        --rate-limit 1000000 --rate-burst 1000000 --io-threads 2 ${RTC4J_ARGS:-} >"$3" 2>&1 &
      ;;
    peerjs)
      # shellcheck disable=SC2086
      nice -n "$NICE" taskset -c "$SERVER_CPUS" node "$PEERJS_DIR/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 \
        --port "$2" $common >"$3" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$1 did not listen on $2; log $3" >&2
  return 1
}

generator() { # port peers rates step-seconds label [more SignalingSweep options]: STEP/RESULT lines on stdout
  local port=$1 peers=$2 rates=$3 step=$4 label=$5
  shift 5
  # generator heap touched up front: on this PVM guest a young collection that first touches
  # old-generation pages took 600 ms (gen_gc_ms in the STEP lines shows the generator's pauses)
  timeout 300 nice -n "$NICE" taskset -c "$LOAD_CPUS" java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseSerialGC \
    -cp rtc4j-bench/target/rtc4j-bench.jar org.rtc4j.bench.signaling.SignalingSweep \
    --url "ws://127.0.0.1:$port/peerjs" --peers "$peers" --rates "$rates" --step-seconds "$step" \
    --warmup-seconds "${WARMUP_SECONDS:-3}" --drain-ms "${DRAIN_MS:-1000}" --burst "${BURST:-4}" \
    --p99-bound-ms "${P99_BOUND_MS:-50}" --server-pid "$SERVER_PID" --label "$label" "$@"
}
