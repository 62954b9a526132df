#!/bin/sh
# web.sh - benchmark sfbridge serve with wrk: the menu page and GET /api/v1/integrations.
#
# Usage: bench/web.sh BUILD   (make bench B=web builds BUILD with -O2)
# BENCH_SECONDS (default 10) sets how long wrk loads each endpoint, with
# 2 threads and 64 connections. sfbridge runs with its default 4 request
# threads against sfemu (the scenario org of tests/data/scenarios/valid.json),
# signed in and connected, so the menu renders the connected state. Per
# endpoint it prints requests/s, p50 and p99 latency, the non-2xx count and
# sfbridge's RSS (the highest VmRSS sampled during the load, and VmHWM
# after it). Never judges the figures; exits non-zero when the run broke:
# a server did not start or stop cleanly, the setup failed, or any response
# was not 2xx or any socket error happened.
# wrk comes from Debian: when it is missing, and we are root, this runs
# `apt-get install -y wrk` (after `apt-get update` if that is needed).
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
ORG=$top/tests/data/scenarios/valid.json
SECS=${BENCH_SECONDS:-10}
WRK_THREADS=2
CONNS=64
BRIDGE_THREADS=4
EMU_STOP_SECS=10
ADMIN=bench@example.com

need_exec "$SFEMU" "$SFBRIDGE"
need_count BENCH_SECONDS "$SECS"
if ! command -v wrk >/dev/null 2>&1; then
	echo "$me: wrk is missing: installing Debian's package (apt-get install -y wrk)" >&2
	if [ "$(id -u)" -ne 0 ]; then
		echo "$me: not root: install wrk yourself (apt-get install wrk)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq wrk >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi

bench_setup
# Secrets go to files only we can read: curl reads them with @FILE, wrk
# through bench/web.lua, sfbridge with --password-file.
(
	umask 077
	jq -j '.users[0].password' "$ORG" >"$tmp/sf-password"
	jq -j '.users[0].securityToken' "$ORG" >"$tmp/sf-token"
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$tmp/admin-password"
)
start_emu || exit 1
"$SFBRIDGE" admin create --email "$ADMIN" --password-file "$tmp/admin-password" \
	--data "$tmp/bridge" >/dev/null
token=$("$SFBRIDGE" admin token create --email "$ADMIN" --name bench --data "$tmp/bridge" \
	2>"$tmp/token.err") || { cat "$tmp/token.err" >&2; exit 1; }
(umask 077; printf 'Authorization: Bearer %s\n' "$token" >"$tmp/api.header")
start_bridge --threads "$BRIDGE_THREADS" || exit 1

# web GET|POST PATH [curl args...]: a request with the cookie jar; prints
# the status, the body goes to $tmp/body.
web() {
	w_m=$1
	w_p=$2
	shift 2
	curl -sS -o "$tmp/body" -w '%{http_code}' -X "$w_m" -b "$tmp/jar" -c "$tmp/jar" \
		--max-time 20 "$@" "$bridge_url$w_p"
}
csrf() {
	sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$tmp/body" | head -1
}
# setup_step WHAT GOT WANT: exits 1 (the run broke) unless GOT is WANT.
setup_step() {
	[ "$2" = "$3" ] && return 0
	echo "$me: $1: got '$2', want '$3'" >&2
	exit 1
}

# Sign in, and save the scenario org's credentials through the console form.
web GET /login >/dev/null
setup_step "sign-in" "$(web POST /login --data-urlencode "csrf=$(csrf)" \
	--data-urlencode "email=$ADMIN" --data-urlencode "password@$tmp/admin-password")" 303
session=$(awk '$6 == "sfb_session" { print $7 }' "$tmp/jar")
(umask 077; printf 'Cookie: sfb_session=%s\n' "$session" >"$tmp/menu.header")
web GET /settings/salesforce/credentials >/dev/null
setup_step "save credentials" "$(web POST /settings/salesforce/credentials \
	--data-urlencode "csrf=$(csrf)" -d method=password -d host=url \
	--data-urlencode "login_url=$url" --data-urlencode "username=$user" \
	--data-urlencode "password@$tmp/sf-password" --data-urlencode "token@$tmp/sf-token")" 303
