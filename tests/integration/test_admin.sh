# test_admin.sh - the Salesforce admin's side: tokens by email, passwords, profiles, org, sessions, clock.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/login.json"
T=AbCdEfGhIjKlMnOpQrStUvWx
start_emu "$ORG"

# Reset the security token: the old one dies, the new one arrives by email.
admin POST /users/int@login.test/reset-token
expect "reset-token answers 200" "$STATUS" 200
expect "the reply says where the token was emailed" "$(json .emailedTo)" int@mail.test
expect "the reply never carries the token" "$(json 'has("securityToken") or has("token")')" false
admin GET "/outbox?to=int@mail.test"
NEWT=$(json '.messages[-1].body' | sed -n 's/^Security token (case-sensitive): //p')
expect "the email's subject" "$(json '.messages[-1].subject')" "Your new Salesforce security token"
expect_match "the emailed token is 24 letters and digits" "$NEWT" '^[A-Za-z0-9]{24}$'
soap_login int@login.test "Int-Pass-1$T"
expect "the old token no longer works" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
soap_login int@login.test "Int-Pass-1$NEWT"
expect "the emailed token works" "$STATUS" 200
SID=$(xml_text sessionId)

# getUserInfo and logout with a SessionHeader.
getuserinfo() {
	req POST /services/Soap/u/60.0 -H 'Content-Type: text/xml' --data-binary \
		"<se:Envelope xmlns:se=\"http://schemas.xmlsoap.org/soap/envelope/\"><se:Header><SessionHeader xmlns=\"urn:partner.soap.sforce.com\"><sessionId>$1</sessionId></SessionHeader></se:Header><se:Body><getUserInfo xmlns=\"urn:partner.soap.sforce.com\"/></se:Body></se:Envelope>"
}
getuserinfo "$SID"
expect "getUserInfo with the session" "$(xml_text userName)" int@login.test

# A password change kills sessions and emails a new token.
admin POST /users/int@login.test/password '{"password":"Int-Pass-2"}'
expect "setting a password answers 200" "$STATUS" 200
req GET /services/data/v60.0/ -H "Authorization: Bearer $SID"
expect "a password change ends the user's sessions" "$(json '.[0].errorCode')" INVALID_SESSION_ID
admin GET "/outbox?to=int@mail.test"
T2=$(json '.messages[-1].body' | sed -n 's/^Security token (case-sensitive): //p')
soap_login int@login.test "Int-Pass-1$NEWT"
expect "the old password no longer works" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
soap_login int@login.test "Int-Pass-2$NEWT"
expect "the token from before the password change no longer works" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
soap_login int@login.test "Int-Pass-2$T2"
expect "new password + newly emailed token work" "$STATUS" 200
SID=$(xml_text sessionId)

# Sessions: 2 hours idle, expire on demand, logout.
admin POST /clock '{"advanceSeconds": 7000}'
req GET /services/data/v60.0/ -H "Authorization: Bearer $SID"
expect "a session used within 2 hours is alive" "$STATUS" 200
admin POST /clock '{"advanceSeconds": 7000}'
req GET /services/data/v60.0/ -H "Authorization: Bearer $SID"
expect "each call resets the idle timer" "$STATUS" 200
admin POST /clock '{"advanceSeconds": 7300}'
req GET /services/data/v60.0/ -H "Authorization: Bearer $SID"
expect "a session idle for over 2 hours is expired" "$STATUS $(json '.[0].errorCode')" "401 INVALID_SESSION_ID"
expect "the 401 body is Salesforce's" "$(cat "$RESP")" '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]'
soap_login int@login.test "Int-Pass-2$T2"
SID=$(xml_text sessionId)
admin POST /sessions/expire
req GET /services/data/v60.0/ -H "Authorization: Bearer $SID"
expect "POST /_emu/sessions/expire ends every session" "$STATUS" 401
soap_login int@login.test "Int-Pass-2$T2"
SID=$(xml_text sessionId)
req POST /services/Soap/u/60.0 -H 'Content-Type: text/xml' --data-binary \
	"<se:Envelope xmlns:se=\"http://schemas.xmlsoap.org/soap/envelope/\"><se:Header><SessionHeader xmlns=\"urn:partner.soap.sforce.com\"><sessionId>$SID</sessionId></SessionHeader></se:Header><se:Body><logout xmlns=\"urn:partner.soap.sforce.com\"/></se:Body></se:Envelope>"
