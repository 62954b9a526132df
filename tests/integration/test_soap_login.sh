# test_soap_login.sh - every outcome of SOAP login() over real HTTP.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/login.json"
TOKEN=AbCdEfGhIjKlMnOpQrStUvWx
start_emu "$ORG" --trust-forwarded-for

soap_login int@login.test "Int-Pass-1$TOKEN"
expect "login succeeds with password + token" "$STATUS" 200
expect_match "sessionId is shaped 00D...!..." "$(xml_text sessionId)" '^00D[0-9A-Za-z]{12}![.A-Za-z0-9_]+$'
expect_match "userId is an 18-character user id" "$(xml_text userId)" '^005[0-9A-Za-z]{15}$'
expect_match "serverUrl points at this org's partner endpoint" "$(xml_text serverUrl)" "^$EMU_URL/services/Soap/u/60.0/00D[0-9A-Za-z]{12}\$"
expect "passwordExpired is false" "$(xml_text passwordExpired)" false
expect "userName echoes the username" "$(xml_text userName)" int@login.test
expect "sessionSecondsValid is 7200" "$(xml_text sessionSecondsValid)" 7200
order=$(grep -o '<\(metadataServerUrl\|passwordExpired\|sandbox\|serverUrl\|sessionId\|userId\|userInfo\)>' "$RESP" | head -7 | tr -d '<>' | tr '\n' ' ')
expect "LoginResult fields come in WSDL order" "$order" "metadataServerUrl passwordExpired sandbox serverUrl sessionId userId userInfo "
SID=$(xml_text sessionId)

req GET /services/data/v60.0/ -H "Authorization: Bearer $SID"
expect "the SOAP session id is a REST bearer token" "$STATUS" 200

soap_login int@login.test "Int-Pass-1$TOKEN" 60.0 -H 'SOAPAction: ""'
expect "any SOAPAction is accepted" "$STATUS" 200

req POST /services/Soap/c/60.0 -H 'Content-Type: text/xml' --data-binary \
	"<se:Envelope xmlns:se=\"http://schemas.xmlsoap.org/soap/envelope/\"><se:Body><login xmlns=\"urn:enterprise.soap.sforce.com\"><username>int@login.test</username><password>Int-Pass-1$TOKEN</password></login></se:Body></se:Envelope>"
expect "enterprise endpoint logs in" "$STATUS" 200
expect_match "enterprise serverUrl uses /c/" "$(xml_text serverUrl)" '/services/Soap/c/60.0/'

soap_login int@login.test "Int-Pass-1" 60.0 -H 'Transfer-Encoding: chunked'
expect "bare password from an untrusted IP is a 500 fault" "$STATUS" 500
expect "bare password from an untrusted IP needs the token" "$(xml_text faultcode)" "sf:LOGIN_MUST_USE_SECURITY_TOKEN"
expect_match "the fault says to add a security token" "$(xml_text faultstring)" '^LOGIN_MUST_USE_SECURITY_TOKEN: Invalid username, password, security token; or user locked out. Are you at a new location'
expect "detail is a LoginFault" "$(grep -o 'sf:LoginFault xsi:type="sf:LoginFault"' "$RESP" | head -1)" 'sf:LoginFault xsi:type="sf:LoginFault"'
expect "fault namespace is the partner fault namespace" "$(grep -o 'xmlns:sf="[^"]*"' "$RESP")" 'xmlns:sf="urn:fault.partner.soap.sforce.com"'

soap_login int@login.test "Int-Pass-1" 60.0 -H 'X-Forwarded-For: 10.1.2.3'
expect "bare password works from a trusted IP range" "$STATUS" 200

soap_login int@login.test "Int-Pass-1WrongWrongWrongWrongWron"
expect "a wrong token gives INVALID_LOGIN" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
expect "INVALID_LOGIN carries Salesforce's generic message" "$(xml_text faultstring)" \
	"INVALID_LOGIN: Invalid username, password, security token; or user locked out."
expect "exceptionCode matches" "$(xml_text exceptionCode)" INVALID_LOGIN

soap_login nobody@login.test "whatever"
expect "an unknown user gives INVALID_LOGIN" "$(xml_text faultcode)" "sf:INVALID_LOGIN"

soap_login frozen@login.test "Frozen-Pass-1FrozenFrozenFrozenFrozen"
expect "a frozen user gives INVALID_LOGIN" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
soap_login inactive@login.test "Inactive-Pass-1InactiveInactiveInactive"
expect "an inactive user gives INVALID_LOGIN" "$(xml_text faultcode)" "sf:INVALID_LOGIN"

soap_login noapi@login.test "NoApi-Pass-1NoApiNoApiNoApiNoApiNoAp"
expect "a profile without API Enabled gives API_CURRENTLY_DISABLED" "$(xml_text faultstring)" \
	"API_CURRENTLY_DISABLED: API is disabled for this User"
soap_login grant@login.test "Grant-Pass-1GrantGrantGrantGrantGran"
expect "API Enabled from a permission set is enough" "$STATUS" 200

soap_login noauth@login.test "NoAuth-Pass-1NoAuthNoAuthNoAuthNoAuth"
expect "no Use Any API Auth gives INSUFFICIENT_ACCESS" "$(xml_text faultcode)" "sf:INSUFFICIENT_ACCESS"

soap_login office@login.test "Office-Pass-1OfficeOfficeOfficeOffice" 60.0 -H 'X-Forwarded-For: 203.0.113.9'
expect "outside the profile's login IP ranges: LOGIN_DURING_RESTRICTED_DOMAIN" "$(xml_text faultcode)" "sf:LOGIN_DURING_RESTRICTED_DOMAIN"
soap_login office@login.test "Office-Pass-1" 60.0 -H 'X-Forwarded-For: 192.168.1.20'
expect "inside the profile's login IP ranges the bare password works" "$STATUS" 200

soap_login expired@login.test "Expired-Pass-1ExpiredExpiredExpiredExp"
expect "an expired password still logs in (HTTP 200)" "$STATUS" 200
expect "and says passwordExpired=true" "$(xml_text passwordExpired)" true
XSID=$(xml_text sessionId)
req GET /services/data/v60.0/ -H "Authorization: Bearer $XSID"
expect "REST refuses the expired-password session" "$(json '.[0].errorCode')" INVALID_OPERATION_WITH_EXPIRED_PASSWORD

soap_login int@login.test "Int-Pass-1$TOKEN" 65.0
expect "login() above API 64.0 is INVALID_OPERATION" "$(xml_text faultstring)" \
	"INVALID_OPERATION: The SOAP Login operation is not available in the API version specified (65.0). Refer to the documentation for supported versions."
soap_login int@login.test "Int-Pass-1$TOKEN" 20.0
expect "a retired API version is UNSUPPORTED_API_VERSION" "$(xml_text faultcode)" "sf:UNSUPPORTED_API_VERSION"

req GET /_emu/login-history?username=int@login.test
expect_match "LoginHistory records the token failure" "$(json '[.records[].status] | join(",")')" 'Failed: API security token required'

expect_absent "no password appears in sfemu's output" "Int-Pass-1"
expect_absent "no security token appears in sfemu's output" "$TOKEN"
expect_absent "no session id appears in sfemu's output" "$SID"
finish
