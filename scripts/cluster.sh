#!/usr/bin/env bash
# A cluster on this machine: throwaway PostgreSQL and RabbitMQ (scripts/test-servers.sh), silos and gateways as
# background processes, each with its own working directory, log and pid file under the run dir.
#
#   scripts/cluster.sh start [--silos 3] [--gateways 2] [--replay FILE] [--rate N] [--no-loop] [--partitions 64]
#                            [--no-build] [--dry-run]
#   scripts/cluster.sh status                  # members, leases, processes
#   scripts/cluster.sh kill silo-2             # SIGKILL: a crash, nothing cleaned up
#   scripts/cluster.sh stop silo-2             # SIGTERM: graceful stop of one member
#   scripts/cluster.sh add silo|gateway        # one more member (the next id; ids are never reused)
#   scripts/cluster.sh logs silo-1             # tail -f its log
#   scripts/cluster.sh stop                    # graceful stop of every member, then the servers
#
# The run dir is $ACCOUNTGRAINS_CLUSTER_DIR (default .cluster/ in the repository). Gateways listen on 127.0.0.1:8080,
# :8081, ... Every process carries ACCOUNTGRAINS_CLUSTER_RUN=<run dir> in its environment.

set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=scripts/test-servers.sh
source "$ROOT/scripts/test-servers.sh"
AGS_SCRIPT=$ROOT/scripts/test-servers.sh
RUN=${ACCOUNTGRAINS_CLUSTER_DIR:-$ROOT/.cluster}
CONFIGURATION=Release
FIRST_GATEWAY_PORT=8080
TIMESTAMP_FORMAT="HH:mm:ss.fff " # in front of every log line
START_TIMEOUT=${ACCOUNTGRAINS_CLUSTER_START_TIMEOUT:-90} # seconds a member may take to become ready

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit "${1:-2}"
}

# --- run state: KEY=VALUE lines in $RUN/state (never sourced) ------------------------------------------------------

state_get() { [[ -r $RUN/state ]] && awk -v k="$1" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2) } END { if (v != "") print v }' "$RUN/state"; }
state_set() { printf '%s=%s\n' "$1" "$2" >>"$RUN/state"; }

pid_of() { cat "$RUN/$1/pid" 2>/dev/null || true; }

alive() { ags_pid_alive "$(pid_of "$1")"; }

members() { # every member started in this run, in start order
    [[ -r $RUN/members ]] && cat "$RUN/members"
}

psql_run() { # SQL
    local pgbin port
    pgbin=$(ags_state_get "$(state_get servers_dir)" pg_bin)
    port=$(ags_state_get "$(state_get servers_dir)" pg_port)
    "$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d accountgrains_test -v ON_ERROR_STOP=1 "$@"
}

# --- the processes -----------------------------------------------------------------------------------------------------

host_dll() { # silo|gateway
    local project=Silo
    [[ $1 == gateway ]] && project=Gateway
    printf '%s/src/%s/bin/%s/net10.0/AccountGrains.%s.dll' "$ROOT" "$project" "$CONFIGURATION" "$project"
}

# The environment of one member: the configuration contract of README "Cluster mode".
member_env() { # KIND ID
    local kind=$1 id=$2 servers_dir pg rmq
    servers_dir=$(state_get servers_dir)
    pg="Host=127.0.0.1;Port=$(ags_state_get "$servers_dir" pg_port);Username=postgres;Database=accountgrains_test"
    rmq="amqp://guest:guest@127.0.0.1:$(ags_state_get "$servers_dir" rabbitmq_port)/"
    cat <<EOF
ACCOUNTGRAINS_CLUSTER_RUN=$RUN
DOTNET_CONTENTROOT=$(dirname "$(host_dll "$kind")")
DOTNET_NOLOGO=1
AccountGrains__Cluster__Enabled=true
AccountGrains__Cluster__MemberId=$id
AccountGrains__Cluster__PartitionCount=$(state_get partitions)
AccountGrains__Runtime__PartitionCount=$(state_get partitions)
AccountGrains__Storage__Provider=Postgres
AccountGrains__Storage__ConnectionString=$pg
AccountGrains__RabbitMq__Uri=$rmq
AccountGrains__RabbitMq__Prefix=$(state_get prefix)
AccountGrains__RabbitMq__ConnectionName=$id
AccountGrains__Ingest__Source=replay
AccountGrains__Ingest__Replay__Path=$(state_get replay)
AccountGrains__Ingest__Replay__UpdatesPerSecond=$(state_get rate)
AccountGrains__Ingest__Replay__Loop=$(state_get loop)
Logging__Console__FormatterName=simple
Logging__Console__FormatterOptions__SingleLine=true
Logging__Console__FormatterOptions__TimestampFormat=$TIMESTAMP_FORMAT
EOF
}

