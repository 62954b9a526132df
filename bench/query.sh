#!/bin/sh
# query.sh - benchmark a big query through libsf's iterator, beside jsforce doing the same.
#
# Usage: bench/query.sh BUILD   (scripts/bench-all runs it; it builds
# BUILD/bench/bench_query against libsf itself, see bench/bench_query.c)
# BENCH_ROWS (default 1000000) Accounts are seeded into a fresh in-memory
# sfemu through sObject Collections, then read back by one query: first by
# libsf (sf_query_open/sf_query_next, bench_query --mode query), then by
# jsforce (bench/jsforce_query.js, conn.query().autoFetch) when
# tests/conformance/node_modules/jsforce is installed (scripts/deps). Each
# client runs in its own process, so each peak RSS is its own. Prints the
# tables, a side-by-side summary, then one JSON line per figure; never
# judges the figures. Exits non-zero only if the run itself broke.
set -eu

BUILD=${1:?usage: bench/query.sh BUILD}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
SFEMU=$BUILD/sfemu
CLIENT=$BUILD/bench/bench_query
ORG=$top/bench/query-org.json
ROWS=${BENCH_ROWS:-1000000}
SEED_THREADS=4
EMU_THREADS=4

[ -x "$SFEMU" ] || { echo "query.sh: '$SFEMU' is missing: build it first" >&2; exit 1; }
case $ROWS in
'' | *[!0-9]*) echo "query.sh: BENCH_ROWS must be a number, not '$ROWS'" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
emu_pid=""
status=0

# stop_emu: SIGTERM, then up to 30 s for a clean exit (status 0).
stop_emu() {
	[ -n "$emu_pid" ] || return 0
	kill -TERM "$emu_pid" 2>/dev/null || true
	i=0
	while kill -0 "$emu_pid" 2>/dev/null && [ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if kill -0 "$emu_pid" 2>/dev/null; then
		echo "query.sh: sfemu ignored SIGTERM for 30 s: killing it" >&2
		kill -KILL "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
		status=1
	elif ! wait "$emu_pid"; then
		echo "query.sh: sfemu exited non-zero on SIGTERM; its log ends:" >&2
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
		echo "query.sh: sfemu did not start; its log:" >&2
		cat "$tmp/emu.log" >&2
		emu_pid=""
		exit 1
	fi
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "query.sh: sfemu not ready within 10 s" >&2; exit 1; }
	sleep 0.05
done
url=$(cat "$tmp/ready")

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "== query: sfemu ($EMU_THREADS HTTP threads, in-memory org) and one client" \
	"at a time share one machine: $cores cores${cpu:+, $cpu}; load average" \
	"$load before the run; $ROWS rows, pages of 2,000"

set -- --url "$url" --user "$user" --password-file "$tmp/password" \
	--client-id "$client_id" --client-secret-file "$tmp/client-secret" \
	--rows "$ROWS"
"$CLIENT" --mode seed --threads "$SEED_THREADS" "$@" ||
	{ echo "query.sh: seeding failed; sfemu's log ends:" >&2
	  tail -5 "$tmp/emu.log" >&2
	  exit 1; }

if ! "$CLIENT" --mode query "$@" >"$tmp/libsf.out"; then
	echo "query.sh: bench_query --mode query failed; sfemu's log ends:" >&2
	tail -5 "$tmp/emu.log" >&2
	status=1
fi
grep -v '^{"bench"' "$tmp/libsf.out" || true

jsforce=$top/tests/conformance/node_modules/jsforce
if [ ! -d "$jsforce" ] || ! command -v node >/dev/null 2>&1; then
	echo "jsforce: not run (needs node and $jsforce: scripts/deps installs them)"
	: >"$tmp/jsforce.out"
elif ! node "$top/bench/jsforce_query.js" "$@" >"$tmp/jsforce.out"; then
	echo "query.sh: jsforce_query.js failed; sfemu's log ends:" >&2
	tail -5 "$tmp/emu.log" >&2
	status=1
fi
grep -v '^{"bench"' "$tmp/jsforce.out" || true

# figure FILE METRIC: a value from the JSON lines, or "-".
figure() {
	v=$(grep -F "\"metric\": \"$2\"" "$1" 2>/dev/null | sed -n 's/.*"value": *\([^,}]*\).*/\1/p' | head -1)
	[ -n "$v" ] && echo "$v" || echo "-"
	return 0
}
echo "side by side                               libsf      jsforce"
for m in rows_per_sec client_cpu_s rss_at_100000_rows_mib "rss_at_${ROWS}_rows_mib"; do
	printf '  %-36s %10s   %10s\n' "$m" "$(figure "$tmp/libsf.out" "libsf_$m")" \
		"$(figure "$tmp/jsforce.out" "jsforce_$m")"
done
printf '  %-36s %10s   %10s\n' "peak_rss_mib" \
	"$(figure "$tmp/libsf.out" libsf_peak_rss_vmhwm_mib)" \
	"$(figure "$tmp/jsforce.out" jsforce_peak_rss_sampled_mib)"
grep -h '^{"bench"' "$tmp/libsf.out" "$tmp/jsforce.out" || true
a=$(figure "$tmp/libsf.out" libsf_rows_per_sec)
b=$(figure "$tmp/jsforce.out" jsforce_rows_per_sec)
if [ "$a" != - ] && [ "$b" != - ]; then
	printf '{"bench": "query", "metric": "libsf_over_jsforce_rows_per_sec", "value": %s, "unit": "ratio"}\n' \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3g", a / b }')"
fi

stop_emu
exit $status
