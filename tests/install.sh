#!/bin/bash
# install.sh: `make install DESTDIR=...` puts every piece where an operator
# and the system expect it, with paths substituted, and `make uninstall`
# takes it all back (an edited configuration excepted). TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
n=0 failed=0
ok() { local d=${*: -1}; n=$((n + 1)); if "${@:1:$#-1}"; then echo "ok $n - $d"; else echo "not ok $n - $d"; failed=$((failed + 1)); fi; }

T=$(mktemp -d "${TMPDIR:-/tmp}/smsdistd-install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
D=$T/root
make -C "$top_builddir" install DESTDIR="$D" >"$T/install.log" 2>&1
ok test $? -eq 0 "make install DESTDIR=... succeeds"

one() { find "$D" -path "$1" | head -1; }       # the installed file matching a pattern
sbin=$(one '*/sbin/smsdistd')
ok test -x "$sbin" "smsdistd installed in sbin, executable"
ok sh -c "'$sbin' -v | grep -q '^smsdistd '" "the installed smsdistd runs (-v)"
ok test -f "$(one '*/share/snmp/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt')" "the MIB in net-snmp's MIB directory (share/snmp/mibs)"
ok test -f "$(one '*/man8/smsdistd.8')" "man page smsdistd(8)"
ok test -f "$(one '*/man5/smsdistd.conf.5')" "man page smsdistd.conf(5)"
ok test -f "$(one '*/smsdistd/smsdist.so')" "the dlmod smsdist.so in pkglibdir"
conf=$(one '*/etc/smsdistd/smsdistd.conf')
ok cmp -s "$conf" "$top_srcdir/contrib/smsdistd.conf.example" "an example smsdistd.conf installed as the configuration"
ok test -f "$(one '*/examples/snmpd.conf.smsdistd')" "the snmpd.conf snippet for the master, in the examples"
ok test -f "$(one '*/share/smsdistd/zabbix/smsdistd_template.yaml')" "the Zabbix 6.0 template, in pkgdatadir/zabbix"
ok test -f "$(one '*/share/smsdistd/zabbix/smsdistd_template_7.0.yaml')" "the Zabbix 7.0 template, beside it"
ok test -x "$(one '*/share/smsdistd/zabbix/smsdistd-zabbix-traphandle')" "the Zabbix trap handler, executable, beside them"
ok test -f "$(one '*/sysusers.d/smsdistd.conf')" "sysusers.d entry for the smsdistd user"
unit=$(one '*/systemd/system/smsdistd.service')
ok test -f "$unit" "systemd unit installed"
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
ok test "$D$exec_path" = "$sbin" "the unit's ExecStart is the installed smsdistd ($exec_path)"
ok grep -q "^ExecStart=.* -c ${conf#"$D"}\$" "$unit" "the unit reads the installed configuration"
ok grep -q "^ExecReload=${sbin#"$D"} -t -C -c ${conf#"$D"}\$" "$unit" \
    "the unit's reload checks the installed configuration first (smsdistd -t)"
ok grep -q "^RestartPreventExitStatus=1\$" "$unit" "a configuration error (exit 1) is not restarted in a loop"
for d in 'User=smsdistd' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
         'PrivateTmp=yes' 'CapabilityBoundingSet=$'; do
    ok grep -q "^$d" "$unit" "the unit sets ${d%\$}"
done
if command -v systemd-analyze >/dev/null 2>&1; then
    # verify a copy whose paths point into DESTDIR (the real ones are not there)
    mkdir -p "$T/verify"
    sed -e "s|^ExecStart=[^ ]*|ExecStart=$sbin|" -e "s|^ExecReload=${sbin#"$D"} |ExecReload=$sbin |" \
        "$unit" >"$T/verify/smsdistd.service"
    systemd-analyze verify --man=no "$T/verify/smsdistd.service" >"$T/verify.log" 2>&1
    ok test $? -eq 0 "systemd-analyze verify accepts the unit"
    grep -q . "$T/verify.log" && sed 's/^/# /' "$T/verify.log"
fi

# an edited configuration survives uninstall; everything else goes
echo "# edited" >>"$conf"
make -C "$top_builddir" uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1
ok test $? -eq 0 "make uninstall succeeds"
left=$(find "$D" -type f | sed "s|^$D||")
ok test "$left" = "${conf#"$D"}" "uninstall leaves only the edited configuration (left: ${left:-nothing})"
echo "1..$n"
[ "$failed" -eq 0 ]
