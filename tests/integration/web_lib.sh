# web_lib.sh - helpers for tests of `sfbridge serve`: start and stop it, requests with a cookie jar, sign-in.
#
# Source it after lib.sh. It sets BRIDGE, DATA (the store), JAR (curl's
# cookie jar) and, once started, BR_PID and URL. breq and login leave the
# status in $STATUS, the body in $RESP and the headers in $HDRS, like lib.sh's
# req.

# The admin's password, and the scenario org's integration user
# (tests/data/scenarios/valid.json): tests grep for every one of them.
PW="correct horse battery staple"
SECRET_SF_PW='Scn-Pass-7x!'
SECRET_SF_TOKEN=ScnTokenAbCdEfGhIjKlMnOp
SECRET_SF_WRONG_TOKEN=WrongTokenAbCdEfGhIjKlMn

BRIDGE="$BUILD/sfbridge"
DATA="$T_TMP/data"
JAR="$T_TMP/jar"
BR_PID=""
URL=""

# stop_bridge: sfbridge stops cleanly within 10 s (a check of its own).
stop_bridge() {
	[ -n "$BR_PID" ] || return 0
	if stop_server "$BR_PID" sfbridge 10 "$T_TMP/bridge.log"; then
		pass "sfbridge exits with status 0 on SIGTERM"
	fi
	BR_PID=""
}
trap 'stop_bridge; cleanup' EXIT
unset SFBRIDGE_MASTER_KEY SFBRIDGE_WORKSPACE SFBRIDGE_DATA

# start_bridge [serve options...]: sfbridge serve on $DATA, a free port.
start_bridge() {
	rm -f "$T_TMP/bready"
	"$BRIDGE" serve --listen 127.0.0.1:0 --data "$DATA" \
		--ready-file "$T_TMP/bready" "$@" \
		>>"$T_TMP/bridge.out" 2>>"$T_TMP/bridge.log" &
	BR_PID=$!
	await "$BR_PID" "sfbridge serve" "$T_TMP/bridge.log" test -s "$T_TMP/bready" ||
		{ BR_PID=""; exit 1; }
	URL=$(cat "$T_TMP/bready")
}

# breq METHOD PATH [curl args...]: with the cookie jar; STATUS, $RESP, $HDRS.
breq() {
	m=$1
	p=$2
	shift 2
	STATUS=$(curl -sS -o "$RESP" -D "$HDRS" -w '%{http_code}' -X "$m" \
		-b "$JAR" -c "$JAR" --max-time 20 "$@" "$URL$p") || STATUS=000
}

# hdr NAME: the value of response header NAME in $HDRS (first one).
hdr() {
	grep -i "^$1:" "$HDRS" | head -1 | sed 's/^[^:]*: *//' | tr -d '\r'
}

# csrf: the first hidden csrf field of $RESP.
csrf() {
	sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$RESP" | head -1
}

# notice: the text of the page's notice paragraph.
notice() {
	sed -n '/class="notice/,/<\/div>/p' "$RESP" | sed -n 's/^<p>\(.*\)<\/p>$/\1/p' | head -1
}

# login EMAIL PASSWORD [curl args...]: GET /login for the form token, then POST.
login() {
	l_email=$1
	l_pw=$2
	shift 2
	breq GET /login "$@"
	l_csrf=$(csrf)
	breq POST /login --data-urlencode "csrf=$l_csrf" \
		--data-urlencode "email=$l_email" --data-urlencode "password=$l_pw" "$@"
}

# log_has NAME REGEX: the server's output has a line matching REGEX (grep -E).
log_has() {
	if bridge_log | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "no line matches /$2/"; fi
}

bridge_log() {
	cat "$T_TMP/bridge.log" "$T_TMP/bridge.out" 2>/dev/null
}
