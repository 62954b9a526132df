# test_rest_records.sh - /sobjects over real HTTP: describe, CRUD, upsert, errors, replication, limits.
. "$TOP/tests/integration/lib.sh"

start_rest_emu

api GET /sobjects
expect "describeGlobal lists the standard and custom objects" \
	"$(json '[.sobjects[].name] | map(select(. == "Account" or . == "Lead" or . == "Deal__c" or . == "LoginHistory")) | length')" 4
expect "describeGlobal carries maxBatchSize 200" "$(json .maxBatchSize)" 200
expect "JSON replies are application/json;charset=UTF-8" "$(grep -i '^content-type' "$HDRS" | tr -d '\r')" "Content-Type: application/json;charset=UTF-8"
expect_match "every reply carries Sforce-Limit-Info" "$(grep -i '^sforce-limit-info' "$HDRS" | tr -d '\r')" '^Sforce-Limit-Info: api-usage=[0-9]+/110000$'

api GET /sobjects/Account/describe
expect "describe: Name is a required string of 255" "$(json '.fields[] | select(.name=="Name") | [.type, .length, .nillable] | join(",")')" "string,255,false"
expect "describe: the custom external id" "$(json '.fields[] | select(.name=="PRM_Id__c") | [.externalId, .unique, .custom, .idLookup] | join(",")')" "true,true,true,true"
expect "describe: picklist values" "$(json '[.fields[] | select(.name=="Partner_Tier__c") | .picklistValues[].value] | join(",")')" "Gold,Silver,Bronze"
expect "describe: OwnerId is a reference to User named Owner" "$(json '.fields[] | select(.name=="OwnerId") | [.type, .referenceTo[0], .relationshipName] | join(",")')" "reference,User,Owner"
expect "describe: child relationships include Contacts" "$(json '[.childRelationships[] | select(.childSObject=="Contact") | .relationshipName] | .[0]')" Contacts
api GET /sobjects/Deal__c/describe
expect "a custom lookup relates through __r" "$(json '.fields[] | select(.name=="Account__c") | .relationshipName')" Account__r
expect "a custom object's key prefix" "$(json .keyPrefix)" a01
api GET /sobjects/Nope/describe
expect "describe of an unknown object is 404 NOT_FOUND" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"

post POST /sobjects/Account '{"Name":"Acme","Industry":"Technology","NumberOfEmployees":120,"Is_Partner__c":true,"PRM_Id__c":"P-9"}'
expect "create answers 201" "$STATUS" 201
expect "create answers id, success, errors" "$(json '[.success, (.errors|length)] | join(",")')" "true,0"
ACC=$(json .id)
expect_match "the id is 18 characters with Account's prefix" "$ACC" '^001[0-9A-Za-z]{15}$'
api GET "/sobjects/Account/$ACC"
expect "retrieve carries attributes" "$(json '.attributes.type + " " + .attributes.url')" "Account $V/sobjects/Account/$ACC"
expect "retrieve: values in their types" "$(json '[.Name, .NumberOfEmployees, .Is_Partner__c] | map(tostring) | join(",")')" "Acme,120,true"
expect_match "audit fields are set" "$(json .CreatedDate)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}\+0000$'
expect "the caller owns the new record" "$(json '.OwnerId == .CreatedById')" true
api GET "/sobjects/Account/$ACC?fields=Name,Industry"
expect "?fields= limits the fields" "$(json 'keys | join(",")')" "Industry,Name,attributes"
api GET "/sobjects/Account/$ACC?fields=Name,Nope"
expect "?fields= with an unknown field" "$STATUS $(json '.[0].errorCode')" "400 INVALID_FIELD"

post PATCH "/sobjects/Account/$ACC" '{"Phone":"555-0100","Partner_Tier__c":"Gold"}'
expect "update answers 204" "$STATUS" 204
api GET "/sobjects/Account/$ACC?fields=Phone,Partner_Tier__c,LastModifiedDate"
expect "the update is stored" "$(json '.Phone + " " + .Partner_Tier__c')" "555-0100 Gold"

