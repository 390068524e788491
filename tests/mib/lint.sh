#!/bin/bash
# lint.sh: TAP checks of mibs/SMS-DISTRIBUTION-STATUS-MIB.txt.
#
#  - smilint -l 6 has nothing to say about it;
#  - net-snmp (snmptranslate) loads it without a word on stderr;
#  - every name the C code uses (tests/oid_dump, from src/oids.c) has the
#    same OID in the MIB;
#  - the SIZE bound of smsDistStatusObjectID is SD_OBJECTID_MAX;
#  - the textual conventions have exactly the agreed enumerations.
#
# Environment (exported by `make check`; set them to run by hand):
#   top_srcdir, top_builddir  default: two levels above this script
#   SMILINT                   default: smilint from PATH
#   NPM                       default: npm from PATH (see fetch-base-mibs.sh)
#   SNMPTRANSLATE             default: snmptranslate from PATH
#   OID_DUMP                  default: $top_builddir/tests/oid_dump
#   BASE_MIBDIR               default: $top_builddir/tests/mibs-base
#   NETSNMP_MIBDIR            default: /usr/share/snmp/mibs (NET-SNMP-MIB)
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 1
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OID_DUMP=${OID_DUMP:-$top_builddir/tests/oid_dump}
BASE_MIBDIR=${BASE_MIBDIR:-$top_builddir/tests/mibs-base}
NETSNMP_MIBDIR=${NETSNMP_MIBDIR:-/usr/share/snmp/mibs}
SMILINT=${SMILINT:-}
[ -n "$SMILINT" ] || SMILINT=$(command -v smilint) || SMILINT=
SNMPTRANSLATE=${SNMPTRANSLATE:-}
[ -n "$SNMPTRANSLATE" ] || SNMPTRANSLATE=$(command -v snmptranslate) || SNMPTRANSLATE=
export NPM=${NPM:-}

MODULE=SMS-DISTRIBUTION-STATUS-MIB
MIBFILE=$top_srcdir/mibs/$MODULE.txt

# Contract (MIB-SKETCH.md, doc/design.md): the TCs' exact enumerations,
# each checked through an object of that syntax (snmptranslate shows a TC
# only through the objects that use it).
TCS=(SmsObjectTypeID SmsDistributionStatusType SmsSourceState)
declare -A TC_ENUM=(
    [SmsObjectTypeID]='package(2), osInstallPackage(14), imagePackage(18), bootImagePackage(19), deviceSettingPackage(21), driverPackage(23), softwareUpdatesPackage(24), application(31)'
    [SmsDistributionStatusType]='success(1), inProgress(2), error(3), failed(4)'
    [SmsSourceState]='ok(1), stale(2), failed(3), starting(4)'
)
declare -A TC_OBJECT=(
    [SmsObjectTypeID]=smsDistStatusObjectTypeID
    [SmsDistributionStatusType]=smsDistStatusType
    [SmsSourceState]=smsDistSourceState
)

# --- scratch space: nothing reads /etc/snmp or writes /var/lib/snmp --------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smsdist-mib-lint.XXXXXX") || {
    echo "Bail out! cannot create a temporary folder"
    exit 1
}
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/snmpconf" "$tmp/persist/cert_indexes" "$tmp/home" || {
    echo "Bail out! cannot populate $tmp"
    exit 1
}
export SNMPCONFPATH=$tmp/snmpconf
export SNMP_PERSISTENT_DIR=$tmp/persist

# --- base MIBs ---------------------------------------------------------------
"$here/fetch-base-mibs.sh" "$BASE_MIBDIR" 2>"$tmp/fetch.err"
fetch_status=$?
if [ "$fetch_status" -eq 77 ]; then
    printf '1..0 # SKIP base MIBs SNMPv2-SMI/TC/CONF unavailable: %s\n' \
        "$(head -n 1 "$tmp/fetch.err")"
    exit 0