expect "logout answers 200" "$STATUS" 200
getuserinfo "$SID"
expect "after logout the session is invalid (SOAP)" "$(xml_text faultcode)" "sf:INVALID_SESSION_ID"

# Login hours follow the test clock (Weekday Hours: Mon/Tue 08:00-17:00 Pacific).
admin POST /clock '{"now": "2026-11-30T17:00:00Z"}'
expect_match "the clock can be set to an instant" "$(json .now)" "^2026-11-30T17:00:0[0-9][.][0-9]{3}Z$"
soap_login hours@login.test "Hours-Pass-1HoursHoursHoursHoursHour"
expect "Monday 09:00 Pacific is inside login hours" "$STATUS" 200
admin POST /clock '{"now": "2026-11-30T02:00:00Z"}'
soap_login hours@login.test "Hours-Pass-1HoursHoursHoursHoursHour"
expect "Sunday evening Pacific is outside login hours" "$(xml_text faultstring)" \
	"LOGIN_DURING_RESTRICTED_TIME: cannot log in during restricted time"
admin POST /clock '{"now": "2026-12-01T16:30:00Z"}'
soap_login hours@login.test "Hours-Pass-1HoursHoursHoursHoursHour"
expect "Tuesday 08:30 Pacific is inside" "$STATUS" 200
admin POST /clock '{"now": "2026-12-02T18:00:00Z"}'
soap_login hours@login.test "Hours-Pass-1HoursHoursHoursHoursHour"
expect "Wednesday has no hours once any day is set" "$(xml_text faultcode)" "sf:LOGIN_DURING_RESTRICTED_TIME"
admin PATCH "/profiles/Weekday%20Hours" '{"loginHours": null}'
soap_login hours@login.test "Hours-Pass-1HoursHoursHoursHoursHour"
expect "clearing login hours lifts the restriction" "$STATUS" 200
admin POST /clock '{"offsetSeconds": 0}'
expect "offsetSeconds resets the clock" "$(json .offsetSeconds)" 0

# Profiles, users and the org, edited as a Salesforce admin would.
admin PATCH /profiles/Integration '{"permissions":{"ApiEnabled": false}}'
expect "a profile's permissions can be edited" "$(json .permissions.ApiEnabled)" false
expect "the edit keeps the other permissions" "$(json .permissions.ModifyAllData)" true
soap_login int@login.test "Int-Pass-2$T2"
expect "removing API Enabled refuses the next login" "$(xml_text faultcode)" "sf:API_CURRENTLY_DISABLED"
admin PATCH /profiles/Integration '{"permissions":{"ApiEnabled": true}}'
admin PATCH /profiles/Integration '{"loginIpRanges":[{"startAddress":"10.0.0.1","endAddress":"10.0.0.0"}]}'
expect "an inverted IP range is refused" "$STATUS" 400
expect_match "the refusal names the key" "$(json .message)" 'loginIpRanges'
admin PATCH /profiles/Integration '{"permissions":{"ApiEnabled": "yes"}}'
expect "a non-boolean permission is refused" "$STATUS" 400
admin GET /profiles/Integration
expect "a refused edit changes nothing" "$(json .permissions.ApiEnabled)" true

