#!/usr/bin/env bash
# Data-channel throughput benchmark (issue 4): rtc4j against Chromium, same machine, one run.
#
#   scripts/datachannel-bench.sh                       # MIB=64 ROUNDS=5 SMALL=20000, every variant
#   MIB=16 ROUNDS=3 scripts/datachannel-bench.sh       # quicker
#   VARIANTS=rtc4j-rtc4j,chromium-chromium scripts/datachannel-bench.sh
#
# What it does:
#  1. builds the benchmark jar if missing (mvn -q -o install -DskipTests of rtc4j-bench and what it
#     needs; BUILD=1 forces);
#  2. re-runs itself inside a fresh network namespace that has only loopback (unshare --net), so
#     Chromium and rtc4j gather and check only 127.0.0.1;
#  3. runs org.rtc4j.bench.datachannel.DataChannelBench: reliable ordered data channels, 64 KiB
#     binary messages, MIB MiB per run, the sender keeping bufferedAmount between 1 and 4 MiB, for
#     rtc4j-rtc4j (two PeerConnections in one JVM), rtc4j-chromium and chromium-rtc4j (the page
#     offers over POST /offer to an in-process rtc4j PeerConnection), chromium-chromium (two
#     RTCPeerConnections in one page); a fresh connection per round, WARMUP unmeasured rounds then
#     ROUNDS rounds with the order of the variants rotating; rates measured at the receiver. Also
#     SMALL x 1 KiB messages per second (rtc4j-rtc4j, chromium-chromium) and the time from
#     createOffer to the receiver's first message (non-trickle signaling). Each round is bounded by
#     TIMEOUT_MS. Ends with a summary table (median [min-max]) and the ratios to chromium-chromium.
#
# Environment: MIB (64), SMALL (20000), ROUNDS (5), WARMUP (1), VARIANTS, TIMEOUT_MS (120000),
# OUT (result directory), BUILD=1, TRACE (file: a 20 ms time series of the rtc4j sender's SCTP counters
# in rtc4j-chromium rounds).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

MIB="${MIB:-64}"
SMALL="${SMALL:-20000}"
ROUNDS="${ROUNDS:-5}"
WARMUP="${WARMUP:-1}"
VARIANTS="${VARIANTS:-rtc4j-rtc4j,rtc4j-chromium,chromium-rtc4j,chromium-chromium}"
TIMEOUT_MS="${TIMEOUT_MS:-120000}"
BENCH_JAR="${BENCH_JAR:-$root/rtc4j-bench/target/rtc4j-bench.jar}"

if [ -z "${DC_BENCH_IN_NETNS:-}" ]; then
  if [ "${BUILD:-0}" = 1 ] || [ ! -f "$BENCH_JAR" ]; then
    echo "==> building (mvn -q -o install -DskipTests)"
    mvn -q -o install -DskipTests -pl rtc4j-bench -am
  fi
  case "$VARIANTS" in
    *chromium*)
      [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
        || { echo "chromium and chromium-driver are missing: apt-get install chromium chromium-driver" >&2; exit 1; } ;;
  esac
  OUT="${OUT:-$root/rtc4j-bench/target/datachannel-bench/$(date +%Y%m%d-%H%M%S)}"
  mkdir -p "$OUT"
  export OUT DC_BENCH_IN_NETNS=1
  if [ "$(id -u)" -eq 0 ]; then ns=(unshare --net); else ns=(unshare --map-root-user --net); fi
  exec "${ns[@]}" bash -c 'ip link set lo up && exec "$0" "$@"' "${BASH_SOURCE[0]}" "$@"
fi

# ---- inside the namespace ----
log="$OUT/run.log"
exec > >(tee -a "$log") 2>&1
echo "==> $(date -u +%FT%TZ) datachannel-bench in a loopback-only namespace: $(ip -brief addr | tr '\n' ' ')"
echo "    java: $(java -version 2>&1 | head -1); cpus: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "==> MIB=$MIB SMALL=$SMALL ROUNDS=$ROUNDS WARMUP=$WARMUP VARIANTS=$VARIANTS TIMEOUT_MS=$TIMEOUT_MS"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_JAR" org.rtc4j.bench.datachannel.DataChannelBench \
  --mib "$MIB" --small "$SMALL" --rounds "$ROUNDS" --warmup "$WARMUP" --variants "$VARIANTS" --timeout-ms "$TIMEOUT_MS" \
  ${TRACE:+--trace "$TRACE"} \
  2>&1 | grep -v '^SLF4J'
echo "==> $(date -u +%FT%TZ) done; load average now: $(cut -d" " -f1-3 /proc/loadavg)"
echo "==> results in $OUT"