post POST /sobjects/Lead '{"FirstName":"Ann"}'
expect "REQUIRED_FIELD_MISSING names every missing field" "$(cat "$RESP")" \
	'[{"message":"Required fields are missing: [LastName, Company]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName","Company"]}]'
post POST /sobjects/Account '{"Name":"Dup","PRM_Id__c":"p-9"}'
expect "a unique field refuses a duplicate (ignoring case)" "$(json '.[0].errorCode')" DUPLICATE_VALUE
expect "DUPLICATE_VALUE names the other record" "$(json '.[0].message')" "duplicate value found: PRM_Id__c duplicates value on record with id: $ACC"
post POST /sobjects/Account "{\"Name\":\"$(head -c 256 /dev/zero | tr '\0' x)\"}"
expect "a string over its length is STRING_TOO_LONG" "$(json '.[0].errorCode + " " + .[0].fields[0]')" "STRING_TOO_LONG Name"
post POST /sobjects/Account '{"Name":"Tier","Partner_Tier__c":"Platinum"}'
expect "a restricted picklist refuses other values" "$(json '.[0].errorCode')" INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST
post POST /sobjects/Account '{"Name":"X","Nope__c":1}'
expect "an unknown field is INVALID_FIELD" "$(json '.[0].message')" "No such column 'Nope__c' on sobject of type Account"
post POST /sobjects/Account '{"Name":"X","NumberOfEmployees":"many"}'
expect "a number field given text is JSON_PARSER_ERROR" "$(json '.[0].errorCode')" JSON_PARSER_ERROR
post POST /sobjects/Account '{"Name":"X","CreatedDate":"2020-01-01T00:00:00Z"}'
expect "a read-only field is INVALID_FIELD_FOR_INSERT_UPDATE" "$(json '.[0].errorCode + " " + .[0].fields[0]')" "INVALID_FIELD_FOR_INSERT_UPDATE CreatedDate"
post POST /sobjects/Account '{"Name":"X",'
expect "malformed JSON is JSON_PARSER_ERROR" "$STATUS $(json '.[0].errorCode')" "400 JSON_PARSER_ERROR"
post POST /sobjects/Contact '{"LastName":"Doe","AccountId":"001000000000000"}'
expect "a lookup to a record that doesn't exist" "$(json '.[0].errorCode')" INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY
post POST /sobjects/Contact "{\"LastName\":\"Doe\",\"AccountId\":\"$(json .x)nonsense\"}"
expect "a malformed id is MALFORMED_ID" "$(json '.[0].errorCode')" MALFORMED_ID
post POST /sobjects/Contact "{\"FirstName\":\"Jane\",\"LastName\":\"Doe\",\"AccountId\":\"$ACC\"}"
CON=$(json .id)
api GET "/sobjects/Contact/$CON?fields=Name"
expect "a contact's Name is computed" "$(json .Name)" "Jane Doe"
post POST /sobjects/Opportunity '{"Name":"Big","StageName":"Closed Won","CloseDate":"2026-12-31","Amount":12500.5}'
OPP=$(json .id)
api GET "/sobjects/Opportunity/$OPP?fields=IsWon,IsClosed,Amount,CloseDate"
expect "an opportunity's IsWon/IsClosed follow its stage" "$(json '[.IsWon, .IsClosed, .Amount, .CloseDate] | map(tostring) | join(",")')" "true,true,12500.5,2026-12-31"
post POST /sobjects/User '{"LastName":"X"}'
expect "setup objects can't be created over REST" "$STATUS $(json '.[0].errorCode')" "405 METHOD_NOT_ALLOWED"

