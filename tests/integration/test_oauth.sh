# test_oauth.sh - the OAuth 2.0 token endpoint, every grant, revoke, userinfo and identity.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/login.json"
KEY=3MVG9TestConsumerKeyForLoginTests
SECRET=TestConsumerSecret0123456789
TOKEN=AbCdEfGhIjKlMnOpQrStUvWx
start_emu "$ORG" --trust-forwarded-for

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# jwt KEYFILE ISS SUB AUD EXP: an RS256 assertion signed with KEYFILE.
jwt() {
	h=$(printf '{"alg":"RS256"}' | b64url)
	p=$(printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%s}' "$2" "$3" "$4" "$5" | b64url)
	s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$1" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}
jwt_grant() {
	req POST /services/oauth2/token \
		--data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer' \
		--data-urlencode "assertion=$1"
}

oauth_password int@login.test "Int-Pass-1$TOKEN" "$KEY" "$SECRET"
expect "password grant succeeds" "$STATUS" 200
expect_match "access_token is shaped 00D...!..." "$(json .access_token)" '^00D[0-9A-Za-z]{12}![.A-Za-z0-9_]+$'
expect "instance_url is this org" "$(json .instance_url)" "$EMU_URL"
expect_match "id is the identity URL" "$(json .id)" "^$EMU_URL/id/00D[0-9A-Za-z]{15}/005[0-9A-Za-z]{15}\$"
expect "token_type is Bearer" "$(json .token_type)" Bearer
expect_match "issued_at is a string of milliseconds" "$(json '(.issued_at | type) + ":" + .issued_at')" '^string:[0-9]{13}$'
want_sig=$(printf '%s%s' "$(json .id)" "$(json .issued_at)" | openssl dgst -sha256 -hmac "$SECRET" -binary | openssl base64 -A)
expect "signature is Base64(HMAC-SHA256(secret, id + issued_at))" "$(json .signature)" "$want_sig"
expect "the password flow returns no refresh token" "$(json 'has("refresh_token")')" false
AT=$(json .access_token)
ID_URL=$(json .id)

req GET /services/oauth2/userinfo -H "Authorization: Bearer $AT"
expect "userinfo answers for the token's user" "$(json .preferred_username)" int@login.test
expect "userinfo carries organization_id" "$(json '.organization_id | length')" 18
req GET "${ID_URL#"$EMU_URL"}?format=json" -H "Authorization: Bearer $AT"
expect "the identity URL answers" "$(json .username)" int@login.test
expect "identity urls keep the {version} placeholder" "$(json .urls.rest)" "$EMU_URL/services/data/v{version}/"
req GET "${ID_URL#"$EMU_URL"}?oauth_token=$AT"
expect "the identity URL takes ?oauth_token=" "$STATUS" 200

oauth_password int@login.test "Int-Pass-1WrongWrongWrongWrongWron" "$KEY" "$SECRET"
expect "a wrong token is HTTP 400" "$STATUS" 400
expect "a wrong token is invalid_grant / authentication failure" "$(json '.error + " / " + .error_description')" "invalid_grant / authentication failure"
oauth_password int@login.test "Int-Pass-1$TOKEN" "3MVG9NoSuchConsumerKey" "$SECRET"
expect "an unknown consumer key is invalid_client_id" "$(json '.error + " / " + .error_description')" "invalid_client_id / client identifier invalid"
oauth_password int@login.test "Int-Pass-1$TOKEN" "$KEY" "WrongSecret"
expect "a wrong consumer secret is invalid_client" "$(json '.error + " / " + .error_description')" "invalid_client / invalid client credentials"
oauth_password office@login.test "Office-Pass-1OfficeOfficeOfficeOffice" "$KEY" "$SECRET" -H 'X-Forwarded-For: 203.0.113.9'
expect "outside login IP ranges: IP restricted or invalid login hours" "$(json '.error + " / " + .error_description')" "invalid_grant / IP restricted or invalid login hours"
oauth_password frozen@login.test "Frozen-Pass-1FrozenFrozenFrozenFrozen" "$KEY" "$SECRET"
expect "a frozen user is the generic authentication failure" "$(json .error_description)" "authentication failure"

oauth_password noapi@login.test "NoApi-Pass-1NoApiNoApiNoApiNoApiNoAp" "$KEY" "$SECRET"
expect "OAuth issues a token to a user without API Enabled" "$STATUS" 200
req GET /services/data/v60.0/ -H "Authorization: Bearer $(json .access_token)"
expect "and REST refuses it with API_CURRENTLY_DISABLED" "$STATUS $(json '.[0].errorCode')" "403 API_CURRENTLY_DISABLED"

req POST /services/oauth2/token --data-urlencode grant_type=client_credentials \
	-u "$KEY:$SECRET"
expect "client credentials (Basic auth) log in as the run-as user" "$STATUS" 200
req GET /services/oauth2/userinfo -H "Authorization: Bearer $(json .access_token)"
expect "the client-credentials token belongs to the run-as user" "$(json .preferred_username)" int@login.test
req POST /services/oauth2/token --data-urlencode grant_type=client_credentials \
	--data-urlencode "client_id=$KEY" --data-urlencode "client_secret=$SECRET"
expect "client credentials in the body work too" "$STATUS" 200
req POST /services/oauth2/token --data-urlencode grant_type=client_credentials \
	-u "$KEY:$SECRET" -H 'Host: login.salesforce.com'
expect "client credentials are refused on the generic login host" "$(json .error_description)" "request not supported on this domain"
req POST /services/oauth2/token --data-urlencode grant_type=client_credentials \
	-u "3MVG9PasswordOnlyAppKey:PasswordOnlySecret99"
expect "an app without the flow refuses the grant" "$(json .error)" unsupported_grant_type

NOW=$(date +%s)
jwt_grant "$(jwt "$TOP/tests/data/keys/jwt-test.key" "$KEY" int@login.test https://login.salesforce.com $((NOW + 180)))"
expect "JWT bearer with the app's key logs in" "$STATUS" 200
expect "JWT bearer returns no refresh token" "$(json 'has("refresh_token")')" false
jwt_grant "$(jwt "$TOP/tests/data/keys/jwt-test.key" "$KEY" int@login.test "$EMU_URL" $(((NOW + 180) * 1000)))"
expect "JWT aud may be this host, exp may be in ms (as sfdx sends)" "$STATUS" 200
jwt_grant "$(jwt "$TOP/tests/data/keys/jwt-other.key" "$KEY" int@login.test https://login.salesforce.com $((NOW + 180)))"
expect "JWT signed with another key: invalid assertion" "$(json '.error + " / " + .error_description')" "invalid_grant / invalid assertion"
jwt_grant "$(jwt "$TOP/tests/data/keys/jwt-test.key" "$KEY" int@login.test https://test.salesforce.com $((NOW + 180)))"
expect "JWT for the sandbox audience on a production org" "$(json .error_description)" "Audience validation failed"
jwt_grant "$(jwt "$TOP/tests/data/keys/jwt-test.key" "$KEY" int@login.test https://login.salesforce.com $((NOW - 60)))"
expect "JWT with exp in the past" "$(json .error_description)" "expired authorization code"
jwt_grant "$(jwt "$TOP/tests/data/keys/jwt-test.key" "$KEY" noapi@login.test https://login.salesforce.com $((NOW + 180)))"
expect "JWT for a user whose profile is not pre-authorized" "$(json .error_description)" "user hasn't approved this consumer"
jwt_grant "$(jwt "$TOP/tests/data/keys/jwt-test.key" 3MVG9NoSuchConsumerKey int@login.test https://login.salesforce.com $((NOW + 180)))"
expect "JWT with an unknown iss" "$(json .error)" invalid_client_id

admin POST "/apps/PRM%20Connector/refresh-tokens" '{"username":"int@login.test"}'
RT=$(json .refresh_token)
expect_match "the admin side issues a refresh token (a stand-in for consent)" "$RT" '^[A-Za-z0-9._]{20,}$'
req POST /services/oauth2/token --data-urlencode grant_type=refresh_token \
	--data-urlencode "refresh_token=$RT" --data-urlencode "client_id=$KEY"
expect "refresh_token grant works without the secret" "$STATUS" 200
RAT=$(json .access_token)
req POST /services/oauth2/token --data-urlencode grant_type=refresh_token \
	--data-urlencode "refresh_token=nope" --data-urlencode "client_id=$KEY"
expect "an unknown refresh token" "$(json '.error + " / " + .error_description')" "invalid_grant / expired access/refresh token"

req POST /services/oauth2/revoke --data-urlencode "token=$RAT"
expect "revoke answers 200" "$STATUS" 200
req GET /services/data/v60.0/ -H "Authorization: Bearer $RAT"
expect "a revoked access token is INVALID_SESSION_ID" "$STATUS $(json '.[0].errorCode')" "401 INVALID_SESSION_ID"
req POST /services/oauth2/revoke --data-urlencode "token=$RT"
req POST /services/oauth2/token --data-urlencode grant_type=refresh_token \
	--data-urlencode "refresh_token=$RT" --data-urlencode "client_id=$KEY"
expect "a revoked refresh token no longer works" "$(json .error)" invalid_grant
req POST /services/oauth2/revoke --data-urlencode "token=nope"
expect "revoking an unknown token is a 400" "$STATUS" 400

req POST /services/oauth2/token --data-urlencode grant_type=magic
expect "an unknown grant type" "$(json '.error + " / " + .error_description')" "unsupported_grant_type / grant type not supported"
req GET /services/oauth2/token
expect "GET on the token endpoint" "$(json .error)" invalid_request
req POST /services/oauth2/token -H 'Content-Type: application/json' --data-binary '{"grant_type":"password"}'
expect "a JSON body has no grant_type Salesforce can read" "$(json .error)" unsupported_grant_type
req GET /services/oauth2/userinfo -H "Authorization: Bearer 00D000000000000!bogus"
expect "userinfo with a bad token" "$STATUS" 403

admin PATCH /org '{"settings":{"usernamePasswordFlowEnabled":false}}'
oauth_password int@login.test "Int-Pass-1$TOKEN" "$KEY" "$SECRET"
expect "with the username-password flow blocked: invalid_grant" "$(json '.error + " / " + .error_description')" "invalid_grant / authentication failure"

expect_absent "no consumer secret in sfemu's output" "$SECRET"
expect_absent "no access token in sfemu's output" "$AT"
expect_absent "no refresh token in sfemu's output" "$RT"
finish
