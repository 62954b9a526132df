# test_web_pages.sh - the console's pages against sfemu: the lockout guard and Test again, the API usage chart, validation history, integration switches, diagnosis help pages.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/web_lib.sh"

PAGES="$T_TMP/pages.all"

# page METHOD PATH [curl args...]: breq, keeping every page for the secret check.
page() {
	breq "$@"
	cat "$RESP" >>"$PAGES"
}
# logins: sfemu's LoginHistory rows so far.
logins() {
	req GET /_emu/login-history
	json '.records | length'
}
# count REGEX: lines of $RESP matching REGEX (grep -E).
count() {
	grep -Ec -- "$1" "$RESP" | tr -d ' '
}
# section CLASS: the lines of $RESP's element opening with class="CLASS", to its end tag.
section() {
	sed -n "/class=\"$1\"/,/<\/$2>/p" "$RESP"
}
test_again() {
	page POST /settings/salesforce/test --data-urlencode "csrf=$SCSRF"
}
switch() {
	page POST "/settings/salesforce/integrations/$1" --data-urlencode "csrf=$SCSRF" -d "enabled=$2"
}
save() {
	page POST /settings/salesforce/credentials --data-urlencode "csrf=$SCSRF" -d method=password -d host=url \
		--data-urlencode "login_url=$EMU_URL" --data-urlencode "username=int@acme.test" \
		--data-urlencode "password=$SECRET_SF_PW" --data-urlencode "token=$1"
}

printf '%s\n' "$PW" >"$T_TMP/pw"
"$BRIDGE" admin create --email ada@example.com --password-file "$T_TMP/pw" --data "$DATA" >/dev/null 2>&1
start_emu "$TOP/tests/data/scenarios/valid.json"
start_bridge

# ---- help pages: public, one per code of the diagnosis table ----
CODES=$(sed -n 's/^## \([a-z_]*\)$/\1/p' "$TOP/docs/diagnostics.md")
expect_match "docs/diagnostics.md lists the codes" "$(printf '%s\n' "$CODES" | wc -l)" '^ *[1-9][0-9]+$'
rm -f "$JAR"
page GET /help/diagnoses
expect "the help index is public (no session): 200" "$STATUS" 200
expect "... with the security headers" "$(hdr Content-Security-Policy | cut -d';' -f1) $(hdr X-Frame-Options)" "default-src 'self' DENY"
expect "... one entry per code of docs/diagnostics.md" "$(count '^<li><a class="code-link" href="/help/diagnoses/[a-z_]+"><code class="code">[a-z_]+</code></a> .+</li>$')" \
	"$(printf '%s\n' "$CODES" | wc -l | tr -d ' ')"
for code in $CODES; do
	grep -q "href=\"/help/diagnoses/$code\"" "$RESP" || fail "the help index links to $code"
done
for code in $CODES; do
	page GET "/help/diagnoses/$code"
	want=$(sed -n "/^## $code\$/,/^## /p" "$TOP/docs/diagnostics.md" | sed -n 's/^\*\*\([a-z]*\).*/\1/p' | head -1)
	got="$STATUS $(count "<dd><code class=\"code\">$code</code></dd>") $(sed -n 's/^<dt>Severity<\/dt><dd>\(.*\)<\/dd>$/\1/p' "$RESP")"
	steps=$(sed -n '/<ol class="steps">/,/<\/ol>/p' "$RESP" | grep -c '^<li>.\{20,\}</li>$')
	if [ "$got" = "200 1 $want" ] && [ "$steps" -ge 1 ]; then
		pass "help page $code: 200, its code, severity $want, $steps fix steps"
	else
		fail "help page $code: 200, its code, severity, fix steps" "got:  $got ($steps steps)" "want: 200 1 $want (1 or more steps)"
	fi
