# test_serve_db.sh - where the store lives: serve --db URL, SFBRIDGE_DB for every command, refused URLs.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/web_lib.sh"

printf '%s\n' "$PW" >"$T_TMP/pw"

# admins DB: the emails of the admins in database file DB.
admins() {
	sqlite3 "$1" "SELECT group_concat(email, ' ') FROM (SELECT email FROM admins ORDER BY email)"
}

# ---- serve --db: the database goes where the flag says ----
DB="$T_TMP/db dir/nested/console.db"
start_bridge --db "sqlite://$DB"
expect "serve --db sqlite://PATH creates the database there" "$(test -f "$DB" && echo yes)" yes
expect "... in a directory it made 0700" "$(stat -c %a "$T_TMP/db dir/nested")" 700
expect "... and the file is 0600" "$(stat -c %a "$DB")" 600
expect "... not in the data dir" "$(test -e "$DATA/sfbridge.db" && echo yes || echo no)" no
expect_match "serve logs the database it uses" "$(cat "$T_TMP/bridge.log")" "database '$DB'"
breq GET /healthz
expect "... and serves" "$STATUS" 200

# Another command, told by SFBRIDGE_DB, writes to that same database.
out=$(SFBRIDGE_DB="sqlite:$DB" "$BRIDGE" admin create --email ada@example.com --password-file "$T_TMP/pw" --data "$DATA" 2>&1)
expect "admin create with SFBRIDGE_DB succeeds" "$out" "admin ada@example.com created (workspace default)"
expect "... and writes into SFBRIDGE_DB's database" "$(admins "$DB")" ada@example.com
expect "... not into the data dir" "$(test -e "$DATA/sfbridge.db" && echo yes || echo no)" no

# The running console reads the admin the CLI wrote: sign in.
login ada@example.com "$PW"
expect "the console signs in the admin that SFBRIDGE_DB's command created" "$STATUS" 303
stop_bridge

# The flag wins over the environment.
FLAG_DB="$T_TMP/flag.db"
ENV_DB="$T_TMP/env.db"
SFBRIDGE_DB="sqlite:$ENV_DB" start_bridge --db "file:$FLAG_DB"
expect "with both, --db wins over SFBRIDGE_DB (file: form)" \
	"$(test -f "$FLAG_DB" && echo yes),$(test -e "$ENV_DB" && echo yes || echo no)" yes,no
stop_bridge

# Without either, the store is DATA/sfbridge.db as before.
start_bridge
expect "without --db or SFBRIDGE_DB the database is DATA/sfbridge.db" "$(test -f "$DATA/sfbridge.db" && echo yes)" yes
stop_bridge
expect "... and the admin is not there" "$(admins "$DATA/sfbridge.db")" ""

# sqlite:///ABS/PATH is absolute; sqlite:REL is relative to the working directory.
mkdir -p "$T_TMP/cwd"
(cd "$T_TMP/cwd" && SFBRIDGE_DB="sqlite:rel/here.db" "$BRIDGE" admin create --email rel@example.com \
	--password-file "$T_TMP/pw" --data "$DATA" >/dev/null 2>&1)
expect "SFBRIDGE_DB=sqlite:REL is relative to the working directory" "$(admins "$T_TMP/cwd/rel/here.db")" rel@example.com
SFBRIDGE_DB="sqlite://$T_TMP/abs.db" "$BRIDGE" admin create --email abs@example.com \
	--password-file "$T_TMP/pw" --data "$DATA" >/dev/null 2>&1
expect "SFBRIDGE_DB=sqlite:///ABS/PATH is absolute" "$(admins "$T_TMP/abs.db")" abs@example.com

# ---- refused URLs: a clear message, exit 1, nothing created, no secret echoed ----
# refused NAME WANT_MESSAGE COMMAND...: COMMAND exits 1 and prints WANT_MESSAGE.
refused() {
	r_name=$1
	r_want=$2
	shift 2
	r_out=$("$@" 2>&1)
	r_rc=$?
	expect "$r_name: exit 1" "$r_rc" 1
	expect "... saying so" "$r_out" "$r_want"
}
while IFS='|' read -r r_name r_url r_msg; do
	refused "serve --db $r_name" "sfbridge serve: --db: $r_msg" \
		"$BRIDGE" serve --listen 127.0.0.1:0 --data "$T_TMP/pg" --db "$r_url"
done <<EOF
postgres://|postgres://sfb:Pg-Secret-9@db.example/sfb|PostgreSQL is not supported by this build: use sqlite:PATH
postgresql://|postgresql://sfb:Pg-Secret-9@db.example/sfb|PostgreSQL is not supported by this build: use sqlite:PATH
mysql://|mysql://sfb:Pg-Secret-9@db.example/sfb|database URL scheme 'mysql' is not supported: use sqlite:PATH
sqlite: (no path)|sqlite:|database URL 'sqlite:' names no file: use sqlite:PATH
with a bare path|$T_TMP/bare.db|not a database URL: use sqlite:PATH
EOF
refused "serve with SFBRIDGE_DB=postgres://" \
	"sfbridge serve: SFBRIDGE_DB: PostgreSQL is not supported by this build: use sqlite:PATH" \
	env SFBRIDGE_DB="postgres://sfb:Pg-Secret-9@db.example/sfb" "$BRIDGE" serve --listen 127.0.0.1:0 --data "$T_TMP/pg"
refused "admin create with SFBRIDGE_DB=postgres://" \
	"sfbridge admin: SFBRIDGE_DB: PostgreSQL is not supported by this build: use sqlite:PATH" \
	env SFBRIDGE_DB="postgres://sfb:Pg-Secret-9@db.example/sfb" "$BRIDGE" admin create --email x@example.com \
	--password-file "$T_TMP/pw" --data "$T_TMP/pg"
expect "a refused URL creates nothing" "$(test -e "$T_TMP/pg" && echo yes || echo no)" no

finish