# The exact requests wrk will send: 200, connected, unlocked.
setup_step "menu" "$(curl -sS -o "$tmp/body" -w '%{http_code}' -H "@$tmp/menu.header" \
	"$bridge_url/settings/salesforce")" 200
setup_step "menu shows Connected" "$(grep -c '<strong>Connected</strong>' "$tmp/body")" 1
setup_step "API" "$(curl -sS -o "$tmp/body" -w '%{http_code}' -H "@$tmp/api.header" \
	"$bridge_url/api/v1/integrations")" 200
setup_step "API lists unlocked integrations" \
	"$(jq '[.integrations[] | select(.locked | not)] | length' "$tmp/body")" 5

# rss_kb FIELD: FIELD (VmRSS, VmHWM) of sfbridge's /proc status, in kB.
rss_kb() {
	sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$bridge_pid/status"
}

# wrk's latency ("812.00us", "1.23ms", "2.01s") in ms.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
		printf "%.3f", n
	}'
}

# load NAME PATH HEADER_FILE: wrk against PATH; prints the figures.
load() {
	l_name=$1
	l_log_from=$(($(wc -l <"$tmp/bridge.log") + 1))
	: >"$tmp/rss"
	(
		while :; do
			rss_kb VmRSS >>"$tmp/rss"
			sleep 0.5
		done
	) &
	l_sampler=$!
	l_rc=0
	WRK_HEADER_FILE="$tmp/$3" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --latency \
		-s "$top/bench/web.lua" "$bridge_url$2" >"$tmp/wrk.out" 2>&1 || l_rc=$?
	kill "$l_sampler" 2>/dev/null || true
	wait "$l_sampler" 2>/dev/null || true
	echo "-- $1: GET $2"
	sed 's/^/   /' "$tmp/wrk.out"
	if [ "$l_rc" -ne 0 ]; then
		echo "$me: wrk failed (status $l_rc)" >&2
		status=1
		return
	fi
	l_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
	l_p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$tmp/wrk.out")")
	l_p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")")
	# wrk's own line counts only statuses >= 400; sfbridge's access log
	# has every answer, so a redirect to /login counts too.
	l_wrk_bad=$(awk '/^  Non-2xx or 3xx responses:/ { print $NF }' "$tmp/wrk.out")
	l_bad=$(tail -n +"$l_log_from" "$tmp/bridge.log" |
		grep ' access method=GET ' | grep -vc ' status=2[0-9][0-9] ' || true)
	l_sock=$(awk '/^  Socket errors:/ { n = 0; for (i = 3; i <= NF; i += 2) n += $(i + 1); print n }' "$tmp/wrk.out")
	l_rss=$(sort -n "$tmp/rss" | tail -1)
	l_hwm=$(rss_kb VmHWM)
	printf '   %-28s %12s\n' "requests/s" "$l_rps" "p50 latency (ms)" "$l_p50" \
		"p99 latency (ms)" "$l_p99" "non-2xx responses" "$l_bad" \
		"sfbridge VmRSS under load" "$l_rss kB" "sfbridge VmHWM after" "$l_hwm kB"
	for m in "requests_per_s $l_rps req/s" "p50_latency $l_p50 ms" "p99_latency $l_p99 ms" \
		"non_2xx $l_bad responses" "rss_under_load $l_rss kB" "rss_hwm $l_hwm kB"; do
		# shellcheck disable=SC2086 # three words on purpose
		set -- $m
		printf '{"bench": "web", "metric": "%s_%s", "value": %s, "unit": "%s"}\n' \
			"$l_name" "$1" "$2" "$3"
	done
	if [ "$l_bad" -ne 0 ] || [ "${l_wrk_bad:-0}" -ne 0 ] || [ "${l_sock:-0}" -ne 0 ]; then
		echo "$me: $l_name: $l_bad non-2xx answers, ${l_sock:-0} socket errors: the run broke" >&2
		status=1
	fi
}

machine_info
echo "== web: sfbridge serve ($BRIDGE_THREADS request threads), sfemu and wrk" \
	"($WRK_THREADS threads, $CONNS connections) share one machine: $cores cores${cpu:+, $cpu}; load $load;" \
	"${SECS} s per endpoint"
load menu /settings/salesforce menu.header
load api /api/v1/integrations api.header

stop_bridge
stop_emu
exit $status
