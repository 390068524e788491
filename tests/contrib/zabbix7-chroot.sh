#!/bin/bash
# zabbix7-chroot.sh: makes sure the cached Debian 13 chroot with Zabbix 7.0
# that tests/contrib/zabbix7-server.sh unpacks is there (tests/contrib/
# zabbix-runtime.sh: zbx7_chroot_prepare, in SD_CHROOT_CACHE), and nothing
# else: no server is started. tests/run.sh runs it in the background while
# the other stages run, since making the chroot on a fresh machine is mostly
# waiting on the Debian mirror and the disk (some five minutes). The cache's
# lock (tests/deb/chroot.sh) makes a test that wants the chroot meanwhile
# wait for it rather than make a second one.
# Exit 0: the cached chroot is there; 77: debootstrap or the mirror cannot be
# had here; 1: making it failed (its log is printed).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/integration/lib.sh
. "$top_srcdir/tests/integration/lib.sh"
# shellcheck source=tests/contrib/zabbix-runtime.sh
. "$top_srcdir/tests/contrib/zabbix-runtime.sh"

[ "$(id -u)" = 0 ] || { echo "zabbix7-chroot: needs root (debootstrap, chroot)"; exit 77; }
for tool in debootstrap zstd chroot mount flock; do
    command -v "$tool" >/dev/null 2>&1 || { echo "zabbix7-chroot: $tool not found"; exit 77; }
done
ZBX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smsdistd-zbx7-chroot.XXXXXX") || exit 1
trap 'sdc_remove "$ZBX_DIR/root" >/dev/null 2>&1; rm -rf "$ZBX_DIR"' EXIT
mkdir "$ZBX_DIR/root" || exit 1
if zbx7_chroot_prepare "$ZBX_DIR/root"; then
    exit 0
fi
sed 's/^/# /' "$ZBX_DIR/chroot.log"
zbx_mirror_answers || { echo "zabbix7-chroot: no cached chroot and $SDC_MIRROR cannot be reached"; exit 77; }
exit 1
