# test_faults.sh - sfemu's injected failures (/_emu/faults): the shapes Salesforce answers with, matching, consumption, bad specs.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/rest.json"
start_emu "$ORG"
LIMITS=/services/data/v60.0/limits

# arm JSON: POST /_emu/faults.
arm() {
	admin POST /faults "$1"
}

arm "{\"path\": \"$LIMITS\", \"fault\": \"unavailable\"}"
expect "arming a fault answers 201" "$STATUS" 201
expect "... with its id, kind and remaining count" \
	"$(json '"\(.id) \(.fault) \(.remaining) \(.hits)"')" "1 unavailable 1 0"
req GET $LIMITS
expect "unavailable on REST: 503 SERVER_UNAVAILABLE" \
	"$STATUS $(json '.[0].errorCode')" "503 SERVER_UNAVAILABLE"
expect_match "... as JSON" "$(grep -i '^content-type' "$HDRS")" "application/json"
req GET $LIMITS
expect "a fault armed once is spent after one request (the next one is 401: no session)" "$STATUS" 401

arm '{"path": "/services/Soap/*", "fault": "unavailable"}'
soap_login nobody@rest.test whatever
expect "unavailable outside REST: an HTML 503 page" "$STATUS" 503
expect_match "... text/html" "$(grep -i '^content-type' "$HDRS")" "text/html"
expect_match "... saying Service Unavailable" "$(cat "$RESP")" "Service Unavailable"

arm "{\"path\": \"$LIMITS\", \"fault\": \"server_error\"}"
req GET $LIMITS
expect "server_error: 500 UNKNOWN_EXCEPTION" "$STATUS $(json '.[0].errorCode')" "500 UNKNOWN_EXCEPTION"
arm "{\"path\": \"$LIMITS\", \"fault\": \"lock_row\"}"
req GET $LIMITS
expect "lock_row: 400 UNABLE_TO_LOCK_ROW" "$STATUS $(json '.[0].errorCode')" "400 UNABLE_TO_LOCK_ROW"
arm "{\"path\": \"$LIMITS\", \"fault\": \"request_limit\"}"
req GET $LIMITS
expect "request_limit: 403 REQUEST_LIMIT_EXCEEDED, TotalRequests Limit exceeded." \
	"$STATUS $(json '.[0].errorCode + " " + .[0].message')" \
	"403 REQUEST_LIMIT_EXCEEDED TotalRequests Limit exceeded."
arm "{\"path\": \"$LIMITS\", \"fault\": \"html\"}"
req GET $LIMITS
expect "html on REST: 503 text/html" "$STATUS $(grep -ic '^content-type: text/html' "$HDRS")" "503 1"

# Matching: method, prefix, times, until removed.
arm '{"path": "/services/data/*", "method": "POST", "fault": "unavailable", "times": 2}'
req GET $LIMITS
expect "a POST-only fault lets a GET through" "$STATUS" 401
req POST /services/data/v60.0/sobjects/Account -H 'Content-Type: application/json' -d '{}'
expect "... and catches a POST under its prefix" "$STATUS" 503
admin GET /faults
expect "GET /_emu/faults shows what is left" "$(json '.faults[0] | "\(.remaining) \(.hits)"')" "1 1"
arm "{\"path\": \"$LIMITS\", \"fault\": \"unavailable\", \"times\": 0}"
FID=$(json .id)
for i in 1 2 3; do req GET $LIMITS; done
expect "times 0 keeps failing" "$STATUS" 503
admin DELETE "/faults/$FID"
expect "DELETE /_emu/faults/ID disarms one" "$STATUS" 204
req GET $LIMITS
expect "... and the path answers again" "$STATUS" 401
admin DELETE "/faults/$FID"
expect "... a second time it is 404" "$STATUS" 404
admin DELETE /faults
expect "DELETE /_emu/faults disarms all" "$STATUS" 204
admin GET /faults
expect "... none left" "$(json '.faults | length')" 0

arm '{"path": "/services/oauth2/token", "fault": "delay", "delayMs": 50}'
oauth_password "$(jq -r '.users[0].username' "$ORG")" \
	"$(jq -r '.users[0].password + .users[0].securityToken' "$ORG")" \
	"$(jq -r '.apps[0].consumerKey' "$ORG")" "$(jq -r '.apps[0].consumerSecret' "$ORG")"
expect "a delay fault still answers the request itself" "$STATUS $(json '.token_type')" "200 Bearer"

# Bad specs get a clear 400 and arm nothing.
bad() {
	arm "$2"
	expect "$1: 400" "$STATUS $(json .error)" "400 INVALID_FIELD"
}
bad "an unknown key" '{"path": "/x", "fault": "html", "status": 500}'
bad "an unknown kind" '{"path": "/x", "fault": "explode"}'
bad "a path not starting with /" '{"path": "x", "fault": "html"}'
bad "a REST error on a SOAP path" '{"path": "/services/Soap/u/60.0", "fault": "lock_row"}'
bad "the admin side itself" '{"path": "/_emu/health", "fault": "html"}'
bad "negative times" '{"path": "/x", "fault": "html", "times": -1}'
bad "a delay over a minute" '{"path": "/x", "fault": "delay", "delayMs": 60001}'
admin POST /faults '{"path": '
expect "malformed JSON: 400 INVALID_JSON" "$STATUS $(json .error)" "400 INVALID_JSON"
admin GET /faults
expect "... none of them armed" "$(json '.faults | length')" 0
i=0
while [ $i -lt 32 ]; do arm '{"path": "/nowhere", "fault": "html"}'; i=$((i + 1)); done
arm '{"path": "/nowhere", "fault": "html"}'
expect "a 33rd armed fault: 409" "$STATUS" 409
admin PUT /faults '{}'
expect "PUT /_emu/faults: 405 with Allow" "$STATUS $(grep -i '^allow' "$HDRS" | tr -d '\r')" \
	"405 Allow: GET, POST, DELETE"
req GET /_emu/health
expect "the admin side is never faulted" "$STATUS" 200

finish
