# zabbix-runtime.sh: a real, unmodified Zabbix server for the tests, in two
# versions behind the same functions. Sourced after tests/integration/lib.sh
# and sd_setup (it needs T, the TAP helpers, sd_poll, sd_stop, SD_AT_TEARDOWN).
# shellcheck shell=bash
#
#   zbx_rt_init VERSION    6.0: Debian 12's zabbix-server-pgsql and
#                          zabbix-frontend-php on this machine;
#                          7.0: Debian 13's (trixie) in a debootstrap chroot,
#                          cached (tests/deb/chroot.sh: SD_CHROOT_CACHE, default
#                          /var/cache/smsdistd-tests, file trixie-zabbix7-KEY.tar.zst)
#                          and unpacked per run in a private folder (a tmpfs
#                          when there is memory to spare; SD_ZABBIX_TMPFS=0: not).
#                          Calls skip_all when a piece cannot be had here.
#   zbx_rt_start           a private PostgreSQL cluster (this machine's
#                          PostgreSQL, for both versions: 15 on Debian 12) with
#                          the Zabbix schema (cached after the first load:
#                          zabbix-db-VERSION-KEY.tar.zst), zabbix_server, and
#                          PHP's built-in web server serving a private copy of
#                          the frontend; waits until the API answers and logs
#                          in (Admin/zabbix).
#   zbx ARG...             tests/contrib/zbx.py against this runtime's API
#   zbx_reload             zabbix_server -R config_cache_reload (after API changes)
#   zbx_server_figures     one line: configuration cache % used, queue > 10 s,
#                          values processed so far (the internal items of the host
#                          ZBX_INTERNAL_HOST, made by zbx_internal_host)
#   zbx_rt_stop            stops everything; registered in SD_AT_TEARDOWN, so
#                          it runs on every exit path
#
# Everything listens on 127.0.0.1 only, on ports chosen by the kernel (as
# lib.sh's sd_free_port; zabbix_server's ListenPort, which must be below
# 32768, at random in 10000-32767); a start that finds its port taken retries
# with another. All state is in $T/zbx (ZBX_DIR); the 7.0 chroot is unpacked
# in a folder of its own, so parallel runs share nothing but the read-only
# caches. Each process is started by this shell and stopped by its PID
# (zabbix_server's own children too, should any outlive it). PostgreSQL runs
# as the postgres user, zabbix_server drops to its User (zabbix), PHP runs as
# www-data: T is made traversable (0711, still not listable) so that they
# reach their folders. Nothing under /etc of this machine is written, and of
# its configuration only PHP's own (which modules to load) is read: the
# server gets its own configuration file, the frontend is a copy whose
# CConfigFile points at its own conf/zabbix.conf.php. For 7.0, the chroot
# sees T by a bind mount at the same path (so every path is the same inside
# and out) and has /proc mounted; both are unmounted and the chroot removed
# at the end, whatever the outcome.
#
# zabbix_server runs with its defaults (CacheSize, pollers, CacheUpdateFrequency
# ...) but for what a private instance must set: database, log, PID file,
# socket folder, ListenIP/ListenPort, StartSNMPTrapper=1 and SNMPTrapperFile
# (ZBX_TRAPFILE, $ZBX_DIR/snmptraps/snmptraps.log; ZBX_TRAPFILE_SERVER when
# the server sees it under another path: the 7.0 chroot's README path). SD_ZABBIX_SERVER_EXTRA:
# more lines for its configuration file (to try a setting by hand).
#
# Environment: SD_ZABBIX_PG_BIN (PostgreSQL's bin folder, default the newest
# /usr/lib/postgresql/N/bin), SD_CHROOT_CACHE, DEBIAN_MIRROR (tests/deb/chroot.sh),
# SD_ZABBIX_WAIT (seconds for the runtime's own waits, default 120).

# shellcheck source=tests/deb/chroot.sh disable=SC2154  # top_srcdir: lib.sh's
. "$top_srcdir/tests/deb/chroot.sh"

