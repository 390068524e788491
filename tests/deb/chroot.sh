# chroot.sh: Debian chroots made with debootstrap, for tests/deb/install-test.sh
# and tests/debian13.sh. Sourced, not run.
# shellcheck shell=bash
#
# - sdc_prepare ROOT RELEASE NAME KEY SETUP: fills the empty folder ROOT with
#   a minbase RELEASE system on which the function SETUP has run (installing
#   packages, say), from a cache when there is one: $SDC_CACHE/NAME-KEY.tar.zst.
#   A miss starts from the cached debootstrap result ($SDC_CACHE/RELEASE-
#   minbase.tar.zst, made by debootstrap on a miss) and stores the prepared
#   tree. Cached trees older than SD_CHROOT_MAX_AGE days (default 14) are made
#   again, so their packages do not grow too old.
# - sdc_enter ROOT / sdc_leave ROOT: /proc mounted, name resolution and a
#   policy-rc.d that forbids starting services (no package's postinst starts
#   a daemon on the host's network); sdc_leave stops every process whose
#   root is inside ROOT (by PID) and unmounts everything under ROOT.
# - sdc_run SECONDS CMD...: CMD in the chroot with a clean environment,
#   bounded by timeout(1).
# - sdc_refresh ROOT: stores a prepared ROOT again (packages were added).
# - sdc_remove ROOT: sdc_leave, then removes ROOT, refusing while anything is
#   still mounted under it.
#
# Environment: SD_CHROOT_CACHE (default /var/cache/smsdistd-tests), DEBIAN_MIRROR
# (default http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR (default
# http://deb.debian.org/debian-security), SD_CHROOT_MAX_AGE (days, default 14).
# Nothing here writes outside ROOT and the cache folder; the host's /etc is
# only read (resolv.conf is copied into ROOT).

SDC_CACHE=${SD_CHROOT_CACHE:-/var/cache/smsdistd-tests}
SDC_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SDC_SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SDC_MAX_AGE=${SD_CHROOT_MAX_AGE:-14}
SDC_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

sdc_say() { printf '# %s\n' "$*"; }

