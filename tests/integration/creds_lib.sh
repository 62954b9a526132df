# creds_lib.sh - what the `sfbridge credentials` suites share: the scenario orgs' secrets (in files, never
# on a command line), and running a command with its output kept for the secret checks.
#
# Source it after lib.sh. The test sets D (the data directory) before calling creds.

SFB="$BUILD/sfbridge"
SCN="$TOP/tests/data/scenarios"
[ -x "$SFB" ] || { echo "not ok - $SFB is built"; exit 1; }

# The scenario integration user's secrets (tests/data/scenarios/*.json).
PW='Scn-Pass-7x!'
TOKEN=ScnTokenAbCdEfGhIjKlMnOp
CSECRET=ScnConsumerSecret4711abcdef
WRONGPW='Wrong-Pass-3z?'
KEY="$TOP/tests/data/keys/jwt-test.key"
S="$T_TMP/secrets"
mkdir -p "$S"
printf '%s' "$PW" >"$S/pw"
printf '%s' "$TOKEN" >"$S/tok"
printf '%s' "$CSECRET" >"$S/cs"
printf '%s' "$WRONGPW" >"$S/wrongpw"

OUT="$T_TMP/out"
ERRLOG="$T_TMP/stderr.all"
ALLOUT="$T_TMP/stdout.all"

# creds ARGS...: sfbridge credentials ... --data $D; stdout in $OUT (and
# appended to $ALLOUT), stderr appended to $ERRLOG, exit in $RC.
creds() {
	"$SFB" credentials "$@" --data "$D" >"$OUT" 2>>"$ERRLOG" </dev/null
	RC=$?
	cat "$OUT" >>"$ALLOUT"
}
# out JQ: a field of $OUT, raw.
out() { jq -r "$1" "$OUT" 2>/dev/null; }
