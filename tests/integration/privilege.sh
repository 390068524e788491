#!/bin/bash
# privilege.sh: least privilege. The master's AgentX socket belongs to a
# group (agentXPerms 0660 0770 root GROUP); smsdistd runs as an unprivileged
# user in that group, attaches and serves; a process of a user NOT in the
# group cannot attach (the kernel refuses its connection, and an smsdistd run
# as that user never registers); every SET through a read-write community is
# refused with notWritable, on every column and on scalars, and changes
# nothing. The user, the group and the outsider are temporary system
# accounts created here and removed at teardown (so: root only).

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root: creates a temporary system user and group (useradd, groupadd) and runs smsdistd as them"
for tool in useradd groupadd userdel groupdel setpriv getent; do
    command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not found (Debian: passwd, util-linux)"
done

sd_setup

# --- temporary accounts, removed at teardown ----------------------------------
GROUP=sdagx$$
AGENT_USER=sdagent$$
OUTSIDER=sdother$$
for name in "$GROUP" "$AGENT_USER" "$OUTSIDER"; do
    getent passwd "$name" >/dev/null && bail_out "user $name exists already"
    getent group "$name" >/dev/null && bail_out "group $name exists already"
done
CREATED_USERS=()
CREATED_GROUPS=()
remove_accounts() {
    local u g
    for u in ${CREATED_USERS[@]+"${CREATED_USERS[@]}"}; do
        userdel "$u" >"$T/userdel.log" 2>&1 ||
            { echo "# could not remove user $u: $(cat "$T/userdel.log")"; SD_FAILED=$((SD_FAILED + 1)); }
    done
    for g in ${CREATED_GROUPS[@]+"${CREATED_GROUPS[@]}"}; do
        # userdel removes a user's own group (USERGROUPS_ENAB) by itself
        getent group "$g" >/dev/null || continue
        groupdel "$g" >"$T/groupdel.log" 2>&1 ||
            { echo "# could not remove group $g: $(cat "$T/groupdel.log")"; SD_FAILED=$((SD_FAILED + 1)); }
    done
}
SD_AT_TEARDOWN+=(remove_accounts)

nologin=$(command -v nologin || echo /usr/sbin/nologin)
groupadd --system "$GROUP" || bail_out "groupadd $GROUP failed"
CREATED_GROUPS+=("$GROUP")
useradd --system --no-create-home --home-dir /nonexistent --shell "$nologin" --gid "$GROUP" "$AGENT_USER" ||
    bail_out "useradd $AGENT_USER failed"
CREATED_USERS+=("$AGENT_USER")
useradd --system --no-create-home --home-dir /nonexistent --shell "$nologin" --user-group "$OUTSIDER" ||
    bail_out "useradd $OUTSIDER failed"
CREATED_USERS+=("$OUTSIDER")
CREATED_GROUPS+=("$OUTSIDER")
AGENT_UID=$(id -u "$AGENT_USER")
OUTSIDER_UID=$(id -u "$OUTSIDER")
ok test -z "$(id -Gn "$OUTSIDER" | tr ' ' '\n' | grep -x -F "$GROUP")" "$OUTSIDER is not in $GROUP"

# Each user gets a directory of its own for its configuration, log and pid
# file; T itself only lets them through; the export is readable by all.
chmod 0711 "$T" || bail_out "chmod $T"
mkdir -p "$T/export" "$T/in" "$T/out" || bail_out "mkdir"
chown "$AGENT_USER:$GROUP" "$T/in" && chown "$OUTSIDER:$OUTSIDER" "$T/out" && chmod 0700 "$T/in" "$T/out" ||
    bail_out "cannot give the users their directories"
cp "$SD_DATA/serve/sample.json" "$T/export/" && chmod 0644 "$T/export/sample.json" || bail_out "cp sample.json"
JSON=$T/export/sample.json
N=$(check_walk count "$JSON") || bail_out "the oracle cannot read sample.json"
TABLE=$(sd_oid smsDistStatusTable)
ENTRY=$(sd_oid smsDistStatusEntry)
SERVED=$(sd_oid smsDistSourceRowsServed).0

as_user() { local u=$1 g=$2; shift 2; setpriv --reuid="$u" --regid="$g" --init-groups -- "$@"; }
# A python the users can run (PYTHON3 may live in root's home, e.g. pyenv).
SYS_PYTHON3=
for p in /usr/bin/python3 /usr/local/bin/python3; do
    [ -x "$p" ] && { SYS_PYTHON3=$p; break; }