elif [ "$fetch_status" -ne 0 ]; then
    echo "1..1"
    echo "not ok 1 - fetch the base MIBs into $BASE_MIBDIR (status $fetch_status)"
    sed 's/^/# /' "$tmp/fetch.err"
    exit 1
fi

MIBPATH=$BASE_MIBDIR:$NETSNMP_MIBDIR:$top_srcdir/mibs
export MIBDIRS=$MIBPATH
export MIBS=$MODULE

# --- TAP helpers -------------------------------------------------------------
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag() { sed 's/^/# /' "$@"; }   # file(s) or stdin as TAP comments
diag_short() {  # the first lines of a file as TAP comments
    sed -n '1,3s/^/# /p' "$1"
    local lines
    lines=$(wc -l <"$1")
    [ "$lines" -le 3 ] || echo "# ... $((lines - 3)) more lines (see the load check above)"
}

translate() {   # snmptranslate with our MIB path only
    "$SNMPTRANSLATE" -M "$MIBPATH" -m "$MODULE" "$@"
}

# --- what the C code says ------------------------------------------------------
names=()
oids=()
objectid_max=
dump_problem=
if [ ! -x "$OID_DUMP" ]; then
    dump_problem="$OID_DUMP not found (build it: make tests/oid_dump)"
elif ! "$OID_DUMP" >"$tmp/oid_dump.out" 2>"$tmp/oid_dump.err"; then
    dump_problem="$OID_DUMP failed: $(head -n 1 "$tmp/oid_dump.err")"
else
    while read -r first second rest; do
        if [ -n "$rest" ]; then
            dump_problem="unexpected oid_dump line: $first $second $rest"
        elif [ "$first" = "#objectid-max" ]; then
            objectid_max=$second
        elif [[ $first =~ ^[a-z][A-Za-z0-9]*$ && $second =~ ^(\.[0-9]+)+$ ]]; then
            names+=("$first")
            oids+=("$second")
        else
            dump_problem="unexpected oid_dump line: $first $second"
        fi
    done <"$tmp/oid_dump.out"
    if [ -z "$dump_problem" ] && [ "${#names[@]}" -eq 0 ]; then
        dump_problem="$OID_DUMP listed no names"
    fi
fi

# One line for the smilint check, one for loading, one for oid_dump itself,
# one per name, one for the SIZE bound, one per TC.
echo "1..$((3 + ${#names[@]} + 1 + ${#TCS[@]}))"

# (a) smilint -l 6 prints nothing (it reports on stderr and exits 0 even
# when it has complaints, so the output is the verdict).
if [ -z "$SMILINT" ]; then
    skip "smilint -l 6 has nothing to say about $MODULE" "smilint not found (Debian: smitools)"
else
    # HOME: keep a user's ~/.smirc (levels, ignores) out of it.
    HOME=$tmp/home SMIPATH=$MIBPATH "$SMILINT" -l 6 -s "$MIBFILE" >"$tmp/smilint.out" 2>&1
    st=$?
    if [ "$st" -eq 0 ] && [ ! -s "$tmp/smilint.out" ]; then
        ok "smilint -l 6 has nothing to say about $MODULE"
    else
        not_ok "smilint -l 6 has nothing to say about $MODULE (exit $st)"
        diag "$tmp/smilint.out"
    fi
fi

if [ -z "$SNMPTRANSLATE" ]; then
    why="snmptranslate not found (Debian: snmp)"
    skip "snmptranslate loads $MODULE without a word on stderr" "$why"
    skip "oid_dump lists the C code's names" "$why"
    for name in "${names[@]}"; do
        skip "$name has the OID of src/oids.c" "$why"
    done
    skip "SIZE of smsDistStatusObjectID is 1..SD_OBJECTID_MAX" "$why"
    for tcname in "${TCS[@]}"; do
        skip "$tcname enumeration" "$why"
    done
    exit 0
fi

