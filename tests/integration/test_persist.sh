# test_persist.sh - with --data the org survives a restart; without it, it does not.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/login.json"
DATA="$T_TMP/data"
T=AbCdEfGhIjKlMnOpQrStUvWx

start_emu "$ORG" --data "$DATA"
FIRST_URL=$EMU_URL
soap_login lock@login.test wrong-1
soap_login lock@login.test wrong-2
soap_login lock@login.test wrong-3
admin POST /users/int@login.test/reset-token
admin GET "/outbox?to=int@mail.test"
NEWT=$(json '.messages[-1].body' | sed -n 's/^Security token (case-sensitive): //p')
soap_login int@login.test "Int-Pass-1$NEWT"
SID=$(xml_text sessionId)
admin PATCH /profiles/Integration '{"permissions":{"ViewSetup": false}}'
stop_emu

expect "the state lives in DATA/org.db" "$(test -s "$DATA/org.db" && echo yes)" yes
expect "emails are written as .eml files under DATA/outbox" "$(ls "$DATA/outbox" | grep -c '\.eml$' | tr -d ' ' | grep -v '^0$' >/dev/null && echo yes)" yes
if grep -rqF -- "Int-Pass-1" "$DATA/org.db"; then
	fail "passwords are not stored in clear"
else
	pass "passwords are not stored in clear"
fi

start_emu "$ORG" --data "$DATA"
admin GET /users/lock@login.test
expect "lockout state survives a restart" "$(json .isPasswordLocked)" true
soap_login int@login.test "Int-Pass-1$T"
expect "the reset token stays reset" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
soap_login int@login.test "Int-Pass-1$NEWT"
expect "the emailed token still works" "$STATUS" 200
req GET /services/data/v60.0/ -H "Authorization: Bearer $SID"
expect "sessions survive a restart" "$STATUS" 200
admin GET /profiles/Integration
expect "profile edits survive a restart" "$(json .permissions.ViewSetup)" false
req GET /_emu/login-history?username=lock@login.test
expect "login history survives a restart" "$(json '.records | length')" 3
stop_emu

start_emu "$ORG"
admin GET /users/lock@login.test
expect "without --data every start is a fresh org" "$(json .isPasswordLocked)" false
stop_emu

printf '{"users": [], "profiles": []}' >"$T_TMP/bad.json"
if "$SFEMU" --org "$T_TMP/bad.json" --listen 127.0.0.1:0 >"$T_TMP/out" 2>&1; then
	fail "an org file with an error is refused"
else
	expect "an org file with an error is refused, naming the key" "$(cat "$T_TMP/out")" \
		"sfemu: org file '$T_TMP/bad.json': profiles: must be a non-empty array"
fi
sed 's/"profile": "No API"/"profile": "Missing"/' "$ORG" >"$T_TMP/bad2.json"
"$SFEMU" --org "$T_TMP/bad2.json" --listen 127.0.0.1:0 >"$T_TMP/out" 2>&1
expect "a user with an unknown profile is refused" "$(cat "$T_TMP/out")" \
	"sfemu: org file '$T_TMP/bad2.json': users[2].profile: no profile named 'Missing'"
sed 's/"maxLoginAttempts": 3/"maxLoginAttempts": 4/' "$ORG" >"$T_TMP/bad3.json"
"$SFEMU" --org "$T_TMP/bad3.json" --listen 127.0.0.1:0 >"$T_TMP/out" 2>&1
expect "maxLoginAttempts must be 0, 3, 5 or 10" "$(cat "$T_TMP/out")" \
	"sfemu: org file '$T_TMP/bad3.json': settings.passwordPolicies.maxLoginAttempts: 4 is not allowed"
"$SFEMU" --org "$T_TMP/missing.json" >"$T_TMP/out" 2>&1
expect "a missing org file exits 1" "$?" 1
"$SFEMU" --bogus >"$T_TMP/out" 2>&1
expect "an unknown option exits 2" "$?" 2
finish
