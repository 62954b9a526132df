# test_rest_fls.sh - field-level security: a hidden field reads like a missing one; records persist.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/rest.json"   # Viewer: AnnualRevenue hidden, Phone read-only
DATA="$T_TMP/data"
start_emu "$ORG" --data "$DATA"
V=/services/data/v60.0

rest_login api@rest.test Api-Pass-1RestRestRestRestRestRest
post POST /sobjects/Account '{"Name":"Secretive","AnnualRevenue":5000000,"Phone":"555"}'
ACC=$(json .id)
q "SELECT AnnualRevenue FROM Account WHERE Id = '$ACC'"
expect "a user without field-level security sees the field" "$(json '.records[0].AnnualRevenue')" 5000000

rest_login viewer@rest.test Viewer-Pass-1ViewViewViewViewViewView
q "SELECT Name, AnnualRevenue FROM Account WHERE Id = '$ACC'"
expect "a hidden field in SOQL is INVALID_FIELD" "$(json '.[0].errorCode')" INVALID_FIELD
expect_match "worded as a missing column" "$(json '.[0].message')" "No such column 'AnnualRevenue' on entity 'Account'"
api GET "/sobjects/Account/$ACC"
expect "retrieve leaves the hidden field out" "$(json 'has("AnnualRevenue")') $(json .Name)" "false Secretive"
api GET "/sobjects/Account/$ACC?fields=AnnualRevenue"
expect "asking for it by name is INVALID_FIELD" "$(json '.[0].errorCode')" INVALID_FIELD
api GET /sobjects/Account/describe
expect "describe leaves it out" "$(json '[.fields[].name] | index("AnnualRevenue")')" null
expect "a read-only field is described as not updateable" "$(json '.fields[] | select(.name=="Phone") | .updateable')" false
post PATCH "/sobjects/Account/$ACC" '{"Phone":"1"}'
expect "writing a read-only field is refused" "$(json '.[0].errorCode')" INVALID_FIELD_FOR_INSERT_UPDATE
post POST /sobjects/Account '{"Name":"X","AnnualRevenue":1}'
expect "writing a hidden field is INVALID_FIELD" "$(json '.[0].errorCode')" INVALID_FIELD
post PATCH /sobjects/Account/Region__c/EMEA '{"Name":"Z"}'
expect "upsert keyed on a hidden external id: 404 NOT_FOUND" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"
post PATCH /composite/sobjects/Account/Region__c \
	'{"allOrNone":false,"records":[{"attributes":{"type":"Account"},"Region__c":"EMEA","Name":"Z"}]}'
expect "... and so is a collections upsert keyed on it" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"
expect_match "... worded as a missing field" "$(json '.[0].message')" "does not exist or is not accessible: Region__c"
stop_emu

start_emu "$ORG" --data "$DATA"
rest_login api@rest.test Api-Pass-1RestRestRestRestRestRest
api GET "/sobjects/Account/$ACC?fields=Name,AnnualRevenue"
expect "records survive a restart with --data" "$(json .Name) $(json .AnnualRevenue)" "Secretive 5000000"
q "SELECT COUNT() FROM Account"
expect "seed records are not loaded twice" "$(json .totalSize)" 4
finish
