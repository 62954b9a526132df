# test_web.sh - sfbridge serve: health, security headers, sign-in, sessions, CSRF, rate limits, pages, API, log hygiene.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/web_lib.sh"

# ---- admin accounts ----
printf 'too short\n' >"$T_TMP/weak"
printf '%s\n' "$PW" >"$T_TMP/pw"
out=$("$BRIDGE" admin create --email ada@example.com --password-file "$T_TMP/weak" --data "$DATA" 2>&1)
rc=$?
expect "admin create refuses a password under 12 characters" "$rc" 1
expect_match "... and says why" "$out" "at least 12 characters"
out=$("$BRIDGE" admin create --email Ada@Example.com --password-file "$T_TMP/pw" --data "$DATA" 2>&1)
expect "admin create stores a new admin (email lower-cased)" "$out" "admin ada@example.com created (workspace default)"
"$BRIDGE" admin create --email ada@example.com --password-file "$T_TMP/pw" --data "$DATA" >/dev/null 2>&1
expect "admin create refuses an existing email" "$?" 1
hash=$(sqlite3 "$DATA/sfbridge.db" "SELECT password_hash FROM admins WHERE email = 'ada@example.com'")
expect_match "the password is stored as an argon2id hash" "$hash" '^\$argon2id\$v=19\$m=65536,t=2,p=1\$'
if cat "$DATA"/sfbridge.db* | grep -qF -- "$PW"; then
	fail "the password is not stored in clear"
else
	pass "the password is not stored in clear"
fi
out=$("$BRIDGE" admin create --email bob@example.com --data "$DATA" </dev/null 2>&1)
expect_match "without --password-file and a terminal, admin create says what to do" "$out" "use --password-file"
TOKEN=$("$BRIDGE" admin token create --email ada@example.com --name ci --data "$DATA" 2>/dev/null)
expect_match "admin token create prints the token once" "$TOKEN" '^sfb_[A-Za-z0-9_-]{43}$'
stored=$(sqlite3 "$DATA/sfbridge.db" "SELECT prefix || ' ' || length(token_hash) FROM api_tokens")
expect "only the token's hash and a short prefix are stored" "$stored" "$(printf '%s' "$TOKEN" | cut -c1-10) 64"
"$BRIDGE" admin token create --email nobody@example.com --data "$DATA" >/dev/null 2>&1
expect "a token for an unknown admin is refused" "$?" 1
OLD=$("$BRIDGE" admin token create --email ada@example.com --name old --data "$DATA" 2>/dev/null)
OLDP=$(printf '%s' "$OLD" | cut -c1-10)
"$BRIDGE" admin token list --email ada@example.com --json --data "$DATA" >"$RESP"
expect "admin token list: every token, newest first, by name and prefix" \
	"$(json '[.[] | .name + ":" + .prefix] | join(" ")')" "old:$OLDP ci:$(printf '%s' "$TOKEN" | cut -c1-10)"
expect "... both unused and not revoked" "$(json '[.[] | select(.revokedAt == null and .lastUsedAt == null)] | length')" 2
if grep -qF -e "$OLD" -e "$TOKEN" "$RESP"; then fail "admin token list never shows a token"; else pass "admin token list never shows a token"; fi
out=$("$BRIDGE" admin token revoke --email ada@example.com --prefix "$OLDP" --data "$DATA" 2>&1)
expect "admin token revoke --prefix revokes it" "$?:$out" "0:token $OLDP of ada@example.com revoked"
"$BRIDGE" admin token list --email ada@example.com --json --data "$DATA" >"$RESP"
expect "... and the list says when" "$(json '[.[] | .revokedAt != null] | map(tostring) | join(" ")')" "true false"
out=$("$BRIDGE" admin token revoke --email ada@example.com --prefix "$OLDP" --data "$DATA" 2>&1)
expect "revoking it again: exit 1, no active token" "$?:$out" "1:sfbridge admin: no active token '$OLDP'"
"$BRIDGE" admin token revoke --email ada@example.com --data "$DATA" >/dev/null 2>&1
expect "token revoke without --prefix is a usage error" "$?" 1

