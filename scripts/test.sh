#!/usr/bin/env bash
# The whole rtc4j test suite, as the README's second command runs it.
#
#  1. installs the system packages the tests drive (Debian): chromium, chromium-driver, firefox-esr,
#     coturn (for turnutils_uclient / turnutils_stunclient), redis-server (the signaling cluster),
#     iproute2, util-linux;
#  2. fetches every Maven dependency and builds everything (network needed here);
#  3. runs the tests offline inside a fresh network namespace that has only `lo`, so no test
#     packet can reach any address but 127.0.0.1 and ::1 (Chromium and ICE use every interface).
#
# Tests that need an external tool fail (not skip) when it is missing: -Drtc4j.requireExternal=true.
# Extra arguments go to the in-namespace Maven run, e.g. scripts/test.sh -pl rtc4j-stun
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_pkgs=()
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
[ -x /usr/bin/chromedriver ] || need_pkgs+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || need_pkgs+=(firefox-esr)
command -v turnutils_uclient >/dev/null 2>&1 || need_pkgs+=(coturn)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)
command -v unshare >/dev/null 2>&1 || need_pkgs+=(util-linux)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "==> installing system packages: ${need_pkgs[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi
# Debian starts coturn's own service on install where an init system runs; the tests use only its
# client tools, and its server must not hold port 3478.
if pgrep -x turnserver >/dev/null 2>&1; then
  $SUDO systemctl stop coturn >/dev/null 2>&1 || $SUDO service coturn stop >/dev/null 2>&1 || true
fi

MVN=(mvn -B -ntp)
echo "==> building and fetching dependencies (online)"
"${MVN[@]}" install -DskipTests
# Resolve the Surefire JUnit provider and compile every test before the network goes away.
"${MVN[@]}" test -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -q

echo "==> running the tests in a network namespace with only loopback"
if [ "$(id -u)" -eq 0 ]; then UNSHARE=(unshare --net); else UNSHARE=(unshare --map-root-user --net); fi
exec "${UNSHARE[@]}" bash -c 'ip link set lo up && exec "$@"' bash \
  "${MVN[@]}" -o test -Drtc4j.requireExternal=true -fae "$@"
