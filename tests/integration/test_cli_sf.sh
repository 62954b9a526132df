# test_cli_sf.sh - `sfbridge sf`: login, query, describe, limits over libsf against sfemu.
. "$TOP/tests/integration/lib.sh"

SFB="$BUILD/sfbridge"
ORG="$TOP/tests/data/orgs/rest.json"
start_emu "$ORG"
umask 077
printf 'Api-Pass-1' >"$T_TMP/pw"
printf 'RestRestRestRestRestRest' >"$T_TMP/token"
printf 'RestTestsSecret123' >"$T_TMP/secret"
printf 'wrong-password' >"$T_TMP/badpw"
CRED="--login $EMU_URL --username api@rest.test --password-file $T_TMP/pw --token-file $T_TMP/token"
OAUTH="--consumer-key 3MVG9RestTestsConsumerKey --consumer-secret-file $T_TMP/secret"
sfb() { "$SFB" sf "$@" >"$T_TMP/out" 2>"$T_TMP/err"; echo $? >"$T_TMP/rc"; }
out() { cat "$T_TMP/out"; }
rc() { cat "$T_TMP/rc"; }

# shellcheck disable=SC2086
sfb login $CRED --json
expect "sf login (SOAP) exits 0" "$(rc)" 0
expect_match "and reports the org" "$(jq -r .orgId "$T_TMP/out")" '^00D[0-9A-Za-z]{15}$'
expect "and the user" "$(jq -r .username "$T_TMP/out")" api@rest.test
# shellcheck disable=SC2086
sfb login $CRED $OAUTH --json
expect "sf login (OAuth password flow) exits 0" "$(rc)" 0
expect "the instance is sfemu" "$(jq -r .instanceUrl "$T_TMP/out")" "$EMU_URL"

# shellcheck disable=SC2086
sfb query "SELECT Name, Region__c FROM Account ORDER BY Name" $CRED
expect "sf query prints CSV with a header" "$(out)" "Name,Region__c
Globex,EMEA
Initech,EMEA
Umbrella,APAC"
# shellcheck disable=SC2086
sfb query "SELECT Name FROM Account WHERE Name = 'Globex'" $CRED --json
expect "sf query --json prints the records" "$(jq -r '.[0].Name' "$T_TMP/out")" Globex
# shellcheck disable=SC2086
sfb query "SELECT Nope FROM Account" $CRED --json
expect "a bad query is an error with Salesforce's code" "$(rc) $(jq -r .error.code "$T_TMP/out")" "1 INVALID_FIELD"

# shellcheck disable=SC2086
sfb describe Account $CRED
expect_match "sf describe lists fields" "$(out)" 'PRM_Id__c +string +64 +external-id unique'
# shellcheck disable=SC2086
sfb limits $CRED --json
expect_match "sf limits reports DailyApiRequests" "$(jq -r .DailyApiRequests.Max "$T_TMP/out")" '^[0-9]+$'

# A refused login is one attempt, an exit code, and a class.
sfb login --login "$EMU_URL" --username api@rest.test --password-file "$T_TMP/badpw" --json
expect "a wrong password exits 2 (refused)" "$(rc)" 2
expect "and says why in Salesforce's words" "$(jq -r '.error.class + " " + .error.code' "$T_TMP/out")" "credential INVALID_LOGIN"
admin GET "/login-history?username=api@rest.test"
expect "exactly one login attempt was made for it" "$(json '[.records[] | select(.status != "Success")] | length')" 1

sfb login --login "http://example.com" --username api@rest.test --password-file "$T_TMP/pw"
expect "an http URL off loopback is refused before any network call" "$(rc)" 1
sfb login --login "$EMU_URL" --username api@rest.test --password "x"
expect "no flag carries a secret: --password is unknown" "$(rc)" 1
printf 'Api-Pass-1\n' | "$SFB" sf login --login "$EMU_URL" --username api@rest.test --token-file "$T_TMP/token" --password-stdin >"$T_TMP/out" 2>&1
expect "--password-stdin reads the password" "$?" 0

# With no credential options, the active saved credentials are used.
sfb query "SELECT Name FROM Account" --data "$T_TMP/data"
expect "with nothing saved, sf says how to save credentials" "$(rc)" 1
expect_match "and names the command" "$(cat "$T_TMP/err")" "sfbridge credentials set"
"$SFB" credentials set --data "$T_TMP/data" --method password --login "$EMU_URL" \
	--username api@rest.test --password-file "$T_TMP/pw" --token-file "$T_TMP/token" \
	--json >"$T_TMP/out" 2>"$T_TMP/err"
expect "credentials set validates and saves" "$?" 0
sfb query "SELECT COUNT() FROM Account" --data "$T_TMP/data" --json
expect "sf then runs on the saved credentials" "$(rc)" 0

for secret in Api-Pass-1 RestRestRestRestRestRest RestTestsSecret123; do
	if grep -rqF -- "$secret" "$T_TMP/out" "$T_TMP/err"; then
		fail "no secret in sfbridge's output ($secret)"
	else
		pass "no secret in sfbridge's output"
	fi
done
expect_absent "no password in sfemu's log" Api-Pass-1
finish
