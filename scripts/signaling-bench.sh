#!/usr/bin/env bash
# PeerJS signaling load, rtc4j vs peerjs-server (npm `peer` 1.0.2), both started with the same
# limits, in one run: for each N in $PEERS_LIST, each server in turn (order alternates):
# N WebSocket peers connect (connections/s), then for $RELAY_SECONDS the first peer of each pair
# relays OFFER/CANDIDATE to the second, $WINDOW messages in flight per pair (closed loop), every
# peer sending a HEARTBEAT every 5 s: relayed msgs/s, p50/p99 latency, server RSS.
#
#   scripts/signaling-bench.sh                      # N = 1000 and 10000, 10 s relay
#   PEERS_LIST="1000" RELAY_SECONDS=5 scripts/signaling-bench.sh
#   RTC4J_ARGS="--io-threads 1" scripts/signaling-bench.sh   # extra options for rtc4j signaling
#
# Needs: rtc4j-server/target/rtc4j.jar and rtc4j-bench/target/rtc4j-bench.jar (built if missing),
# node + npm (peer@1.0.2 is installed once into rtc4j-bench/target/peerjs-server from the registry).
# Everything binds 127.0.0.1; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

PEERS_LIST=${PEERS_LIST:-"1000 10000"}
RELAY_SECONDS=${RELAY_SECONDS:-10}
WINDOW=${WINDOW:-2}
LIMIT=${LIMIT:-20000}
OUT=${OUT:-rtc4j-bench/target/signaling-bench}
PEERJS_DIR=rtc4j-bench/target/peerjs-server
mkdir -p "$OUT"

if [ ! -f rtc4j-server/target/rtc4j.jar ] || [ ! -f rtc4j-bench/target/rtc4j-bench.jar ]; then
  mvn -B -q -o -pl rtc4j-server,rtc4j-bench -am package -DskipTests
fi
if [ ! -f "$PEERJS_DIR/node_modules/peer/dist/bin/peerjs.js" ]; then
  npm install --prefix "$PEERJS_DIR" peer@1.0.2 --no-audit --no-fund
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

SERVER_PID=""
cleanup() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() { # name port log
  case "$1" in
    rtc4j)
      java -Xmx1g -jar rtc4j-server/target/rtc4j.jar signaling --host 127.0.0.1 --port "$2" \
        --concurrent_limit "$LIMIT" --expire_timeout 5000 --alive_timeout 60000 \
        --rate-limit 1000000 --rate-burst 1000000 ${RTC4J_ARGS:-} >"$3" 2>&1 &
      ;;
    peerjs)
      node "$PEERJS_DIR/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 --port "$2" \
        --concurrent_limit "$LIMIT" --expire_timeout 5000 --alive_timeout 60000 >"$3" 2>&1 &
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

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); java $(java -version 2>&1 | head -1); node $(node --version)"
round=0
for n in $PEERS_LIST; do
  if [ $((round % 2)) -eq 0 ]; then order="rtc4j peerjs"; else order="peerjs rtc4j"; fi
  round=$((round + 1))
  for s in $order; do
    port=$((19000 + RANDOM % 1000))
    log="$OUT/$s-$n.log"
    start_server "$s" "$port" "$log"
    sleep 1
    timeout 600 java -Xmx2g -cp rtc4j-bench/target/rtc4j-bench.jar org.rtc4j.bench.signaling.SignalingLoad \
      --url "ws://127.0.0.1:$port/peerjs" --peers "$n" --seconds "$RELAY_SECONDS" --window "$WINDOW" \
      --server-pid "$SERVER_PID" --label "$s" 2>"$OUT/load-$s-$n.err" | grep RESULT || echo "RESULT server=$s peers=$n FAILED (see $OUT)"
    cleanup
    SERVER_PID=""
  done
done
