#!/usr/bin/env bash
# fuzz/run.sh: builds the libFuzzer harnesses (fuzz/fuzz_*.c) with
# AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer straight
# from the decoder sources, seeds each from tests/data, and runs each for
# FUZZ_SECONDS seconds. Everything happens in a temporary folder: nothing is
# written into the source tree.
#
# Exit status: 0 no finding; 1 a harness found a crash, leak, UB or hang (its
# reproducer's path and the sanitizer report are printed, the folder is
# kept), or the build failed; 77 clang or libFuzzer is not available here.
#
# Environment:
#   FUZZ_SECONDS  run time of each harness (default 60)
#   FUZZ_JOBS     harnesses run at once (default: all of them when there are
#                 at least 3 CPUs, else one at a time)
#   FUZZ_KEEP     non-empty: keep the work folder even when nothing was found
#   FUZZ_WORKDIR  use this (new or empty) folder instead of a fresh temp one;
#                 it is kept
#   CLANG         the compiler (default: clang, else clang-14)
#
# Reproduce a finding: <work>/bin/fuzz_json <work>/artifacts/json/crash-...
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-60}
case $secs in ''|*[!0-9]*) echo "fuzz/run.sh: FUZZ_SECONDS must be a number of seconds" >&2; exit 1 ;; esac
harnesses=(json csv datetime tables)

say() { echo "fuzz: $*"; }

# --- the compiler and libFuzzer ------------------------------------------------
cc=${CLANG:-}
if [ -z "$cc" ]; then
    for c in clang clang-14; do
        command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
    done
fi
if [ -z "$cc" ]; then
    say "SKIP: clang not found (Debian: apt-get install clang libclang-rt-14-dev)"
    exit 77
fi

keep=${FUZZ_KEEP:-}
if [ -n "${FUZZ_WORKDIR:-}" ]; then
    work=$(realpath -m -- "$FUZZ_WORKDIR") || exit 1
    keep=1              # the caller's folder: never removed here
    case $work/ in
        "$top"/*) say "FUZZ_WORKDIR $work is inside the source tree; choose another"; exit 1 ;;
    esac
    mkdir -p "$work" || exit 1
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/smsdistd-fuzz.XXXXXX") || exit 1
    case $work/ in
        "$top"/*) rmdir "$work"; say "TMPDIR is inside the source tree; choose another"; exit 1 ;;
    esac
fi
mkdir -p "$work/build" "$work/bin" "$work/seeds" "$work/corpus" "$work/artifacts" "$work/logs" \
    || exit 1
# shellcheck disable=SC2317 # called by the trap
cleanup() { [ -z "$keep" ] && rm -rf "$work"; }
trap cleanup EXIT

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
    >"$work/build/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$work/build/probe.c" -o "$work/build/probe" \
    >"$work/build/probe.log" 2>&1; then
    say "SKIP: $cc cannot build a libFuzzer binary (Debian: apt-get install libclang-rt-14-dev):"
    sed 's/^/  /' "$work/build/probe.log" | tail -n 5
    exit 77
fi

# --- build ---------------------------------------------------------------------
# A minimal config.h of our own: the decoders need only the GNU extensions.
cat >"$work/build/config.h" <<'EOF'
/* fuzz/run.sh: what the decoder sources need of configure's config.h */
#define _GNU_SOURCE 1
#define SD_PACKAGE_VERSION "fuzz"
EOF

# the JSON library is whichever src/decode_json.c is written for
json_lib=jansson
grep -q '#include <yajl/' "$top/src/decode_json.c" && json_lib=yajl
deps_cflags=$(pkg-config --cflags "$json_lib" 2>/dev/null)
deps_libs="$(pkg-config --libs "$json_lib" 2>/dev/null || echo "-l$json_lib") -lcsv"
# shellcheck disable=SC2054 # the commas belong to -fsanitize=
cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter
        -I"$work/build" -I"$top/src" -I"$top/fuzz")
decoders=(decode.c record.c decode_json.c decode_csv.c text.c datetime.c tz.c rows.c table.c tab_status.c tab_dp.c tab_content.c snapshot.c msgs.c)

build() {
    local name=$1 srcs=() f
    case $name in
        datetime) srcs=("$top/src/datetime.c" "$top/src/tz.c") ;;
        *) for f in "${decoders[@]}"; do srcs+=("$top/src/$f"); done ;;
    esac
    # shellcheck disable=SC2086 # word splitting of the pkg-config output is wanted
    "$cc" "${cflags[@]}" $deps_cflags "$top/fuzz/fuzz_$name.c" "${srcs[@]}" $deps_libs \
        -o "$work/bin/fuzz_$name" >"$work/build/$name.log" 2>&1
}

for h in "${harnesses[@]}"; do
    if ! build "$h"; then
        say "FAIL: cannot build fuzz_$h:"
        sed 's/^/  /' "$work/build/$h.log" | tail -n 30
        keep=1
        exit 1
    fi
done
say "built ${harnesses[*]} ($json_lib, libcsv) with $("$cc" --version | head -n 1) in $work/bin"

