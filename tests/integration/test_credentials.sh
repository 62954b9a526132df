# test_credentials.sh - `sfbridge credentials` against sfemu: Save = validate,
# one login per Save, the previous credentials stay active after a failed
# Save, the lockout guard, the cost of a validation, and no secret anywhere.
# (Every diagnosis code: test_credentials_diagnoses.sh.)
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/creds_lib.sh"

# Every secret this test knows; none may appear in any output or file.
KEYLINE=$(sed -n 2p "$KEY")
SECRETS="$PW
$TOKEN
$CSECRET
$KEYLINE
$WRONGPW"

# The log at debug level (libsf's wire trace with bodies, redacted) goes
# to stderr: it is grepped for secrets too.
export SFBRIDGE_LOG_LEVEL=debug
unset SFBRIDGE_MASTER_KEY SFBRIDGE_WORKSPACE SFBRIDGE_DATA

integrations() {
	"$SFB" integrations list --data "$D" "$@" >"$OUT" 2>>"$ERRLOG" </dev/null
	RC=$?
	cat "$OUT" >>"$ALLOUT"
}
codes() { out '[.diagnoses[].code] | join(" ")'; }
set_valid() {
	creds set --json --login "$EMU_URL" --username int@acme.test \
		--password-file "$S/pw" --token-file "$S/tok" "$@"
}

# ---- a Save that validates ----
start_emu "$SCN/valid.json"
D="$T_TMP/data-valid"
L0=$(logins)
U0=$(api_used)
set_valid
expect "a valid Save exits 0" "$RC" 0
expect "valid and active" "$(out '"\(.valid) \(.active) \(.method)"')" "true true password"
expect "the org as the preflight read it" \
	"$(out '"\(.org.name)|\(.org.edition)|\(.org.sandbox)|\(.org.instanceUrl)"')" \
	"Scenario: everything in order|Enterprise Edition|false|$EMU_URL"
expect_match "the org id is an 18-character 00D id" "$(out .org.id)" '^00D[A-Za-z0-9]{15}$'
expect "the user" "$(out .user.username)" int@acme.test
expect_match "the user id is a 005 id" "$(out .user.id)" '^005[A-Za-z0-9]{15}$'
expect "only the retirement warning (every permission, no hours, no ranges)" \
	"$(out '[.diagnoses[] | "\(.code):\(.severity)"] | join(" ")')" "legacy_auth_retiring:warning"
expect "a validation costs exactly one login" "$(($(logins) - L0))" 1
U1=$(api_used)
DU=$((U1 - U0))
if [ "$DU" -ge 1 ] && [ "$DU" -le 3 ]; then
	pass "and at most 3 API requests after it (sfemu counted $DU)"
else
	fail "and at most 3 API requests after it" "sfemu counted $DU"
fi
req GET /_emu/api-usage
expect "the requests: one composite, one Tooling query" \
	"$(json '.byResource | to_entries | map("\(.key)=\(.value)") | sort | join(" ")')" \
	"/composite=1 /tooling/query=1"
if command -v sqlite3 >/dev/null 2>&1; then
	expect_match "the store holds the password and token sealed by the vault" \
		"$(sqlite3 "$D/sfbridge.db" "SELECT password_sealed || ' ' || token_sealed FROM credentials WHERE status = 'active'")" \
		'^v1:[0-9a-f]{8}:[A-Za-z0-9+/=]+ v1:[0-9a-f]{8}:[A-Za-z0-9+/=]+$'
else
	echo "ok - the store holds the password and token sealed by the vault # SKIP no sqlite3"
fi

creds show --json
expect "show: active and valid" "$(out '"\(.valid) \(.active)"')" "true true"
expect "show: secrets only as set / not set" \
	"$(out '.credentials.secrets | "\(.password) \(.token) \(.consumerSecret) \(.privateKey)"')" \
	"set set not set not set"
integrations --json
expect "integrations list exits 0 once valid" "$RC" 0
expect "five integrations, each unlocked" \
	"$(out '[.integrations[] | "\(.key):\(.locked)"] | join(" ")')" \
	"deal_registration:false deal_import:false lead_distribution:false organization_sync:false referrals:false"

# ---- a failed Save leaves the previous credentials active ----
L0=$(logins)
creds set --json --login "$EMU_URL" --username int@acme.test \
	--password-file "$S/wrongpw" --token-file "$S/tok"
expect "a wrong password: exit 2" "$RC" 2
expect "not valid, not activated" "$(out '"\(.valid) \(.active)"')" "false false"
expect "invalid_login" "$(out '.diagnoses[0].code')" invalid_login
expect "one login for that Save" "$(($(logins) - L0))" 1
creds show --json
expect "the previous credentials stay active and valid" \
	"$(out '"\(.active) \(.valid) \(.user.username)"')" "true true int@acme.test"
