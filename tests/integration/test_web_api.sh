# test_web_api.sh - the JSON API under /api/v1 against a real sfemu: every endpoint, every error, bearer and session + CSRF, the OpenAPI document, and no secret anywhere.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/web_lib.sh"

ALL="$T_TMP/responses" # every API response body, grepped for secrets at the end

# api METHOD PATH [curl args...]: /api/v1 with the bearer token.
api() {
	a_m=$1
	a_p=$2
	shift 2
	breq "$a_m" "/api/v1$a_p" -H "Authorization: Bearer $TOKEN" "$@"
	cat "$RESP" >>"$ALL"
}
# put JSON: PUT /salesforce/credentials with a JSON body.
put() {
	api PUT /salesforce/credentials -H 'Content-Type: application/json' --data-binary "$1"
}
# code: "STATUS error.code" of the last answer.
code() { echo "$STATUS $(json .error.code)"; }
db() { sqlite3 "$DATA/sfbridge.db" "$1"; }
valid_body() {
	printf '{"method":"password","login":"%s","username":"int@acme.test","password":"%s","securityToken":"%s"}' \
		"$EMU_URL" "$SECRET_SF_PW" "$1"
}

printf '%s\n' "$PW" >"$T_TMP/pw"
"$BRIDGE" admin create --email ada@example.com --password-file "$T_TMP/pw" --data "$DATA" >/dev/null 2>&1
TOKEN=$("$BRIDGE" admin token create --email ada@example.com --name ci --data "$DATA" 2>/dev/null)
OLD=$("$BRIDGE" admin token create --email ada@example.com --name old --data "$DATA" 2>/dev/null)
db "UPDATE api_tokens SET revoked_ms = 1 WHERE name = 'old'"
SFBRIDGE_LOG_LEVEL=debug start_bridge

# ---- the OpenAPI document, served without authentication ----
STATUS=$(curl -sS -o "$RESP" -D "$HDRS" -w '%{http_code}' "$URL/api/v1/openapi.json")
expect "GET /api/v1/openapi.json needs no authentication" "$STATUS" 200
expect "... is application/json" "$(hdr Content-Type)" application/json
expect "... no-store, like every API reply" "$(hdr Cache-Control)" no-store
expect "... with the security headers" "$(hdr X-Content-Type-Options) $(hdr X-Frame-Options)" "nosniff DENY"
expect "... and parses as OpenAPI 3.1" "$(jq -r .openapi "$RESP" 2>&1)" 3.1.0
cp "$RESP" "$T_TMP/openapi.json"
oa() { jq -r "$1" "$T_TMP/openapi.json"; }
expect "the document's error schema has code, message, diagnoses" \
	"$(oa '.components.schemas.Error.properties.error.required | join(" ")')" "code message diagnoses"
expect "... a bearer and a cookie security scheme" \
	"$(oa '.components.securitySchemes | "\(.bearerToken.scheme) \(.sessionCookie.in):\(.sessionCookie.name) \(.csrfToken.name)"')" \
	"bearer cookie:sfb_session X-CSRF-Token"
# The routes in the code (api.c's table; a trailing '/' takes a name).
routes=$(sed -n 's/^	{"\(\/[a-z0-9_./]*\)", \(true\|false\),.*/\1/p' "$TOP/src/bridge/web/api.c" |
	sed 's#/$#/{name}#' | sort | tr '\n' ' ')
expect "every route of api.c is in the document and every path of the document is a route" \
	"$(oa '.paths | keys | join(" ")') " "$routes"
expect_match "... (the routes were found)" "$routes" '/salesforce/credentials/test '
# Each path's methods: the document's, and the server's Allow on a 405.
for path in $(oa '.paths | keys[]'); do
	want=$(oa ".paths[\"$path\"] | keys - [\"parameters\"] | map(ascii_upcase) | sort | join(\" \")")
	api OPTIONS "$(echo "$path" | sed 's#{name}#referrals#')"
	got=$(hdr Allow | tr -d ',' | tr ' ' '\n' | grep -v '^HEAD$' | sort | tr '\n' ' ' | sed 's/ $//')
	expect "$path: the server allows exactly the document's methods ($want)" "$STATUS $got" "405 $want"
done
breq POST /api/v1/openapi.json
expect "POST on the document is 405" "$(code) $(hdr Allow)" "405 method_not_allowed GET, HEAD"

