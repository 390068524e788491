#!/bin/bash
# fetch-base-mibs.sh [DEST]
#
# Puts the IETF base MIB modules that Debian does not ship (SNMPv2-SMI,
# SNMPv2-TC, SNMPv2-CONF; also SNMPv2-MIB, for the snmpTrapOID names) into
# DEST as <MODULE>.txt, where smilint and net-snmp find them.
# DEST defaults to "$top_builddir/tests/mibs-base" (top_builddir defaults
# to "."). The files come from the npm package net-snmp@3.29.2, fetched with
# `npm pack` ($NPM, else npm from PATH) through whatever registry npm is
# configured to use. They are never committed (.gitignore).
#
# Idempotent: does nothing when DEST already holds all the files. Quiet on
# success. Exit status: 0 the files are in DEST; 77 they cannot be had here
# (no npm, or npm could not fetch the package), the reason on stderr;
# 1 any other failure (bad arguments, unexpected package contents, cannot
# write DEST).
#
# Safe to run concurrently: each file is written under a temporary name in
# DEST and renamed into place.
set -u

PACKAGE=net-snmp@3.29.2
MODULES="SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB"
me=${0##*/}

die() {
    local status=$1
    shift
    printf '%s: %s\n' "$me" "$*" >&2
    exit "$status"
}

if [ $# -gt 1 ]; then
    die 1 "usage: $me [DEST]"
fi
dest=${1:-${top_builddir:-.}/tests/mibs-base}
[ -n "$dest" ] || die 1 "empty destination folder"

have_all() {
    local m
    for m in $MODULES; do
        [ -s "$dest/$m.txt" ] || return 1
    done
    return 0
}

if have_all; then
    exit 0
fi

npm=${NPM:-}
if [ -z "$npm" ]; then
    if ! npm=$(command -v npm); then
        die 77 "npm not found (set NPM or install npm); cannot fetch $PACKAGE for the base MIBs $MODULES"
    fi
fi
if ! command -v "$npm" >/dev/null 2>&1; then
    die 77 "npm '$npm' not found or not executable; cannot fetch $PACKAGE"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-base-mibs.XXXXXX") ||
    die 1 "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT

# npm pack writes the tarball into the current folder and prints its name.
if ! (cd "$tmp" && "$npm" pack --ignore-scripts "$PACKAGE") >"$tmp/npm.log" 2>&1; then
    {
        printf "%s: '%s pack %s' failed; its output:\n" "$me" "$npm" "$PACKAGE"
        sed 's/^/    /' "$tmp/npm.log"
    } >&2
    exit 77
fi
tarball=$tmp/${PACKAGE%@*}-${PACKAGE#*@}.tgz
if [ ! -s "$tarball" ]; then
    {
        printf "%s: 'npm pack %s' did not produce %s; its output:\n" "$me" "$PACKAGE" "${tarball##*/}"
        sed 's/^/    /' "$tmp/npm.log"
    } >&2
    exit 1
fi

members=
for m in $MODULES; do
    members="$members package/lib/mibs/$m.mib"
done
mkdir "$tmp/x" || die 1 "cannot create $tmp/x"
# shellcheck disable=SC2086 # members is a list of paths without spaces
if ! tar -xzf "$tarball" -C "$tmp/x" $members 2>"$tmp/tar.log"; then
    {
        printf '%s: cannot extract the MIBs from %s:\n' "$me" "${tarball##*/}"
        sed 's/^/    /' "$tmp/tar.log"
    } >&2
    exit 1
fi

# Check every file before installing any.
for m in $MODULES; do
    f=$tmp/x/package/lib/mibs/$m.mib
    [ -s "$f" ] || die 1 "$PACKAGE has no lib/mibs/$m.mib"
    if ! grep -q "^[[:space:]]*${m}[[:space:]][[:space:]]*DEFINITIONS[[:space:]]*::=" "$f"; then
        die 1 "$PACKAGE: lib/mibs/$m.mib does not define module $m"
    fi
done

mkdir -p "$dest" || die 1 "cannot create $dest"
for m in $MODULES; do
    part=$(mktemp "$dest/.$m.XXXXXX") || die 1 "cannot write in $dest"
    if ! cp "$tmp/x/package/lib/mibs/$m.mib" "$part" || ! chmod 644 "$part" ||
        ! mv -f "$part" "$dest/$m.txt"; then
        rm -f "$part"
        die 1 "cannot install $dest/$m.txt"
    fi
done

have_all || die 1 "files missing from $dest after installing them"
exit 0
