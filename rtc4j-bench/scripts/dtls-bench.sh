#!/usr/bin/env bash
# DTLS benchmarks (org.rtc4j.bench.dtls): the post-handshake record path, caller thread vs handshake
# thread (DtlsRecordBenchmark, JMH), handshakes per second on one core (DtlsHandshakeBenchmark, JMH,
# pinned with taskset), and heap/threads per idle connected engine (DtlsIdleFootprint).
#
#   rtc4j-bench/scripts/dtls-bench.sh                 # all three
#   rtc4j-bench/scripts/dtls-bench.sh records -f 1 -i 3 -p size=1200   # one part; extra arguments
#                                                   # replace the JMH run options (-f/-wi/-w/-i/-r)
#   rtc4j-bench/scripts/dtls-bench.sh handshakes | footprint [pairs]
#
# The dtls package is compiled on its own (javac + the JMH annotation processor) against the
# installed rtc4j-dtls and the bench module's class path, so a half-finished benchmark elsewhere in
# rtc4j-bench cannot stop it. Install rtc4j-dtls first (mvn -o -q -pl rtc4j-dtls install -DskipTests).
# CPU=0 (default) is the core the handshake benchmark is pinned to. Results: printed, and JSON in
# rtc4j-bench/target/jmh-dtls-*.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="$root/rtc4j-bench/target/dtls-bench"
mkdir -p "$out/classes"
mvn -o -q -pl rtc4j-bench dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="$(cat "$out/cp.txt")"
javac -d "$out/classes" -cp "$cp" -processorpath "$cp" \
  $(find "$root/rtc4j-bench/src/main/java/org/rtc4j/bench/dtls" -name '*.java')
run=(java -cp "$out/classes:$cp")
part="${1:-all}"; [ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then rec_opts=("$@"); hs_opts=("$@"); else
  rec_opts=(-f 1 -wi 3 -w 2s -i 5 -r 2s); hs_opts=(-f 1 -wi 3 -w 3s -i 5 -r 3s); fi
case "$part" in
  records|all)
    "${run[@]}" org.openjdk.jmh.Main 'org.rtc4j.bench.dtls.DtlsRecordBenchmark' \
      "${rec_opts[@]}" -prof gc -rf json -rff "$root/rtc4j-bench/target/jmh-dtls-records.json"
    ;;&
  handshakes|all)
    taskset -c "${CPU:-0}" "${run[@]}" org.openjdk.jmh.Main 'org.rtc4j.bench.dtls.DtlsHandshakeBenchmark' \
      "${hs_opts[@]}" -rf json -rff "$root/rtc4j-bench/target/jmh-dtls-handshakes.json"
    ;;&
  footprint|all)
    pairs=1000; [ "$part" = footprint ] && [ $# -gt 0 ] && pairs="$1"
    "${run[@]}" -Xmx1g org.rtc4j.bench.dtls.DtlsIdleFootprint "$pairs"
    ;;
  records|handshakes) ;;
  *) echo "usage: $0 [all|records|handshakes|footprint] [args]" >&2; exit 2 ;;
esac
