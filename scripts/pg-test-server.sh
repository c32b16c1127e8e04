#!/usr/bin/env bash
# A throwaway PostgreSQL server for script tests (the shell twin of tests/support/PostgresServer):
#   pg-test-server.sh start DIR   initialises a cluster under DIR (role descry, trust auth, TCP on
#                                 127.0.0.1 only, a free port, database descry_test), leaves it
#                                 running and prints its URL as the last line of stdout:
#                                 postgresql://descry@127.0.0.1:PORT/descry_test
#   pg-test-server.sh stop DIR    stops it (immediate mode); DIR itself is the caller's to remove.
# Exits 77 (script tests: skip) with the reason on stderr when the PostgreSQL server binaries are
# not installed. initdb and postgres refuse root, so as root they run as the "postgres" user and
# DIR is handed to that user; when that user cannot reach DIR (a root-only folder above it, as
# `mktemp -d` makes), the cluster goes to /tmp/descry-pg-XXXXXX instead, named in DIR/cluster, and
# stop removes it.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$2

skip() {
    echo "pg-test-server: $*" >&2
    exit 77
}
die() {
    echo "pg-test-server: $*" >&2
    exit 1
}

# The newest /usr/lib/postgresql/*/bin, else pg_config --bindir, else initdb's folder on PATH.
find_bindir() {
    local candidates=() d
    shopt -s nullglob
    candidates=(/usr/lib/postgresql/*/bin)
    shopt -u nullglob
    if [ ${#candidates[@]} -gt 0 ]; then
        mapfile -t candidates < <(printf '%s\n' "${candidates[@]}" | sort -rV)
    fi
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    if command -v initdb >/dev/null 2>&1; then
        candidates+=("$(dirname "$(command -v initdb)")")
    fi
    for d in "${candidates[@]}"; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/createdb" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

bin=$(find_bindir) || skip "PostgreSQL server binaries (initdb, pg_ctl, createdb) not found in /usr/lib/postgresql/*/bin, pg_config --bindir or PATH"

# PG* variables (PGDATA, PGPORT, PGHOST...) would steer the tools away from the arguments given.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^PG' || true)

as_root=false
if [ "$(id -u)" -eq 0 ]; then
    as_root=true
    id postgres >/dev/null 2>&1 || skip "running as root, and there is no 'postgres' system user to run initdb/postgres as (they refuse root)"
fi
# Runs a server tool as the user the server runs as.
as_server() {
    if $as_root; then
        if command -v runuser >/dev/null 2>&1; then
            (cd / && runuser -u postgres -- "$@")
        else
            (cd / && setpriv --reuid=postgres --regid=postgres --init-groups -- "$@")
        fi
    else
        "$@"
    fi
}

log_tail() {
    tail -n 3 "$1" 2>/dev/null | tr '\n' ' ' || true
}

# Where the cluster of DIR lives: DIR itself, or the folder named in DIR/cluster when the postgres
# user could not reach DIR (a root-only folder above it, as `mktemp -d` makes).
cluster_of() {
    if [ -f "$1/cluster" ]; then cat "$1/cluster"; else echo "$1"; fi
}

# A start that fails leaves no server and no cluster outside DIR behind.
abandon() {
    if [ -f "$home/data/postmaster.pid" ]; then
        as_server "$bin/pg_ctl" -D "$home/data" stop -m immediate >/dev/null 2>&1 || true
    fi
    if [ "$home" != "$dir" ]; then
        rm -rf "$home" "$dir/cluster"
    fi
}

start() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -e "$dir/data" ] || [ -e "$dir/cluster" ]; then
        die "$dir holds a cluster already; stop it and empty $dir first"
    fi
    home=$dir
    trap abandon EXIT
    if $as_root; then
        chown postgres: "$dir"
        if ! as_server test -w "$dir" -a -x "$dir"; then
            home=$(mktemp -d /tmp/descry-pg-XXXXXX)
            chown postgres: "$home"
            echo "$home" >"$dir/cluster"
            echo "pg-test-server: the postgres user cannot reach $dir; the cluster lives in $home (stop removes it)" >&2
        fi
    fi
    as_server "$bin/initdb" -D "$home/data" -U descry --auth=trust --locale=C -E UTF8 --no-sync \
        >"$dir/initdb.log" 2>&1 || die "initdb failed: $(log_tail "$dir/initdb.log")"

    local port
    for _ in 1 2 3 4 5; do
        # A random high port that nothing answers on now; if another process binds it before the
        # server does, the server says "could not bind" and the next attempt takes another.
        port=$((20000 + RANDOM % 40000))
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            continue
        fi
        # -k '': no Unix socket, so a long DIR cannot exceed the socket path limit.
        if as_server "$bin/pg_ctl" -D "$home/data" -w -t 60 -l "$home/server.log" \
            -o "-p $port -k '' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" \
            start >"$dir/pg_ctl.log" 2>&1; then
            echo "$port" >"$dir/port"
            "$bin/createdb" -h 127.0.0.1 -p "$port" -U descry descry_test >"$dir/createdb.log" 2>&1 \
                || die "createdb failed: $(log_tail "$dir/createdb.log")"
            trap - EXIT
            echo "postgresql://descry@127.0.0.1:$port/descry_test"
            return 0
        fi
        # A start that timed out may leave a postmaster coming up: stop it before another try.
        as_server "$bin/pg_ctl" -D "$home/data" stop -m immediate >/dev/null 2>&1 || true
        grep -q "could not bind" "$home/server.log" 2>/dev/null \
            || die "pg_ctl start failed: $(log_tail "$dir/pg_ctl.log"); server log: $(log_tail "$home/server.log")"
    done
    die "no free port found after 5 tries; server log: $(log_tail "$home/server.log")"
}

stop() {
    [ -d "$dir" ] || die "$dir does not exist"
    dir=$(cd "$dir" && pwd)
    local home
    home=$(cluster_of "$dir")
    if [ -f "$home/data/postmaster.pid" ]; then
        as_server "$bin/pg_ctl" -D "$home/data" stop -m immediate -w -t 30 >/dev/null \
            || die "pg_ctl stop failed; server log: $(log_tail "$home/server.log")"
    else
        echo "pg-test-server: no server running in $dir" >&2
    fi
    # A cluster outside DIR was made by start: remove it, and the note that points to it.
    if [ "$home" != "$dir" ]; then
        rm -rf "$home" "$dir/cluster"
    fi
}

case "$action" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
