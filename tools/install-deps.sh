#!/usr/bin/env bash
# Installs what building, testing and the demo need on Debian 12 or 13, and
# only what is missing (so a second run asks the network for nothing).
# "a|b": the first that this release has (apt-cache policy), unless one of
# them is installed already.
# Usage: tools/install-deps.sh            (as root)
set -euo pipefail

PKGS=(
  build-essential autoconf automake libtool pkg-config
  libsnmp-dev snmpd snmp snmptrapd libcurl4-openssl-dev openssl
  libyajl-dev libcsv-dev libcmocka-dev
  smitools python3 python3-yaml npm tzdata
  prometheus-snmp-exporter prometheus curl
  clang 'libclang-rt-dev|libclang-rt-14-dev' valgrind
  # the Debian package and its tests (tests/deb/install-test.sh, tests/debian13.sh);
  # systemd.pc (the unit directory) is in systemd-dev from Debian 13 on
  debhelper lintian debootstrap zstd git 'systemd-dev|systemd'
  # Windows authentication (tests/integration/kerberos.sh, ntlm.sh): MIT krb5's
  # headers, the test servers' Negotiate and NTLM, libfaketime for the clock
  # cases, and the libraries of the KDC that tools/krb5-kdc.sh unpacks (the
  # packages krb5-kdc, krb5-admin-server, krb5-user are not installed: they
  # would write /etc/krb5.conf); "t64" are Debian 13's names
  libkrb5-dev python3-gssapi python3-impacket faketime
  'libgssrpc4t64|libgssrpc4' libkadm5srv-mit12 libkadm5clnt-mit12 'libkdb5-10t64|libkdb5-10'
  'libverto1t64|libverto1' 'libverto-libev1t64|libverto-libev1' libss2
)
# The Zabbix 6.0 server test (tests/contrib/zabbix-server.sh) runs Debian 12's
# Zabbix 6.0 with a private PostgreSQL cluster and PHP's built-in web server
# on 127.0.0.1 (php brings apache2-bin, binaries only: no web server is
# configured or started). Debian 13 ships Zabbix 7.0, which
# zabbix7-server.sh runs from a chroot on either release.
# shellcheck disable=SC1091
if [ "$(. /etc/os-release 2>/dev/null && echo "${VERSION_ID:-}")" = 12 ]; then
  PKGS+=(zabbix-server-pgsql zabbix-frontend-php php-cli php-pgsql postgresql)
fi

missing=()
for p in "${PKGS[@]}"; do
  have=0
  for alt in ${p//|/ }; do
    dpkg-query -W -f='${Status}' "$alt" 2>/dev/null | grep -q "install ok installed" && have=1
  done
  [ "$have" = 1 ] || missing+=("$p")
done
# npm: the machine's own Node.js installation counts (it carries the IETF base MIBs' source)
if [ "${#missing[@]}" -gt 0 ] && command -v npm >/dev/null 2>&1; then
  keep=()
  for p in "${missing[@]}"; do [ "$p" = npm ] || keep+=("$p"); done
  missing=("${keep[@]+"${keep[@]}"}")
fi
# The MIT KDC the Kerberos tests run, unpacked once into a cache
# (/var/cache/smsdistd-tests); exit 77 there: it cannot be had here, and
# kerberos.sh will say why when it skips.
krb5_kdc() {
  local status=0
  "$(dirname "$0")/krb5-kdc.sh" >/dev/null || status=$?
  case $status in
    0) ;;
    77) echo "install-deps: no MIT KDC for tests/integration/kerberos.sh (it will be skipped)" >&2 ;;
    *) echo "install-deps: tools/krb5-kdc.sh failed (exit $status)" >&2; exit 1 ;;
  esac
}
[ "${#missing[@]}" -eq 0 ] && { krb5_kdc; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# an alternative: the first one the release has (Debian 13 has no libclang-rt-14-dev)
pick() {
  local alt policy
  for alt in ${1//|/ }; do
    policy=$(apt-cache policy "$alt" 2>/dev/null || true)
    [[ $policy == *"Candidate: "[^\(]* ]] && { echo "$alt"; return; }
  done
  echo "${1%%|*}"
}
for i in "${!missing[@]}"; do missing[i]=$(pick "${missing[i]}"); done
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts the system snmpd on install; our tests and demo run their own.
# Leave the system service as the administrator has it.
krb5_kdc