# (b) net-snmp loads the module with nothing on stderr.
translate -Tp >"$tmp/tree.out" 2>"$tmp/tree.err"
st=$?
if [ "$st" -eq 0 ] && [ ! -s "$tmp/tree.err" ] &&
    grep -q -- '--smsDistMIB(2007)' "$tmp/tree.out"; then
    ok "snmptranslate loads $MODULE without a word on stderr"
else
    not_ok "snmptranslate loads $MODULE without a word on stderr (exit $st)"
    diag "$tmp/tree.err"
    grep -q -- '--smsDistMIB(' "$tmp/tree.out" || echo "# smsDistMIB is not in the tree"
fi

# (c) every name of src/oids.c has the same OID in the MIB. Complaints on
# stderr are the business of (b); here only the numbers count.
if [ -n "$dump_problem" ]; then
    not_ok "oid_dump lists the C code's names: $dump_problem"
else
    ok "oid_dump lists the C code's names (${#names[@]})"
fi
for i in "${!names[@]}"; do
    name=${names[$i]}
    want=${oids[$i]}
    got=$(translate -On "$MODULE::$name" 2>"$tmp/name.err")
    st=$?
    if [ "$st" -eq 0 ] && [ "$got" = "$want" ]; then
        ok "$name is $want in the MIB as in src/oids.c"
    elif [ "$st" -ne 0 ] || [ -z "$got" ]; then
        not_ok "$name is $want in src/oids.c but not defined in the MIB"
        diag_short "$tmp/name.err"
    else
        not_ok "$name is $want in src/oids.c but $got in the MIB"
        diag_short "$tmp/name.err"
    fi
done

# (d) SIZE of the ObjectID index equals SD_OBJECTID_MAX.
syntax=$(translate -Td "$MODULE::smsDistStatusObjectID" 2>"$tmp/size.err" |
    sed -n 's/^[[:space:]]*SYNTAX[[:space:]]*//p')
if [[ $syntax =~ ^OCTET\ STRING\ \(1\.\.([0-9]+)\)[[:space:]]*$ ]]; then
    size_max=${BASH_REMATCH[1]}
    if [ -z "$objectid_max" ]; then
        not_ok "SIZE of smsDistStatusObjectID is (1..$size_max) but oid_dump gave no #objectid-max"
    elif [ "$size_max" = "$objectid_max" ]; then
        ok "SIZE of smsDistStatusObjectID is (1..$size_max) = SD_OBJECTID_MAX"
    else
        not_ok "SIZE of smsDistStatusObjectID is (1..$size_max) but SD_OBJECTID_MAX is $objectid_max"
    fi
else
    not_ok "SIZE of smsDistStatusObjectID is (1..SD_OBJECTID_MAX): SYNTAX is '${syntax}'"
    diag_short "$tmp/size.err"
fi

# (e) the textual conventions have exactly the agreed enumerations.
for tcname in "${TCS[@]}"; do
    object=${TC_OBJECT[$tcname]}
    want=${TC_ENUM[$tcname]}
    translate -Td "$MODULE::$object" >"$tmp/tc.out" 2>"$tmp/tc.err"
    st=$?
    used=$(sed -n 's/^[[:space:]]*--[[:space:]]*TEXTUAL CONVENTION[[:space:]]*//p' "$tmp/tc.out")
    got=$(sed -n 's/^[[:space:]]*SYNTAX[[:space:]]*INTEGER[[:space:]]*{\(.*\)}[[:space:]]*$/\1/p' "$tmp/tc.out")
    if [ "$st" -ne 0 ]; then
        not_ok "$tcname enumeration: snmptranslate -Td $object failed (exit $st)"
        diag_short "$tmp/tc.err"
    elif [ "$used" != "$tcname" ]; then
        not_ok "$tcname enumeration: $object has TEXTUAL-CONVENTION '${used}', not $tcname"
    elif [ "$got" != "$want" ]; then
        not_ok "$tcname enumeration is { $want }: the MIB says { $got }"
    else
        ok "$tcname enumeration is { $want }"
    fi
done

[ "$failed" -eq 0 ]
