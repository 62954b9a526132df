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

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
CLIENT=$BUILD/bench/bench_query
ORG=$top/bench/query-org.json
ROWS=${BENCH_ROWS:-1000000}
SEED_THREADS=4
EMU_THREADS=4
EMU_STOP_SECS=30

need_exec "$SFEMU"
need_count BENCH_ROWS "$ROWS"

bench_setup
start_emu --threads "$EMU_THREADS" || exit 1

machine_info
echo "== query: sfemu ($EMU_THREADS HTTP threads, in-memory org) and one client" \
	"at a time share one machine: $cores cores${cpu:+, $cpu}; load average" \
	"$load before the run; $ROWS rows, pages of 2,000"

set -- --url "$url" --user "$user" --password-file "$tmp/password" \
	--client-id "$client_id" --client-secret-file "$tmp/client-secret" \
	--rows "$ROWS"
"$CLIENT" --mode seed --threads "$SEED_THREADS" "$@" ||
	{ emu_failed "seeding failed"; exit 1; }

if ! "$CLIENT" --mode query "$@" >"$tmp/libsf.out"; then
	emu_failed "bench_query --mode query failed"
	status=1
fi
grep -v '^{"bench"' "$tmp/libsf.out" || true

jsforce=$top/tests/conformance/node_modules/jsforce
if [ ! -d "$jsforce" ] || ! command -v node >/dev/null 2>&1; then
	echo "jsforce: not run (needs node and $jsforce: scripts/deps installs them)"
	: >"$tmp/jsforce.out"
elif ! node "$top/bench/jsforce_query.js" "$@" >"$tmp/jsforce.out"; then
	emu_failed "jsforce_query.js failed"
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