# ---- authentication ----
STATUS=$(curl -sS -o "$RESP" -D "$HDRS" -w '%{http_code}' "$URL/api/v1/salesforce/credentials")
expect "no token and no session: 401" "$(code)" "401 unauthenticated"
expect_match "... with WWW-Authenticate" "$(hdr WWW-Authenticate)" '^Bearer realm="sfbridge"'
breq GET /api/v1/salesforce/credentials -H "Authorization: Bearer sfb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect "an unknown token: 401" "$(code)" "401 unauthenticated"
breq GET /api/v1/salesforce/usage -H "Authorization: Bearer $OLD"
expect "a revoked token: 401" "$(code)" "401 unauthenticated"
expect_match "... error=invalid_token" "$(hdr WWW-Authenticate)" 'error="invalid_token"'
STATUS=$(curl -sS -o "$RESP" -w '%{http_code}' -b "sfb_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$URL/api/v1/integrations")
expect "a forged session cookie: 401" "$(code)" "401 unauthenticated"

# ---- routing ----
api GET /nope
expect "an unknown path: 404 not_found" "$(code)" "404 not_found"
expect "... as application/json, no-store" "$(hdr Content-Type) $(hdr Cache-Control)" "application/json no-store"
api GET ""
expect "/api/v1 itself: 404" "$(code)" "404 not_found"
api GET /integrations/referrals/x
expect "a path below a name: 404" "$(code)" "404 not_found"
breq GET /api/v2/integrations -H "Authorization: Bearer $TOKEN"
expect "another API version: 404 not_found in JSON" "$(code) $(hdr Content-Type)" "404 not_found application/json"
api POST /salesforce/credentials
expect "POST on the credentials: 405 with Allow" "$(code) $(hdr Allow)" "405 method_not_allowed GET, HEAD, PUT, DELETE"
api GET /salesforce/credentials/test
expect "GET on test: 405 with Allow" "$(code) $(hdr Allow)" "405 method_not_allowed POST"
api DELETE /integrations
expect "DELETE on the integrations: 405 with Allow" "$(code) $(hdr Allow)" "405 method_not_allowed GET, HEAD"
api PUT /integrations/referrals
expect "PUT on an integration: 405 with Allow" "$(code) $(hdr Allow)" "405 method_not_allowed GET, HEAD, PATCH"
api PATCH /salesforce/usage
expect "PATCH on the usage: 405" "$(code) $(hdr Allow)" "405 method_not_allowed GET, HEAD"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T_TMP/big"
api PUT /salesforce/credentials -H 'Content-Type: application/json' --data-binary "@$T_TMP/big"
expect "a body over 1 MB: 413 body_too_large" "$(code)" "413 body_too_large"

# ---- no credentials yet ----
api GET /salesforce/credentials
expect "GET credentials with none saved: 200" "$STATUS" 200
expect "... configured false, nothing stored" \
	"$(json '"\(.configured) \(.active) \(.valid) \(.refused) \(.method) \(.login) \(.username) \(.validatedAt) \(.org) \(.user)"')" \
	"false false false false null null null null null null"
expect "... every secret not stored" "$(json '.secrets | "\(.password) \(.securityToken) \(.consumerSecret) \(.privateKey)"')" \
	"false false false false"
expect "... no consumerKey" "$(json 'has("consumerKey")')" false
api POST /salesforce/credentials/test
expect "test with none saved: 404 no_credentials" "$(code)" "404 no_credentials"
api DELETE /salesforce/credentials
expect "DELETE with none saved: 204 (idempotent)" "$STATUS $(wc -c <"$RESP" | tr -d ' ')" "204 0"
api GET /salesforce/usage
expect "usage with nothing spent: 24 hours, zero totals, no org count" \
	"$(json '"\(.hours | length) \(.totals.logins) \(.totals.requests) \(.org)"')" "24 0 0 null"
api GET /salesforce/validations
expect "no validations yet" "$STATUS $(json '"\(.validations | length) \(.next)"')" "200 0 null"