ZBX_PY=$top_srcdir/tests/contrib/zbx.py
# PostgreSQL: SD_ZABBIX_PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian 12: 15)
ZBX_PG_BIN=${SD_ZABBIX_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1)}
: "${ZBX_PG_BIN:=/usr/lib/postgresql/15/bin}"
: "${SD_ZABBIX_WAIT:=120}"
ZBX_VERSION=
ZBX_ROOT=           # the 7.0 chroot; empty for 6.0
ZBX_BASE=           # the 7.0 chroot's parent folder (a tmpfs when ZBX_TMPFS=1)
ZBX_TMPFS=
ZBX_DIR=
ZBX_PIDS=()         # started here, stopped in reverse order by zbx_rt_stop
ZBX_INTERNAL_HOST="Zabbix internal figures"
ZBX_RT_STOPPED=

# What the 7.0 chroot holds (besides minbase). php8.4-cgi satisfies php8.4's
# "libapache2-mod-php8.4 | php8.4-fpm | php8.4-cgi" without Apache.
ZBX7_RELEASE=trixie
# snmptrapd: README's step 3 installs it; in the cache, so that step runs offline
ZBX7_PACKAGES="zabbix-server-pgsql zabbix-frontend-php php8.4-cli php8.4-cgi php8.4-pgsql snmptrapd"

zbx_say() { diag "zabbix: $*"; }

# zbx_need_trap_tools: what the way of notifications to Zabbix needs here
# (snmptrapd, flock for the handler, the MIBs by name), or a skip saying why
zbx_need_trap_tools() {
    sd_need_snmptrapd
    command -v flock >/dev/null 2>&1 || skip_all "flock not found (util-linux)"
    sd_named_mibs
    case $? in
        1) skip_all "$SD_NAMED_WHY" ;;
        2) bail_out "$SD_NAMED_WHY" ;;
    esac
}

# A free TCP port of 127.0.0.1 in 10000-32767 (zabbix_server's ListenPort
# takes 1024-32767, below the kernel's ephemeral range): random ones tried.
zbx_free_low_port() {
    "$PYTHON3" -c 'import random, socket
for _ in range(500):
    p = random.randint(10000, 32767)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("no free port in 10000-32767")'
}

# zbx_on_free_port WHAT PORTFN TRYFN: starts a program on a port that another
# may take meanwhile. Up to 5 times: a port from PORTFN (a command, split on
# spaces) in ZBX_TRY_PORT, then TRYFN ATTEMPT, which starts the program and
# waits for it: 0 when it is up, 2 when its port was taken (the program
# stopped), 1 for any other failure (logs shown).
zbx_on_free_port() {
    local what=$1 portfn=$2 tryfn=$3 attempt rc
    for attempt in 1 2 3 4 5; do
        ZBX_TRY_PORT=$($portfn) || return 1
        "$tryfn" "$attempt"
        rc=$?
        [ "$rc" -eq 2 ] || return "$rc"
        zbx_say "$what: port $ZBX_TRY_PORT taken (attempt $attempt), trying another"
    done
    return 1
}

# zbx_cmd ARRAY [USER]: sets the array named ARRAY to the prefix that runs a
# command of the runtime: in the chroot for 7.0, with a clean environment,
# as USER (setpriv, which execs: $! stays the program's PID) when given.
zbx_cmd() {
    local -n _zc=$1
    local user=${2:-}
    _zc=()
    [ -n "$ZBX_ROOT" ] && _zc=(chroot "$ZBX_ROOT")
    [ -n "$user" ] && _zc+=(setpriv --reuid="$user" --regid="$user" --init-groups)
    _zc+=(/usr/bin/env -i PATH="$SDC_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=/nonexistent TZ=UTC)
}

# zbx_run [-u USER] CMD...: CMD in the runtime (see zbx_cmd), bounded.
zbx_run() {
    local user='' pre
    if [ "$1" = -u ]; then user=$2; shift 2; fi
    zbx_cmd pre "$user"
    timeout -k 5 "$SD_ZABBIX_WAIT" "${pre[@]}" "$@"
}

# zbx_wait SECONDS CMD...: polls CMD until it succeeds (bounded).
zbx_wait() {
    # shellcheck disable=SC2034  # sd_poll's
    local SD_WAIT=$1
    shift
    sd_poll "$@"
}

# --- the 7.0 chroot ------------------------------------------------------------

# shellcheck disable=SC2086  # ZBX7_PACKAGES: a list of package names
zbx7_chroot_setup() {   # sdc_prepare's SETUP: SDC_ROOT is the chroot
    sdc_run 900 apt-get update -q &&
        sdc_run 1800 apt-get install -y -q --no-install-recommends $ZBX7_PACKAGES
}

# zbx7_chroot_prepare ROOT: the trixie chroot with Zabbix 7.0 in ROOT (an empty
# folder), from the cache when there is one. Its log in $ZBX_DIR/chroot.log.
zbx7_chroot_prepare() {
    local root=$1 key t0=$SECONDS status
    key=$(printf '%s\n' "$ZBX7_RELEASE" "$ZBX7_PACKAGES" v1 | sha256sum | cut -c1-16)
    sdc_prepare "$root" "$ZBX7_RELEASE" trixie-zabbix7 "$key" zbx7_chroot_setup >"$ZBX_DIR/chroot.log" 2>&1
    status=$?
    grep '^# chroot: ' "$ZBX_DIR/chroot.log" | sed 's/^# /zabbix: /' | while IFS= read -r l; do diag "$l"; done
    if [ "$status" = 0 ]; then
        zbx_say "7.0 chroot ready in $((SECONDS - t0)) s"
    else
        zbx_say "7.0 chroot: preparing it failed after $((SECONDS - t0)) s"
    fi
    return "$status"
}

# zbx_mirror_answers: the Debian mirror serves trixie's Release file (bounded)
zbx_mirror_answers() {
    "$PYTHON3" - "$SDC_MIRROR/dists/$ZBX7_RELEASE/Release" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="HEAD"), timeout=20)
