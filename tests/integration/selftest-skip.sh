#!/bin/bash
# selftest-skip.sh: lib.sh's skip_all gives a proper TAP skip after sd_setup
# too (its EXIT trap runs sd_teardown), not an ERROR "exited before
# done_testing": each case runs a small script that sources lib.sh, and its
# TAP output, exit status and clean-up are checked here. Cheap: one snmpd.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

command -v snmpget >/dev/null 2>&1 || skip_all "snmpget not found (Debian: apt-get install snmp)"
[ -n "$SNMPD" ] && [ -x "$SNMPD" ] || skip_all "snmpd not found (Debian: apt-get install snmpd)"

plan 9

S=$(mktemp -d "${TMPDIR:-/tmp}/smsdistd-selftest.XXXXXX") || bail_out "mktemp -d failed"
trap 'rm -rf "$S"' EXIT

# child BODY: runs BODY after sourcing lib.sh, in a bash of its own; sets
# OUT (its standard output) and STATUS (its exit status)
child() {
    OUT=$(top_srcdir=$top_srcdir top_builddir=$top_builddir SNMPD=$SNMPD SD_FILE=$S/state \
        timeout 60 bash -c '. "$top_srcdir/tests/integration/lib.sh"; '"$1" 2>"$S/stderr")
    STATUS=$?
}

# 1. after sd_setup and a master started: the whole script is one skip
child 'sd_setup; sd_start_master; echo "$SD_MASTER_PID $T" >"$SD_FILE"; skip_all "no such tool here"'
is "$OUT" "1..0 # SKIP no such tool here" "skip_all after sd_setup prints the plan 1..0 with its skip directive, nothing else"
is "$STATUS" 0 "... and exits 0 (the TAP driver counts a SKIP, not an ERROR)"
read -r pid dir <"$S/state"
ok test -n "$pid" -a ! -d "/proc/$pid" "... the master it started was stopped (pid $pid)"
ok test -n "$dir" -a ! -e "$dir" "... and its temporary folder removed"

# 2. after a plan and some tests: the rest of the plan is skipped
child 'sd_setup; plan 3; ok true "first"; skip_all "the rest cannot run"'
is "$OUT" "1..3
ok 1 - first
ok 2 # SKIP the rest cannot run
ok 3 # SKIP the rest cannot run" "after a plan: the tests still to come are skipped"
is "$STATUS" 0 "... and it exits 0"

# 3. after unplanned tests: the plan is what ran
child 'sd_setup; ok true "first"; skip_all "the rest cannot run"'
is "$OUT" "ok 1 - first
# the rest is skipped: the rest cannot run
1..1" "after unplanned tests: the plan is the tests run so far"
is "$STATUS" 0 "... and it exits 0"

# 4. a failure before skip_all still fails the script
child 'sd_setup; ok false "broken"; skip_all "the rest cannot run"'
is "$STATUS" 1 "a failed test before skip_all still fails the script"
[ "$SD_FAILED" -eq 0 ]