# ---- serve ----
# At debug level Save's Salesforce traffic is logged (redacted): grepped below.
SFBRIDGE_LOG_LEVEL=debug start_bridge
expect_match "serve prints its URL" "$(cat "$T_TMP/bridge.out")" '^sfbridge listening on http://127\.0\.0\.1:[0-9]+$'
breq GET /healthz
expect "GET /healthz is 200" "$STATUS" 200
expect "... with {\"status\":\"ok\"}" "$(json .status)" ok

breq GET /login
expect "GET /login is 200" "$STATUS" 200
expect "CSP: no inline script, no framing" "$(hdr Content-Security-Policy)" "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
expect "X-Content-Type-Options: nosniff" "$(hdr X-Content-Type-Options)" nosniff
expect "Referrer-Policy: no-referrer" "$(hdr Referrer-Policy)" no-referrer
expect_match "the sign-in form has a visible 'Email' label" "$(cat "$RESP")" '<label for="email">Email</label>'
expect_match "the sign-in form has a visible 'Password' label" "$(cat "$RESP")" '<label for="password">Password</label>'
if grep -q '<script' "$RESP"; then fail "pages carry no script"; else pass "pages carry no script"; fi
breq GET /static/style.css
expect "the stylesheet is served as text/css" "$(hdr Content-Type)" "text/css; charset=utf-8"

breq GET /no/such/page
expect "an unknown path is 404" "$STATUS" 404
breq GET /favicon.ico
expect "the favicon is 204 with the security headers too" \
	"$STATUS $(hdr X-Content-Type-Options) $(hdr Content-Security-Policy | cut -d';' -f1)" "204 nosniff default-src 'self'"
breq DELETE /healthz
expect "a bad method is 405" "$STATUS" 405
expect "... with Allow" "$(hdr Allow)" "GET, HEAD"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T_TMP/big"
breq POST /login -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$T_TMP/big"
expect "a body over 1 MB is 413" "$STATUS" 413
breq POST /login -H 'Content-Type: application/x-www-form-urlencoded' -H 'Transfer-Encoding: chunked' --data-binary "@$T_TMP/big"
expect "a chunked body over 1 MB is 413" "$STATUS" 413
breq GET /
expect "/ without a session redirects to /login" "$STATUS $(hdr Location)" "303 /login"
breq GET /settings/salesforce
expect "a page without a session redirects to /login" "$STATUS $(hdr Location)" "303 /login"

# ---- sign-in ----
rm -f "$JAR"
breq POST /login --data-urlencode "email=ada@example.com" --data-urlencode "password=$PW"
expect "sign-in without the form's CSRF token is 403" "$STATUS" 403
login ada@example.com "wrong password here"
expect "a wrong password is 401" "$STATUS" 401
wrong=$(notice)
expect "... saying so without details" "$wrong" "The email or password is incorrect."
login nobody@example.com "wrong password here"
expect "an unknown email is 401 too" "$STATUS" 401
expect "... with the very same words" "$(notice)" "$wrong"
login ada@example.com "$PW" -H 'X-Forwarded-Proto: https'
expect "the right password signs in: 303 to the menu" "$STATUS $(hdr Location)" "303 /settings/salesforce"
cookie=$(grep -i '^set-cookie: sfb_session=' "$HDRS" | tr -d '\r')
expect_match "the session cookie is HttpOnly, SameSite=Lax, Path=/ (not Secure: plain http, proxy untrusted)" "$cookie" '^[Ss]et-[Cc]ookie: sfb_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$'
SESSION=$(printf '%s' "$cookie" | sed 's/.*sfb_session=\([^;]*\).*/\1/')
if cat "$DATA"/sfbridge.db* | grep -qF -- "$SESSION"; then
	fail "the store keeps the session's hash, not its id"
else
	pass "the store keeps the session's hash, not its id"
fi

# ---- pages ----
breq GET /
expect "/ with a session redirects to the menu" "$STATUS $(hdr Location)" "303 /settings/salesforce"
breq GET /settings/salesforce
expect "the menu is 200" "$STATUS" 200
expect "authenticated pages are Cache-Control: no-store" "$(hdr Cache-Control)" no-store
expect_match "the menu's heading is 'Salesforce Integration'" "$(cat "$RESP")" '<h1>Salesforce Integration</h1>'
expect_match "the status card says Not connected" "$(cat "$RESP")" 'Not connected'
for name in "Deal Registration" "Deal Import" "Lead Distribution" "Organization Sync" "Referrals"; do
	expect_match "the menu lists $name" "$(cat "$RESP")" ">$name</h3>"