# ---- PUT: bad input gets a clear 4xx, and nothing is saved ----
api PUT /salesforce/credentials -H 'Content-Type: text/plain' --data-binary '{"username":"a@b.c"}'
expect "PUT as text/plain: 415" "$(code)" "415 unsupported_media_type"
put '{"username":'
expect "malformed JSON: 400 malformed_json" "$(code)" "400 malformed_json"
put '["username"]'
expect "an array: 400 malformed_json" "$(code)" "400 malformed_json"
put '{"username":"a@b.c","username":"d@e.f"}'
expect "a repeated key: 400 malformed_json" "$(code)" "400 malformed_json"
put '{"username":"a@b.c","colour":"red"}'
expect "an unknown field: 400 unknown_field" "$(code)" "400 unknown_field"
expect_match "... naming it and the fields there are" "$(json .error.message)" "^unknown field 'colour': the fields are 'method', 'login'"
put '{"username":42}'
expect "a number for a string: 400 invalid_field" "$(code) $(json .error.message)" "400 invalid_field 'username' must be a string"
put '{"password":null}'
expect "null for a secret: 400 invalid_field" "$(code)" "400 invalid_field"
put '{"method":"oauth"}'
expect "an unknown method: 400 invalid_field" "$(code)" "400 invalid_field"
put '{"method":"jwt","login":"production"}'
expect "jwt without username or key: 422 credentials_invalid (local checks, no network)" "$(code)" "422 credentials_invalid"
expect_match "... with full diagnoses" "$(json '.error.diagnoses[0] | "\(.code) \(.severity) \(.fix | length)"')" '^[a-z_]+ error [1-9]'
expect "after the 4xx answers nothing is configured" "$(db "SELECT count(*) FROM credentials WHERE status = 'active'")" 0

# ---- Save = validate against sfemu ----
start_emu "$TOP/tests/data/scenarios/valid.json"
L0=$(logins)
U0=$(api_used)
put "$(valid_body "$SECRET_SF_TOKEN")"
expect "a Save that validates: 200" "$STATUS" 200
expect "... configured, active, valid, not refused, method password" \
	"$(json '"\(.configured) \(.active) \(.valid) \(.refused) \(.method)"')" "true true true false password"
expect "... login and username as saved" "$(json '"\(.login) \(.username)"')" "$EMU_URL int@acme.test"
expect "... secrets as stored-or-not, never values" \
	"$(json '.secrets | "\(.password) \(.securityToken) \(.consumerSecret) \(.privateKey)"')" "true true false false"
expect_match "... validatedAt in ISO form" "$(json .validatedAt)" '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:.]+Z$'
expect "... the org and user the preflight read" "$(json '"\(.org.name)|\(.org.sandbox)|\(.user.username)"')" \
	"Scenario: everything in order|false|int@acme.test"
expect "... the warnings in diagnoses" "$(json '[.diagnoses[] | "\(.code):\(.severity)"] | join(" ")')" "legacy_auth_retiring:warning"
VALIDATED=$(json .validatedAt)
expect "one Save, one login" "$(($(logins) - L0))" 1
api GET /salesforce/usage
HOUR=$(date -u +%Y-%m-%dT%H:00:00)
expect "usage: 1 login and 2 requests in the current hour" \
	"$(json '.hours[-1] | "\(.hour[0:19]) \(.logins) \(.requests)"')" "$HOUR 1 2"
expect "... and the same totals" "$(json '"\(.totals.logins) \(.totals.requests)"')" "1 2"
expect_match "... with the org's own count as seen" "$(json '.org | "\(.used) \(.max) \(.seenAt)"')" '^[0-9]+ [1-9][0-9]* 20[0-9-]+T'
expect "... sfemu counted those 2 requests" "$(($(api_used) - U0))" 2
api GET /salesforce/credentials
expect "GET agrees with the Save" "$(json '"\(.configured) \(.valid) \(.validatedAt)"')" "true true $VALIDATED"

# A failed Save keeps the previous active credentials.
L0=$(logins)
put "$(valid_body "$SECRET_SF_WRONG_TOKEN")"
expect "a Save Salesforce refuses: 422 credentials_invalid" "$(code)" "422 credentials_invalid"
expect "... with invalid_login first" "$(json '.error.diagnoses[0].code')" invalid_login
expect_match "... its explanation and fix steps" "$(json '.error.diagnoses[0] | "\(.explanation | length > 0) \(.fix | length)"')" '^true [2-9]'
expect "... saying the working credentials stay active" "$(json .error.message)" \
	"these credentials did not pass, so they were not saved; the credentials that were working stay active"
expect "... one login" "$(($(logins) - L0))" 1
api GET /salesforce/credentials
expect "the previous credentials stay active and valid" "$(json '"\(.valid) \(.refused) \(.validatedAt)"')" "true false $VALIDATED"
expect "one active row in the store" "$(db "SELECT count(*) FROM credentials WHERE status = 'active'")" 1