done
page GET /help/diagnoses/invalid_login
expect_match "a help page has the title as its heading" "$(cat "$RESP")" '<h1>Salesforce refused the username, password or security token</h1>'
page GET /help/diagnoses/no_such_code
expect "an unknown code is 404" "$STATUS" 404
page GET /help/diagnoses/
expect "/help/diagnoses/ without a code is 404" "$STATUS" 404
page POST /help/diagnoses -d x=1
expect "help pages are GET only (405)" "$STATUS $(hdr Allow)" "405 GET, HEAD"

# ---- the menu before any credentials ----
login ada@example.com "$PW"
page GET /settings/salesforce
SCSRF=$(csrf)
expect "the menu is 200" "$STATUS" 200
expect_match "the history says No validations yet." "$(cat "$RESP")" '<p class="muted">No validations yet.</p>'
expect "no Test again without credentials" "$(count '>Test again</button>')" 0
expect "the usage chart has 24 bars" "$(grep -o '<g class="bar"><title>' "$RESP" | wc -l | tr -d ' ')" 24
expect_match "... an empty day" "$(cat "$RESP")" 'aria-label="sfbridge used 0 logins and 0 API requests in the last 24 hours"'
expect "... where every hour draws only its baseline" "$(grep -o 'class="req" x="[0-9]*" y="60" width="8" height="0"' "$RESP" | wc -l | tr -d ' ')" 24

# ---- CSRF on the new forms ----
page POST /settings/salesforce/test -d x=1
expect "Test again without the CSRF token is 403" "$STATUS" 403
page POST /settings/salesforce/integrations/referrals -d enabled=0
expect "a switch without the CSRF token is 403" "$STATUS" 403
page GET /settings/salesforce/test
expect "Test again is POST only (405)" "$STATUS $(hdr Allow)" "405 POST"
L0=$(logins)
test_again
expect "Test again with nothing saved is 409, no login" "$STATUS $(($(logins) - L0))" "409 0"

# ---- a Save: the chart, the history, the guard off ----
L0=$(logins)
save "$SECRET_SF_TOKEN"
expect "the Save validates" "$STATUS $(hdr Location)" "303 /settings/salesforce?saved=1"
expect "... with one login" "$(($(logins) - L0))" 1
page GET /settings/salesforce
expect "the usage chart still has 24 bars" "$(grep -o '<g class="bar"><title>' "$RESP" | wc -l | tr -d ' ')" 24
expect_match "... with role=img and a summary of the Save's cost" "$(cat "$RESP")" \
	'<svg class="chart" [^>]*role="img" aria-label="sfbridge used 1 login and 2 API requests in the last 24 hours">'
expect "... one hour with 1 login and 2 API requests" "$(grep -Eo '<title>[0-9]{2}:00 UTC: 1 login, 2 API requests</title>' "$RESP" | wc -l | tr -d ' ')" 1
expect "... the current hour's, the last bar" "$(grep -o '<g class="bar"><title>[^<]*' "$RESP" | tail -1 | sed 's/.*<title>//')" \
	"$(date -u +%H):00 UTC: 1 login, 2 API requests"
expect "... drawn to the full height (the busiest hour)" "$(grep -o '<rect class="login" x="231" y="0" width="8" height="[0-9]*"/><rect class="req" x="231" y="[0-9]*" width="8" height="[0-9]*"' "$RESP" | wc -l | tr -d ' ')" 1
expect "... and 23 empty hours" "$(grep -o '<title>[0-9]*:00 UTC: 0 logins, 0 API requests</title>' "$RESP" | wc -l | tr -d ' ')" 23
expect_match "the org's own count" "$(cat "$RESP")" 'The org has used [0-9][0-9,]* of [1-9][0-9,]* daily API requests'
expect_match "the guard is off" "$(cat "$RESP")" '<p class="guard off">Lockout guard: off\.'
expect "a Test again button (a CSRF form)" "$(sed -n '/action="\/settings\/salesforce\/test"/,/<\/form>/p' "$RESP" | grep -c -e "name=\"csrf\" value=\"$SCSRF\"" -e '^<button type="submit">Test again</button>$')" 2
expect_match "the history is a table with its caption" "$(cat "$RESP")" '<caption>Validation history</caption>'
expect "... one row" "$(count '^<tr><td>[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC</td>')" 1
expect_match "... valid, no error, 1 login, 2 API requests" "$(cat "$RESP")" \
	'<td class="ok">Valid</td><td>–</td><td class="num">1</td><td class="num">2</td></tr>'