PY
}

# --- setup ------------------------------------------------------------------------

zbx_rt_init() {
    ZBX_VERSION=${1:-6.0}
    ZBX_DIR=$T/zbx
    ZBX_TRAPFILE=$ZBX_DIR/snmptraps/snmptraps.log
    mkdir -p "$ZBX_DIR/snmptraps" || bail_out "cannot create $ZBX_DIR"
    : >"$ZBX_TRAPFILE" && chmod 0644 "$ZBX_TRAPFILE" || bail_out "cannot create $ZBX_TRAPFILE"
    SD_AT_TEARDOWN+=(zbx_rt_stop)
    [ "$(id -u)" = 0 ] || skip_all "the Zabbix runtime needs root (PostgreSQL and Zabbix run as their own users)"
    [ -x "$ZBX_PG_BIN/initdb" ] && [ -x "$ZBX_PG_BIN/postgres" ] ||
        skip_all "PostgreSQL not found in $ZBX_PG_BIN (Debian: apt-get install postgresql)"
    command -v psql >/dev/null 2>&1 || skip_all "psql not found (Debian: apt-get install postgresql-client)"
    for tool in setpriv setsid pgrep; do
        command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not found (util-linux, procps)"
    done
    getent passwd postgres >/dev/null || skip_all "no postgres user (Debian: apt-get install postgresql)"
    case $ZBX_VERSION in
        6.0)
            [ -x /usr/sbin/zabbix_server ] ||
                skip_all "zabbix_server not found (Debian: apt-get install zabbix-server-pgsql)"
            [ -f /usr/share/zabbix/api_jsonrpc.php ] ||
                skip_all "the Zabbix frontend is not installed (Debian: apt-get install zabbix-frontend-php)"
            command -v php >/dev/null 2>&1 || skip_all "php not found (Debian: apt-get install php8.2-cli php8.2-pgsql)"
            php -m 2>/dev/null | grep -qx pgsql || skip_all "php has no pgsql module (Debian: apt-get install php8.2-pgsql)"
            getent passwd zabbix >/dev/null || skip_all "no zabbix user (made by zabbix-server-pgsql)"
            case $(/usr/sbin/zabbix_server -V 2>/dev/null | head -n 1) in
                *'(Zabbix) 6.0.'*) ;;
                *) skip_all "this machine's zabbix_server is not 6.0 ($(/usr/sbin/zabbix_server -V 2>/dev/null | head -n 1))" ;;
            esac
            ;;
        7.0)
            local tool base
            for tool in debootstrap zstd chroot mount; do
                command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not found (Debian: apt-get install $tool)"
            done
            base=${TMPDIR:-/tmp}
            [ "${#base}" -gt 60 ] && base=/tmp
            ZBX_BASE=$(mktemp -d "$base/smsdistd-zbx7.XXXXXX") || bail_out "mktemp -d failed"
            # the chroot on a tmpfs of its own (when there is memory to spare):
            # unpacked faster, and gone with one umount instead of an rm -rf of
            # 500 MB; SD_ZABBIX_TMPFS=0: on disk
            if [ "${SD_ZABBIX_TMPFS:-1}" != 0 ] &&
                    [ "$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)" -gt 3072 ] &&
                    mount -t tmpfs -o size=2g,mode=0755 smsdistd-zbx7 "$ZBX_BASE"; then
                ZBX_TMPFS=1
            fi
            ZBX_ROOT=$ZBX_BASE/root
            mkdir "$ZBX_ROOT" || bail_out "cannot create $ZBX_ROOT"
            zbx7_chroot_prepare "$ZBX_ROOT" || {
                diag_file "$ZBX_DIR/chroot.log" 30
                # no cached chroot and no Debian mirror: Zabbix 7.0 cannot be had here
                zbx_mirror_answers ||
                    skip_all "Zabbix 7.0: no cached chroot and $SDC_MIRROR cannot be reached"
                bail_out "cannot make the $ZBX7_RELEASE chroot with Zabbix 7.0 (see above)"
            }
            sdc_enter "$ZBX_ROOT" || bail_out "cannot enter the chroot $ZBX_ROOT"
            mkdir -p "$ZBX_ROOT$T" && mount --bind "$T" "$ZBX_ROOT$T" ||
                bail_out "cannot bind-mount $T into the chroot"
            ;;
        *) bail_out "SD_ZABBIX_VERSION must be 6.0 or 7.0 (not '$ZBX_VERSION')" ;;
    esac
    chmod 0711 "$T" || bail_out "cannot make $T traversable"
    ZBX_SQL=$ZBX_ROOT/usr/share/zabbix-server-pgsql
    [ -f "$ZBX_SQL/schema.sql.gz" ] || ZBX_SQL=$ZBX_ROOT/usr/share/zabbix-sql-scripts/postgresql
    [ -f "$ZBX_SQL/schema.sql.gz" ] || bail_out "no Zabbix schema (schema.sql.gz) found for $ZBX_VERSION"
    ZBX_PKG_VERSION=$(zbx_run zabbix_server -V 2>/dev/null | sed -n '1s/.*(Zabbix) *//p')
    zbx_say "$ZBX_VERSION runtime: zabbix_server ${ZBX_PKG_VERSION:-?}, $(zbx_run php -r 'echo "PHP ", PHP_VERSION;' 2>/dev/null)${ZBX_ROOT:+, in $ZBX_ROOT}"
}

