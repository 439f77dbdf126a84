#!/usr/bin/env bash
# Connection set-up benchmark (issue 3): rtc4j against Chromium, same machine, one run.
#
#   scripts/connect-bench.sh                    # ROUNDS=20, every part
#   ROUNDS=40 PARTS="connect dtls" scripts/connect-bench.sh
#
# What it does:
#  1. builds the benchmark jar if missing (mvn -q -o install -DskipTests of rtc4j-bench and what it needs; BUILD=1 forces);
#  2. re-runs itself inside a fresh network namespace that has only loopback (unshare --net), so
#     Chromium and rtc4j gather and check only 127.0.0.1;
#  3. connect: time from createOffer to the offerer's connectionState 'connected' for
#     rtc4j<->rtc4j (two PeerConnections in one JVM), Chromium->rtc4j (the page offers, an
#     in-process rtc4j PeerConnection answers over POST /offer) and Chromium<->Chromium (two
#     RTCPeerConnections in one page, timed in the page), non-trickle (every candidate in the SDP,
#     the rtc4j echo / WHIP pattern) and trickle (rtc4j<->rtc4j, Chromium<->Chromium); WARMUP
#     unmeasured rounds, then ROUNDS rounds with the order of the variants rotating; medians,
#     min-max, ratios to Chromium<->Chromium;
#  4. dtls: DTLS handshakes per second on one core (taskset -c $DTLS_CPU, the JVM told it has
#     one processor): two DtlsEngines in memory, one handshake after the other;
#  5. memory: PAIRS connected idle rtc4j pairs in a fresh JVM; heap after GC per connection.
#
# Environment: ROUNDS (20), WARMUP (5), PARTS ("connect dtls memory"), VARIANTS (see ConnectBench
# connect --help), DTLS_SECONDS (20), DTLS_CPU (0), PAIRS (100), OUT (result directory), BUILD=1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

ROUNDS="${ROUNDS:-20}"
WARMUP="${WARMUP:-5}"
PARTS="${PARTS:-connect dtls memory}"
VARIANTS="${VARIANTS:-rtc4j-rtc4j,rtc4j-rtc4j-trickle,chromium-rtc4j,chromium-chromium,chromium-chromium-trickle}"
DTLS_SECONDS="${DTLS_SECONDS:-20}"
DTLS_CPU="${DTLS_CPU:-0}"
PAIRS="${PAIRS:-100}"
BENCH_JAR="${BENCH_JAR:-$root/rtc4j-bench/target/rtc4j-bench.jar}"

if [ -z "${CONNECT_BENCH_IN_NETNS:-}" ]; then
  if [ "${BUILD:-0}" = 1 ] || [ ! -f "$BENCH_JAR" ]; then
    echo "==> building (mvn -q -o install -DskipTests)"
    mvn -q -o install -DskipTests -pl rtc4j-bench -am
  fi
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
    || { echo "chromium and chromium-driver are missing: apt-get install chromium chromium-driver" >&2; exit 1; }
  OUT="${OUT:-$root/rtc4j-bench/target/connect-bench/$(date +%Y%m%d-%H%M%S)}"
  mkdir -p "$OUT"
  export OUT CONNECT_BENCH_IN_NETNS=1
  if [ "$(id -u)" -eq 0 ]; then ns=(unshare --net); else ns=(unshare --map-root-user --net); fi
  exec "${ns[@]}" bash -c 'ip link set lo up && exec "$0" "$@"' "${BASH_SOURCE[0]}" "$@"
fi

# ---- inside the namespace ----
log="$OUT/run.log"
exec > >(tee -a "$log") 2>&1
echo "==> $(date -u +%FT%TZ) connect-bench in a loopback-only namespace: $(ip -brief addr | tr '\n' ' ')"
echo "    java: $(java -version 2>&1 | head -1); cpus: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_JAR" "$@" 2>&1 | grep -v '^SLF4J' ; }
for part in $PARTS; do
  case "$part" in
    connect)
      echo "==> connect: ROUNDS=$ROUNDS WARMUP=$WARMUP variants $VARIANTS"
      run org.rtc4j.bench.connect.ConnectBench connect --rounds "$ROUNDS" --warmup "$WARMUP" --variants "$VARIANTS" ;;
    dtls)
      echo "==> dtls: taskset -c $DTLS_CPU, $DTLS_SECONDS s"
      taskset -c "$DTLS_CPU" java -XX:ActiveProcessorCount=1 -cp "$BENCH_JAR" org.rtc4j.bench.connect.ConnectBench dtls \
        --seconds "$DTLS_SECONDS" 2>&1 | grep -v '^SLF4J' ;;
    memory)
      echo "==> memory: $PAIRS pairs"
      run org.rtc4j.bench.connect.ConnectBench memory --pairs "$PAIRS" ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
echo "==> $(date -u +%FT%TZ) done; load average now: $(cut -d" " -f1-3 /proc/loadavg)"
echo "==> results in $OUT"