expect_match "the menu's diagnoses link each code to its help page" "$(cat "$RESP")" \
	'<a class="code-link" href="/help/diagnoses/legacy_auth_retiring"><code class="code">legacy_auth_retiring</code></a>'

# ---- integration switches ----
expect "every integration is Off" "$(count '<span class="badge off">Off</span>')" 5
expect_match "... its switch named for what it does" "$(cat "$RESP")" '<button type="submit" class="switch" aria-describedby="lock-deal_registration">Enable<span class="sr-only"> Deal Registration</span></button>'
switch referrals 1
expect "switching one on: 303 to the menu" "$STATUS $(hdr Location)" "303 /settings/salesforce"
page GET /settings/salesforce
expect "... it is On" "$(section 'integration' li | grep -A1 'id="int-referrals"' | grep -c '<span class="badge on">On</span>')" 1
expect_match "... and its switch now disables it" "$(tr -d '\n' <"$RESP")" \
	'<input type="hidden" name="enabled" value="0"><button type="submit" class="switch" aria-describedby="lock-referrals">Disable<span class="sr-only"> Referrals</span></button>'
expect "... the others stay Off" "$(count '<span class="badge off">Off</span>')" 4
switch referrals 0
page GET /settings/salesforce
expect "switching it off: Off again" "$(count '<span class="badge off">Off</span>')" 5
switch referrals 2
expect "enabled=2 is 400" "$STATUS" 400
page POST /settings/salesforce/integrations/nope --data-urlencode "csrf=$SCSRF" -d enabled=1
expect "an unknown integration is 404" "$STATUS" 404
switch deal_registration 1

# ---- Test again while working ----
L0=$(logins)
test_again
expect "Test again: 303 to the menu with tested=1" "$STATUS $(hdr Location)" "303 /settings/salesforce?tested=1"
expect "... one login" "$(($(logins) - L0))" 1
page GET "/settings/salesforce?tested=1"
expect "... the notice says it works" "$(notice)" "Connection tested: working."

# ---- the lockout guard ----
admin POST /users/int@acme.test/reset-token
expect "sfemu reset the security token" "$STATUS" 200
L0=$(logins)
test_again
expect "Test again after the reset: one login" "$STATUS $(($(logins) - L0))" "303 1"
page GET "/settings/salesforce?tested=1"
expect "the notice says it does not work" "$(notice)" "Connection tested: not working. See the diagnosis below."
expect_match "the guard holds" "$(cat "$RESP")" '<p class="guard on">Lockout guard: on\. sfbridge will not sign in with these credentials again until you save new ones or press Test again\.'
expect_match "... with sfbridge's refused logins in the lockout window" "$(cat "$RESP")" \
	"Refused logins by sfbridge as int@acme.test in the last 15 minutes: 1 "
expect_match "the diagnosis shows its code, linked" "$(cat "$RESP")" \
	'<h3 id="diag-credentials_stopped_working"><a class="code-link" href="/help/diagnoses/credentials_stopped_working"><code class="code">credentials_stopped_working</code></a>'