# What is mounted at or under DIR, deepest first (from /proc/self/mountinfo).
# sdc_source TOP DEST FROM_TREE: the source to test in DEST: a clean clone of
# TOP's HEAD, or (FROM_TREE=1) a copy of TOP's work tree, tracked and untracked
# files that git does not ignore. 0, or 1 with the reason said.
sdc_source() {
    local top=$1 dest=$2 from_tree=$3
    mkdir -p "$dest" || return 1
    if [ "$from_tree" = 1 ]; then
        sdc_say "a copy of the work tree $top"
        (cd "$top" && git ls-files -z -co --exclude-standard |
            timeout 300 tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$dest" ||
            { sdc_say "cannot copy the work tree $top"; return 1; }
    else
        timeout 300 git clone -q "$top" "$dest" 2>"$dest.clone.log" ||
            { sed 's/^/# /' "$dest.clone.log"; sdc_say "git clone $top failed"; return 1; }
        sdc_say "$(git -C "$dest" rev-parse --short HEAD) (a clean clone of HEAD)"
    fi
}

sdc_mounts_under() {
    local dir
    dir=$(readlink -f "$1") || return 0
    awk -v d="$dir" '{ p = $5; gsub(/\\040/, " ", p); if (p == d || index(p, d "/") == 1) print p }' \
        /proc/self/mountinfo | sort -r
}

# PIDs of processes whose root directory is DIR or inside it.
sdc_pids_in() {
    local dir p r
    dir=$(readlink -f "$1") || return 0
    for p in /proc/[0-9]*; do
        [ "$p/root" -ef / ] && continue     # most processes: no readlink (a fork) for them
        r=$(readlink "$p/root" 2>/dev/null) || continue
        case $r in "$dir" | "$dir"/*) echo "${p#/proc/}" ;; esac
    done
}

sdc_enter() {
    local root=$1
    install -m 0644 /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null ||
        cat /etc/resolv.conf >"$root/etc/resolv.conf"
    printf '#!/bin/sh\n# tests: no service starts inside this chroot\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    if ! mountpoint -q "$root/proc"; then
        mount -t proc -o nosuid,nodev,noexec sdc-proc "$root/proc" || return 1
    fi
}

# Stops what still runs inside ROOT (TERM, 5 s, KILL) and unmounts everything
# under it. Returns 1 when a process had to be stopped (a test left it) or
# something could not be unmounted.
sdc_leave() {
    local root=$1 pids m status=0 i
    [ -d "$root" ] || return 0
    pids=$(sdc_pids_in "$root")
    if [ -n "$pids" ]; then
        sdc_say "processes still running in $root, stopped: $(printf "%s " $pids)"
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null
        for ((i = 0; i < 50; i++)); do
            [ -z "$(sdc_pids_in "$root")" ] && break
            sleep 0.1
        done
        pids=$(sdc_pids_in "$root")
        # shellcheck disable=SC2086
        [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
        status=1
    fi
    for m in $(sdc_mounts_under "$root"); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || { sdc_say "cannot unmount $m"; status=1; }
    done
    return "$status"
}

sdc_remove() {
    local root=$1
    [ -n "$root" ] && [ -d "$root" ] || return 0
    sdc_leave "$root"
    if [ -n "$(sdc_mounts_under "$root")" ]; then
        sdc_say "still mounted under $root; NOT removing it: $(sdc_mounts_under "$root" | tr '\n' ' ')"
        return 1
    fi
    rm -rf --one-file-system "$root"
}

sdc_run() {
    local secs=$1 root=${SDC_ROOT:?sdc_run: SDC_ROOT is not set}
    shift
    timeout -k 10 "$secs" chroot "$root" /usr/bin/env -i PATH="$SDC_PATH" HOME=/root \
        LANG=C.UTF-8 LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb "$@"
}

# True when FILE exists and is younger than SD_CHROOT_MAX_AGE days.
sdc_fresh() {
    [ -s "$1" ] && [ -z "$(find "$1" -mtime +"$SDC_MAX_AGE" 2>/dev/null)" ]
}

# sdc_store ROOT FILE [EXCLUDE...]: ROOT (unmounted) as FILE, but for the
# EXCLUDEd paths (./build...), written under a temporary name and renamed, so
# a reader never sees half of it.
sdc_store() {
    local root=$1 file=$2 x excl=()
    shift 2
    for x in "$@"; do excl+=("--exclude=$x"); done
    sdc_leave "$root" || return 1
    rm -f "$root/etc/resolv.conf"
    if timeout 600 tar --zstd --one-file-system ${excl[@]+"${excl[@]}"} -cf "$file.tmp.$$" -C "$root" .; then
        [ -f "$file" ] && touch -r "$file" "$file.tmp.$$"     # a refresh keeps the age
        mv -f "$file.tmp.$$" "$file"
    else
        rm -f "$file.tmp.$$"
        return 1
    fi
}

# sdc_refresh ROOT [EXCLUDE...]: after packages were added to a prepared ROOT,
# stores it again as the cache sdc_prepare took it from (keeping that file's
# age), and enters it again.
sdc_refresh() {
    local root=$1 lock status=0
    shift
    [ -n "${SDC_PREPARED:-}" ] || return 1
    exec {lock}>"$SDC_LOCK"
    flock -w 1800 "$lock" || { exec {lock}>&-; return 1; }
    sdc_store "$root" "$SDC_PREPARED" "$@" || status=1
    exec {lock}>&-
    sdc_enter "$root" || status=1
    return "$status"
}

sdc_unpack() {
    timeout 600 tar --zstd -xpf "$2" -C "$1"
}

sdc_prepare() {
    local root=$1 release=$2 name=$3 key=$4 setup=$5
    local base="$SDC_CACHE/$release-minbase.tar.zst" prepared="$SDC_CACHE/$name-$key.tar.zst"
    local lock t0
    SDC_PREPARED=$prepared
    # one lock per NAME: two runs wanting the same tree make it once, and
    # runs wanting different trees (the package's, Zabbix 7.0's) go on at once
    SDC_LOCK=$SDC_CACHE/.lock-$name
    mkdir -p "$SDC_CACHE" "$root" || return 1
    exec {lock}>"$SDC_LOCK"
    flock -w 1800 "$lock" || { sdc_say "the chroot cache $SDC_CACHE stays locked"; return 1; }
    if sdc_fresh "$prepared"; then
        sdc_say "chroot: $prepared (cached)"
        sdc_unpack "$root" "$prepared"
        local rc=$?
        flock -u "$lock"
        exec {lock}>&-
        return "$rc"
    fi
    t0=$SECONDS
    if sdc_fresh "$base"; then
        sdc_say "chroot: $release from $base"
        sdc_unpack "$root" "$base" || { exec {lock}>&-; return 1; }
    else
        command -v debootstrap >/dev/null 2>&1 ||
            { sdc_say "debootstrap is not installed (Debian: apt-get install debootstrap)"; exec {lock}>&-; return 1; }
        sdc_say "chroot: debootstrap --variant=minbase $release from $SDC_MIRROR"
        if ! timeout -k 10 1500 debootstrap --variant=minbase "$release" "$root" "$SDC_MIRROR" \
                >"$root.debootstrap.log" 2>&1; then
            sdc_say "debootstrap failed; the end of its log:"
            tail -n 20 "$root.debootstrap.log" | sed 's/^/#   /'
            [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 20 "$root/debootstrap/debootstrap.log" | sed 's/^/#   /'
            rm -f "$root.debootstrap.log"
            sdc_leave "$root"       # debootstrap mounts /proc and /sys in it
            exec {lock}>&-
            return 1
        fi
        rm -f "$root.debootstrap.log"
        sdc_leave "$root"
        # the release with its updates and security suites, as a real system has
        printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
            "$SDC_MIRROR" "$release" "$SDC_MIRROR" "$release" "$SDC_SECURITY" "$release" \
            >"$root/etc/apt/sources.list"
        sdc_store "$root" "$base" || sdc_say "could not store $base (going on)"
    fi
    sdc_enter "$root" || { exec {lock}>&-; return 1; }
    if ! SDC_ROOT=$root "$setup" "$root"; then
        sdc_say "chroot: preparing $name failed"
        sdc_leave "$root"
        exec {lock}>&-
        return 1
    fi
    SDC_ROOT=$root sdc_run 300 apt-get clean
    # older preparations of this NAME are of no more use
    find "$SDC_CACHE" -maxdepth 1 -name "$name-*.tar.zst" ! -name "${prepared##*/}" -delete
    sdc_store "$root" "$prepared" || sdc_say "could not store $prepared (going on)"
    sdc_say "chroot: $name prepared in $((SECONDS - t0)) s"
    flock -u "$lock"
    exec {lock}>&-
    return 0
}
