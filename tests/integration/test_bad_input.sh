# test_bad_input.sh - malformed, oversized and unknown requests get clear 4xx answers, never a crash.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/login.json"
start_emu "$ORG"

soapreq() { req POST "$1" -H 'Content-Type: text/xml' --data-binary "$2"; }
soapreq /services/Soap/u/60.0 '<not xml'
expect "malformed XML is a 400 client fault" "$STATUS $(xml_text faultcode)" "400 soapenv:Client"
soapreq /services/Soap/u/60.0 '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>&b;</username></login></se:Body></se:Envelope>'
expect "a DTD (entity expansion) is refused" "$STATUS $(xml_text faultstring)" "400 a SOAP message must not contain a DTD"
soapreq /services/Soap/u/60.0 '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login xmlns="urn:enterprise.soap.sforce.com"/></se:Body></se:Envelope>'
expect "an enterprise operation on the partner endpoint is refused" "$STATUS" 400
expect_match "and names the element" "$(xml_text faultstring)" 'Element \{urn:enterprise.soap.sforce.com\}login invalid at this location'
soapreq /services/Soap/u/60.0 '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><frobnicate xmlns="urn:partner.soap.sforce.com"/></se:Body></se:Envelope>'
expect "an unknown operation is a 400" "$STATUS" 400
soapreq /services/Soap/u/60.0 '<x/>'
expect "a non-envelope root is a 400" "$STATUS" 400
big=$(head -c 12000 /dev/zero | tr '\0' 'a')
soapreq /services/Soap/u/60.0 "<se:Envelope xmlns:se=\"http://schemas.xmlsoap.org/soap/envelope/\"><se:Body><login xmlns=\"urn:partner.soap.sforce.com\"><username>$big</username><password>x</password></login></se:Body></se:Envelope>"
expect "a login request over 10 KB is refused" "$STATUS" 413
req GET /services/Soap/u/60.0
expect "GET on the SOAP endpoint is a 405" "$STATUS" 405
soapreq /services/Soap/u/v60.0 '<x/>'
expect "a v-prefixed SOAP version is not found" "$STATUS" 404

head -c 170000000 /dev/zero >"$T_TMP/huge"
req POST /services/oauth2/token -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T_TMP/huge"
expect "a body over the server's limit is a 413" "$STATUS $(json '.[0].errorCode')" "413 REQUEST_ENTITY_TOO_LARGE"
req POST /services/oauth2/token -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'grant_type=password&username=%zz'
expect "a form with a bad %-escape is unreadable: unsupported_grant_type" "$STATUS $(json .error)" "400 unsupported_grant_type"
pairs=$(i=0; while [ $i -lt 80 ]; do printf 'a%d=1&' $i; i=$((i + 1)); done)
req POST /services/oauth2/token -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "${pairs}grant_type=password"
expect "a form with too many fields is refused" "$STATUS" 400

req GET /services/data/v60.0/
expect "REST without a token is 401 INVALID_SESSION_ID" "$STATUS $(json '.[0].errorCode')" "401 INVALID_SESSION_ID"
req GET /services/data/v60.0/ -H 'Authorization: Bearer garbage'
expect "REST with a garbage token is 401" "$STATUS" 401
req GET /services/data/v99.0/
expect "an unknown API version is a 404" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"
req GET //services//data//
expect "repeated slashes collapse" "$STATUS" 200
expect "the versions list needs no auth" "$(json '.[0].version')" 31.0
req GET /services/data/latest/
expect "latest needs a session too" "$STATUS" 401
req GET /no/such/thing
expect "an unknown path is a 404 in Salesforce's shape" "$(cat "$RESP")" '[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]'
expect "JSON errors carry application/json;charset=UTF-8" "$(grep -i '^content-type' "$HDRS" | tr -d '\r')" "Content-Type: application/json;charset=UTF-8"
req GET /id/bogus/ids
expect "an identity URL with bad ids is a 404" "$STATUS" 404
admin POST /clock '{"now": "yesterday"}'
expect "a bad clock value is a 400" "$STATUS" 400
admin POST /clock '[1,2]'
expect "a non-object body is a 400" "$STATUS" 400
req DELETE /_emu/health
expect "a wrong method on an admin path is a 405" "$STATUS" 405

# After all that the server still answers normally.
soap_login int@login.test "Int-Pass-1AbCdEfGhIjKlMnOpQrStUvWx"
expect "sfemu still serves logins after bad input" "$STATUS" 200
finish