# Secrets left out are kept (same method, login and username).
put "{\"login\":\"$EMU_URL\",\"username\":\"int@acme.test\"}"
expect "a Save without secrets keeps the stored ones: 200 valid" "$STATUS $(json .valid)" "200 true"

# Salesforce unreachable: 502, nothing changes.
put '{"login":"http://127.0.0.1:1","username":"int@acme.test","password":"x","securityToken":"ScnTokenAbCdEfGhIjKlMnOp"}'
expect "a Save that can't reach Salesforce: 502 salesforce_unavailable" "$(code)" "502 salesforce_unavailable"
expect "... with the diagnosis" "$(json '.error.diagnoses[0].code')" network_unreachable
api GET /salesforce/credentials
expect "... and the active credentials are unchanged" "$(json '"\(.valid) \(.login)"')" "true $EMU_URL"

# ---- test ----
L0=$(logins)
api POST /salesforce/credentials/test
expect "test with no body: 200 with the GET shape" "$STATUS $(json '"\(.valid) \(.configured) \(.secrets.password)"')" "200 true true true"
expect "... one login" "$(($(logins) - L0))" 1
api POST /salesforce/credentials/test -H 'Content-Type: application/json' --data-binary '{"again":false}'
expect "test {\"again\": false}: 200" "$STATUS" 200
api POST /salesforce/credentials/test -H 'Content-Type: application/json' --data-binary '{"again":"yes"}'
expect "again as a string: 400 invalid_field" "$(code)" "400 invalid_field"
api POST /salesforce/credentials/test -H 'Content-Type: application/json' --data-binary '{"now":true}'
expect "another key: 400 unknown_field" "$(code)" "400 unknown_field"
api POST /salesforce/credentials/test -H 'Content-Type: text/plain' --data-binary 'again'
expect "a body that is not JSON: 415" "$(code)" "415 unsupported_media_type"

# ---- integrations ----
api GET /integrations
expect "GET /integrations: five, unlocked" "$STATUS $(json '[.integrations[] | select(.locked | not)] | length')" "200 5"
expect "... with every key (lockedReason only when locked)" \
	"$(json '.integrations[0] | keys | join(" ")')" "changedAt changedBy description enabled label locked name"
expect "... off and never switched" "$(json '.integrations[4] | "\(.name) \(.label) \(.enabled) \(.changedAt) \(.changedBy)"')" \
	"referrals Referrals false null null"
api PATCH /integrations/referrals -H 'Content-Type: application/json' --data-binary '{"enabled":true}'
expect "PATCH {\"enabled\": true}: 200, switched on" "$STATUS $(json '"\(.enabled) \(.locked) \(.changedBy)"')" "200 true false ada@example.com"
expect_match "... changedAt in ISO form" "$(json .changedAt)" '^20[0-9-]+T[0-9:.]+Z$'
expect "... stored" "$(db "SELECT enabled || ' ' || changed_by FROM integration_settings WHERE name = 'referrals'")" "1 ada@example.com"
api GET /integrations/referrals
expect "GET the integration: on" "$STATUS $(json .enabled)" "200 true"
api PATCH /integrations/referrals -H 'Content-Type: application/json' --data-binary '{"enabled":"yes"}'
expect "PATCH enabled as a string: 400 invalid_field" "$(code)" "400 invalid_field"
api PATCH /integrations/referrals -H 'Content-Type: application/json' --data-binary '{}'
expect "PATCH without enabled: 400 invalid_field" "$(code)" "400 invalid_field"
api PATCH /integrations/referrals -H 'Content-Type: application/json' --data-binary '{"enabled":true,"colour":1}'
expect "PATCH with an unknown field: 400 unknown_field" "$(code)" "400 unknown_field"
api PATCH /integrations/referrals -H 'Content-Type: application/json' --data-binary '{"enabled":tru'
expect "PATCH with malformed JSON: 400 malformed_json" "$(code)" "400 malformed_json"
api PATCH /integrations/referrals --data-binary 'enabled=1'
expect "PATCH as a form: 415" "$(code)" "415 unsupported_media_type"
api PATCH /integrations/nope -H 'Content-Type: application/json' --data-binary '{"enabled":true}'
expect "PATCH an unknown integration: 404" "$(code)" "404 not_found"
api GET /integrations/nope
expect "GET an unknown integration: 404" "$(code)" "404 not_found"