start_member() { # KIND ID [PORT]
    local kind=$1 id=$2 port=${3:-} dir=$RUN/$2 args=() envs=()
    mkdir -p "$dir"
    mapfile -t envs < <(member_env "$kind" "$id")
    [[ -n $port ]] && args=(--urls "http://127.0.0.1:$port")
    (
        cd "$dir"
        # env -i: nothing of this shell leaks in (ASPNETCORE_URLS, another AccountGrains__ setting), except the basics.
        exec setsid env -i PATH="$PATH" HOME="${HOME:-/root}" ${DOTNET_ROOT:+DOTNET_ROOT="$DOTNET_ROOT"} "${envs[@]}" \
            dotnet "$(host_dll "$kind")" "${args[@]}" </dev/null >"$dir/$id.log" 2>&1
    ) &
    echo $! >"$dir/pid"
    printf '%s %s %s\n' "$kind" "$id" "$port" >>"$RUN/members"
    log "$id started (pid $!${port:+, http://127.0.0.1:$port}), log $dir/$id.log"
}

wait_ready() { # KIND ID [PORT]
    local kind=$1 id=$2 port=${3:-} deadline=$(($(ags_now_us) + START_TIMEOUT * 1000000))
    while :; do
        alive "$id" || { tail -n 30 "$RUN/$id/$id.log" >&2; die "$id exited during start-up (log above: $RUN/$id/$id.log)"; }
        if [[ $kind == silo ]]; then
            [[ $(psql_run -tA -c "SELECT count(*) FROM cluster_members WHERE member_id = '$id' AND status = 'active'" 2>/dev/null) == 1 ]] && return 0
        elif command -v curl >/dev/null 2>&1; then
            curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz" && return 0
        else
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        fi
        (($(ags_now_us) < deadline)) || die "$id not ready after $START_TIMEOUT s: $RUN/$id/$id.log"
        sleep 0.2
    done
}