# --- PostgreSQL ----------------------------------------------------------------

zbx_pg_ready() {
    grep -q 'database system is ready to accept connections' "$ZBX_DIR/pg/postgres.log" 2>/dev/null &&
        "$ZBX_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$ZBX_PG_PORT" -t 1
}

# zbx_psql_admin SQL: as the cluster's superuser, over its own unix socket.
zbx_psql_admin() {
    setpriv --reuid=postgres --regid=postgres --init-groups \
        psql -X -q -v ON_ERROR_STOP=1 -h "$ZBX_DIR/pg" -p "$ZBX_PG_PORT" -U postgres -d postgres -c "$1"
}

# zbx_pg_run: starts the cluster in $ZBX_DIR/pg/data on a free port (retried
# when taken) and waits until it accepts connections.
zbx_pg_try() {
    local d=$ZBX_DIR/pg
    ZBX_PG_PORT=$ZBX_TRY_PORT
    : >"$d/postgres.log"
    # a throw-away cluster: no fsync; everything else is PostgreSQL's default
    setpriv --reuid=postgres --regid=postgres --init-groups env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
        "$ZBX_PG_BIN/postgres" -D "$d/data" -c listen_addresses=127.0.0.1 -c port="$ZBX_PG_PORT" \
        -c unix_socket_directories="$d" -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off >>"$d/postgres.log" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
    ZBX_PG_PID=$!
    ZBX_PIDS+=("$ZBX_PG_PID")
    SD_WATCH_PID=$ZBX_PG_PID zbx_wait 60 zbx_pg_ready && return 0
    zbx_stop_pid "$ZBX_PG_PID" INT
    ZBX_PG_PID=
    grep -q 'could not bind\|Address already in use' "$d/postgres.log" && return 2
    diag_file "$d/postgres.log" 20
    return 1
}

zbx_pg_run() { zbx_on_free_port PostgreSQL "sd_free_port tcp" zbx_pg_try; }