# ---- the lockout guard ----
admin POST /users/int@acme.test/reset-token
expect "sfemu reset the token" "$STATUS" 200
L0=$(logins)
api POST /salesforce/credentials/test
expect "test after a token reset: 422 credentials_invalid" "$(code)" "422 credentials_invalid"
expect "... credentials_stopped_working, then invalid_login" "$(json '[.error.diagnoses[].code] | join(" ")')" \
	"credentials_stopped_working invalid_login"
expect "... one login" "$(($(logins) - L0))" 1
L0=$(logins)
U0=$(api_used)
api POST /salesforce/credentials/test
expect "test while the guard holds: 409 lockout_guard" "$(code)" "409 lockout_guard"
expect_match "... saying how to go on" "$(json .error.message)" 'send \{"again": true\} for one attempt, or save new credentials'
expect "... with the refusal as a held diagnosis" "$(json '.error.diagnoses[0] | "\(.code) \(.detail.guard)"')" \
	"credentials_stopped_working holding"
api POST /salesforce/credentials/test -H 'Content-Type: application/json' --data-binary '{"again":false}'
expect "... and with {\"again\": false}" "$(code)" "409 lockout_guard"
expect "no login and no API request while the guard holds" "$(($(logins) - L0)) $(($(api_used) - U0))" "0 0"
api GET /salesforce/credentials
expect "GET says refused, not valid" "$(json '"\(.configured) \(.refused) \(.valid)"')" "true true false"

api GET /integrations
expect "while refused every integration is locked, with the reason" \
	"$(json '[.integrations[] | select(.locked and (.lockedReason | length > 0))] | length')" 5
expect "... and the admin's choice is kept" "$(json '.integrations[4] | "\(.name) \(.enabled)"')" "referrals true"
api PATCH /integrations/deal_import -H 'Content-Type: application/json' --data-binary '{"enabled":true}'
expect "enabling a locked integration: 409 integration_locked" "$(code)" "409 integration_locked"
expect_match "... with the reason" "$(json .error.message)" '^Deal Import: .+'
expect "... nothing stored" "$(db "SELECT count(*) FROM integration_settings WHERE name = 'deal_import'")" 0
api PATCH /integrations/referrals -H 'Content-Type: application/json' --data-binary '{"enabled":false}'
expect "disabling is allowed while locked" "$STATUS $(json '"\(.enabled) \(.locked)"')" "200 false true"

L0=$(logins)
api POST /salesforce/credentials/test -H 'Content-Type: application/json' --data-binary '{"again":true}'
expect "test {\"again\": true}: one attempt, still refused (422)" "$(code) $(($(logins) - L0))" "422 credentials_invalid 1"
req GET "/_emu/outbox?to=int@mail.acme.test"
NEWTOKEN=$(json '.messages[-1].body' | sed -n 's/^Security token (case-sensitive): //p')
expect_match "sfemu emailed a new token" "$NEWTOKEN" '^[A-Za-z0-9]{24}$'
put "$(valid_body "$NEWTOKEN")"
expect "Save with the new token: 200, the guard released" "$STATUS $(json '"\(.valid) \(.refused)"')" "200 true false"

# ---- validations, page by page ----
N=$(db "SELECT count(*) FROM validations")
api GET /salesforce/validations
expect "validations: every run (under the default 20), next null" "$(json '"\(.validations | length) \(.next)"')" "$N null"
expect "... each with its fields" "$(json '.validations[0] | keys | join(" ")')" \
	"apiRequests diagnoses finishedAt id loginAttempts problem startedAt summary valid"
expect "... newest first: the last Save, valid" "$(json '.validations[0].valid')" true
expect "... with no problem" "$(json '.validations[0].problem')" null
expect "... a refused run's problem is what to fix, never credentials_stopped_working" \
	"$(json '[.validations[] | select(.valid | not) | .problem] | map(select(. == "credentials_stopped_working")) | length') $(json '[.validations[] | select(.valid | not) | .problem] | index("invalid_login") != null')" "0 true"
seen=""
next="/api/v1/salesforce/validations?limit=3"
pages=0
while [ "$next" != null ] && [ $pages -lt 20 ]; do
	breq GET "$next" -H "Authorization: Bearer $TOKEN"
	seen="$seen $(json '[.validations[].id] | map(tostring) | join(" ")')"
	next=$(json .next)
	pages=$((pages + 1))