next_id() { # KIND -> kind-N, N one past the highest used
    local n=0 k i _
    while read -r k i _; do
        [[ $k == "$1" ]] && ((${i##*-} > n)) && n=${i##*-}
    done < <(members)
    printf '%s-%d\n' "$1" $((n + 1))
}

next_port() {
    local p=$FIRST_GATEWAY_PORT k _i port
    while read -r k _i port; do
        [[ $k == gateway && -n $port ]] && ((port >= p)) && p=$((port + 1))
    done < <(members)
    printf '%d\n' "$p"
}

# --- commands ---------------------------------------------------------------------------------------------------------

cmd_start() {
    local silos=3 gateways=2 replay=$ROOT/samples/replay/sample.jsonl rate=20 loop=true partitions=64 build=1 dry=0 i id port
    while (($#)); do
        case $1 in
        --silos) silos=${2:?}; shift 2 ;;
        --gateways) gateways=${2:?}; shift 2 ;;
        --replay) replay=$(readlink -f "${2:?}"); shift 2 ;;
        --rate) rate=${2:?}; shift 2 ;;
        --no-loop) loop=false; shift ;;
        --partitions) partitions=${2:?}; shift 2 ;;
        --no-build) build=0; shift ;;
        --dry-run) dry=1; shift ;;
        -h | --help) usage 0 ;;
        *) log "unknown option $1"; usage ;;
        esac
    done
    [[ $silos =~ ^[0-9]+$ && $gateways =~ ^[0-9]+$ && $partitions =~ ^[1-9][0-9]*$ ]] || die "--silos, --gateways and --partitions take numbers"
    [[ -f $replay ]] || die "replay file $replay not found"

    if ((dry)); then
        printf 'would start PostgreSQL and RabbitMQ (scripts/test-servers.sh), build src/Silo and src/Gateway (-c %s), then:\n' "$CONFIGURATION"
        for ((i = 1; i <= silos; i++)); do printf '  silo-%d: dotnet %s\n' "$i" "$(host_dll silo)"; done
        for ((i = 1; i <= gateways; i++)); do
            printf '  gateway-%d: dotnet %s --urls http://127.0.0.1:%d\n' "$i" "$(host_dll gateway)" $((FIRST_GATEWAY_PORT + i - 1))
        done
        printf 'run dir %s; replay %s at %s updates/s (loop %s), %d partitions\n' "$RUN" "$replay" "$rate" "$loop" "$partitions"
        return 0
    fi

    if [[ -e $RUN/state ]]; then
        die "a cluster is already set up in $RUN: scripts/cluster.sh status / stop (or ACCOUNTGRAINS_CLUSTER_DIR=another-dir)"
    fi
    for ((i = 0; i < gateways; i++)); do
        ags_port_in_use $((FIRST_GATEWAY_PORT + i)) && die "port $((FIRST_GATEWAY_PORT + i)) is in use (an embedded gateway? another cluster?)"
    done
    rm -rf "$RUN"
    mkdir -p "$RUN"
    : >"$RUN/state"
    : >"$RUN/members"
    state_set partitions "$partitions"
    state_set replay "$replay"
    state_set rate "$rate"
    state_set loop "$loop"
    state_set prefix "cluster."

    # A failed start leaves nothing running.
    trap 'rc=$?; if ((rc != 0)); then log "start failed; stopping what was started"; cmd_stop >/dev/null 2>&1 || true; fi' EXIT

    ags_install >&2
    AGS_DIR=""
    ags_start >&2 || { [[ -n $AGS_DIR ]] && state_set servers_dir "$AGS_DIR"; die "the servers did not start"; }
    state_set servers_dir "$AGS_DIR"
    ags_print_exports "$AGS_DIR" >"$RUN/servers.env"

    if ((build)); then
        log "dotnet build src/Silo and src/Gateway -c $CONFIGURATION"
        dotnet build "$ROOT/src/Silo/AccountGrains.Silo.csproj" -c "$CONFIGURATION" -nologo -v q >&2
        dotnet build "$ROOT/src/Gateway/AccountGrains.Gateway.csproj" -c "$CONFIGURATION" -nologo -v q >&2
    fi
    [[ -f $(host_dll silo) && -f $(host_dll gateway) ]] || die "build the hosts first (dotnet build -c $CONFIGURATION) or drop --no-build"

    for ((i = 1; i <= silos; i++)); do start_member silo "silo-$i"; done
    for ((i = 1; i <= silos; i++)); do wait_ready silo "silo-$i"; done
    for ((i = 1; i <= gateways; i++)); do
        port=$((FIRST_GATEWAY_PORT + i - 1))
        start_member gateway "gateway-$i" "$port"
    done
    for ((i = 1; i <= gateways; i++)); do wait_ready gateway "gateway-$i" $((FIRST_GATEWAY_PORT + i - 1)); done
    trap - EXIT

    printf '\ncluster up: %d silos, %d gateways, %d partitions; run dir %s\n' "$silos" "$gateways" "$partitions" "$RUN"
    local serves
    while read -r _ id port; do
        serves=""
        [[ -z $port ]] || serves="  http://127.0.0.1:$port (/ws, /v1/accounts/<pubkey>, /healthz, /readyz)"
        printf '  %-10s pid %-7s log %s%s\n' "$id" "$(pid_of "$id")" "$RUN/$id/$id.log" "$serves"
    done < <(members)
    printf 'servers: %s\n' "$(grep -E '^# psql' "$RUN/servers.env" | sed 's/^# //')"
    printf 'next: scripts/cluster.sh status | kill silo-2 | stop silo-2 | add silo | logs silo-1 | stop\n'
}