L0=$(logins)
creds test --json
expect "and they still work (test exits 0)" "$RC" 0
expect "with one login" "$(($(logins) - L0))" 1
creds set --login "$EMU_URL" --username int@acme.test \
	--password-file "$S/wrongpw" --token-file "$S/tok"
expect "human output: the diagnosis title" \
	"$(grep -c '^error \[invalid_login\] Salesforce refused the username, password or security token$' "$OUT")" 1
expect "human output: numbered fix steps" "$(grep -c '^    [1-9]\. ' "$OUT" | awk '{print ($1 >= 4)}')" 1
expect "human output: the previous credentials stay active" \
	"$(grep -c '^The credentials that were active stay active (int@acme.test)\.$' "$OUT")" 1

# ---- credentials that stop working: the lockout guard ----
admin POST /users/int@acme.test/reset-token
expect "sfemu reset the token" "$STATUS" 200
L0=$(logins)
creds test --json
expect "test after a token reset: exit 2" "$RC" 2
expect "credentials_stopped_working, then what Salesforce said" "$(codes)" \
	"credentials_stopped_working invalid_login"
expect "the likely causes: token reset, then password changed" \
	"$(out '.diagnoses[1].detail.causes[0:2] | join(" ")')" "token_reset password_changed"
expect "sfbridge's refused attempts in the lockout window are shown" \
	"$(out '.diagnoses[0].detail | "\(.attempts) \(.lockoutWindow)"')" "3 15"
expect "one login for that test" "$(($(logins) - L0))" 1
expect "an alert in the log" "$(grep -c 'credentials_stopped_working: Salesforce refused the active credentials' "$ERRLOG")" 1
if command -v sqlite3 >/dev/null 2>&1; then
	expect "an events row (warn, credentials_stopped_working)" \
		"$(sqlite3 "$D/sfbridge.db" "SELECT level || ' ' || kind FROM events WHERE kind = 'credentials_stopped_working'")" \
		"warn credentials_stopped_working"
else
	echo "ok - an events row (warn, credentials_stopped_working) # SKIP no sqlite3"
fi

# Nothing logs in with them now.
L0=$(logins)
creds test --json
expect "test while the guard holds: exit 2" "$RC" 2
expect "with the refusal again, marked as held" \
	"$(out '[.diagnoses[0].code, .diagnoses[0].detail.guard] | join(" ")')" "credentials_stopped_working holding"
creds test
expect "human test output says no login was made" \
	"$(grep -c 'did not try them again (no login was made)' "$OUT")" 1
creds show --json
expect "show: active, refused, not valid" "$(out '"\(.active) \(.valid) \(.credentials.refused)"')" "true false true"
integrations --json
expect "integrations list while refused: exit 2" "$RC" 2
expect "every integration locked, with the reason" \
	"$(out '[.integrations[] | select(.locked and (.reason | test("refused")))] | length')" 5
integrations
expect "human integrations list says locked" "$(grep -c '^  Deal Registration *locked' "$OUT")" 1
expect "no login from test, show or integrations while held" "$(($(logins) - L0))" 0

# Test again: exactly one attempt.
creds test --again --json
expect "test --again: one attempt, still refused (exit 2)" "$RC $(($(logins) - L0))" "2 1"
creds test --json
expect "and held again afterwards: no login" "$(($(logins) - L0))" 1

# New credentials release the guard.
req GET "/_emu/outbox?to=int@mail.acme.test"
NEWTOKEN=$(json '.messages[-1].body' | sed -n 's/^Security token (case-sensitive): //p')
expect_match "sfemu emailed a new token" "$NEWTOKEN" '^[A-Za-z0-9]{24}$'
printf '%s' "$NEWTOKEN" >"$S/newtok"
SECRETS="$SECRETS
$NEWTOKEN"
creds set --json --login "$EMU_URL" --username int@acme.test \
	--password-file "$S/pw" --token-file "$S/newtok"
expect "Save with the new token: valid and active" "$RC $(out '"\(.valid) \(.active)"')" "0 true true"
integrations --json
expect "integrations unlocked again" "$(out '[.integrations[] | select(.locked)] | length')" 0

# The password from standard input, one line.
printf '%s\n' "$PW" | "$SFB" credentials set --json --data "$D" --login "$EMU_URL" \
	--username int@acme.test --password-stdin --token-file "$S/newtok" \
	>"$OUT" 2>>"$ERRLOG"
expect "--password-stdin works" "$? $(out .valid)" "0 true"
cat "$OUT" >>"$ALLOUT"

# ---- the OAuth flows ----
L0=$(logins)
creds set --json --method client_credentials --login "$EMU_URL" \
	--consumer-key 3MVG9ScenarioConsumerKeyPrm01 --consumer-secret-file "$S/cs"