# --- seeds ---------------------------------------------------------------------
data=$top/tests/data
seed() {    # seed HARNESS FILE...: copies the files that exist
    local h=$1 f
    shift
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "$work/seeds/$h/$(basename "$(dirname "$f")")-$(basename "$f")"
    done
    return 0
}
for h in "${harnesses[@]}"; do mkdir -p "$work/seeds/$h" "$work/corpus/$h" "$work/artifacts/$h"; done
# the JSON harness also runs sd_decode_document: every document is a seed
seed json "$data"/decode/* "$data"/serve/* "$data"/hostile/*.json "$data"/hostile/*.txt \
    "$data"/hostile/*.csv
rm -f "$work"/seeds/json/*.py "$work"/seeds/json/*.md
seed csv "$data"/decode/*.csv "$data"/serve/*.csv "$data"/hostile/*.csv
# the per-DP tables: their own shapes (combined exports, each class's CSV),
# and the main table's JSON shapes (envelopes, arrays, encodings)
seed tables "$data"/tables/* "$data"/decode/*.json "$data"/decode/*.txt "$data"/serve/*.json \
    "$data"/hostile/*.json
rm -f "$work"/seeds/tables/*.py "$work"/seeds/tables/*.md
# dates: every form the decoders accept, and near misses of each
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" >"$work/seeds/datetime/date-$n"
done <<'EOF'
2024-08-30T20:55:06Z
2024-08-30T21:02:44.512+02:00
2026-11-20 08:15:00-0530
2026-11-20T08:15Z
2026-11-20T08:15:00
2026-11-20
2024-02-29T23:59:60.9999999z
1601-01-01T00:00:00+00:01
9999-12-31T23:59:59-23:59
20261120081500.000000+060
20261120081500.******-300
20261120081500.000000+***
00000000000000.000000:000
/Date(1574202819000)/
\/Date(-5000+0100)\/
/Date(999999999999999999)/
/Date(-62135596800000)/
11/20/2026 8:15 AM
EOF

# --- run -----------------------------------------------------------------------
max_len() { case $1 in datetime) echo 256 ;; *) echo 32768 ;; esac; }

run_one() {
    local h=$1 dict=()
    # a harness's dictionary, when it has one (fuzz/<name>.dict)
    [ -f "$top/fuzz/$h.dict" ] && dict=(-dict="$top/fuzz/$h.dict")
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    timeout --kill-after=10 $((secs + 120)) \
        "$work/bin/fuzz_$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -max_len="$(max_len "$h")" -error_exitcode=1 -timeout_exitcode=2 \
            -print_final_stats=1 -artifact_prefix="$work/artifacts/$h/" ${dict[@]+"${dict[@]}"} \
            "$work/corpus/$h" "$work/seeds/$h" >"$work/logs/$h.log" 2>&1
}

jobs=${FUZZ_JOBS:-}
if [ -z "$jobs" ]; then
    jobs=1
    [ "$(nproc 2>/dev/null || echo 1)" -ge 3 ] && jobs=${#harnesses[@]}
fi
say "running each harness for ${secs}s ($jobs at a time)"
declare -A status pid
i=0
for h in "${harnesses[@]}"; do
    run_one "$h" &
    pid[$h]=$!
    i=$((i + 1))
    if [ $((i % jobs)) -eq 0 ] || [ "$i" -eq "${#harnesses[@]}" ]; then
        for g in "${harnesses[@]}"; do
            [ -n "${pid[$g]:-}" ] || continue
            wait "${pid[$g]}"
            status[$g]=$?
            pid[$g]=
        done
    fi
done

# --- report --------------------------------------------------------------------
failed=0
for h in "${harnesses[@]}"; do
    log=$work/logs/$h.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+' "$log" | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 edges, \2 features/p' | tail -n 1)
    corp=$(find "$work/corpus/$h" -type f | wc -l)
    mapfile -t found < <(find "$work/artifacts/$h" -type f \
        \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    if [ "${status[$h]}" -eq 0 ] && [ "${#found[@]}" -eq 0 ]; then
        say "PASS: fuzz_$h: ${execs:-?} executions, coverage ${cov:-?}, corpus $corp new inputs"
        continue
    fi
    failed=1
    say "FAIL: fuzz_$h (exit ${status[$h]}): ${execs:-?} executions, coverage ${cov:-?}"
    for f in "${found[@]}"; do
        say "  reproducer: $f"
        say "  reproduce:  $work/bin/fuzz_$h $f"
    done
    [ "${#found[@]}" -eq 0 ] && say "  no reproducer was written; the log follows"
    # the sanitizer's report: from its first line to the end of the log
    start=$(grep -n -m 1 -E '^==[0-9]+==(ERROR|WARNING)|runtime error:|^==[0-9]+== ERROR|ALARM: working on the last Unit|deadly signal|out-of-memory' "$log" | cut -d: -f1)
    if [ -n "$start" ]; then
        tail -n +"$start" "$log" | head -n 120 | sed 's/^/  | /'
    else
        tail -n 60 "$log" | sed 's/^/  | /'
    fi
done

if [ "$failed" -ne 0 ]; then
    keep=1
    say "findings kept in $work"
    exit 1
fi
[ -n "$keep" ] && say "work folder kept: $work"
exit 0
