# test_keys.sh - `sfbridge keys rotate` end to end: a new key each time, modes, text and JSON, refusals; the key is never printed.
. "$TOP/tests/integration/lib.sh"

SFB="$BUILD/sfbridge"
D="$T_TMP/data"
unset SFBRIDGE_MASTER_KEY SFBRIDGE_DATA SFBRIDGE_WORKSPACE
HOLDER=""

# keys ARGS...: runs `sfbridge keys`; out/err/rc read the results. Everything
# it prints is also kept in $T_TMP/all, to check no key ever shows up.
keys() {
	"$SFB" keys "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	echo $? >"$T_TMP/rc"
	cat "$T_TMP/out" "$T_TMP/err" >>"$T_TMP/all"
}
out() { cat "$T_TMP/out"; }
err() { cat "$T_TMP/err"; }
rc() { cat "$T_TMP/rc"; }
key() { cat "$D/master.key"; }
mode() { stat -c %a "$1"; }
ID='[0-9a-f]{8}'

# A fresh data dir: the first run creates the key, then rotates it.
keys rotate --data "$D"
expect "keys rotate on a fresh data dir exits 0" "$(rc)" 0
expect_match "it prints the old and new key ids and the count" "$(out | head -1)" \
	"^master key rotated: $ID -> $ID, 0 values re-sealed\$"
expect "and says to back the new key up" "$(out | sed -n 2p)" \
	"back up '$D/master.key' now: the old key opens nothing any more"
OLD1=$(out | sed -n 's/^master key rotated: \([0-9a-f]*\) -> .*/\1/p')
NEW1=$(out | sed -n 's/^master key rotated: [0-9a-f]* -> \([0-9a-f]*\),.*/\1/p')
if [ -n "$OLD1" ] && [ "$OLD1" != "$NEW1" ]; then
	pass "the new key id differs from the old"
else
	fail "the new key id differs from the old" "old: $OLD1" "new: $NEW1"
fi
expect "the data dir is created 0700" "$(mode "$D")" 700
expect "master.key is 0600" "$(mode "$D/master.key")" 600
expect "the store is 0600" "$(mode "$D/sfbridge.db")" 600
expect "no master.key.next is left behind" "$(ls "$D" | grep -c 'next' | tr -d ' ')" 0
expect_match "master.key is the base64 of 32 bytes" "$(key)" '^[A-Za-z0-9+/]{43}=$'
K1=$(key)

# Again, with JSON: the old key is the one the first run made.
keys rotate --data "$D" --json
expect "a second rotation exits 0" "$(rc)" 0
expect "its old key is the first run's new key" "$(jq -r .oldKeyId "$T_TMP/out")" "$NEW1"
NEW2=$(jq -r .newKeyId "$T_TMP/out")
expect_match "its new key id is 8 hex" "$NEW2" "^$ID\$"
expect "and new" "$([ "$NEW2" != "$NEW1" ] && echo yes)" yes
expect "JSON counts the re-sealed values" "$(jq -r .resealed "$T_TMP/out")" 0
expect "JSON names the key file" "$(jq -r .keyFile "$T_TMP/out")" "$D/master.key"
K2=$(key)
expect "master.key changed" "$([ "$K1" != "$K2" ] && echo yes)" yes
expect "master.key is still 0600" "$(mode "$D/master.key")" 600

# SFBRIDGE_DATA stands in for --data; without either it is ./data.
mkdir "$T_TMP/cwd"
(cd "$T_TMP/cwd" && SFBRIDGE_DATA="$D" keys rotate --json)
expect "SFBRIDGE_DATA picks the data dir" "$(jq -r .oldKeyId "$T_TMP/out")" "$NEW2"
NEW3=$(jq -r .newKeyId "$T_TMP/out")
K3=$(key)
expect "and no ./data is made" "$([ -e "$T_TMP/cwd/data" ] && echo made || echo no)" no
(cd "$T_TMP/cwd" && keys rotate)
expect "without --data or SFBRIDGE_DATA, ./data is used" \
	"$(rc) $(mode "$T_TMP/cwd/data/master.key")" "0 600"

# A value the key can't open: rotation stops, and nothing changes.
sqlite3 "$D/sfbridge.db" "INSERT INTO credentials (id, workspace_id, status, password_sealed)
	VALUES (41, 'default', 'retired', 'v1:00000000:AAAA')"
