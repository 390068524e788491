#!/bin/bash
# generate.sh [-o OUTPUT] [-b BASE_MIB_DIR] [-g GENERATOR]
#     (environment: PROMETHEUS_SNMP_GENERATOR for -g, SNMP_EXPORTER_VERSION)
#
# Makes snmp.yml, snmp_exporter's configuration, from generator.yml (beside
# this script) and mibs/SMS-DISTRIBUTION-STATUS-MIB.txt, with snmp_exporter's
# generator (Debian: prometheus-snmp-generator, package
# prometheus-snmp-exporter). OUTPUT defaults to snmp.yml beside this script:
# the committed file, which tests/integration/prometheus.sh checks is exactly
# what this makes with snmp_exporter 0.21 (Debian 12).
#
# The generator reads every MIB in its MIB directories and needs the
# modules ours imports: SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF (Debian ships them
# only in the non-free snmp-mibs-downloader) and NET-SNMP-MIB (libsnmp-base).
# They are taken from BASE_MIB_DIR (-b), else $top_builddir/tests/mibs-base,
# else /usr/share/snmp/mibs/ietf (snmp-mibs-downloader), else fetched with
# tests/mib/fetch-base-mibs.sh (the npm package net-snmp). Only those
# modules and ours are shown to the generator (a private folder of links),
# and no snmp.conf is read, so nothing else on the machine changes the output.
#
# generator.yml is in the format of snmp_exporter 0.21/0.22. A generator of
# 0.23 or later (Debian 13) wants the SNMP version and community in a
# top-level "auths:" section: this script converts it (module "version: 2"
# lines out, "auths: public_v2: community public, version 2" in; the
# exporter's default auth is public_v2).
#
# Exit status: 0 written; 77 something needed cannot be had here (no
# generator, no base MIBs), the reason on stderr; 1 any other failure.
set -u

me=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

die() {
    local status=$1
    shift
    printf '%s: %s\n' "$me" "$*" >&2
    exit "$status"
}

out=$here/snmp.yml
base=
gen=${PROMETHEUS_SNMP_GENERATOR:-prometheus-snmp-generator}
while getopts o:b:g: opt; do
    case $opt in
        o) out=$OPTARG ;;
        b) base=$OPTARG ;;
        g) gen=$OPTARG ;;
        *) die 1 "usage: $me [-o OUTPUT] [-b BASE_MIB_DIR] [-g GENERATOR]" ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die 1 "usage: $me [-o OUTPUT] [-b BASE_MIB_DIR] [-g GENERATOR]"