done
expect "the five Enable switches are locked" "$(grep -c '<button type="submit" class="switch locked" disabled' "$RESP" | tr -d ' ')" 5
expect "... each with the reason" "$(grep -c 'Locked until Salesforce is connected' "$RESP" | tr -d ' ')" 5
expect_match "the page names the signed-in admin" "$(cat "$RESP")" 'Signed in as ada@example.com'
SCSRF=$(csrf)

breq GET /settings/salesforce/credentials
expect "the credentials form is 200" "$STATUS" 200
for label in "Login URL" "Username" "Password" "Security token"; do
	expect_match "the credentials form has a visible '$label' label" "$(cat "$RESP")" "<label for=\"[a-z_-]*\">$label</label>"
done
expect_match "... and a Save button" "$(cat "$RESP")" '<button type="submit" class="primary">Save</button>'
expect_match "... the three sign-in methods" "$(grep -c 'name="method"' "$RESP")" '^3$'
expect_match "... the four login hosts" "$(grep -c 'name="host"' "$RESP")" '^4$'
expect "secret fields carry no value" "$(grep -E 'name="(password|token|consumer_secret)"' "$RESP" | grep -c 'value=' | tr -d ' ')" 0

breq POST /settings/salesforce/credentials -d method=password -d host=production
expect "Save without the CSRF token is 403" "$STATUS" 403
breq POST /settings/salesforce/integrations/referrals --data-urlencode "csrf=$SCSRF" -d enabled=1
expect "enabling a locked integration is 409" "$STATUS" 409
breq POST /settings/salesforce/credentials --data-urlencode "csrf=$SCSRF" -H 'Content-Type: text/plain' --data-binary 'method=password'
expect "a form in the wrong encoding is 415" "$STATUS" 415

# ---- the JSON API ----
breq GET /api/v1/integrations -H "Authorization: Bearer $OLD"
expect "a token revoked with admin token revoke gets 401" "$STATUS" 401
breq GET /api/v1/integrations -H "Authorization: Bearer $TOKEN"
expect "GET /api/v1/integrations with a token is 200" "$STATUS" 200
expect "... listing five locked integrations" "$(json '[.integrations[] | select(.locked)] | length')" 5
breq GET /api/v1/integrations -H "Authorization: Bearer sfb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect "an unknown token is 401" "$STATUS $(json .error.code)" "401 unauthenticated"
STATUS=$(curl -sS -o "$RESP" -w '%{http_code}' "$URL/api/v1/integrations")
expect "no token and no session is 401" "$STATUS" 401
breq PATCH /api/v1/integrations/referrals -H 'Content-Type: application/json' -d '{"enabled":true}'
expect "a session's PATCH without X-CSRF-Token is 403" "$STATUS $(json .error.code)" "403 csrf_token_invalid"
breq PATCH /api/v1/integrations/referrals -H 'Content-Type: application/json' -H "X-CSRF-Token: $SCSRF" -d '{"enabled":true}'
expect "... with it, a locked integration is 409" "$STATUS $(json .error.code)" "409 integration_locked"
breq PATCH /api/v1/integrations/referrals -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"enabled":true,"colour":"red"}'
expect "an unknown field is 400" "$STATUS $(json .error.code)" "400 unknown_field"
breq PATCH /api/v1/integrations/referrals -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"enabled":'
expect "malformed JSON is 400" "$STATUS $(json .error.code)" "400 malformed_json"
breq PATCH /api/v1/integrations/referrals -H "Authorization: Bearer $TOKEN" -d 'enabled=1'
expect "a wrong content type is 415" "$STATUS" 415
breq GET /api/v1/integrations/nope -H "Authorization: Bearer $TOKEN"
expect "an unknown integration is 404" "$STATUS $(json .error.code)" "404 not_found"

