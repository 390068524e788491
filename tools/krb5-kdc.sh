#!/usr/bin/env bash
# krb5-kdc.sh: an MIT Kerberos KDC for the tests, unpacked, never installed.
#
# Debian's krb5-kdc, krb5-admin-server and krb5-user packages write
# /etc/krb5.conf and start services when installed; the tests need none of
# that, only the programs (krb5kdc, kdb5_util, kadmin.local, and kinit,
# klist, kvno for diagnostics) and the KDC's database module (db2.so). So
# the three packages, of the version of the machine's libkrb5-3, are fetched
# with `apt-get download` (which works as any user) and unpacked with
# `dpkg -x` into a cache directory, once. Their libraries (libkdb5-10,
# libkadm5srv-mit12, libkadm5clnt-mit12, libgssrpc4, libverto1,
# libverto-libev1, libss2) come from the system: tools/install-deps.sh
# installs them.
#
# Prints the directory (its usr/sbin/krb5kdc, usr/sbin/kdb5_util,
# usr/sbin/kadmin.local, usr/bin/kinit, usr/bin/klist and
# usr/lib/x86_64-linux-gnu/krb5/plugins/kdb/) and exits 0. Exits 77 with
# the reason on stderr when it cannot be had here (no dpkg or apt-get, no
# package of that version in the apt lists, a library missing), 1 on any
# other failure.
#
# The directory: SD_KRB5_DIR if set; else /var/cache/smsdistd-tests/krb5-<version>
# when /var/cache/smsdistd-tests is writable (root, tools/install-deps.sh),
# else ${XDG_CACHE_HOME:-~/.cache}/smsdistd-tests/krb5-<version>.
# Usage: tools/krb5-kdc.sh [-q]     (-q: no progress messages)
set -u

quiet=
[ "${1:-}" = -q ] && quiet=1
say() { [ -n "$quiet" ] || echo "krb5-kdc: $*" >&2; }
cannot() { echo "krb5-kdc: cannot have an MIT KDC here: $*" >&2; exit 77; }
fail() { echo "krb5-kdc: $*" >&2; exit 1; }

PACKAGES=(krb5-kdc krb5-admin-server krb5-user)
PROGRAMS=(usr/sbin/krb5kdc usr/sbin/kdb5_util usr/sbin/kadmin.local usr/bin/kinit usr/bin/klist)

command -v dpkg-query >/dev/null 2>&1 || cannot "no dpkg-query (not a Debian system)"
version=$(dpkg-query -W -f='${Version}' libkrb5-3 2>/dev/null)
[ -n "$version" ] || cannot "libkrb5-3 is not installed (Debian: apt-get install libkrb5-3)"
arch=$(dpkg --print-architecture 2>/dev/null) || cannot "dpkg --print-architecture failed"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null)
[ -n "$multiarch" ] || multiarch=x86_64-linux-gnu

if [ -n "${SD_KRB5_DIR:-}" ]; then
    dir=$SD_KRB5_DIR
else
    base=/var/cache/smsdistd-tests
    if ! { mkdir -p "$base" 2>/dev/null && [ -w "$base" ]; }; then
        base=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/smsdistd-tests
    fi
    dir=$base/krb5-$version
fi

complete() {
    local p
    for p in "${PROGRAMS[@]}"; do [ -x "$1/$p" ] || return 1; done
    [ -f "$1/usr/lib/$multiarch/krb5/plugins/kdb/db2.so" ]
}

# The unpacked programs run with the system's libraries: say which one is
# missing, by name, rather than let the KDC fail to start later.
check_libs() {
    local p missing
    command -v ldd >/dev/null 2>&1 || return 0
    for p in "${PROGRAMS[@]}" "usr/lib/$multiarch/krb5/plugins/kdb/db2.so"; do
        missing=$(ldd "$dir/$p" 2>/dev/null | awk '/not found/ { print $1 }' | sort -u | paste -sd ' ' -)
        [ -z "$missing" ] || cannot "$p needs $missing (tools/install-deps.sh installs libkdb5-10 libkadm5srv-mit12 libkadm5clnt-mit12 libgssrpc4 libverto1 libverto-libev1 libss2)"
    done
}

if complete "$dir"; then
    check_libs
    printf '%s\n' "$dir"
    exit 0
fi

command -v apt-get >/dev/null 2>&1 || cannot "no apt-get to download ${PACKAGES[*]}"
command -v dpkg >/dev/null 2>&1 || cannot "no dpkg to unpack ${PACKAGES[*]}"
mkdir -p "$(dirname "$dir")" 2>/dev/null || cannot "cannot create $(dirname "$dir") (set SD_KRB5_DIR)"
[ -w "$(dirname "$dir")" ] || cannot "$(dirname "$dir") is not writable (set SD_KRB5_DIR)"

work=$(mktemp -d "$(dirname "$dir")/.krb5-kdc.XXXXXX") || fail "mktemp failed in $(dirname "$dir")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/debs" "$work/root" || fail "cannot populate $work"

# Exactly the version of the installed libkrb5-3 (krb5-kdc depends on
# libkrb5-3 (= version)); apt-get download needs it in the apt lists.
wanted=()
for p in "${PACKAGES[@]}"; do wanted+=("$p=$version"); done
say "downloading ${wanted[*]} (apt-get download)"
if ! (cd "$work/debs" && apt-get download -q "${wanted[@]}") >"$work/apt.log" 2>&1; then
    reason=$(grep -E '^(E|W):' "$work/apt.log" | head -n 3 | paste -sd ' ' -)
    cannot "apt-get download ${wanted[*]} failed: ${reason:-$(tail -n 2 "$work/apt.log" | paste -sd ' ' -)} (no network or no apt lists? apt-get update; or set SD_KRB5_DIR to an unpacked copy)"
fi
for p in "${PACKAGES[@]}"; do
    debs=("$work/debs/${p}_"*"_$arch.deb")
    [ -f "${debs[0]}" ] || cannot "apt-get download left no $p .deb"
    dpkg -x "${debs[0]}" "$work/root" || fail "dpkg -x ${debs[0]} failed"
done
complete "$work/root" || fail "the unpacked packages lack one of ${PROGRAMS[*]} or the db2 module"
# Nothing of /etc or of the services is needed; keep what runs.
rm -rf "$work/root/etc" "$work/root/lib/systemd" "$work/root/usr/share/doc" "$work/root/usr/share/man"
if ! mv -T "$work/root" "$dir" 2>/dev/null; then
    # another run got there first
    complete "$dir" || fail "cannot move the unpacked KDC to $dir"
fi
check_libs
say "unpacked MIT krb5 $version in $dir"
printf '%s\n' "$dir"
