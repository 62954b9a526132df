# lib.sh - helpers for integration tests: start sfemu, make requests, check results.
#
# Source it from a test script. Each check prints one TAP line:
#   ok - name            or       not ok - name
#   #   diagnostic lines
# Requests go through curl; bodies land in $RESP (a file), the status in $STATUS.

set -u
: "${SFEMU:?SFEMU must point at the sfemu binary}"
: "${TOP:?TOP must point at the repository}"

T_FAILED=0
T_TMP=$(mktemp -d)
EMU_PID=""
EMU_URL=""
RESP="$T_TMP/resp"
HDRS="$T_TMP/headers"
STATUS=""
# Hermetic: the store is $DATA/sfbridge.db unless a test says otherwise.
unset SFBRIDGE_DB

cleanup() {
	stop_emu
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# await PID NAME LOG CMD...: waits up to 20 s for CMD to succeed while PID
# runs. If PID exits first: "not ok - NAME started" with LOG, and returns 1
# (the caller forgets PID, then exits). Out of time: "not ok", exit 1.
await() {
	a_pid=$1
	a_name=$2
	a_log=$3
	shift 3
	i=0
	until "$@"; do
		if ! kill -0 "$a_pid" 2>/dev/null; then
			echo "not ok - $a_name started"
			sed 's/^/#   /' "$a_log"
			return 1
		fi
		i=$((i + 1))
		[ $i -lt 400 ] || { echo "not ok - $a_name ready within 20 s"; exit 1; }
		sleep 0.05
	done
}

# start_emu ORG_FILE [sfemu options...]: starts sfemu on a free port.
start_emu() {
	org=$1
	shift
	rm -f "$T_TMP/ready"
	"$SFEMU" --listen 127.0.0.1:0 --org "$org" --ready-file "$T_TMP/ready" \
		"$@" >>"$T_TMP/emu.out" 2>>"$T_TMP/emu.log" &
	EMU_PID=$!
	await "$EMU_PID" "sfemu with $org" "$T_TMP/emu.log" test -s "$T_TMP/ready" ||
		{ EMU_PID=""; exit 1; }
	EMU_URL=$(cat "$T_TMP/ready")
}

# stop_server PID NAME SECS LOG: SIGTERM; NAME must exit with status 0 within
# SECS s. If not: "not ok" (with LOG's end) and returns 1.
stop_server() {
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $(($3 * 20)) ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		fail "$2 stops within $3 s of SIGTERM"
		return 1
	elif ! wait "$1"; then
		fail "$2 exits with status 0 on SIGTERM"
		sed 's/^/#   /' "$4" | tail -20
		return 1
	fi
}

# stop_emu: sfemu stops cleanly within 5 s (a "not ok" if not).
stop_emu() {
	[ -n "$EMU_PID" ] || return 0
	stop_server "$EMU_PID" sfemu 5 "$T_TMP/emu.log" || true
	EMU_PID=""
}

# emu_log: the server's stderr so far (for secret checks).
emu_log() {
	cat "$T_TMP/emu.log" "$T_TMP/emu.out" 2>/dev/null
}

# req METHOD PATH [curl args...]: sets STATUS, body in $RESP, headers in $HDRS.
req() {
	m=$1
	p=$2
	shift 2
	STATUS=$(curl -sS -o "$RESP" -D "$HDRS" -w '%{http_code}' -X "$m" \
		--max-time 20 "$@" "$EMU_URL$p") || STATUS=000
}

# soap_login USER PASSWORD [VERSION] [curl args...]: Partner login().
soap_login() {
	u=$1
	pw=$2
	v=${3:-60.0}
	[ $# -ge 3 ] && shift 3 || shift $#
	body="<?xml version=\"1.0\" encoding=\"utf-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:urn=\"urn:partner.soap.sforce.com\"><soapenv:Body><urn:login><urn:username>$u</urn:username><urn:password>$pw</urn:password></urn:login></soapenv:Body></soapenv:Envelope>"
	req POST "/services/Soap/u/$v" -H 'Content-Type: text/xml; charset=UTF-8' \
		-H 'SOAPAction: login' --data-binary "$body" "$@"
}

# oauth_password USER PASSWORD KEY SECRET [curl args...]
oauth_password() {
	u=$1
	pw=$2
	k=$3
	s=$4
	shift 4
	req POST /services/oauth2/token \
		--data-urlencode grant_type=password --data-urlencode "username=$u" \
		--data-urlencode "password=$pw" --data-urlencode "client_id=$k" \
		--data-urlencode "client_secret=$s" "$@"
}

# xml_text TAG: text of the first <TAG> (any prefix) in $RESP.
xml_text() {
	sed -n "s#.*<\([a-z]*:\)\{0,1\}$1\( [^>]*\)\{0,1\}>\([^<]*\)</\([a-z]*:\)\{0,1\}$1>.*#\3#p" "$RESP" | head -1
}

# json EXPR: jq over $RESP, raw output.
json() {
	jq -r "$1" "$RESP" 2>/dev/null
}

pass() { echo "ok - $1"; }
fail() {
	echo "not ok - $1"
	shift
	for line in "$@"; do echo "#   $line"; done
	T_FAILED=1
}

# expect NAME ACTUAL WANT
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}

# expect_match NAME ACTUAL REGEX (grep -E)
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		pass "$1"
	else
		fail "$1" "got:  $2" "want: /$3/"
	fi
}

# expect_absent NAME SECRET: the secret appears nowhere in sfemu's output so far.
expect_absent() {
	if emu_log | grep -qF -- "$2"; then
		fail "$1" "secret value found in sfemu's output"
	else
		pass "$1"
	fi
}

# logins: sfemu's LoginHistory rows so far (every user).
logins() { req GET /_emu/login-history; json '.records | length'; }
# api_used: the org's API requests used so far, as sfemu counts them.
api_used() { req GET /_emu/api-usage; json .used; }

# ---- REST tests against tests/data/orgs/rest.json ----

# rest_login USER PASSWORD: an OAuth password login through rest.json's
# connected app; the access token in $AT.
rest_login() {
	oauth_password "$1" "$2" 3MVG9RestTestsConsumerKey RestTestsSecret123
	AT=$(json .access_token)
}

# start_rest_emu [sfemu options...]: sfemu with rest.json ($ORG), logged in
# as api@rest.test; api, post and q call the REST API under $V.
start_rest_emu() {
	ORG="$TOP/tests/data/orgs/rest.json"
	V=/services/data/v60.0
	start_emu "$ORG" "$@"
	rest_login api@rest.test Api-Pass-1RestRestRestRestRestRest
}

# api METHOD PATH [curl args...]: METHOD $V/PATH with the bearer token $AT.
api() { m=$1; p=$2; shift 2; req "$m" "$V$p" -H "Authorization: Bearer $AT" "$@"; }
# post METHOD PATH JSON: api with a JSON body.
post() { api "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"; }
# q SOQL [curl args...]: GET $V/query?q=SOQL.
q() { s=$1; shift; api GET /query -G --data-urlencode "q=$s" "$@"; }

# admin METHOD PATH [JSON]: an /_emu/ call with a JSON body.
admin() {
	if [ $# -ge 3 ]; then
		req "$1" "/_emu$2" -H 'Content-Type: application/json' --data-binary "$3"
	else
		req "$1" "/_emu$2"
	fi
}

finish() {
	stop_emu
	exit $T_FAILED
}