# ---- Save = validate (the credentials feature), against sfemu ----
start_emu "$TOP/tests/data/scenarios/valid.json"
save() {
	breq POST /settings/salesforce/credentials --data-urlencode "csrf=$SCSRF" -d method=password -d host=url \
		--data-urlencode "login_url=$EMU_URL" --data-urlencode "username=int@acme.test" \
		--data-urlencode "password=$SECRET_SF_PW" --data-urlencode "token=$1"
}
save "$SECRET_SF_WRONG_TOKEN"
expect "a Save Salesforce refuses stays on the form (422)" "$STATUS" 422
expect_match "... showing the diagnosis code" "$(cat "$RESP")" '<code class="code">invalid_login</code>'
expect_match "... its title and explanation" "$(sed -n '/class="diagnosis error"/,/<\/section>/p' "$RESP" | grep -c '<p>')" '^[1-9]'
expect_match "... and numbered fix steps" "$(sed -n '/<ol class="steps">/,/<\/ol>/p' "$RESP" | grep -c '<li>')" '^[2-9]'
expect_match "... keeping the non-secret input" "$(cat "$RESP")" 'value="int@acme.test"'
expect_match "... and the chosen host" "$(cat "$RESP")" 'value="url" checked'
if grep -qF -e "$SECRET_SF_PW" -e "$SECRET_SF_WRONG_TOKEN" "$RESP"; then
	fail "... never echoing a secret"
else
	pass "... never echoing a secret"
fi
breq GET /settings/salesforce
expect "after a refused first Save the integrations stay locked" "$(grep -c 'class="switch locked" disabled' "$RESP" | tr -d ' ')" 5
save "$SECRET_SF_TOKEN"
expect "a Save that validates returns to the menu" "$STATUS $(hdr Location)" "303 /settings/salesforce?saved=1"
breq GET "/settings/salesforce?saved=1"
expect_match "the menu confirms" "$(notice)" "Credentials saved and validated"
expect_match "the status card says Connected" "$(cat "$RESP")" '<strong>Connected</strong>'
expect_match "... as the integration user, to the org" "$(tr -d '\n' <"$RESP")" '<dt>Connected as</dt><dd>int@acme.test</dd><dt>Organization</dt><dd>Scenario: everything in order</dd><dt>Edition</dt><dd>Enterprise Edition</dd><dt>Environment</dt><dd>Production</dd>'
expect_match "... with the validation's warnings" "$(cat "$RESP")" '<code class="code">legacy_auth_retiring</code>'
expect "the five Enable switches are unlocked" "$(grep -c '<button type="submit" class="switch" aria' "$RESP" | tr -d ' ')" 5
breq GET /settings/salesforce/credentials
expect_match "the form shows the saved username" "$(cat "$RESP")" 'id="username" name="username" type="text" value="int@acme.test"'
expect "... and no secret" "$(grep -E 'name="(password|token)"' "$RESP" | grep -c 'value=' | tr -d ' ')" 0
breq GET /api/v1/integrations -H "Authorization: Bearer $TOKEN"
expect "the API lists the integrations unlocked" "$(json '[.integrations[] | select(.locked | not)] | length')" 5
breq PATCH /api/v1/integrations/referrals -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"enabled":true}'
expect "enabling one through the API switches it on" "$STATUS $(json .enabled)" "200 true"
if cat "$DATA"/sfbridge.db* | grep -qF -e "$SECRET_SF_PW" -e "$SECRET_SF_TOKEN"; then
	fail "the Salesforce secrets are not stored in clear"
else
	pass "the Salesforce secrets are not stored in clear"
fi
stop_emu

# ---- sign-out ----
breq POST /logout -d x=1
expect "sign-out without the CSRF token is 403" "$STATUS" 403
breq POST /logout --data-urlencode "csrf=$SCSRF"
expect "sign-out is 303 to /login" "$STATUS $(hdr Location)" "303 /login"
expect_match "... and clears the cookie" "$(grep -i '^set-cookie: sfb_session=' "$HDRS" | tr -d '\r')" 'sfb_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0$'
STATUS=$(curl -sS -o /dev/null -D "$HDRS" -w '%{http_code}' -b "sfb_session=$SESSION" "$URL/settings/salesforce")
expect "the old session cookie no longer works" "$STATUS $(hdr Location)" "303 /login"

# ---- rate limits ----
rm -f "$JAR"
for i in 1 2 3; do login ada@example.com "wrong password $i"; done
expect "failures below the limit stay 401" "$STATUS" 401
login ada@example.com "wrong password 4"
login ada@example.com "wrong password 5"
login ada@example.com "wrong password 6"
expect "the 6th attempt within 15 minutes is 429" "$STATUS" 429
expect_match "... with Retry-After in seconds" "$(hdr Retry-After)" '^(8[0-9][0-9]|900)$'
login ada@example.com "$PW"
expect "... even the right password waits" "$STATUS" 429
login nobody@example.com "wrong password"
expect "an unknown email's count is its own: 401" "$STATUS" 401
out=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/login?token=SECRETQUERY")
stop_bridge