keys rotate --data "$D"
expect "a value that doesn't open fails the rotation (exit 1)" "$(rc)" 1
expect_match "naming the row, the column and the keys" "$(err)" \
	"^sfbridge keys rotate: rotate key: credentials row 41 column password_sealed: sealed with key 00000000; this vault's keys are $ID and $NEW3\$"
expect "master.key is unchanged" "$(key)" "$K3"
expect "no master.key.next is left behind" "$(ls "$D" | grep -c 'next' | tr -d ' ')" 0
keys rotate --data "$D" --json
expect "with --json the error is JSON" "$(jq -r .error.code "$T_TMP/out")" EAUTH
expect_match "with the message" "$(jq -r .error.message "$T_TMP/out")" "credentials row 41 column password_sealed"
sqlite3 "$D/sfbridge.db" "DELETE FROM credentials WHERE id = 41"

# While another process holds the key (a server), rotation is refused.
( exec 9<"$D/master.key.lock" && flock -s 9 && touch "$T_TMP/held" && exec sleep 60 ) &
HOLDER=$!
i=0
while [ ! -e "$T_TMP/held" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
keys rotate --data "$D"
expect "a key in use by another process is not rotated (exit 1)" "$(rc)" 1
expect "and says why" "$(err)" \
	"sfbridge keys rotate: rotate key: the key in '$D' is in use by another sfbridge process or vault: stop it, then rotate"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=""
keys rotate --data "$D"
expect "once it stops, rotation works" "$(rc)" 0
K4=$(key)

# The operator's own key is not ours to rotate.
SFBRIDGE_MASTER_KEY=$(openssl rand -base64 32) keys rotate --data "$D"
expect "with SFBRIDGE_MASTER_KEY set, rotation is refused (exit 1)" "$(rc)" 1
expect "and says why" "$(err)" \
	"sfbridge keys rotate: rotate key: SFBRIDGE_MASTER_KEY is set: sfbridge does not rotate a key it does not own"
SFBRIDGE_MASTER_KEY=c2hvcnQ= keys rotate --data "$D"
expect "a malformed SFBRIDGE_MASTER_KEY is refused clearly" "$(err)" \
	"sfbridge keys rotate: open vault: SFBRIDGE_MASTER_KEY: want the base64 of exactly 32 bytes, it decodes to 5 (make one with 'openssl rand -base64 32')"
expect "master.key is untouched" "$(key)" "$K4"

# A key file others can read is refused.
chmod 644 "$D/master.key"
keys rotate --data "$D"
expect "a group/world-readable master.key is refused (exit 1)" "$(rc)" 1
expect "naming the file and the fix" "$(err)" \
	"sfbridge keys rotate: open vault: key file '$D/master.key' has mode 0644: group and others must have no access (chmod 600 it)"
chmod 600 "$D/master.key"

# Usage errors exit 1 (cli.h) and say what is wrong on stderr.
keys
expect "'sfbridge keys' alone is a usage error (exit 1)" "$(rc)" 1
expect_match "and prints the usage" "$(err)" '^usage: sfbridge keys rotate'
keys spin
expect "an unknown keys command is refused" "$(rc) $(err | head -1)" \
	"1 sfbridge keys: unknown command 'spin'"
keys rotate --bogus
expect "an unknown option is refused" "$(rc) $(err)" \
	"1 sfbridge keys: unknown option '--bogus'"
keys rotate --data
expect "--data needs a value" "$(rc) $(err)" "1 sfbridge keys: --data needs a value"
expect_match "keys --help shows the usage" "$("$SFB" keys --help)" '^usage: sfbridge keys rotate'
expect_match "sfbridge --help lists keys" "$("$SFB" --help)" 'keys rotate'

# No key, in any form, ever appeared in the output.
leaked=""
for k in "$K1" "$K2" "$K3" "$K4" "$(key)"; do
	if grep -qF -- "$k" "$T_TMP/all"; then leaked="$leaked $k"; fi
	hex=$(printf '%s' "$k" | base64 -d | od -An -tx1 | tr -d ' \n')
	if grep -qiF -- "$hex" "$T_TMP/all"; then leaked="$leaked (hex)"; fi
done
expect "no key ever appears in the output" "$leaked" ""

[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null
finish