admin PATCH /users/int@login.test '{"isFrozen": true}'
soap_login int@login.test "Int-Pass-2$T2"
expect "a frozen user is refused" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
admin PATCH /users/int@login.test '{"isFrozen": false, "profile": "No API"}'
soap_login int@login.test "Int-Pass-2$T2"
expect "moving the user to a profile without API" "$(xml_text faultcode)" "sf:API_CURRENTLY_DISABLED"
admin PATCH /users/int@login.test '{"permissionSets": ["API_Grant"]}'
soap_login int@login.test "Int-Pass-2$T2"
expect "assigning a permission set with API Enabled" "$STATUS" 200
admin PATCH /users/int@login.test '{"profile": "Integration", "permissionSets": []}'
admin PATCH /users/int@login.test '{"profile": "No Such Profile"}'
expect "an unknown profile is a 400" "$STATUS" 400
admin PATCH /users/int@login.test '{"passwordExpired": true}'
soap_login int@login.test "Int-Pass-2$T2"
expect "passwordExpired set by the admin shows at login" "$(xml_text passwordExpired)" true

admin PATCH /org '{"edition": "Group"}'
soap_login grant@login.test "Grant-Pass-1GrantGrantGrantGrantGran"
expect "an edition without the API: API_DISABLED_FOR_ORG" "$(xml_text faultstring)" \
	"API_DISABLED_FOR_ORG: API is not enabled for this Organization or Partner"
admin PATCH /org '{"edition": "Professional", "features": []}'
soap_login grant@login.test "Grant-Pass-1GrantGrantGrantGrantGran"
expect "Professional without the API feature" "$(xml_text faultcode)" "sf:API_DISABLED_FOR_ORG"
admin PATCH /org '{"features": ["API"]}'
soap_login grant@login.test "Grant-Pass-1GrantGrantGrantGrantGran"
expect "Professional with the API feature" "$STATUS" 200
admin PATCH /org '{"edition": "Ultimate"}'
expect "an unknown edition is refused" "$STATUS" 400
admin PATCH /org '{"settings":{"soapLoginEnabled": false}}'
soap_login grant@login.test "Grant-Pass-1GrantGrantGrantGrantGran"
expect "SOAP login disabled for the org" "$(xml_text faultstring)" \
	"INVALID_OPERATION: SOAP API login() is disabled by default in this org. Contact the org administrator to enable SOAP API login()."

admin GET /users/nobody@login.test
expect "an unknown user is a 404" "$STATUS $(json .error)" "404 NOT_FOUND"
admin PATCH /users/int@login.test '{"isFrozen": "no"}'
expect "a bad value is a 400" "$STATUS" 400
admin PATCH /users/int@login.test '{"colour": "blue"}'
expect "an unknown key is a 400" "$STATUS" 400
admin PATCH /users/int@login.test 'not json'
expect "malformed JSON is a 400" "$STATUS" 400
admin GET /health
expect "health" "$(json .status)" ok

# The admin side and Setup answer loopback clients only (the TCP peer decides).
ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.' | grep -v '^127\.' | head -1)
if [ -n "$ip" ]; then
	stop_emu
	rm -f "$T_TMP/ready"
	"$SFEMU" --listen "0.0.0.0:0" --org "$ORG" --ready-file "$T_TMP/ready" \
		>>"$T_TMP/emu.out" 2>>"$T_TMP/emu.log" &
	EMU_PID=$!
	while [ ! -s "$T_TMP/ready" ]; do sleep 0.05; done
	port=$(sed 's/.*://' "$T_TMP/ready")
	EMU_URL="http://$ip:$port"
	req GET /_emu/health
	expect "the admin side refuses a non-loopback client" "$STATUS" 403
	req GET /setup
	expect "Setup refuses a non-loopback client" "$STATUS" 403
	req GET /services/data/
	expect "the API still answers a non-loopback client" "$STATUS" 200
else
	echo "ok - the admin side refuses a non-loopback client # SKIP no non-loopback address"
fi
expect_absent "the new security tokens never reach sfemu's log" "$NEWT"
finish
