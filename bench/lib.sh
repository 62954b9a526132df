# lib.sh - what the bench/*.sh runners share: checks, secrets, sfemu's and sfbridge's start and stop.
#
# Sourced first by each runner, never run itself (scripts/bench-all skips
# it). From the runner's BUILD argument it sets BUILD (absolute), SFEMU,
# SFBRIDGE and top (the repository). The runner then sets ORG and
# EMU_STOP_SECS (how long sfemu may take to exit on SIGTERM), and calls
# bench_setup before start_emu (and start_bridge). Messages start with the runner's name ("login.sh: ...").
# shellcheck shell=sh disable=SC2034 # the runners read what it sets

me=${0##*/}
BUILD=${1:?usage: bench/$me BUILD}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
SFEMU=$BUILD/sfemu
SFBRIDGE=$BUILD/sfbridge

# need_exec FILE...: exits 1 unless every FILE is an executable.
need_exec() {
	for f in "$@"; do
		[ -x "$f" ] || { echo "$me: '$f' is missing: build it first" >&2; exit 1; }
	done
}

# need_count NAME VALUE: exits 2 unless VALUE (of variable NAME) is a number.
need_count() {
	case $2 in
	'' | *[!0-9]*) echo "$me: $1 must be a number, not '$2'" >&2; exit 2 ;;
	esac
}

# bench_setup: a temp dir $tmp, removed on exit once sfemu is stopped;
# status=0; user and client_id from ORG's first user and app, whose secrets
# go to $tmp/password (password + security token) and $tmp/client-secret.
bench_setup() {
	tmp=$(mktemp -d)
	emu_pid=""
	bridge_pid=""
	status=0
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
}

# await_ready PID READY LOG NAME: waits for NAME (PID) to write its ready
# file READY; returns 1 (LOG on stderr) if it exits first or is not ready
# within 10 s.
await_ready() {
	i=0
	while [ ! -s "$2" ]; do
		if ! kill -0 "$1" 2>/dev/null; then
			echo "$me: $4 did not start; its log:" >&2
			cat "$3" >&2
			return 1
		fi
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "$me: $4 not ready within 10 s" >&2; return 1; }
		sleep 0.05
	done
}

# stop_server PID SECS LOG NAME: SIGTERM, then up to SECS for a clean exit
# (status 0); anything else sets status=1.
stop_server() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $(($2 * 20)) ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "$me: $4 ignored SIGTERM for $2 s: killing it" >&2
		kill -KILL "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
		status=1
	elif ! wait "$1"; then
		echo "$me: $4 exited non-zero on SIGTERM; its log ends:" >&2
		tail -20 "$3" >&2
		status=1
	fi
}

# start_emu SFEMU_OPTION...: a fresh sfemu on a free port; sets emu_pid and
# url. Returns 1 (its log on stderr) if it is not ready within 10 s.
start_emu() {
	rm -f "$tmp/ready"
	"$SFEMU" --listen 127.0.0.1:0 --org "$ORG" --ready-file "$tmp/ready" \
		"$@" >"$tmp/emu.out" 2>"$tmp/emu.log" &
	emu_pid=$!
	await_ready "$emu_pid" "$tmp/ready" "$tmp/emu.log" sfemu || return 1
	url=$(cat "$tmp/ready")
}

# stop_emu: stops sfemu, allowing it EMU_STOP_SECS (see stop_server).
stop_emu() {
	stop_server "$emu_pid" "$EMU_STOP_SECS" "$tmp/emu.log" sfemu
	emu_pid=""
}

# start_bridge SERVE_OPTION...: `sfbridge serve` on a free port with its
# data dir in $tmp/bridge; sets bridge_pid and bridge_url, its log in
# $tmp/bridge.log. Returns 1 (the log on stderr) if it is not ready in 10 s.
start_bridge() {
	rm -f "$tmp/bridge.ready"
	"$SFBRIDGE" serve --listen 127.0.0.1:0 --data "$tmp/bridge" \
		--ready-file "$tmp/bridge.ready" "$@" \
		>"$tmp/bridge.out" 2>"$tmp/bridge.log" &
	bridge_pid=$!
	await_ready "$bridge_pid" "$tmp/bridge.ready" "$tmp/bridge.log" sfbridge || return 1
	bridge_url=$(cat "$tmp/bridge.ready")
}

# stop_bridge: stops sfbridge; requests in flight may take it 10 s to drain.
stop_bridge() {
	stop_server "$bridge_pid" 15 "$tmp/bridge.log" sfbridge
	bridge_pid=""
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_bridge
	stop_emu
	rm -rf "$tmp"
}

# emu_failed WHAT: says WHAT failed, then the end of sfemu's log.
emu_failed() {
	echo "$me: $1; sfemu's log ends:" >&2
	tail -5 "$tmp/emu.log" >&2
}

# machine_info: sets cores, cpu and load, for the runner's heading.
machine_info() {
	cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
	load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
}