# The limit survives a restart; behind a trusted proxy the client IP and https come from it.
start_bridge --trust-proxy
rm -f "$JAR"
login ada@example.com "$PW" -H 'X-Forwarded-For: 10.1.1.1'
expect "the account limit survives a restart" "$STATUS" 429
for i in $(seq 1 20); do
	login "spray$i@example.com" "wrong" -H 'X-Forwarded-For: 6.6.6.6, 10.2.2.2'
done
expect "20 failures from one IP: the 20th is still 401" "$STATUS" 401
login "spray21@example.com" "wrong" -H 'X-Forwarded-For: 1.1.1.1, 10.2.2.2'
expect "the 21st from that IP is 429 (the proxy's entry counts, not the forgeable first)" "$STATUS" 429
login "spray22@example.com" "wrong" -H 'X-Forwarded-For: 10.3.3.3'
expect "another IP is not limited" "$STATUS" 401
sqlite3 "$DATA/sfbridge.db" "DELETE FROM login_attempts WHERE email = 'ada@example.com'"
login ada@example.com "$PW" -H 'X-Forwarded-For: 10.4.4.4' -H 'X-Forwarded-Proto: https'
expect "behind a trusted proxy, sign-in works" "$STATUS" 303
expect_match "... and X-Forwarded-Proto: https makes the cookie Secure" "$(grep -i '^set-cookie: sfb_session=' "$HDRS" | tr -d '\r')" '; Secure$'
SESSION2=$(grep -i '^set-cookie: sfb_session=' "$HDRS" | sed 's/.*sfb_session=\([^;]*\).*/\1/')

# Graceful stop: a request still uploading when SIGTERM arrives gets its answer.
head -c 300000 /dev/zero | tr '\0' 'a' >"$T_TMP/slow"
curl -sS -o /dev/null -w '%{http_code}' --limit-rate 150k -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "@$T_TMP/slow" "$URL/login" >"$T_TMP/slow.status" 2>/dev/null &
SLOW=$!
sleep 0.5 # the upload takes 2 s: it is half-way through its body
kill -TERM "$BR_PID"
wait "$SLOW"
expect "a request in flight at SIGTERM still gets its answer" "$(cat "$T_TMP/slow.status")" 403
stop_bridge

# ---- https ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1
start_bridge --tls-cert "$T_TMP/cert.pem" --tls-key "$T_TMP/key.pem"
expect_match "with --tls-cert and --tls-key it serves https" "$URL" '^https://127\.0\.0\.1:[0-9]+$'
rm -f "$JAR"
sqlite3 "$DATA/sfbridge.db" "DELETE FROM login_attempts"
login ada@example.com "$PW" -k
expect "sign-in over https works" "$STATUS" 303
expect_match "... and the session cookie is Secure" "$(grep -i '^set-cookie: sfb_session=' "$HDRS" | tr -d '\r')" '; HttpOnly; SameSite=Lax; Secure$'
stop_bridge

# ---- the access log ----
log_has "the access log has one structured line per request" 'access method=POST path="/login" status=303 bytes=[0-9]+ ms=[0-9]+ ip=127\.0\.0\.1$'
log_has "... with the proxy's client IP when trusted" 'path="/login" status=303 bytes=[0-9]+ ms=[0-9]+ ip=10\.4\.4\.4$'
log_has "... and the path without its query string" 'access method=GET path="/login" status=200 .*ip=127\.0\.0\.1$'
log_has "at debug level Save's login is traced with the password redacted" '<urn:password><redacted></urn:password>'
log=$(bridge_log)
for s in "$PW" "$SESSION" "$SESSION2" "$TOKEN" "$OLD" "$SECRET_SF_PW" "$SECRET_SF_TOKEN" "$SECRET_SF_WRONG_TOKEN" SECRETQUERY; do
	if [ -z "$s" ] || printf '%s' "$log" | grep -qF -- "$s"; then
		fail "the log never holds a password, cookie, token or query (${s%"${s#???}"}...)"
	else
		pass "the log never holds a password, cookie, token or query (${s%"${s#???}"}...)"
	fi
done
exit $T_FAILED