# zbx_pg_start: a private cluster with the database zabbix, its schema
# loaded, owned by the role zabbix (a new random password each run). Loading
# the schema takes about a minute (170,000 statements), so the cluster as it
# is right after that is cached: $SDC_CACHE/zabbix-db-VERSION-KEY.tar.zst,
# KEY from PostgreSQL's version and the schema files (made again after
# SD_CHROOT_MAX_AGE days, as the chroots).
zbx_pg_start() {
    local d=$ZBX_DIR/pg key cache f t0=$SECONDS from_cache=0
    mkdir -p "$d" && chown postgres:postgres "$d" && chmod 0700 "$d" || return 1
    SD_LOGS+=("$d/postgres.log")
    key=$({ "$ZBX_PG_BIN/postgres" --version; sha256sum "$ZBX_SQL"/{schema,images,data}.sql.gz | cut -d' ' -f1
            echo v1; } | sha256sum | cut -c1-16)
    cache=$SDC_CACHE/zabbix-db-$ZBX_VERSION-$key.tar.zst
    if sdc_fresh "$cache" && timeout 300 tar --zstd -xpf "$cache" -C "$d" 2>"$d/unpack.log" &&
            chown -R postgres:postgres "$d/data"; then
        from_cache=1
    else
        rm -rf "$d/data"
        setpriv --reuid=postgres --regid=postgres --init-groups env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
            "$ZBX_PG_BIN/initdb" -D "$d/data" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=scram-sha-256 --no-sync >"$d/initdb.log" 2>&1 ||
            { diag_file "$d/initdb.log" 20; return 1; }
    fi
    zbx_pg_run || return 1
    if [ "$from_cache" = 0 ]; then
        zbx_psql_admin "CREATE ROLE zabbix LOGIN" >"$d/admin.log" 2>&1 &&
            zbx_psql_admin "CREATE DATABASE zabbix OWNER zabbix ENCODING 'UTF8' TEMPLATE template0" >>"$d/admin.log" 2>&1 ||
            { diag_file "$d/admin.log" 20; return 1; }
        for f in schema images data; do
            # as the superuser over the unix socket (faster than TCP), the objects zabbix's
            zcat "$ZBX_SQL/$f.sql.gz" | timeout 900 setpriv --reuid=postgres --regid=postgres --init-groups \
                psql -X -q -v ON_ERROR_STOP=1 -h "$d" -p "$ZBX_PG_PORT" -U postgres -d zabbix \
                -c 'SET ROLE zabbix' -f - >>"$d/schema.log" 2>&1 ||
                { diag "loading $f.sql.gz failed:"; diag_file "$d/schema.log" 20; return 1; }
        done
        zbx_say "PostgreSQL: the Zabbix $ZBX_VERSION schema loaded in $((SECONDS - t0)) s; cached as $cache"
        zbx_stop_pid "$ZBX_PG_PID" INT
        ZBX_PG_PID=
        mkdir -p "$SDC_CACHE" &&
            timeout 300 tar --zstd -cf "$cache.tmp.$$" -C "$d" data && mv -f "$cache.tmp.$$" "$cache" ||
            { rm -f "$cache.tmp.$$"; zbx_say "could not store $cache (going on)"; }
        zbx_pg_run || return 1
    fi
    ZBX_DB_PASSWORD=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
    zbx_psql_admin "ALTER ROLE zabbix PASSWORD '$ZBX_DB_PASSWORD'" >>"$d/admin.log" 2>&1 ||
        { diag_file "$d/admin.log" 20; return 1; }
    zbx_say "PostgreSQL on 127.0.0.1:$ZBX_PG_PORT, $([ "$from_cache" = 1 ] && echo "from $cache, ")ready in $((SECONDS - t0)) s"
}

# --- zabbix_server -----------------------------------------------------------------

zbx_server_conf() {
    cat >"$ZBX_DIR/server/zabbix_server.conf" <<EOF
# A private Zabbix server for smsdistd's tests: everything not set is the default.
LogFile=$ZBX_DIR/server/zabbix_server.log
LogFileSize=0
PidFile=$ZBX_DIR/server/zabbix_server.pid
SocketDir=$ZBX_DIR/server
DBHost=127.0.0.1
DBPort=$ZBX_PG_PORT
DBName=zabbix
DBUser=zabbix
DBPassword=$ZBX_DB_PASSWORD
ListenIP=127.0.0.1
ListenPort=$ZBX_SERVER_PORT
StartSNMPTrapper=1
SNMPTrapperFile=${ZBX_TRAPFILE_SERVER:-$ZBX_TRAPFILE}
${SD_ZABBIX_SERVER_EXTRA:-}
EOF
}

