#!/bin/sh
# data.sh - benchmark sfemu's data path: sObject Collections inserts, then a paged query.
#
# Usage: bench/data.sh BUILD   (scripts/bench-all builds BUILD/bench/bench_data)
# BENCH_RECORDS (default 1000000) sets how many Accounts are inserted and
# then read back. BENCH_DATA_STORES (default "memory disk") says which
# stores to run, each against a fresh sfemu: "memory" is the in-memory org
# (no --data), "disk" keeps it in a temp dir (--data). Prints a table and
# one JSON line per figure, the metrics prefixed with the store; never
# judges the figures. Exits non-zero only if the run itself broke (sfemu did
# not start or stop cleanly, nothing was inserted, or the query broke off).
set -eu

BUILD=${1:?usage: bench/data.sh BUILD}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
SFEMU=$BUILD/sfemu
CLIENT=$BUILD/bench/bench_data
ORG=$top/bench/data-org.json
RECORDS=${BENCH_RECORDS:-1000000}
STORES=${BENCH_DATA_STORES:-memory disk}
THREADS=4
EMU_THREADS=4

for f in "$SFEMU" "$CLIENT"; do
	[ -x "$f" ] || { echo "data.sh: '$f' is missing: build it first" >&2; exit 1; }
done
case $RECORDS in
'' | *[!0-9]*) echo "data.sh: BENCH_RECORDS must be a number, not '$RECORDS'" >&2; exit 2 ;;
esac
for s in $STORES; do
	case $s in
	memory | disk) ;;
	*) echo "data.sh: BENCH_DATA_STORES lists memory and/or disk, not '$s'" >&2; exit 2 ;;
	esac
done

tmp=$(mktemp -d)
emu_pid=""
status=0

# stop_emu: SIGTERM, then up to 30 s for a clean exit (status 0); a big
# on-disk org may take a moment to checkpoint.
stop_emu() {
	[ -n "$emu_pid" ] || return 0
	kill -TERM "$emu_pid" 2>/dev/null || true
	i=0
	while kill -0 "$emu_pid" 2>/dev/null && [ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if kill -0 "$emu_pid" 2>/dev/null; then
		echo "data.sh: sfemu ignored SIGTERM for 30 s: killing it" >&2
		kill -KILL "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
		status=1
	elif ! wait "$emu_pid"; then
		echo "data.sh: sfemu exited non-zero on SIGTERM; its log ends:" >&2
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

# start_emu STORE: a fresh sfemu; sets emu_pid and url.
start_emu() {
	rm -rf "$tmp/data" "$tmp/ready"
	if [ "$1" = disk ]; then
		set -- --data "$tmp/data"
	else
		set --
	fi
	"$SFEMU" --listen 127.0.0.1:0 --org "$ORG" --ready-file "$tmp/ready" \
		--threads "$EMU_THREADS" "$@" >"$tmp/emu.out" 2>"$tmp/emu.log" &
	emu_pid=$!
	i=0
	while [ ! -s "$tmp/ready" ]; do
		if ! kill -0 "$emu_pid" 2>/dev/null; then
			echo "data.sh: sfemu did not start; its log:" >&2
			cat "$tmp/emu.log" >&2
			emu_pid=""
			return 1
		fi
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "data.sh: sfemu not ready within 10 s" >&2; return 1; }
		sleep 0.05
	done
	url=$(cat "$tmp/ready")
}

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "== data: sfemu ($EMU_THREADS HTTP threads) and bench_data ($THREADS insert" \
	"threads, 1 query cursor) share one machine: $cores cores${cpu:+, $cpu};" \
	"load average $load before the run; $RECORDS records; stores: $STORES"

for store in $STORES; do
	start_emu "$store" || exit 1
	"$CLIENT" --url "$url" --user "$user" --password-file "$tmp/password" \
		--client-id "$client_id" --client-secret-file "$tmp/client-secret" \
		--records "$RECORDS" --threads "$THREADS" --server-pid "$emu_pid" \
		--label "$store" ||
		{ echo "data.sh: bench_data ($store) failed; sfemu's log ends:" >&2
		  tail -5 "$tmp/emu.log" >&2
		  status=1; }
	stop_emu
	if [ "$store" = disk ] && [ -d "$tmp/data" ]; then
		# Once sfemu has checkpointed its WAL: one more figure, in the
		# client's form.
		bytes=$(du -sb "$tmp/data" | cut -f1)
		printf '{"bench": "data", "metric": "disk_store_bytes", "value": %s, "unit": "bytes"}\n' "$bytes"
	fi
done
exit $status
