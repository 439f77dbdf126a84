#!/usr/bin/env bash
# JMH micro-benchmarks of the STUN codec (org.rtc4j.bench.stun.StunCodecBenchmark):
# parse + MESSAGE-INTEGRITY check of an authenticated Allocate request, ChannelData parse, and the
# JDK's bare HMAC-SHA1 over the same bytes as the floor.
#
#   rtc4j-bench/scripts/stun-jmh.sh                  # defaults: 2 forks, 3x2 s warm-up, 5x2 s measured, GC profiler
#   rtc4j-bench/scripts/stun-jmh.sh -f 1 -i 3        # extra arguments go to JMH (they override)
#
# CPUS=0 pins the run to CPU 0 (taskset); empty (default) leaves it unpinned. BUILD=1 rebuilds first.
# Results: printed, and as JSON in rtc4j-bench/target/jmh-stun.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
jar="$root/rtc4j-bench/target/rtc4j-bench.jar"
if [ "${BUILD:-0}" = 1 ] || [ ! -f "$jar" ]; then
  echo "==> building (mvn -q -o install -DskipTests)"
  mvn -q -o install -DskipTests -pl rtc4j-bench -am
fi
pin=()
if [ -n "${CPUS:-}" ]; then pin=(taskset -c "$CPUS"); fi
exec "${pin[@]}" java -jar "$jar" 'org.rtc4j.bench.stun.StunCodecBenchmark' \
  -prof gc -rf json -rff "$root/rtc4j-bench/target/jmh-stun.json" "$@"