case $out in /*) ;; *) out=$PWD/$out ;; esac

command -v "$gen" >/dev/null 2>&1 ||
    die 77 "$gen not found (Debian: apt-get install prometheus-snmp-exporter)"
mib=$top_srcdir/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt
[ -f "$mib" ] || die 1 "no $mib"
[ -f "$here/generator.yml" ] || die 1 "no $here/generator.yml"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smsdist-promgen.XXXXXX") || die 1 "mktemp -d failed"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/mibs" "$tmp/conf" "$tmp/run" || die 1 "cannot populate $tmp"

# The IETF modules.
have_base() { [ -s "$1/SNMPv2-SMI.txt" ] && [ -s "$1/SNMPv2-TC.txt" ] && [ -s "$1/SNMPv2-CONF.txt" ]; }
if [ -z "$base" ]; then
    for d in "$top_builddir/tests/mibs-base" /usr/share/snmp/mibs/ietf; do
        if have_base "$d"; then base=$d; break; fi
    done
fi
if [ -z "$base" ]; then
    fetch=$top_srcdir/tests/mib/fetch-base-mibs.sh
    [ -f "$fetch" ] || die 77 "no base MIBs (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF): give a folder with -b"
    bash "$fetch" "$tmp/base" >&2
    status=$?
    [ "$status" -eq 0 ] || die "$status" "the base MIBs could not be fetched"
    base=$tmp/base
fi
have_base "$base" || die 1 "$base lacks SNMPv2-SMI.txt, SNMPv2-TC.txt or SNMPv2-CONF.txt"
base=$(cd "$base" && pwd)
netsnmp=
for d in $(net-snmp-config --default-mibdirs 2>/dev/null | tr ':' ' ') /usr/share/snmp/mibs; do
    if [ -s "$d/NET-SNMP-MIB.txt" ]; then netsnmp=$d/NET-SNMP-MIB.txt; break; fi
done
[ -n "$netsnmp" ] || die 77 "NET-SNMP-MIB.txt not found (Debian: apt-get install libsnmp-base)"
ln -s "$mib" "$base/SNMPv2-SMI.txt" "$base/SNMPv2-TC.txt" "$base/SNMPv2-CONF.txt" \
    "$netsnmp" "$tmp/mibs/" || die 1 "cannot link the MIBs into $tmp/mibs"

# The generator's version decides generator.yml's form. 0.21's generator
# has no --version; its exporter, from the same package, has.
# SNMP_EXPORTER_VERSION (X.Y) says it when the exporter to be used is
# elsewhere (the generator and the exporter must be of one version).
vers() { sed -n 's/.*version \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1; }
version=$(printf 'version %s\n' "${SNMP_EXPORTER_VERSION:-}" | vers)
[ -n "$version" ] || version=$("$gen" --version 2>&1 | vers)
if [ -z "$version" ]; then
    exporter=$(dirname "$(command -v "$gen")")/prometheus-snmp-exporter
    [ -x "$exporter" ] && version=$("$exporter" --version 2>&1 | vers)
fi
if [ -z "$version" ]; then
    version=$(dpkg-query -W -f='${Version}' prometheus-snmp-exporter 2>/dev/null |
        sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\).*/\2/p')
fi
[ -n "$version" ] || die 1 "cannot tell the version of $gen"
major=${version%%.*}
minor=${version#*.}
if [ "$major" -eq 0 ] && [ "$minor" -lt 23 ]; then
    cp "$here/generator.yml" "$tmp/run/generator.yml" || die 1 "cannot copy generator.yml"
    mibflags=()
else
    {
        printf 'auths:\n  public_v2:\n    community: public\n    version: 2\n'
        grep -v -E '^    version: 2$' "$here/generator.yml"
    } >"$tmp/run/generator.yml" || die 1 "cannot convert generator.yml"
    mibflags=(-m "$tmp/mibs")
fi

# The generator reads generator.yml from the current folder (0.21).
(
    cd "$tmp/run" &&
        SNMPCONFPATH=$tmp/conf MIBDIRS=$tmp/mibs MIBS='' HOME=$tmp \
            "$gen" --fail-on-parse-errors "${mibflags[@]}" generate -o "$tmp/snmp.yml"
) >"$tmp/generator.log" 2>&1
status=$?
if [ "$status" -ne 0 ] || [ ! -s "$tmp/snmp.yml" ]; then
    {
        printf '%s: %s (snmp_exporter %s) failed (exit %s); its output:\n' "$me" "$gen" "$version" "$status"
        sed 's/^/    /' "$tmp/generator.log"
    } >&2
    exit 1
fi
# "level=warn" lines (an override naming no object, say) are mistakes in
# generator.yml: refuse them rather than write a module that lacks something.
if grep -i -E 'level=(warn|error)' "$tmp/generator.log" >/dev/null; then
    {
        printf '%s: %s warned; nothing written:\n' "$me" "$gen"
        grep -i -E 'level=(warn|error)' "$tmp/generator.log" | sed 's/^/    /'
    } >&2
    exit 1
fi
if ! { cp "$tmp/snmp.yml" "$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"; }; then
    rm -f "$out.tmp.$$"
    die 1 "cannot write $out"
fi
exit 0