expect "Test again is still offered" "$(count '>Test again</button>')" 1
expect "locked: the switches of integrations that are off are disabled" "$(count '<button type="submit" class="switch locked" disabled')" 4
expect "... each with the reason" "$(count '<p class="lock" id="lock-[a-z_]+">Locked')" 5
expect "... one that is on can still be turned off" "$(count 'class="switch" aria-describedby="lock-deal_registration">Disable<')" 1
expect "... and says it is paused" "$(count 'On, paused while locked')" 1
switch referrals 1
expect "enabling while locked is 409" "$STATUS" 409
expect_match "... with the reason" "$(cat "$RESP")" 'Locked'
switch deal_registration 0
expect "disabling while locked is allowed (the safe direction)" "$STATUS $(hdr Location)" "303 /settings/salesforce"
page GET /settings/salesforce
expect "... then all five are locked" "$(count '<button type="submit" class="switch locked" disabled')" 5

L0=$(logins)
test_again
expect "Test again while the guard holds: exactly one login" "$STATUS $(($(logins) - L0))" "303 1"
page GET /settings/salesforce
expect_match "... counted in the window" "$(cat "$RESP")" "Refused logins by sfbridge as int@acme.test in the last 15 minutes: 2 "
L0=$(logins)
page GET /settings/salesforce
expect "the history, newest first: 2 refused, 1 working test, the Save" \
	"$(sed -n 's/^<tr><td>[^<]*<\/td><td class="[a-z]*">\([^<]*\)<.*/\1/p' "$RESP" | tr '\n' ',')" "Not valid,Not valid,Valid,Valid,"
expect_match "... a refused row links the code that says what to fix (not credentials_stopped_working)" "$(sed -n '/<tbody>/,/<\/tbody>/p' "$RESP" | head -2 | tail -1)" \
	'<td class="bad">Not valid</td><td><a class="code-link" href="/help/diagnoses/invalid_login"><code class="code">invalid_login</code></a></td><td class="num">1</td><td class="num">0</td></tr>'
expect "showing the menu while the guard holds makes no login" "$(($(logins) - L0))" 0

# New credentials release the guard.
req GET "/_emu/outbox?to=int@mail.acme.test"
NEWTOKEN=$(json '.messages[-1].body' | sed -n 's/^Security token (case-sensitive): //p')
expect_match "sfemu emailed a new token" "$NEWTOKEN" '^[A-Za-z0-9]{24}$'
save "$NEWTOKEN"
expect "Save with the new token validates" "$STATUS" 303
page GET /settings/salesforce
expect_match "the guard is off again" "$(cat "$RESP")" '<p class="guard off">Lockout guard: off\.'

# The history keeps the last 10 runs.
for i in 1 2 3 4 5 6; do test_again; done
page GET /settings/salesforce
expect "the history shows the last 10 of 11 runs" "$(count '^<tr><td>[0-9]{4}-')" 10
expect_match "... the chart counts them all: 6 + 5 logins" "$(cat "$RESP")" 'aria-label="sfbridge used 11 logins and [0-9]+ API requests in the last 24 hours"'
stop_emu
stop_bridge
# (Read only now: an outside sqlite3 process must not touch the store under a running server.)
expect "the store has each switch's last choice and who made it" \
	"$(sqlite3 "$DATA/sfbridge.db" "SELECT name || ' ' || enabled || ' ' || changed_by FROM integration_settings ORDER BY name")" \
	"deal_registration 0 ada@example.com
referrals 0 ada@example.com"

# ---- no secret in any page or log ----
log=$(bridge_log)
for s in "$PW" "$SECRET_SF_PW" "$SECRET_SF_TOKEN" "$NEWTOKEN"; do
	if [ -z "$s" ] || printf '%s' "$log" | grep -qF -- "$s" || grep -qF -- "$s" "$PAGES"; then
		fail "no page or log line holds a secret (${s%"${s#???}"}...)"
	else
		pass "no page or log line holds a secret (${s%"${s#???}"}...)"
	fi
done
log_has "Test again is logged with who asked" "web: credentials Test again by 'ada@example\.com' for 'int@acme\.test': not valid"
log_has "a switch is logged with who switched" "web: integration 'referrals' enabled by 'ada@example\.com'"
exit $T_FAILED
