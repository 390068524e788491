#!/usr/bin/env bash
# Installs what building, testing and the demo need on Debian 12, and only
# what is missing (so a second run asks the network for nothing).
# Usage: tools/install-deps.sh            (as root)
set -euo pipefail

PKGS=(
  build-essential autoconf automake libtool pkg-config
  libsnmp-dev snmpd snmp snmptrapd libcurl4-openssl-dev openssl
  libyajl-dev libcsv-dev libcmocka-dev
  smitools python3 python3-yaml npm
  clang libclang-rt-14-dev valgrind
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: the machine's own Node.js installation counts (it carries the IETF base MIBs' source)
if [ "${#missing[@]}" -gt 0 ] && command -v npm >/dev/null 2>&1; then
  keep=()
  for p in "${missing[@]}"; do [ "$p" = npm ] || keep+=("$p"); done
  missing=("${keep[@]+"${keep[@]}"}")
fi
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts the system snmpd on install; our tests and demo run their own.
# Leave the system service as the administrator has it.