# Upsert by external id.
post PATCH /sobjects/Account/PRM_Id__c/P-100 '{"Name":"Hooli"}'
expect "upsert with no match creates: 201 created true" "$STATUS $(json .created)" "201 true"
HOOLI=$(json .id)
post PATCH /sobjects/Account/PRM_Id__c/P-100 '{"Phone":"1"}'
expect "upsert with one match updates: 200 created false" "$STATUS $(json .created) $(json .id)" "200 false $HOOLI"
req PATCH /services/data/v45.0/sobjects/Account/PRM_Id__c/P-100 -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' --data-binary '{"Phone":"2"}'
expect "before API 46.0 an upsert update is a 204" "$STATUS" 204
post PATCH /sobjects/Account/Region__c/EMEA '{"Phone":"3"}'
expect "upsert matching several records is a 300" "$STATUS $(json 'length')" "300 2"
post PATCH /sobjects/Account/Phone/1 '{"Name":"x"}'
expect "upsert on a field that is not an external id is a 404" "$(json '.[0].message')" "Provided external ID field does not exist or is not accessible: Phone"
api GET /sobjects/Account/PRM_Id__c/P-100
expect "get by external id" "$(json .Id)" "$HOOLI"

# Delete, then the record is gone.
api DELETE "/sobjects/Account/$HOOLI"
expect "delete answers 204" "$STATUS" 204
api GET "/sobjects/Account/$HOOLI"
expect "a deleted record is 404 ENTITY_IS_DELETED" "$STATUS $(json '.[0].errorCode')" "404 ENTITY_IS_DELETED"
api DELETE "/sobjects/Account/$HOOLI"
expect "deleting twice is ENTITY_IS_DELETED" "$(json '.[0].errorCode')" ENTITY_IS_DELETED
post PATCH /sobjects/Account/PRM_Id__c/P-100 '{"Name":"Hooli again"}'
expect "a deleted record's unique value is free again" "$STATUS" 201
api GET /sobjects/Account/001000000000000AAA
expect "an unknown id is 404 NOT_FOUND" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"
api PUT "/sobjects/Account/$ACC"
expect "PUT is 405" "$STATUS" 405

# Replication: updated/ and deleted/ cover whole minutes up to now.
START=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
admin POST /clock '{"advanceSeconds": 120}'
api GET "/sobjects/Account/updated?start=$START&end=2099-01-01T00:00:00Z"
expect_match "updated/ lists changed records" "$(json '.ids | join(",")')" "$ACC"
api GET "/sobjects/Account/deleted?start=$START&end=2099-01-01T00:00:00Z"
expect "deleted/ lists deleted records with their date" "$(json '.deletedRecords[0].id')" "$HOOLI"
api GET "/sobjects/Account/updated?start=2000-01-01T00:00:00Z&end=2099-01-01T00:00:00Z"
expect "updated/ covers 30 days only" "$(json '.[0].errorCode')" INVALID_REPLICATION_DATE

# Setup objects read through REST.
req GET /services/oauth2/userinfo -H "Authorization: Bearer $AT"
UID=$(json .user_id)
api GET "/sobjects/User/$UID?fields=Username,Name,ProfileId"
expect "a User reads from sfemu's own users" "$(json '.Username + " / " + .Name')" "api@rest.test / Api User"

# API usage and limits.
admin GET /api-usage
USED=$(json .used)
api GET /limits
expect "limits reports DailyApiRequests (Enterprise, 10 licenses)" "$(json .DailyApiRequests.Max)" 110000
expect "limits counts itself" "$(json .DailyApiRequests.Remaining)" "$((110000 - USED - 1))"
admin GET /api-usage
expect "usage per user" "$(json '.byUser["api@rest.test"]')" "$((USED + 1))"
expect "usage per resource" "$(json '.byResource["/limits"]')" 1
admin PATCH /org '{"dailyApiRequestsUsed": 109999}'
api GET /limits
expect "the last call of the allocation still works" "$STATUS" 200
api GET /limits
expect "past the allocation: 403 REQUEST_LIMIT_EXCEEDED" "$STATUS $(cat "$RESP")" \
	'403 [{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]'
admin POST /clock '{"advanceSeconds": 90000}'
rest_login api@rest.test Api-Pass-1RestRestRestRestRestRest
api GET /limits
expect "the allocation is a rolling 24 hours" "$STATUS" 200
finish
