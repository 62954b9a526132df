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

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
CLIENT=$BUILD/bench/bench_data
ORG=$top/bench/data-org.json
RECORDS=${BENCH_RECORDS:-1000000}
STORES=${BENCH_DATA_STORES:-memory disk}
THREADS=4
EMU_THREADS=4
# A big on-disk org may take a moment to checkpoint when it stops.
EMU_STOP_SECS=30

need_exec "$SFEMU" "$CLIENT"
need_count BENCH_RECORDS "$RECORDS"
for s in $STORES; do
	case $s in
	memory | disk) ;;
	*) echo "$me: BENCH_DATA_STORES lists memory and/or disk, not '$s'" >&2; exit 2 ;;
	esac
done

bench_setup

# start_store STORE: a fresh sfemu for STORE; sets emu_pid and url.
start_store() {
	rm -rf "$tmp/data"
	if [ "$1" = disk ]; then
		start_emu --threads "$EMU_THREADS" --data "$tmp/data"
	else
		start_emu --threads "$EMU_THREADS"
	fi
}

machine_info
echo "== data: sfemu ($EMU_THREADS HTTP threads) and bench_data ($THREADS insert" \
	"threads, 1 query cursor) share one machine: $cores cores${cpu:+, $cpu};" \
	"load average $load before the run; $RECORDS records; stores: $STORES"

for store in $STORES; do
	start_store "$store" || exit 1
	"$CLIENT" --url "$url" --user "$user" --password-file "$tmp/password" \
		--client-id "$client_id" --client-secret-file "$tmp/client-secret" \
		--records "$RECORDS" --threads "$THREADS" --server-pid "$emu_pid" \
		--label "$store" ||
		{ emu_failed "bench_data ($store) failed"; status=1; }
	stop_emu
	if [ "$store" = disk ] && [ -d "$tmp/data" ]; then
		# Once sfemu has checkpointed its WAL: one more figure, in the
		# client's form.
		bytes=$(du -sb "$tmp/data" | cut -f1)
		printf '{"bench": "data", "metric": "disk_store_bytes", "value": %s, "unit": "bytes"}\n' "$bytes"
	fi
done
exit $status