zbx_server_up() {
    grep -q 'started \[snmp trapper #1\]' "$ZBX_DIR/server/zabbix_server.log" 2>/dev/null &&
        grep -q 'started \[configuration syncer #1\]' "$ZBX_DIR/server/zabbix_server.log" 2>/dev/null &&
        (exec 3<>"/dev/tcp/127.0.0.1/$ZBX_SERVER_PORT") 2>/dev/null
}

zbx_server_try() {
    local d=$ZBX_DIR/server pre
    zbx_cmd pre
    ZBX_SERVER_PORT=$ZBX_TRY_PORT
    zbx_server_conf || return 1
    rm -f "$d/zabbix_server.log"
    # setsid (which execs: $! is zabbix_server's PID): a process group of its own
    setsid "${pre[@]}" zabbix_server -f -c "$d/zabbix_server.conf" >>"$d/zabbix_server.out" 2>&1 \
        {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
    ZBX_SERVER_PID=$!
    ZBX_PIDS+=("$ZBX_SERVER_PID")
    SD_WATCH_PID=$ZBX_SERVER_PID zbx_wait 90 zbx_server_up && return 0
    zbx_stop_server
    ZBX_SERVER_PID=
    grep -q 'Address already in use' "$d/zabbix_server.log" 2>/dev/null && return 2
    diag_file "$d/zabbix_server.log" 30
    diag_file "$d/zabbix_server.out" 10
    return 1
}

zbx_server_start() {
    local d=$ZBX_DIR/server
    mkdir -p "$d" || return 1
    zbx_run chown zabbix:zabbix "$d" || return 1
    SD_LOGS+=("$d/zabbix_server.log" "$d/zabbix_server.out")
    zbx_on_free_port zabbix_server zbx_free_low_port zbx_server_try || return 1
    zbx_say "zabbix_server (pid $ZBX_SERVER_PID) on 127.0.0.1:$ZBX_SERVER_PORT"
}

# zbx_reload: the configuration cache reloaded now (`zabbix_server -R
# config_cache_reload`, retried while the runtime control socket is not up),
# and waited for: until the configuration syncer logged that it got the
# request, and for 7.0, which says so, until it logged that it finished. (6.0
# does not log the end: the waits of zbx.py take --kick for what comes after.)
zbx_reload_once() {
    zbx_run zabbix_server -c "$ZBX_DIR/server/zabbix_server.conf" -R config_cache_reload \
        >>"$ZBX_DIR/server/runtime-control.log" 2>&1
}
# zbx_reloads WHAT: how many "<time> WHATreloading of the configuration cache" lines
zbx_reloads() { grep -c -E "[0-9]\.[0-9]{3} $1reloading of the configuration cache" "$ZBX_DIR/server/zabbix_server.log"; }
zbx_reload_done() {
    [ "$(zbx_reloads forced\ )" -gt "$ZBX_RELOADS" ] || return 1
    [ "$ZBX_VERSION" = 6.0 ] || [ "$(zbx_reloads "finished forced ")" -ge "$(zbx_reloads forced\ )" ]
}
zbx_reload() {
    ZBX_RELOADS=$(zbx_reloads forced\ )
    zbx_wait 30 zbx_reload_once && SD_WATCH_PID=$ZBX_SERVER_PID zbx_wait 60 zbx_reload_done
}

# --- the frontend ----------------------------------------------------------------------

zbx_web_prepare() {
    local w=$ZBX_DIR/web src=$ZBX_ROOT/usr/share/zabbix cfile
    cp -a "$src/." "$w/" || return 1
    cfile=$w/include/classes/core/CConfigFile.php
    # Debian's frontend reads /etc/zabbix/zabbix.conf.php (CConfigFile::
    # CONFIG_FILE_PATH); upstream's reads conf/zabbix.conf.php under its root.
    # The copy reads its own, by an absolute path in either case.
    if grep -q "CONFIG_FILE_PATH = '/etc/" "$cfile"; then
        sed -i "s|CONFIG_FILE_PATH = '/etc/[^']*'|CONFIG_FILE_PATH = '$w/conf/zabbix.conf.php'|" "$cfile" || return 1
        grep -q "CONFIG_FILE_PATH = '$w/conf/zabbix.conf.php'" "$cfile" || return 1
    fi
    cat >"$w/conf/zabbix.conf.php" <<EOF || return 1
<?php
// A private frontend for smsdistd's tests (tests/contrib/zabbix-runtime.sh).
\$DB['TYPE']            = 'POSTGRESQL';
\$DB['SERVER']          = '127.0.0.1';
\$DB['PORT']            = '$ZBX_PG_PORT';
\$DB['DATABASE']        = 'zabbix';
\$DB['USER']            = 'zabbix';
\$DB['PASSWORD']        = '$ZBX_DB_PASSWORD';
\$DB['SCHEMA']          = '';
\$DB['ENCRYPTION']      = false;
\$DB['KEY_FILE']        = '';
\$DB['CERT_FILE']       = '';
\$DB['CA_FILE']         = '';
\$DB['VERIFY_HOST']     = false;
\$DB['CIPHER_LIST']     = '';
\$DB['VAULT_URL']       = '';
\$DB['VAULT_DB_PATH']   = '';
\$DB['VAULT_TOKEN']     = '';
\$DB['DOUBLE_IEEE754']  = true;
\$ZBX_SERVER            = '127.0.0.1';
\$ZBX_SERVER_PORT       = '$ZBX_SERVER_PORT';
\$ZBX_SERVER_NAME       = 'smsdistd tests';
\$IMAGE_FORMAT_DEFAULT  = IMAGE_FORMAT_PNG;
EOF
    mkdir -p "$ZBX_DIR/php/sessions" && chown -R www-data:www-data "$ZBX_DIR/php" &&
        chgrp www-data "$w/conf/zabbix.conf.php" && chmod 0640 "$w/conf/zabbix.conf.php"
}

zbx_web_up() { "$PYTHON3" "$ZBX_PY" --url "$ZBX_URL" version >/dev/null 2>&1; }

zbx_web_try() {
    local pre
    zbx_cmd pre www-data
    ZBX_WEB_PORT=$ZBX_TRY_PORT
    ZBX_URL=http://127.0.0.1:$ZBX_WEB_PORT/api_jsonrpc.php
    if [ "$1" = 1 ]; then zbx_web_prepare || return 1; fi
    "${pre[@]}" php -S "127.0.0.1:$ZBX_WEB_PORT" -t "$ZBX_DIR/web" \
        -d memory_limit=1G -d post_max_size=64M -d max_execution_time=300 \
        -d max_input_time=300 -d date.timezone=UTC -d display_errors=0 -d log_errors=1 \
        -d error_log="$ZBX_DIR/php/error.log" -d session.save_path="$ZBX_DIR/php/sessions" \
        >>"$ZBX_DIR/php/php.log" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
    ZBX_WEB_PID=$!
    ZBX_PIDS+=("$ZBX_WEB_PID")
    SD_WATCH_PID=$ZBX_WEB_PID zbx_wait 30 zbx_web_up && return 0
    zbx_stop_pid "$ZBX_WEB_PID"
    ZBX_WEB_PID=
    grep -q 'Address already in use\|Failed to listen' "$ZBX_DIR/php/php.log" && return 2
    diag_file "$ZBX_DIR/php/php.log" 20
    diag_file "$ZBX_DIR/php/error.log" 20
    return 1
}

zbx_web_start() {
    mkdir -p "$ZBX_DIR/web" "$ZBX_DIR/php" || return 1
    SD_LOGS+=("$ZBX_DIR/php/php.log" "$ZBX_DIR/php/error.log")
    zbx_on_free_port "php -S" "sd_free_port tcp" zbx_web_try || return 1
    zbx_say "frontend: $ZBX_URL"
}

# zbx ARG...: tests/contrib/zbx.py against this runtime (after zbx_rt_start).
zbx() {
    "$PYTHON3" "$ZBX_PY" --url "$ZBX_URL" --token-file "$ZBX_DIR/api.token" "$@"
}

# zbx_rt_start: the whole runtime, up and logged in. bail_out when a piece fails.
zbx_rt_start() {
    local t0=$SECONDS
    ZBX_STARTED=1
    zbx_pg_start || bail_out "PostgreSQL did not start (see $ZBX_DIR/pg)"
    zbx_server_start || bail_out "zabbix_server did not start (see the log above)"
    zbx_web_start || bail_out "the Zabbix frontend did not start (php -S)"
    zbx login >"$ZBX_DIR/login.log" 2>&1 || { diag_file "$ZBX_DIR/login.log" 20; bail_out "cannot log in to the Zabbix API"; }
    zbx_say "runtime $ZBX_VERSION up in $((SECONDS - t0)) s; API $(cat "$ZBX_DIR/login.log")"
}

# zbx_internal_host: the host ZBX_INTERNAL_HOST with the server's internal
# figures as items (zbx_server_figures reads them), and the default host
# "Zabbix server" disabled (it polls a Zabbix agent on 127.0.0.1:10050 that
# is not there).
zbx_internal_host() {
    zbx internal-host --host "$ZBX_INTERNAL_HOST" --disable-default
}

zbx_server_figures() {
    zbx internal-figures --host "$ZBX_INTERNAL_HOST"
}

# --- stopping ---------------------------------------------------------------------------

# zbx_stop_pid PID [SIGNAL]: sd_stop (TERM or SIGNAL, bounded, then KILL), and
# forgotten from ZBX_PIDS.
zbx_stop_pid() {
    local pid=$1 p keep=()
    [ -n "$pid" ] || return 0
    sd_stop "$pid" "${2:-TERM}"
    for p in "${ZBX_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    ZBX_PIDS=(${keep[@]+"${keep[@]}"})
}

# zbx_stop_server: TERM to zabbix_server, which stops its processes. It was
# started by setsid, so it leads a process group of its own (its PID): any of
# its processes still there afterwards (it was killed, or a child hung) is
# killed by that group's ID; only its own processes are in it.
zbx_stop_server() {
    local pid=${ZBX_SERVER_PID:-} left
    [ -n "$pid" ] || return 0
    SD_WAIT=60 zbx_stop_pid "$pid"
    left=$(pgrep -g "$pid" | paste -sd' ' -)
    if [ -n "$left" ]; then
        zbx_say "processes of zabbix_server (group $pid) outlived it: $left; killed"
        kill -KILL -- "-$pid" 2>/dev/null
    fi
    ZBX_SERVER_PID=
}

zbx_rt_stop() {
    local i pid t0=$SECONDS t1 t2 t3=$SECONDS t4
    [ -n "$ZBX_RT_STOPPED" ] && return 0
    ZBX_RT_STOPPED=1
    zbx_stop_pid "${ZBX_WEB_PID:-}"
    zbx_stop_server
    t1=$SECONDS
    # PostgreSQL: a fast shutdown (SIGINT); what is left of ZBX_PIDS, last first
    zbx_stop_pid "${ZBX_PG_PID:-}" INT
    for ((i = ${#ZBX_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${ZBX_PIDS[i]}
        zbx_stop_pid "$pid"
    done
    t2=$SECONDS
    if [ -n "$ZBX_ROOT" ]; then
        # anything still running in the chroot (there should be nothing), the
        # mounts, then the tree
        sdc_leave "$ZBX_ROOT" >"$T/chroot-remove.log" 2>&1 || sed 's/^/# zabbix: /' "$T/chroot-remove.log"
        t3=$SECONDS
        sdc_remove "$ZBX_ROOT" >"$T/chroot-remove.log" 2>&1 ||
            { echo "# zabbix: could not remove the chroot $ZBX_ROOT:"; sed 's/^/#   /' "$T/chroot-remove.log"; }
        if [ -n "$ZBX_TMPFS" ]; then
            umount "$ZBX_BASE" || umount -l "$ZBX_BASE" || echo "# zabbix: cannot unmount the tmpfs $ZBX_BASE"
        fi
        rmdir "$ZBX_BASE" 2>/dev/null || echo "# zabbix: $ZBX_BASE is left (not empty or still mounted)"
    fi
    t4=$SECONDS
    [ -n "${ZBX_STARTED:-}" ] && echo "# zabbix: stopped in $((t4 - t0)) s (zabbix_server $((t1 - t0)) s," \
        "PostgreSQL $((t2 - t1)) s${ZBX_ROOT:+, chroot left in $((t3 - t2)) s and removed in $((t4 - t3)) s})"
}
