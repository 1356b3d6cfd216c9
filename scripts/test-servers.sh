#!/usr/bin/env bash
# Throwaway PostgreSQL and RabbitMQ for the test suite: every byte (data, sockets, logs, Erlang cookie) lives in
# one temp dir, both listen on 127.0.0.1 only, on free ports, so nothing collides with system instances or with a
# second run on the same machine. test.sh sources this file; a developer can also run it by hand:
#
#   scripts/test-servers.sh install                 # apt-get install postgresql / rabbitmq-server when missing
#   eval "$(scripts/test-servers.sh start)"         # start both, export ACCOUNTGRAINS_TEST_* in this shell
#   scripts/test-servers.sh rabbitmqctl status      # rabbitmqctl against the throwaway node (needs the exports)
#   scripts/test-servers.sh restart-rabbitmq [SECS]  # every connection drops; down SECS (default 0) then back
#   scripts/test-servers.sh restart-postgres [SECS]  # fast shutdown (connections cut), down SECS, same port again
#   scripts/test-servers.sh stop [DIR]              # stop both, delete DIR (default $ACCOUNTGRAINS_TEST_DIR)
#
# Why our own epmd: the Erlang port mapper would otherwise be shared with (or left behind for) other Erlang nodes;
# ours runs on a free port from the temp dir and dies with the servers.

# ---------------------------------------------------------------------------------------------------------------
# helpers

ags_log() { printf '[test-servers] %s\n' "$*" >&2; }

ags_now_us() { printf '%s' "${EPOCHREALTIME//[!0-9]/}"; } # microseconds (the radix char follows the locale)

# ags_secs_since START_US -> "1.2s"
ags_secs_since() {
    local d=$(( $(ags_now_us) - $1 ))
    printf '%d.%ds' $((d / 1000000)) $(((d % 1000000) / 100000))
}