done
all=$(db "SELECT group_concat(id, ' ') FROM (SELECT id FROM validations ORDER BY id DESC)")
expect "limit=3 pages through every run once, newest first" "$seen" " $all"
expect "... in ceil(N/3) pages" "$pages" $(((N + 2) / 3))
api GET "/salesforce/validations?limit=2"
FIRST=$(json '.validations[1].id')
expect "next is the contract's address" "$(json .next)" "/api/v1/salesforce/validations?limit=2&before=$FIRST"
for q in limit=0 limit=101 limit=abc limit=-1 "limit=1%20" before=0 before=-3 before=x before=99999999999999999999 colour=red "limit=1&limit=2" "before=%zz"; do
	api GET "/salesforce/validations?$q"
	expect "validations?$q: 400 invalid_parameter" "$(code)" "400 invalid_parameter"
done
api GET "/salesforce/validations?limit=100&before=$FIRST"
expect "limit=100 and before are accepted" "$STATUS" 200

# ---- session + CSRF ----
login ada@example.com "$PW"
expect "signed in" "$STATUS" 303
SESSION=$(sed -n 's/.*sfb_session\t//p' "$JAR")
breq GET /settings/salesforce
SCSRF=$(csrf)
breq GET /api/v1/salesforce/credentials
expect "a session reads without a CSRF token" "$STATUS $(json .configured)" "200 true"
breq DELETE /api/v1/salesforce/credentials
expect "a session's DELETE without X-CSRF-Token: 403" "$(code)" "403 csrf_token_invalid"
breq DELETE /api/v1/salesforce/credentials -H "X-CSRF-Token: AAAA$SCSRF"
expect "... with a wrong X-CSRF-Token: 403" "$(code)" "403 csrf_token_invalid"
breq PUT /api/v1/salesforce/credentials -H 'Content-Type: application/json' --data-binary '{}'
expect "a session's PUT without X-CSRF-Token: 403" "$(code)" "403 csrf_token_invalid"
api GET /salesforce/credentials
expect "... which changed nothing" "$(json .configured)" true
breq DELETE /api/v1/salesforce/credentials -H "X-CSRF-Token: $SCSRF"
expect "with the session's X-CSRF-Token: 204" "$STATUS" 204
expect "... a 204 is still no-store with the security headers" "$(hdr Cache-Control) $(hdr X-Content-Type-Options)" "no-store nosniff"
api GET /salesforce/credentials
expect "cleared: nothing configured, no secret stored" \
	"$(json '"\(.configured) \(.secrets.password) \(.secrets.securityToken)"')" "false false false"
expect "... no sealed secret left in the store" \
	"$(db "SELECT count(*) FROM credentials WHERE password_sealed IS NOT NULL OR token_sealed IS NOT NULL")" 0
api DELETE /salesforce/credentials
expect "DELETE again: 204" "$STATUS" 204
api GET /integrations
expect "the integrations lock again" "$(json '[.integrations[] | select(.locked)] | length')" 5

# ---- test when Salesforce is gone ----
put "$(valid_body "$NEWTOKEN")"
expect "Save again: 200" "$STATUS" 200
stop_emu
api POST /salesforce/credentials/test
expect "test with sfemu stopped: 502 salesforce_unavailable" "$(code)" "502 salesforce_unavailable"
expect_match "... with the diagnosis" "$(json '.error.diagnoses[0].code')" '^(network_unreachable|salesforce_unavailable)$'
stop_bridge

# ---- no secret anywhere ----
for s in "$SECRET_SF_PW" "$SECRET_SF_TOKEN" "$SECRET_SF_WRONG_TOKEN" "$NEWTOKEN" "$TOKEN" "$OLD" "$SESSION" "$SCSRF" "$PW"; do
	short="${s%"${s#???}"}..."
	if [ -z "$s" ]; then
		fail "a secret to look for ($short) was captured"
		continue
	fi
	if grep -qF -- "$s" "$ALL"; then fail "no API response holds $short"; else pass "no API response holds $short"; fi
	if bridge_log | grep -qF -- "$s"; then fail "the server log never holds $short"; else pass "the server log never holds $short"; fi
	if cat "$DATA"/sfbridge.db* | grep -qF -- "$s"; then fail "the store never holds $short in clear"; else pass "the store never holds $short in clear"; fi
done
log_has "the log names the admin's API Save, not its secrets" "web: credentials Save by 'ada@example.com' for 'int@acme.test' \(api\): valid"
exit $T_FAILED
