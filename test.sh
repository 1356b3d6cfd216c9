#!/usr/bin/env bash
# The test command: installs what is missing, starts a throwaway PostgreSQL and RabbitMQ, runs every test of
# AccountGrains.sln against them, and always stops them again. Extra arguments go to `dotnet test`:
#   ./test.sh                                   everything
#   ./test.sh --filter FullyQualifiedName~Lease  a subset
#   ACCOUNTGRAINS_TEST_NO_SERVERS=1 ./test.sh   no servers (tests that need them skip or fail)
# With servers already started by `eval "$(scripts/test-servers.sh start)"`, those are used and left running.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=scripts/test-servers.sh
source scripts/test-servers.sh
AGS_SCRIPT=scripts/test-servers.sh

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RUN_START=$(ags_now_us)
AGS_DIR=""    # servers started by this run, stopped on exit
TEST_LOG=""

phase() { printf '==> %s\n' "$*"; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $AGS_DIR ]]; then
        local t0
        t0=$(ags_now_us)
        ags_stop "$AGS_DIR" || true
        phase "stop servers: $(ags_secs_since "$t0")"
    fi
    [[ -z $TEST_LOG ]] || rm -f "$TEST_LOG"
    phase "done in $(ags_secs_since "$RUN_START"), exit code $rc"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools ------------------------------------------------------------------------------------------------------
missing_tool=0
command -v dotnet >/dev/null 2>&1 ||
    { echo "dotnet not found: install the .NET SDK 10 (https://learn.microsoft.com/dotnet/core/install/linux-debian)"; missing_tool=1; }
{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } ||
    { echo "node/npm not found: install Node.js 20 with npm"; missing_tool=1; }
((missing_tool == 0)) || exit 1

servers=1
[[ ${ACCOUNTGRAINS_TEST_NO_SERVERS:-0} == 1 ]] && servers=0
reuse=0
if ((servers)) && [[ -n ${ACCOUNTGRAINS_TEST_DIR:-} && -e ${ACCOUNTGRAINS_TEST_DIR}/state &&
    -n ${ACCOUNTGRAINS_TEST_POSTGRES:-} && -n ${ACCOUNTGRAINS_TEST_RABBITMQ:-} ]]; then
    reuse=1
fi

# --- system packages ----------------------------------------------------------------------------------------------
if ((servers && !reuse)); then
    t0=$(ags_now_us)
    ags_install
    phase "install: $(ags_secs_since "$t0")"
fi

# --- npm ------------------------------------------------------------------------------------------------------------
t0=$(ags_now_us)
npm_dirs=0
roots=()
for d in tests bench; do [[ -d $d ]] && roots+=("$d"); done
if ((${#roots[@]} > 0)); then
    while IFS= read -r -d '' pj; do
        dir=$(dirname "$pj")
        lock=""
        for f in package-lock.json npm-shrinkwrap.json; do [[ -f $dir/$f ]] && lock=$dir/$f && break; done
        if [[ ! -d $dir/node_modules || ${lock:-$pj} -nt $dir/node_modules ]]; then
            if [[ -n $lock ]]; then
                echo "npm ci in $dir"
                (cd "$dir" && npm ci --no-audit --no-fund)
            else
                echo "npm install in $dir (no lock file)"
                (cd "$dir" && npm install --no-audit --no-fund)
            fi
            mkdir -p "$dir/node_modules" && touch "$dir/node_modules"
            npm_dirs=$((npm_dirs + 1))
        fi
    done < <(find "${roots[@]}" -name node_modules -prune -o -name package.json -type f -print0)
fi
phase "npm: $npm_dirs folder(s) installed, $(ags_secs_since "$t0")"

# --- servers ----------------------------------------------------------------------------------------------------------
if ((reuse)); then
    phase "servers: reusing $ACCOUNTGRAINS_TEST_DIR (left running)"
elif ((servers)); then
    t0=$(ags_now_us)
    ags_start
    ags_export_env "$AGS_DIR"
    phase "servers: $(ags_secs_since "$t0") (postgres 127.0.0.1:$AGS_PG_PORT, rabbitmq 127.0.0.1:$AGS_RMQ_PORT)"
else
    phase "servers: skipped (ACCOUNTGRAINS_TEST_NO_SERVERS=1)"
fi

# --- tests ------------------------------------------------------------------------------------------------------------
t0=$(ags_now_us)
TEST_LOG=$(mktemp "${TMPDIR:-/tmp}/accountgrains-test-log.XXXXXX")
# The cluster tests run on their own, after everything else: each starts several silo and gateway processes on the
# machine's cores, and some restart the servers that the other tests use.
CLUSTER_TESTS=tests/AccountGrains.Cluster.Tests/AccountGrains.Cluster.Tests.csproj
phase "dotnet test AccountGrains.sln -c Release -p:AccountGrainsClusterTests=skip${*:+ $(printf '%q ' "$@")}"
set +e
dotnet test AccountGrains.sln -c Release -p:AccountGrainsClusterTests=skip --logger "console;verbosity=normal" "$@" 2>&1 | tee "$TEST_LOG"
rc=${PIPESTATUS[0]}
phase "dotnet test $CLUSTER_TESTS -c Release${*:+ $(printf '%q ' "$@")}"
dotnet test "$CLUSTER_TESTS" -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee -a "$TEST_LOG"
cluster_rc=${PIPESTATUS[0]}
((rc != 0)) || rc=$cluster_rc
set -e

# One plain closing line for the whole solution, summed over the per-project summaries: VSTest prints a block
# ("Total tests: 12" / "Passed: 12" / "Failed: 1" / "Skipped: 1") at normal verbosity, one line
# ("Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12") at minimal.
tr -d '\r' <"$TEST_LOG" | awk '
    /^Total tests: *[0-9]+/ { block = 1; blocks++; next }
    block && /^ *(Passed|Failed|Skipped): *[0-9]+ *$/ { split($0, kv, ":"); gsub(/ /, "", kv[1]); b[kv[1]] += kv[2]; next }
    block && /Total time:/ { block = 0 }
    match($0, /Failed: *[0-9]+, Passed: *[0-9]+, Skipped: *[0-9]+, Total/) {
        n = split(substr($0, RSTART, RLENGTH), w, /[^0-9]+/); l["Failed"] += w[2]; l["Passed"] += w[3]; l["Skipped"] += w[4]
    }
    END {
        if (blocks) { p = b["Passed"]; f = b["Failed"]; s = b["Skipped"] } else { p = l["Passed"]; f = l["Failed"]; s = l["Skipped"] }
        printf "tests: %d passed, %d failed, %d skipped\n", p, f, s
    }'
phase "dotnet test: $(ags_secs_since "$t0"), exit code $rc"
exit "$rc"