cmd_status() {
    [[ -e $RUN/state ]] || die "no cluster in $RUN (scripts/cluster.sh start)"
    printf 'processes (run dir %s):\n' "$RUN"
    while read -r kind id port; do
        local pid state
        pid=$(pid_of "$id")
        if ags_pid_alive "$pid"; then state=running; else state=gone; fi
        printf '  %-10s %-8s pid %-7s %s\n' "$id" "$state" "$pid" "${port:+http://127.0.0.1:$port}"
    done < <(members)
    printf '\nmembers:\n'
    psql_run -c "SELECT member_id, kind, status, round(extract(epoch FROM clock_timestamp() - heartbeat_at)::numeric, 1) AS heartbeat_age_s, declared_dead_by FROM cluster_members ORDER BY member_id" ||
        log "no membership table yet"
    printf 'partition leases:\n'
    psql_run -c "SELECT coalesce(owner, '(none)') AS owner, count(*) AS partitions, count(*) FILTER (WHERE expires_at < clock_timestamp()) AS expired, min(epoch) AS min_epoch, max(epoch) AS max_epoch FROM partition_leases GROUP BY owner ORDER BY owner" ||
        log "no lease table yet"
    psql_run -tA -c "SELECT 'accounts stored: ' || count(*) FROM accounts" 2>/dev/null || true
}

signal_member() { # SIGNAL ID
    local pid
    grep -q " $2 " <(members | sed 's/$/ /') || die "no member $2 in this run ($(members | awk '{print $2}' | xargs))"
    pid=$(pid_of "$2")
    ags_pid_alive "$pid" || die "$2 (pid $pid) is not running"
    kill "-$1" "$pid"
    printf '%s\n' "$pid"
}

cmd_kill() { # ID
    local pid
    pid=$(signal_member KILL "${1:?which member? e.g. silo-2}")
    ags_wait_gone 10 "$pid" || true
    log "${1} (pid $pid) killed with SIGKILL: its leases stay until they expire"
}

cmd_stop_member() { # ID
    local pid
    pid=$(signal_member TERM "$1")
    ags_wait_gone 40 "$pid" || die "$1 (pid $pid) did not exit within 40 s of SIGTERM"
    log "$1 (pid $pid) stopped gracefully"
}

cmd_stop() {
    local pids=() kind id _ pid servers_dir
    [[ -e $RUN/state ]] || { log "no cluster in $RUN"; return 0; }
    # Gateways first (they serve clients), then silos; all at once within each group.
    for kind in gateway silo; do
        pids=()
        while read -r k id _; do
            [[ $k == "$kind" ]] || continue
            pid=$(pid_of "$id")
            ags_pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
        done < <(members)
        if ((${#pids[@]} > 0)); then
            ags_wait_gone 40 "${pids[@]}" || { log "some ${kind}s did not stop within 40 s; killing them"; kill -KILL "${pids[@]}" 2>/dev/null || true; }
        fi
    done
    # Anything else this run started (found by its marker).
    mapfile -t pids < <(grep -lszxF "ACCOUNTGRAINS_CLUSTER_RUN=$RUN" /proc/[0-9]*/environ 2>/dev/null | sed 's|/proc/||; s|/environ||' || true)
    ((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2>/dev/null || true
    servers_dir=$(state_get servers_dir)
    [[ -z $servers_dir ]] || ags_stop "$servers_dir" || true
    rm -f "$RUN/state"
    log "stopped; logs stay in $RUN"
}

cmd_add() { # silo|gateway
    local kind=${1:-} id port=""
    [[ $kind == silo || $kind == gateway ]] || die "add silo|gateway"
    [[ -e $RUN/state ]] || die "no cluster in $RUN (scripts/cluster.sh start)"
    id=$(next_id "$kind")
    [[ $kind == gateway ]] && port=$(next_port)
    start_member "$kind" "$id" "$port"
    wait_ready "$kind" "$id" "$port"
    log "$id ready"
}

main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
    start) cmd_start "$@" ;;
    status) cmd_status ;;
    kill) cmd_kill "$@" ;;
    stop) if (($#)); then cmd_stop_member "$1"; else cmd_stop; fi ;;
    add) cmd_add "$@" ;;
    logs) [[ -n ${1:-} && -f $RUN/$1/$1.log ]] || die "logs MEMBER (e.g. silo-1)"; exec tail -n 50 -f "$RUN/$1/$1.log" ;;
    -h | --help | help) usage 0 ;;
    *) usage ;;
    esac
}

main "$@"