done

# --- the master: the socket for root and GROUP only --------------------------------
SD_AGENTX=$T/agentx.sock
SD_AGENTX_PERMS="0660 0770 root $GROUP"
sd_start_master
is "$(stat -c '%a %U %G' "$SD_AGENTX")" "660 root $GROUP" "agentXPerms 0660 0770 root $GROUP: the socket is mode 660, root:$GROUP"

# the kernel's answer, first hand
connect_py='import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print(type(e).__name__, e.strerror)
    sys.exit(1)
print("connected")'
if [ -n "$SYS_PYTHON3" ]; then
    out=$(as_user "$AGENT_USER" "$GROUP" "$SYS_PYTHON3" -c "$connect_py" "$SD_AGENTX" 2>&1)
    is "$out" connected "a process of $AGENT_USER (in $GROUP) can connect to the socket"
    out=$(as_user "$OUTSIDER" "$OUTSIDER" "$SYS_PYTHON3" -c "$connect_py" "$SD_AGENTX" 2>&1)
    is "$out" "PermissionError Permission denied" "a process of $OUTSIDER (not in $GROUP) cannot: Permission denied"
else
    skip 2 "no python3 outside root's home for the direct connect() check"
fi

# --- smsdistd as the user in the group: attaches and serves -----------------------------
SD_AGENT_DIR=$T/in
SD_AGENT_PREFIX=(setpriv --reuid="$AGENT_USER" --regid="$GROUP" --init-groups --)
sd_start_agent "source file:$JSON" "agentXPingInterval 1"
ok sd_wait_served "$N" "smsdistd as $AGENT_USER attaches and serves the $N rows"
is "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$SD_AGENT_PID/status")" \
    "$AGENT_UID $AGENT_UID $AGENT_UID $AGENT_UID" "it runs as $AGENT_USER (uid $AGENT_UID: real, effective, saved, fs)"
is "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$SD_AGENT_PID/status")" 0000000000000000 "with no capabilities"
snmp_walk "$TABLE" >"$T/walk.txt" 2>&1
ok check_walk compare "$JSON" --table-oid "$TABLE" "$T/walk.txt" "a full walk is the oracle's table"

# --- SET: refused, notWritable, on every column and on scalars ---------------------------
FIRST=$(check_walk first-last "$JSON" | sed -n 1p)
# set_refused OID TYPE VALUE DESC: the object is served (the master answers
# notWritable by itself for what nobody registered), the SET is refused with
# notWritable, and the value is what it was.
set_refused() {
    local oid=$1 type=$2 value=$3 desc=$4 before out rc
    before=$(snmp_typed "$oid")
    case $before in
        "No Such"* | "") sd_result 1 "SET $desc: refused with notWritable, value unchanged"
                         diag "$oid is not served: '$before'"
                         return 1 ;;
    esac
    out=$(snmp_set "$oid" "$type" "$value" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] && [[ $out =~ notWritable ]]; then
        ok test "$(snmp_typed "$oid")" = "$before" "SET $desc: refused with notWritable, value unchanged ($before)"
    else
        sd_result 1 "SET $desc: refused with notWritable, value unchanged"
        diag "snmpset exit $rc: $out"
    fi
}
set_refused "$ENTRY.3.$FIRST" u 4242 "smsDistStatusAssets (Gauge32)"
set_refused "$ENTRY.4.$FIRST" x 07EA0B1408000000 "smsDistStatusLastUpdateDate (DateAndTime)"
set_refused "$ENTRY.5.$FIRST" i 2 "smsDistStatusObjectTypeID (INTEGER)"
set_refused "$ENTRY.6.$FIRST" s PS999999 "smsDistStatusPackageID (DisplayString)"
set_refused "$ENTRY.7.$FIRST" i 1 "smsDistStatusType (INTEGER)"
set_refused "$(sd_oid smsDistSourceStaleAfter).0" u 60 "scalar smsDistSourceStaleAfter (Gauge32)"
set_refused "$(sd_oid smsDistSourceURI).0" s "file:/etc/shadow" "scalar smsDistSourceURI (DisplayString)"
set_refused "$(sd_oid smsDistRowsError).0" u 0 "scalar smsDistRowsError (Gauge32)"
out=$(snmp_set "$ENTRY.3.8.80.83.57.57.57.57.57.57.10" u 1 2>&1)
rc=$?
ok test "$rc" -ne 0 "SET of a row that does not exist (PS999999@10) fails too (exit $rc)"
like "$out" "notWritable|noCreation" "and creates nothing: notWritable or noCreation"
is "$(snmp_typed "$ENTRY.3.8.80.83.57.57.57.57.57.57.10")" "No Such Instance currently exists at this OID" \
    "the row still does not exist"
