#!/bin/sh
# login.sh - benchmark sfemu logins: SOAP login() then the OAuth password grant.
#
# Usage: bench/login.sh BUILD   (scripts/bench-all builds BUILD/bench/bench_login)
# BENCH_SECONDS (default 10) sets how long each mode runs. Prints a table and
# one JSON line per figure; never judges the figures. Exits non-zero only if
# the run itself broke (sfemu did not start or stop cleanly, or no login
# succeeded).
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
CLIENT=$BUILD/bench/bench_login
ORG=$top/bench/login-org.json
SECS=${BENCH_SECONDS:-10}
THREADS=4
EMU_THREADS=4
EMU_STOP_SECS=10

need_exec "$SFEMU" "$CLIENT"

bench_setup
start_emu --threads "$EMU_THREADS" || exit 1

machine_info
echo "== login: sfemu ($EMU_THREADS HTTP threads) and bench_login ($THREADS threads)" \
	"share one machine: $cores cores${cpu:+, $cpu}; ${SECS} s per mode"

bench_login_run() {
	"$CLIENT" --url "$url" --user "$user" --password-file "$tmp/password" \
		--threads "$THREADS" --seconds "$SECS" --server-pid "$emu_pid" "$@" ||
		{ emu_failed "bench_login $* failed"; status=1; }
}
bench_login_run --mode soap
bench_login_run --mode oauth --client-id "$client_id" \
	--client-secret-file "$tmp/client-secret"

stop_emu
exit $status