# Is anything (listening or not) bound to TCP port $1? Reads /proc (no ss/netstat on a bare machine), then tries
# to connect as a second opinion.
ags_port_in_use() {
    local hex files=() f
    hex=$(printf ':%04X' "$1")
    for f in /proc/net/tcp /proc/net/tcp6; do [[ -r $f ]] && files+=("$f"); done
    if ((${#files[@]} > 0)) &&
        awk -v h="$hex" 'FNR > 1 && substr($2, length($2) - 4) == h { found = 1 } END { exit !found }' "${files[@]}"; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ags_free_port FROM [TAKEN...] -> first port >= FROM that is free and not in TAKEN
ags_free_port() {
    local p=$1 t taken last=$(($1 + 500))
    shift
    while ((p <= last && p <= 65535)); do
        taken=0
        for t in "$@"; do [[ $t == "$p" ]] && taken=1; done
        if ((taken == 0)) && ! ags_port_in_use "$p"; then
            printf '%s\n' "$p"
            return 0
        fi
        p=$((p + 1))
    done
    return 1
}

ags_wait_port() { # PORT SECONDS
    local deadline=$(($(ags_now_us) + $2 * 1000000))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        (($(ags_now_us) < deadline)) || return 1
        sleep 0.1
    done
}

# A zombie counts as gone: detached servers are reparented to PID 1, which may take a while to reap them.
ags_pid_alive() {
    local stat
    [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# Highest-version PostgreSQL server bin dir (Debian: /usr/lib/postgresql/<major>/bin), else initdb on PATH.
ags_pg_bindir() {
    local d v best="" bestv=-1
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] || continue
        v=${d#/usr/lib/postgresql/}
        v=${v%/bin}
        [[ $v =~ ^[0-9]+$ ]] || continue
        if ((v > bestv)); then best=$d bestv=$v; fi
    done
    if [[ -z $best ]] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        best=$(dirname "$(command -v initdb)")
    fi
    [[ -n $best ]] && printf '%s\n' "$best"
}

# RabbitMQ's own scripts, not Debian's /usr/sbin wrappers (those switch to the rabbitmq user and its HOME/cookie).
ags_rmq_bindir() {
    local d
    for d in /usr/lib/rabbitmq/bin /usr/local/lib/rabbitmq/bin; do
        [[ -x $d/rabbitmq-server && -x $d/rabbitmqctl ]] && { printf '%s\n' "$d"; return 0; }
    done
    return 1
}

ags_epmd_bin() {
    local f
    for f in "$(command -v epmd 2>/dev/null)" /usr/lib/erlang/bin/epmd /usr/lib/erlang/erts-*/bin/epmd; do
        [[ -n $f && -x $f ]] && { printf '%s\n' "$f"; return 0; }
    done
    return 1
}

# PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
ags_as_pg() {
    if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------------------------------------------
# install

ags_missing_packages() {
    local missing=()
    ags_pg_bindir >/dev/null || missing+=(postgresql)
    { ags_rmq_bindir >/dev/null && ags_epmd_bin >/dev/null; } || missing+=(rabbitmq-server)
    printf '%s\n' "${missing[@]}"
}

ags_install() {
    local missing=() sudo=()
    mapfile -t missing < <(ags_missing_packages)
    [[ ${#missing[@]} -eq 1 && -z ${missing[0]} ]] && missing=()
    if ((${#missing[@]} == 0)); then
        ags_log "postgresql and rabbitmq-server already installed"
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        ags_log "missing: ${missing[*]}; no apt-get here, install them with your package manager"
        return 1
    fi
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || { ags_log "missing: ${missing[*]}; run as root or install sudo"; return 1; }
        sudo=(sudo)
    fi
    ags_log "installing ${missing[*]} with apt-get"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 \
        --no-install-recommends "${missing[@]}" </dev/null
    ags_pg_bindir >/dev/null || { ags_log "postgresql installed but no initdb found under /usr/lib/postgresql"; return 1; }
    ags_rmq_bindir >/dev/null || { ags_log "rabbitmq-server installed but /usr/lib/rabbitmq/bin missing"; return 1; }
}

# ---------------------------------------------------------------------------------------------------------------
# state: one KEY=VALUE file in the temp dir, read back by stop (never sourced)

ags_state_set() { printf '%s=%s\n' "$1" "$2" >>"$AGS_DIR/state"; }

ags_state_get() { # DIR KEY
    [[ -r $1/state ]] || return 0
    awk -v k="$2" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2) } END { if (v != "") print v }' "$1/state"
}

# Environment for every rabbitmq-server / rabbitmqctl call on the throwaway node (run it in a subshell).
ags_rmq_env() { # DIR
    local dir=$1 r=$1/rabbitmq
    export AGS_SERVERS_DIR="$dir" AGS_SERVERS_ROLE=rabbitmq
    export HOME="$r/home" LC_ALL=C.UTF-8 LANG=C.UTF-8
    export ERL_EPMD_PORT; ERL_EPMD_PORT=$(ags_state_get "$dir" epmd_port)
    export RABBITMQ_NODENAME; RABBITMQ_NODENAME=$(ags_state_get "$dir" rabbitmq_node)
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT; RABBITMQ_NODE_PORT=$(ags_state_get "$dir" rabbitmq_port)
    export RABBITMQ_DIST_PORT; RABBITMQ_DIST_PORT=$(ags_state_get "$dir" rabbitmq_dist_port)
    export RABBITMQ_MNESIA_BASE="$r/mnesia" RABBITMQ_LOG_BASE="$r/log"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$r/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$r/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$r/advanced.config"
    export RABBITMQ_CONF_ENV_FILE="$r/rabbitmq-env.conf" RABBITMQ_PID_FILE="$r/rabbitmq.pid"
    export RABBITMQ_PLUGINS_EXPAND_DIR="$r/mnesia/plugins-expand"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

# ---------------------------------------------------------------------------------------------------------------
# start

ags_start_postgres() {
    local pgbin t0 port base=${ACCOUNTGRAINS_TEST_PG_PORT_FROM:-55432} attempt pg=$AGS_DIR/pg
    t0=$(ags_now_us)
    pgbin=$(ags_pg_bindir) || { ags_log "no PostgreSQL server found (apt-get install postgresql)"; return 1; }
    mkdir -p "$pg/run" || return 1
    if ((EUID == 0)); then
        id postgres >/dev/null 2>&1 || { ags_log "no 'postgres' user to run PostgreSQL as"; return 1; }
        chown -R postgres: "$pg" || return 1
        runuser -u postgres -- test -x "$pg" ||
            { ags_log "user postgres cannot reach $pg: use a TMPDIR every user can traverse"; return 1; }
    fi
    ags_state_set pg_bin "$pgbin"
    ags_state_set pg_data "$pg/data"
    (cd "$pg" && ags_as_pg "$pgbin/initdb" -D "$pg/data" -U postgres -A trust --no-locale -E UTF8 --no-sync) \
        >"$AGS_DIR/initdb.log" 2>&1 || { cat "$AGS_DIR/initdb.log" >&2; return 1; }
    cat >>"$pg/data/postgresql.conf" <<EOF || return 1

# throwaway test cluster (scripts/test-servers.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg/run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
log_min_messages = warning
EOF
    # The port is only checked free, not reserved: if another run grabs it first, start on the next one.
    for attempt in 1 2 3 4 5; do
        port=$(ags_free_port "$base") || { ags_log "no free port from $base"; return 1; }
        if (cd "$pg" && ags_as_pg env AGS_SERVERS_DIR="$AGS_DIR" "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/postgres.log" -w -t 60 -o "-p $port" start) \
            >/dev/null 2>&1; then
            ags_state_set pg_port "$port"
            "$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
                -c 'CREATE DATABASE accountgrains_test' >&2 || return 1
            AGS_PG_PORT=$port
            ags_log "postgres $(basename "$(dirname "$pgbin")") up on 127.0.0.1:$port in $(ags_secs_since "$t0")"
            return 0
        fi
        ags_log "postgres did not start on port $port (attempt $attempt)"
        base=$((port + 1))
    done
    tail -n 20 "$pg/postgres.log" >&2 || true
    return 1
}

# `rabbitmqctl await_startup` fails at once while the VM has not yet registered its name with epmd, which takes a
# moment after `rabbitmq-server -detached` returns: wait for the name first (or for the VM to die).
ags_wait_node_registered() { # EPMD EPMD_PORT NAME PIDFILE SECONDS
    local deadline=$(($(ags_now_us) + $5 * 1000000)) pid
    while :; do
        "$1" -port "$2" -names 2>/dev/null | grep -q "^name $3 at port" && return 0
        pid=$(cat "$4" 2>/dev/null || true)
        if [[ -n $pid ]] && ! ags_pid_alive "$pid"; then echo "rabbitmq VM $pid exited during boot" >&2; return 1; fi
        (($(ags_now_us) < deadline)) || { echo "node $3 did not register with epmd in $5s" >&2; return 1; }
        sleep 0.1
    done
}

ags_start_rabbitmq() {
    local rmqbin epmd t0 r=$AGS_DIR/rabbitmq attempt amqp dist epmd_port node base
    t0=$(ags_now_us)
    rmqbin=$(ags_rmq_bindir) || { ags_log "no RabbitMQ found (apt-get install rabbitmq-server)"; return 1; }
    epmd=$(ags_epmd_bin) || { ags_log "no epmd found (it comes with erlang-base)"; return 1; }
    mkdir -p "$r/home" "$r/mnesia" "$r/log" || return 1
    # Server and rabbitmqctl both read $HOME/.erlang.cookie with HOME=$r/home, so they always agree.
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -dc 0-9a-f | tr a-f A-F >"$r/home/.erlang.cookie")
    chmod 400 "$r/home/.erlang.cookie"
    echo '[].' >"$r/enabled_plugins"
    : >"$r/rabbitmq-env.conf"
    cat >"$r/rabbitmq.conf" <<'EOF'
# throwaway test node (scripts/test-servers.sh); guest may log in from loopback only, which is all we use
loopback_users.guest = true
log.console = false
log.file.level = info
disk_free_limit.absolute = 10MB
EOF

    epmd_port=$(ags_free_port "${ACCOUNTGRAINS_TEST_EPMD_PORT_FROM:-54369}" "${AGS_PG_PORT:-0}") ||
        { ags_log "no free port for epmd"; return 1; }
    # Background jobs of a non-interactive shell ignore SIGINT, so Ctrl-C cannot kill epmd before stop runs.
    AGS_SERVERS_DIR="$AGS_DIR" "$epmd" -port "$epmd_port" -address 127.0.0.1 </dev/null >"$r/log/epmd.log" 2>&1 &
    ags_state_set epmd_pid "$!"
    ags_state_set epmd_port "$epmd_port"
    ags_wait_port "$epmd_port" 10 || { ags_log "epmd did not open port $epmd_port"; return 1; }

    node="accountgrains-test-$$@localhost"
    ags_state_set rabbitmq_node "$node"
    amqp=${ACCOUNTGRAINS_TEST_RABBITMQ_PORT_FROM:-55672}
    dist=${ACCOUNTGRAINS_TEST_RABBITMQ_DIST_PORT_FROM:-45672}
    for attempt in 1 2 3; do
        amqp=$(ags_free_port "$amqp" "${AGS_PG_PORT:-0}" "$epmd_port") || { ags_log "no free AMQP port"; return 1; }
        dist=$(ags_free_port "$dist" "${AGS_PG_PORT:-0}" "$epmd_port" "$amqp") || { ags_log "no free dist port"; return 1; }
        ags_state_set rabbitmq_port "$amqp"
        ags_state_set rabbitmq_dist_port "$dist"
        if (
            ags_rmq_env "$AGS_DIR"
            cd "$r"
            "$rmqbin/rabbitmq-server" -detached </dev/null >>"$r/log/startup.log" 2>&1 &&
                ags_wait_node_registered "$epmd" "$epmd_port" "${node%@*}" "$r/rabbitmq.pid" 60 &&
                timeout 150 "$rmqbin/rabbitmqctl" -q -n "$node" await_startup --timeout 120 </dev/null >>"$r/log/startup.log" 2>&1
        ) && ags_wait_port "$amqp" 10; then
            AGS_RMQ_PORT=$amqp
            ags_log "rabbitmq up on 127.0.0.1:$amqp (node $node, epmd $epmd_port) in $(ags_secs_since "$t0")"
            return 0
        fi
        ags_log "rabbitmq did not start on port $amqp (attempt $attempt)"
        ags_stop_rabbitmq_node "$AGS_DIR"
        # A half-started VM holds the node name. Only RabbitMQ's processes: PostgreSQL, started before, carries the
        # same directory marker and must live on.
        ags_kill_marked "$AGS_DIR" "$(ags_state_get "$AGS_DIR" epmd_pid)" rabbitmq
        amqp=$((amqp + 1)) dist=$((dist + 1))
    done
    tail -n 30 "$r/log/startup.log" >&2 || true
    tail -n 30 "$r/log/$node.log" >&2 2>/dev/null || true
    return 1
}

# Creates the temp dir (AGS_DIR, set at once so a caller's trap can always clean up) and starts both servers.
ags_start() {
    AGS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/accountgrains-test.XXXXXX") || return 1
    chmod 711 "$AGS_DIR" # the postgres user must reach $AGS_DIR/pg
    : >"$AGS_DIR/state"
    ags_start_postgres || return 1
    ags_start_rabbitmq || return 1
}

ags_print_exports() { # DIR
    local pg rmq node
    pg=$(ags_state_get "$1" pg_port)
    rmq=$(ags_state_get "$1" rabbitmq_port)
    node=$(ags_state_get "$1" rabbitmq_node)
    printf "export ACCOUNTGRAINS_TEST_DIR='%s'\n" "$1"
    printf "export ACCOUNTGRAINS_TEST_POSTGRES='Host=127.0.0.1;Port=%s;Username=postgres;Database=accountgrains_test'\n" "$pg"
    printf "export ACCOUNTGRAINS_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:%s/'\n" "$rmq"
    printf "export ACCOUNTGRAINS_TEST_RABBITMQ_NODE='%s'\n" "$node"
    printf "# psql -h 127.0.0.1 -p %s -U postgres accountgrains_test\n" "$pg"
    printf "# %s rabbitmqctl status\n" "$AGS_SCRIPT"
    printf "# %s stop '%s'\n" "$AGS_SCRIPT" "$1"
}

ags_export_env() { # DIR: export the same variables into this shell
    eval "$(ags_print_exports "$1" | grep '^export ')"
}

# ---------------------------------------------------------------------------------------------------------------
# stop

ags_wait_gone() { # SECONDS PID...
    local deadline=$(($(ags_now_us) + $1 * 1000000)) p alive
    shift
    while :; do
        alive=0
        for p in "$@"; do ags_pid_alive "$p" && alive=1; done
        ((alive == 0)) && return 0
        (($(ags_now_us) < deadline)) || return 1
        sleep 0.1
    done
}

# Processes started for DIR: everything we launch carries AGS_SERVERS_DIR=DIR in its environment (postgres and
# beam inherit it), so a run interrupted half-way still leaves nothing behind.
ags_marked_pids() { # DIR
    local e p
    while IFS= read -r e; do
        p=${e#/proc/}
        p=${p%/environ}
        [[ $p == "$$" || $p == "$BASHPID" ]] || printf '%s\n' "$p"
    done < <(grep -lszxF "AGS_SERVERS_DIR=$1" /proc/[0-9]*/environ || true)
}

ags_kill_marked() { # DIR [PID to spare] [ROLE: only processes also marked AGS_SERVERS_ROLE=ROLE]
    local pids=() p keep=()
    mapfile -t pids < <(ags_marked_pids "$1")
    for p in "${pids[@]}"; do
        [[ $p == "${2:-}" ]] && continue
        [[ -z ${3:-} ]] || grep -qszxF "AGS_SERVERS_ROLE=$3" "/proc/$p/environ" || continue
        keep+=("$p")
    done
    ((${#keep[@]} > 0)) || return 0
    ags_log "killing leftover processes: ${keep[*]}"
    kill -KILL "${keep[@]}" 2>/dev/null || true
    ags_wait_gone 5 "${keep[@]}" || true
}

ags_stop_rabbitmq_node() { # DIR
    local pid
    pid=$(cat "$1/rabbitmq/rabbitmq.pid" 2>/dev/null || true)
    if ags_pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true # the VM shuts RabbitMQ down cleanly on SIGTERM
        ags_wait_gone 20 "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$1/rabbitmq/rabbitmq.pid"
}

ags_stop() { # DIR
    local dir=${1:-} pgbin pgdata epmd_pid t0
    t0=$(ags_now_us)
    [[ -n $dir ]] || { ags_log "stop: which dir? (scripts/test-servers.sh stop DIR)"; return 1; }
    dir=${dir%/}
    if [[ ! -d $dir ]]; then ags_log "stop: $dir is gone already"; return 0; fi
    if [[ $(basename "$dir") != accountgrains-test.* || ! -e $dir/state ]]; then
        ags_log "stop: $dir is not a test-servers dir; leaving it alone"
        return 1
    fi
    pgbin=$(ags_state_get "$dir" pg_bin)
    pgdata=$(ags_state_get "$dir" pg_data)
    if [[ -n $pgbin && -f $pgdata/postmaster.pid ]]; then
        (cd "$dir/pg" && ags_as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w -t 30 stop) >/dev/null 2>&1 || true
    fi
    ags_stop_rabbitmq_node "$dir"
    epmd_pid=$(ags_state_get "$dir" epmd_pid)
    if ags_pid_alive "$epmd_pid"; then
        kill -TERM "$epmd_pid" 2>/dev/null || true
        ags_wait_gone 5 "$epmd_pid" || kill -KILL "$epmd_pid" 2>/dev/null || true
    fi
    ags_kill_marked "$dir"
    rm -rf "$dir"
    ags_log "stopped and removed $dir in $(ags_secs_since "$t0")"
}

# ---------------------------------------------------------------------------------------------------------------
# restart (for tests of what survives a server restart; the data stays)

# Stops the RabbitMQ application on the node (every client connection is closed, durable queues and persistent
# messages stay on disk), waits SECONDS, starts it again and waits until it accepts AMQP connections.
ags_restart_rabbitmq() { # DIR [SECONDS]
    local dir=$1 down=${2:-0} rmqbin node port t0
    t0=$(ags_now_us)
    rmqbin=$(ags_rmq_bindir) || { ags_log "no RabbitMQ found"; return 1; }
    node=$(ags_state_get "$dir" rabbitmq_node)
    port=$(ags_state_get "$dir" rabbitmq_port)
    [[ -n $node && -n $port ]] || { ags_log "restart-rabbitmq: $dir has no RabbitMQ node"; return 1; }
    (ags_rmq_env "$dir" && timeout 60 "$rmqbin/rabbitmqctl" -q -n "$node" stop_app </dev/null >/dev/null) || return 1
    sleep "$down"
    (ags_rmq_env "$dir" && timeout 60 "$rmqbin/rabbitmqctl" -q -n "$node" start_app </dev/null >/dev/null &&
        timeout 90 "$rmqbin/rabbitmqctl" -q -n "$node" await_startup --timeout 60 </dev/null >/dev/null) || return 1
    ags_wait_port "$port" 30 || { ags_log "rabbitmq did not reopen port $port"; return 1; }
    ags_log "rabbitmq restarted (down ${down}s) in $(ags_secs_since "$t0")"
}

# Fast shutdown of PostgreSQL (sessions are cut, committed data stays), waits SECONDS, starts it on the same port.
ags_restart_postgres() { # DIR [SECONDS]
    local dir=$1 down=${2:-0} pgbin pgdata port t0
    t0=$(ags_now_us)
    pgbin=$(ags_state_get "$dir" pg_bin)
    pgdata=$(ags_state_get "$dir" pg_data)
    port=$(ags_state_get "$dir" pg_port)
    [[ -n $pgbin && -n $pgdata && -n $port ]] || { ags_log "restart-postgres: $dir has no PostgreSQL"; return 1; }
    (cd "$dir/pg" && ags_as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w -t 30 stop) >/dev/null 2>&1 || return 1
    sleep "$down"
    (cd "$dir/pg" && ags_as_pg env AGS_SERVERS_DIR="$dir" "$pgbin/pg_ctl" -D "$pgdata" -l "$dir/pg/postgres.log" -w -t 60 -o "-p $port" start) \
        >/dev/null 2>&1 || { tail -n 20 "$dir/pg/postgres.log" >&2; return 1; }
    ags_log "postgres restarted on port $port (down ${down}s) in $(ags_secs_since "$t0")"
}

# ---------------------------------------------------------------------------------------------------------------
# command line (only when executed, not when sourced)

AGS_SCRIPT=${AGS_SCRIPT:-scripts/test-servers.sh}

ags_main() {
    set -euo pipefail
    AGS_SCRIPT=$0
    local cmd=${1:-}
    shift || true
    case $cmd in
    install) ags_install ;;
    start)
        AGS_DIR="" AGS_STARTED=0
        trap '((AGS_STARTED)) || [[ -z $AGS_DIR ]] || ags_stop "$AGS_DIR"' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        ags_install >&2
        ags_start >&2
        AGS_STARTED=1
        ags_print_exports "$AGS_DIR"
        ;;
    stop) ags_stop "${1:-${ACCOUNTGRAINS_TEST_DIR:-}}" ;;
    restart-rabbitmq | restart-postgres)
        local dir=${ACCOUNTGRAINS_TEST_DIR:-}
        [[ -n $dir && -e $dir/state ]] || { ags_log "export the lines from 'start' first (ACCOUNTGRAINS_TEST_DIR)"; exit 1; }
        [[ ${1:-0} =~ ^[0-9]+([.][0-9]+)?$ ]] || { ags_log "$cmd [SECONDS]: seconds to stay down, e.g. 2 or 0.5"; exit 2; }
        if [[ $cmd == restart-rabbitmq ]]; then ags_restart_rabbitmq "$dir" "${1:-0}"; else ags_restart_postgres "$dir" "${1:-0}"; fi
        ;;
    rabbitmqctl)
        local dir=${ACCOUNTGRAINS_TEST_DIR:-}
        [[ -n $dir && -e $dir/state ]] || { ags_log "export the lines from 'start' first (ACCOUNTGRAINS_TEST_DIR)"; exit 1; }
        local rmqbin node
        rmqbin=$(ags_rmq_bindir)
        node=$(ags_state_get "$dir" rabbitmq_node)
        ags_rmq_env "$dir"
        exec "$rmqbin/rabbitmqctl" -n "$node" "$@"
        ;;
    *)
        sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    ags_main "$@"
fi