is "$(snmp_value "$SERVED")" "$N" "still $N rows served"

ok sd_stop_agent TERM "smsdistd ($AGENT_USER) stops on SIGTERM"
is "$SD_STOP_STATUS" 0 "and exits 0"

# --- smsdistd as a user outside the group: never attaches -------------------------------
SD_AGENT_DIR=$T/out
SD_AGENT_PREFIX=(setpriv --reuid="$OUTSIDER" --regid="$OUTSIDER" --init-groups --)
sd_start_agent "source file:$JSON" "agentXPingInterval 1"
ok sd_wait_log "$T/out/smsdistd.log" "AgentX master not reachable at $SD_AGENTX" \
    "smsdistd as $OUTSIDER: the master is not reachable"
ok sd_wait_log "$T/out/smsdistd.log" "loaded $N rows" "it loads its source all the same"
# never_served SECONDS: for that long, every 0.2 s, the master serves none of
# the MIB and smsdistd is still running (and retrying)
never_served() {
    local end=$((SECONDS + $1)) got
    while [ "$SECONDS" -lt "$end" ]; do
        sd_alive "$SD_AGENT_PID" || { echo "smsdistd died"; return 1; }
        got=$(snmp_typed "$SERVED")
        case $got in
            "No Such Object"*) ;;
            *) echo "the master answered: $got"; return 1 ;;
        esac
        sleep 0.2
    done
}
ok never_served 4 "for 4 s (4 ping intervals) the master serves nothing of the MIB: it never registered"
is "$(grep -c 'AgentX subagent connected' "$T/out/smsdistd.log")" 0 "its log never says 'AgentX subagent connected'"
is "$(stat -c %u "/proc/$SD_AGENT_PID")" "$OUTSIDER_UID" "(it was running as $OUTSIDER all along)"
ok sd_stop_agent TERM "smsdistd ($OUTSIDER) stops on SIGTERM"
is "$SD_STOP_STATUS" 0 "and exits 0"

# --- the socket's directory (what the README's Security section says) ------------------
# snmpd applies agentXPerms' directory mode to a directory it creates, but
# leaves it root:root, so not even GROUP reaches the socket inside; made
# beforehand as root:GROUP 0750, it works. connect() only, no smsdistd.
if [ -n "$SYS_PYTHON3" ]; then
    ok sd_stop "$SD_MASTER_PID" TERM "the master stops"
    SD_AGENTX=$T/made-by-snmpd/master
    sd_start_master
    is "$(stat -c '%U:%G' "$T/made-by-snmpd")" "root:root" \
        "a socket directory snmpd creates itself is root:root (mode $(stat -c %a "$T/made-by-snmpd"): 0770 less the umask)"
    out=$(as_user "$AGENT_USER" "$GROUP" "$SYS_PYTHON3" -c "$connect_py" "$SD_AGENTX" 2>&1)
    is "$out" "PermissionError Permission denied" "so not even $GROUP can reach the socket in it"
    ok sd_stop "$SD_MASTER_PID" TERM "the master stops"
    install -d -m 0750 -o root -g "$GROUP" "$T/agentx" || bail_out "install -d $T/agentx"
    SD_AGENTX=$T/agentx/master
    sd_start_master
    out=$(as_user "$AGENT_USER" "$GROUP" "$SYS_PYTHON3" -c "$connect_py" "$SD_AGENTX" 2>&1)
    is "$out" connected "made beforehand, root:$GROUP 0750: $AGENT_USER connects"
    out=$(as_user "$OUTSIDER" "$OUTSIDER" "$SYS_PYTHON3" -c "$connect_py" "$SD_AGENTX" 2>&1)
    is "$out" "PermissionError Permission denied" "and $OUTSIDER still cannot"
else
    skip 6 "no python3 outside root's home for the direct connect() checks"
fi

done_testing