expect "client credentials: valid, no retirement warning" \
	"$RC $(out '"\(.method) \(.valid) \(.user.username)"') $(codes)" \
	"0 client_credentials true int@acme.test "
creds set --json --method jwt --login "$EMU_URL" --username int@acme.test \
	--consumer-key 3MVG9ScenarioConsumerKeyPrm01 --private-key-file "$KEY"
expect "JWT bearer: valid" "$RC $(out '"\(.method) \(.valid)"')" "0 jwt true"
creds show --json
expect "show: the private key is set, the password not" \
	"$(out '.credentials.secrets | "\(.privateKey) \(.password)"')" "set not set"
creds set --json --login "$EMU_URL" --username int@acme.test \
	--password-file "$S/pw" --token-file "$S/newtok" \
	--consumer-key 3MVG9ScenarioConsumerKeyPrm01 --consumer-secret-file "$S/cs"
expect "password method with a consumer key: the OAuth password flow, retiring 20 Feb 2027" \
	"$RC $(out '.diagnoses[] | select(.code == "legacy_auth_retiring") | .detail | "\(.flow) \(.retiresOn)"')" \
	"0 oauth-password 2027-02-20"
expect "three Saves, three logins" "$(($(logins) - L0))" 3

# ---- clear ----
creds clear --json
expect "clear exits 0" "$RC $(out '"\(.valid) \(.active)"')" "0 false false"
creds show --json
expect "nothing is active after clear" "$(out '"\(.active) \(.credentials)"')" "false null"
if command -v sqlite3 >/dev/null 2>&1; then
	expect "clear deletes every sealed secret" \
		"$(sqlite3 "$D/sfbridge.db" "SELECT count(*) FROM credentials WHERE coalesce(password_sealed, token_sealed, consumer_secret_sealed, private_key_sealed) IS NOT NULL")" 0
else
	echo "ok - clear deletes every sealed secret # SKIP no sqlite3"
fi
L0=$(logins)
creds test --json
expect "test with nothing saved: field_missing, exit 2, no login" \
	"$RC $(codes) $(($(logins) - L0))" "2 field_missing 0"

# ---- usage ----
"$SFB" credentials set --password "$PW" --data "$D" >"$OUT" 2>"$T_TMP/usage.err"
expect "no flag carries a secret: --password is a usage error (exit 1)" "$?" 1
expect_match "and says where secrets come from" "$(cat "$T_TMP/usage.err")" 'never the command line'
expect "the rejected value isn't echoed" "$(grep -cF -- "$PW" "$T_TMP/usage.err")" 0
"$SFB" credentials frobnicate --data "$D" >/dev/null 2>&1
expect "an unknown command: exit 1" "$?" 1
"$SFB" credentials show --again --data "$D" >/dev/null 2>&1
expect "--again belongs to test: exit 1" "$?" 1
"$SFB" credentials set --method soap --data "$D" >/dev/null 2>&1
expect "an unknown method: exit 1" "$?" 1
"$SFB" integrations >/dev/null 2>&1
expect "integrations without list: exit 1" "$?" 1
SFBRIDGE_DATA="$D" "$SFB" credentials show --json >"$OUT" 2>>"$ERRLOG"
expect "SFBRIDGE_DATA picks the data dir" "$? $(out .active)" "2 false"
stop_emu

# ---- no secret anywhere ----
# The store (and its WAL), every stdout (JSON and human), stderr with the
# debug log and libsf's redacted wire trace.
found=""
for f in "$T_TMP"/data-*/* "$ALLOUT" "$ERRLOG"; do
	[ -f "$f" ] || continue
	printf '%s\n' "$SECRETS" | while IFS= read -r sec; do
		[ -n "$sec" ] || continue
		if grep -aqF -- "$sec" "$f"; then
			echo "$(basename "$f"): ${#sec}-character secret"
		fi
	done
done >"$T_TMP/leaks"
if [ -s "$T_TMP/leaks" ]; then
	fail "no password, token, consumer secret or key line in the store, stdout or stderr" "$(cat "$T_TMP/leaks")"
else
	pass "no password, token, consumer secret or key line in the store, stdout or stderr"
fi
# Session ids: "00D<org 15>!<token>"; sfbridge received several, showed none.
if grep -aqE '00D[A-Za-z0-9]{12}![A-Za-z0-9._]{20,}' "$T_TMP"/data-*/* "$ALLOUT" "$ERRLOG" 2>/dev/null; then
	fail "no session id in the store, stdout or stderr"
else
	pass "no session id in the store, stdout or stderr"
fi
expect_match "the debug log did record the wire trace (redacted)" \
	"$(grep -c '<redacted>' "$ERRLOG")" '^[1-9]'
finish
