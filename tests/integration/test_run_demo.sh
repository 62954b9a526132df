# test_run_demo.sh - `make run` (scripts/run-demo): both servers up, what it prints works, Ctrl-C, restarts.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/web_lib.sh"

ORG="$TOP/examples/orgs/demo.json"
DEMO_DATA="$T_TMP/demo data"
DEMO_PID=""

# stop_demo: a run-demo still going at exit is told to stop (it stops both servers).
stop_demo() {
	[ -n "$DEMO_PID" ] || return 0
	kill -TERM "$DEMO_PID" 2>/dev/null
	wait "$DEMO_PID"
	DEMO_PID=""
}
trap 'stop_demo; cleanup' EXIT

# start_demo N: scripts/run-demo on free ports, output in $T_TMP/demoN.out and
# .err; returns once it has printed everything (exits 1 if it died).
# SIGINT gets its default action back: a background job of a non-interactive
# shell starts with SIGINT ignored, and such a signal can't be trapped.
start_demo() {
	out="$T_TMP/demo$1.out"
	SFEMU_PORT=0 SFBRIDGE_PORT=0 SFB_DEMO_DATA="$DEMO_DATA" \
		env --default-signal=INT sh "$TOP/scripts/run-demo" "$BUILD" \
		>"$out" 2>"$T_TMP/demo$1.err" &
	DEMO_PID=$!
	await "$DEMO_PID" run-demo "$T_TMP/demo$1.err" grep -q '^Ctrl-C stops both\.$' "$out" ||
		{ DEMO_PID=""; exit 1; }
}

# printed FILE LABEL: the value run-demo printed after "LABEL:".
printed() {
	sed -n "s/^ *$2: *//p" "$1" | head -1
}

# server_pids: the pids of run-demo's sfemu and sfbridge.
server_pids() {
	ps -o pid=,comm= --ppid "$DEMO_PID" | awk '$2 == "sfemu" || $2 == "sfbridge" { print $1 }' | sort
}

# demo_ended NAME STATUS GONE_NAME: run-demo ends with STATUS (check NAME),
# and none of $PIDS (its servers) is left (check GONE_NAME).
demo_ended() {
	wait "$DEMO_PID"
	expect "$1" "$?" "$2"
	DEMO_PID=""
	alive=""
	for p in $PIDS; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
	expect "$3" "$alive" ""
}

# ---- first run ----
start_demo 1
OUT="$T_TMP/demo1.out"
URL=$(printed "$OUT" Console)
EMU_URL=$(printed "$OUT" "Login URL")
ADMIN_PW=$(printed "$OUT" Password)
expect_match "run-demo prints the console URL" "$URL" '^http://127\.0\.0\.1:[0-9]+$'
expect "... the admin's email" "$(printed "$OUT" Email)" admin@example.com
expect_match "... says it created the admin" "$(cat "$OUT")" "created the console admin admin@example.com"
expect "... the login host to pick" "$(printed "$OUT" "Login host")" URL
expect_match "... sfemu's URL as the Login URL" "$EMU_URL" '^http://127\.0\.0\.1:[0-9]+$'
expect "... the integration user's username from the org file" "$(printed "$OUT" Username)" "$(jq -r '.users[0].username' "$ORG")"
expect "... its password" "$(sed -n 's/^ *Password: *//p' "$OUT" | sed -n 2p)" "$(jq -r '.users[0].password' "$ORG")"
expect "... its security token" "$(printed "$OUT" "Security token")" "$(jq -r '.users[0].securityToken' "$ORG")"
expect "... and sfemu's Setup URL" "$(printed "$OUT" Setup)" "$EMU_URL/setup"
PWFILE="$DEMO_DATA/sfbridge/demo-admin.txt"
expect "the admin password is kept in DATA/sfbridge/demo-admin.txt, mode 0600" \
	"$(stat -c %a "$PWFILE"),$(cat "$PWFILE")" "600,$ADMIN_PW"
expect_match "... at least 12 characters" "$ADMIN_PW" '^.{12,}$'
expect "the store is under DATA/sfbridge" "$(test -f "$DEMO_DATA/sfbridge/sfbridge.db" && echo yes)" yes
expect "the org state is under DATA/sfemu" "$(test -f "$DEMO_DATA/sfemu/org.db" && echo yes)" yes

req GET /setup
expect "sfemu's Setup answers" "$STATUS" 200
login admin@example.com "$ADMIN_PW"
expect "the printed admin login signs in to the console" "$STATUS $(hdr Location)" "303 /settings/salesforce"

# Follow step 2 exactly as printed: Save validates against sfemu.
breq GET /settings/salesforce/credentials
breq POST /settings/salesforce/credentials --data-urlencode "csrf=$(csrf)" -d method=password -d host=url \
	--data-urlencode "login_url=$EMU_URL" --data-urlencode "username=$(printed "$OUT" Username)" \
	--data-urlencode "password=$(jq -r '.users[0].password' "$ORG")" \
	--data-urlencode "token=$(printed "$OUT" "Security token")"
expect "the printed credentials save and validate" "$STATUS $(hdr Location)" "303 /settings/salesforce?saved=1"

PIDS=$(server_pids)
expect "run-demo runs two servers" "$(echo "$PIDS" | wc -l | tr -d ' ')" 2
kill -INT "$DEMO_PID"
demo_ended "Ctrl-C: run-demo exits 0" 0 "... with both servers gone"
expect_match "... saying it stopped them" "$(cat "$OUT")" "run-demo: stopping sfemu and sfbridge"

# ---- second run: the data is reused ----
start_demo 2
OUT="$T_TMP/demo2.out"
URL=$(printed "$OUT" Console)
expect "a second run prints the same admin password" "$(printed "$OUT" Password)" "$ADMIN_PW"
if grep -q "created the console admin" "$OUT"; then
	fail "... and creates no admin"
else
	pass "... and creates no admin"
fi
rm -f "$JAR"
login admin@example.com "$ADMIN_PW"
expect "... which still signs in" "$STATUS" 303
breq GET /settings/salesforce
expect_match "... to the connection saved by the first run" "$(cat "$RESP")" '<strong>Connected</strong>'

# ---- a server that dies takes the other down ----
PIDS=$(server_pids)
BR=$(ps -o pid=,comm= --ppid "$DEMO_PID" | awk '$2 == "sfbridge" { print $1 }')
kill -KILL "$BR"
demo_ended "when sfbridge dies, run-demo exits 1" 1 "... having stopped sfemu"
expect_match "... and says which one died" "$(cat "$T_TMP/demo2.err")" "run-demo: sfbridge exited"

finish
