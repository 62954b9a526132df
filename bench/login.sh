#!/bin/sh
# login.sh - benchmark sfemu logins: SOAP login() then the OAuth password grant.
#
# Usage: bench/login.sh BUILD   (scripts/bench-all builds BUILD/bench/bench_login)
# BENCH_SECONDS (default 10) sets how long each mode runs. Prints a table and
# one JSON line per figure; never judges the figures. Exits non-zero only if
# the run itself broke (sfemu did not start or stop cleanly, or no login
# succeeded).
set -eu

BUILD=${1:?usage: bench/login.sh BUILD}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
SFEMU=$BUILD/sfemu
CLIENT=$BUILD/bench/bench_login
ORG=$top/bench/login-org.json
SECS=${BENCH_SECONDS:-10}
THREADS=4
EMU_THREADS=4

for f in "$SFEMU" "$CLIENT"; do
	[ -x "$f" ] || { echo "login.sh: '$f' is missing: build it first" >&2; exit 1; }
done

tmp=$(mktemp -d)
emu_pid=""
status=0

# stop_emu: SIGTERM, then up to 10 s for a clean exit (status 0).
stop_emu() {
	[ -n "$emu_pid" ] || return 0
	kill -TERM "$emu_pid" 2>/dev/null || true
	i=0
	while kill -0 "$emu_pid" 2>/dev/null && [ $i -lt 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if kill -0 "$emu_pid" 2>/dev/null; then
		echo "login.sh: sfemu ignored SIGTERM for 10 s: killing it" >&2
		kill -KILL "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
		status=1
	elif ! wait "$emu_pid"; then
		echo "login.sh: sfemu exited non-zero on SIGTERM; its log ends:" >&2
		tail -20 "$tmp/emu.log" >&2
		status=1
	fi
	emu_pid=""
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_emu
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Secrets go to files only readable by us; never onto a command line.
user=$(jq -r '.users[0].username' "$ORG")
client_id=$(jq -r '.apps[0].consumerKey' "$ORG")
(
	umask 077
	jq -r '.users[0].password + .users[0].securityToken' "$ORG" >"$tmp/password"
	jq -r '.apps[0].consumerSecret' "$ORG" >"$tmp/client-secret"
)

"$SFEMU" --listen 127.0.0.1:0 --org "$ORG" --ready-file "$tmp/ready" \
	--threads "$EMU_THREADS" >"$tmp/emu.out" 2>"$tmp/emu.log" &
emu_pid=$!
i=0
while [ ! -s "$tmp/ready" ]; do
	if ! kill -0 "$emu_pid" 2>/dev/null; then
		echo "login.sh: sfemu did not start; its log:" >&2
		cat "$tmp/emu.log" >&2
		emu_pid=""
		exit 1
	fi
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "login.sh: sfemu not ready within 10 s" >&2; exit 1; }
	sleep 0.05
done
url=$(cat "$tmp/ready")

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "== login: sfemu ($EMU_THREADS HTTP threads) and bench_login ($THREADS threads)" \
	"share one machine: $cores cores${cpu:+, $cpu}; ${SECS} s per mode"

bench_login_run() {
	"$CLIENT" --url "$url" --user "$user" --password-file "$tmp/password" \
		--threads "$THREADS" --seconds "$SECS" --server-pid "$emu_pid" "$@" ||
		{ echo "login.sh: bench_login $* failed; sfemu's log ends:" >&2
		  tail -5 "$tmp/emu.log" >&2
		  status=1; }
}
bench_login_run --mode soap
bench_login_run --mode oauth --client-id "$client_id" \
	--client-secret-file "$tmp/client-secret"

stop_emu
exit $status
