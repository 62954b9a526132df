# test_collections.sh - /composite: sObject Collections, composite (@{ref} chaining, allOrNone), batch, API usage.
. "$TOP/tests/integration/lib.sh"

# rest.json has the external ids this needs: Account.PRM_Id__c (unique;
# seeded P-1, P-2) and Account.Region__c (not unique; two EMEA records).
start_rest_emu
acct() { printf '{"attributes":{"type":"Account"},"Name":"%s"}' "$1"; }

# --- create ---
post POST /composite/sobjects "{\"allOrNone\":false,\"records\":[$(acct C1),$(acct C2),$(acct C3)]}"
expect "create 3 Accounts: HTTP 200, three successes" "$STATUS $(json '[.[] | select(.success and (.errors | length) == 0)] | length')" "200 3"
expect_match "create: 18-character Account ids, in order" "$(json '[.[].id] | join(",")')" '^001[0-9A-Za-z]{15},001[0-9A-Za-z]{15},001[0-9A-Za-z]{15}$'
C1=$(json '.[0].id')
C2=$(json '.[1].id')
C3=$(json '.[2].id')
api GET "/sobjects/Account/$C2?fields=Name"
expect "create: the records exist" "$(json .Name)" C2

post POST /composite/sobjects "{\"allOrNone\":false,\"records\":[$(acct M1),{\"attributes\":{\"type\":\"Account\"},\"Phone\":\"1\"},{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"Mixed\"}]}"
expect "a row missing Name fails alone (HTTP 200)" "$STATUS $(json '[.[].success] | map(tostring) | join(",")')" "200 true,false,true"
expect "the failed row: statusCode, message, fields; no id" "$(jq -c '.[1]' "$RESP")" \
	'{"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Name]","fields":["Name"]}]}'
expect_match "types may be mixed" "$(json '.[2].id')" '^003'
post POST /composite/sobjects "{\"records\":[{\"Name\":\"NoType\"},{\"attributes\":{\"type\":\"Nope\"},\"Name\":\"x\"},{\"attributes\":{\"type\":\"Account\"},\"id\":\"$C1\",\"Name\":\"x\"}]}"
expect "create: no type, unknown type, or an id are row errors" "$(json '[.[].errors[0].statusCode] | join(",")')" \
	"INVALID_TYPE,INVALID_TYPE,INVALID_FIELD_FOR_INSERT_UPDATE"

# allOrNone: PRM_Id__c makes the would-be record findable afterwards.
post POST /composite/sobjects '{"allOrNone":true,"records":[{"attributes":{"type":"Account"},"Name":"Gone","PRM_Id__c":"AON-1"},{"attributes":{"type":"Account"},"Phone":"2"}]}'
expect "allOrNone: HTTP 200 and no row succeeds" "$STATUS $(json '[.[].success] | map(tostring) | join(",")')" "200 false,false"
expect "allOrNone: the good row is ALL_OR_NONE_OPERATION_ROLLED_BACK" "$(json '.[0].errors[0].statusCode + ": " + .[0].errors[0].message')" \
	"ALL_OR_NONE_OPERATION_ROLLED_BACK: Record rolled back because not all records were valid and the request was using AllOrNone header"
expect "allOrNone: the bad row keeps its own error" "$(json '.[1].errors[0].statusCode')" REQUIRED_FIELD_MISSING
api GET /sobjects/Account/PRM_Id__c/AON-1
expect "allOrNone: the good row was rolled back" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"

post POST /composite/sobjects "{\"records\":$(jq -cn '[range(201) | {attributes: {type: "Account"}, Name: "N\(.)"}]')}"
expect "201 records: 400 EXCEEDED_ID_LIMIT" "$STATUS $(json '.[0].errorCode + ": " + .[0].message')" \
	"400 EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than 200 records into this call"
post POST /composite/sobjects "{\"records\":$(jq -cn '[range(200) | {attributes: {type: "Account"}, Name: "N\(.)"}]')}"
expect "200 records are fine" "$STATUS $(json '[.[] | select(.success)] | length')" "200 200"
post POST /composite/sobjects '{"allOrNone":"yes","records":[]}'
expect "a malformed body is a 400" "$STATUS $(json '.[0].errorCode')" "400 JSON_PARSER_ERROR"

# --- update ---
post PATCH /composite/sobjects "{\"records\":[{\"attributes\":{\"type\":\"Account\"},\"id\":\"$C1\",\"Phone\":\"555-1\"},{\"attributes\":{\"type\":\"Account\"},\"Id\":\"$C2\",\"Phone\":\"555-2\"},{\"attributes\":{\"type\":\"Account\"},\"Phone\":\"x\"},{\"attributes\":{\"type\":\"Contact\"},\"id\":\"$C3\",\"Phone\":\"x\"}]}"
expect "update: results in order, id or Id" "$STATUS $(json '[.[] | .id // .errors[0].statusCode] | join(",")')" "200 $C1,$C2,MISSING_ARGUMENT,MALFORMED_ID"
expect "update: an id of the wrong type" "$(json '.[3].errors[0].message')" "Contact ID: id value of incorrect type: $C3"
api GET "/sobjects/Account/$C2?fields=Phone"
expect "update: the change is stored" "$(json .Phone)" 555-2
post PATCH /composite/sobjects "{\"allOrNone\":true,\"records\":[{\"attributes\":{\"type\":\"Account\"},\"id\":\"$C1\",\"Phone\":\"999\"},{\"attributes\":{\"type\":\"Account\"},\"id\":\"$C2\",\"Name\":null}]}"
expect "update with allOrNone: both rows fail" "$(json '[.[].errors[0].statusCode] | join(",")')" "ALL_OR_NONE_OPERATION_ROLLED_BACK,REQUIRED_FIELD_MISSING"
api GET "/sobjects/Account/$C1?fields=Phone"
expect "update with allOrNone: the good row's change is undone" "$(json .Phone)" 555-1

# --- upsert by external id ---
post PATCH /composite/sobjects/Account/PRM_Id__c '{"allOrNone":false,"records":[{"attributes":{"type":"Account"},"PRM_Id__c":"P-1","Phone":"1"},{"attributes":{"type":"Account"},"PRM_Id__c":"U-1","Name":"Upserted"},{"attributes":{"type":"Account"},"Name":"No key"}]}'
expect "upsert: update, create, missing key" "$STATUS $(json '[.[] | if .success then (.created | tostring) else .errors[0].statusCode end] | join(",")')" \
	"200 false,true,MISSING_ARGUMENT"
U1=$(json '.[1].id')
api GET /sobjects/Account/PRM_Id__c/P-1
expect "upsert: the match was updated" "$(json .Phone)" 1
api GET /sobjects/Account/PRM_Id__c/U-1
expect "upsert: the new record carries its key" "$(json .Id)" "$U1"
post PATCH /composite/sobjects/Account/PRM_Id__c '{"records":[{"attributes":{"type":"Account"},"PRM_Id__c":"D-1","Name":"a"},{"attributes":{"type":"Account"},"PRM_Id__c":"d-1","Name":"b"}]}'
expect "upsert: a key twice in one request fails both rows" "$(json '[.[].errors[0].statusCode] | join(",")')" "DUPLICATE_VALUE,DUPLICATE_VALUE"
expect "upsert: ... with Salesforce's text" "$(json '.[0].errors[0].message')" "Duplicate external id specified: D-1"
post PATCH /composite/sobjects/Account/Region__c '{"records":[{"attributes":{"type":"Account"},"Region__c":"EMEA","Phone":"3"}]}'
expect "upsert: a key matching two records is DUPLICATE_EXTERNAL_ID" "$(json '.[0].errors[0].statusCode + " " + .[0].errors[0].fields[0]')" "DUPLICATE_EXTERNAL_ID Region__c"
expect_match "upsert: ... naming the records" "$(json '.[0].errors[0].message')" '^Region__c: more than one record found for external id field: \[001[0-9A-Za-z]{15}, 001[0-9A-Za-z]{15}\]$'
post PATCH /composite/sobjects/Account/Phone '{"records":[]}'
expect "upsert on a field that isn't an external id: 404" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"
post PATCH /composite/sobjects/Account/PRM_Id__c '{"allOrNone":true,"records":[{"attributes":{"type":"Account"},"PRM_Id__c":"U-2","Name":"x"},{"attributes":{"type":"Account"},"PRM_Id__c":"U-3"}]}'
api GET /sobjects/Account/PRM_Id__c/U-2
expect "upsert with allOrNone rolls the creation back" "$STATUS" 404
req PATCH /services/data/v45.0/composite/sobjects/Account/PRM_Id__c -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' --data-binary '{"records":[]}'
expect "collections upsert needs API 46.0" "$STATUS" 404

# --- retrieve ---
api GET "/composite/sobjects/Account?ids=$C1,$C2,001000000000000AAA,bogus&fields=id,Name,Phone"
expect "retrieve: records in order, null where there is none" "$STATUS $(json '[.[] | if . == null then "null" else .Name end] | join(",")')" "200 C1,C2,null,null"
expect "retrieve: only the fields asked for" "$(json '.[0] | keys | join(",")')" "Id,Name,Phone,attributes"
post POST /composite/sobjects/Account "{\"ids\":[\"$C3\",\"$C1\"],\"fields\":[\"Name\"]}"
expect "retrieve by POST {ids, fields} (jsforce)" "$STATUS $(json '[.[].Name] | join(",")')" "200 C3,C1"
api GET "/composite/sobjects/Account?ids=$C1&fields=Nope"
expect "retrieve: an unknown field fails the request" "$STATUS $(json '.[0].errorCode')" "400 INVALID_FIELD"

# --- delete ---
api DELETE "/composite/sobjects?ids=$C2,$C3,bogus"
expect "delete: per-id results" "$STATUS $(json '[.[] | .id // .errors[0].statusCode] | join(",")')" "200 $C2,$C3,MALFORMED_ID"
expect "delete: a malformed id" "$(json '.[2].errors[0].message')" "malformed id bogus"
api GET "/sobjects/Account/$C2"
expect "delete: the record is gone" "$STATUS $(json '.[0].errorCode')" "404 ENTITY_IS_DELETED"
api DELETE "/composite/sobjects?ids=$C1,$C2&allOrNone=true"
expect "delete with allOrNone: nothing deleted" "$(json '[.[].errors[0].statusCode] | join(",")')" "ALL_OR_NONE_OPERATION_ROLLED_BACK,ENTITY_IS_DELETED"
api GET "/sobjects/Account/$C1?fields=Name"
expect "delete with allOrNone: the good id survives" "$STATUS" 200
api PUT /composite/sobjects
expect "a wrong method is 405" "$STATUS $(json '.[0].errorCode')" "405 METHOD_NOT_ALLOWED"
api GET /composite/tree/Account
expect "other /composite resources are 404" "$STATUS" 404

# --- composite ---
post POST /composite '{"allOrNone":true,"compositeRequest":[
 {"method":"POST","url":"/services/data/v60.0/sobjects/Account","referenceId":"NewAccount","body":{"Name":"Chain"}},
 {"method":"POST","url":"/services/data/v60.0/sobjects/Contact","referenceId":"NewContact","body":{"LastName":"Link","AccountId":"@{NewAccount.id}"}},
 {"method":"GET","url":"/services/data/v60.0/sobjects/Contact/@{NewContact.id}?fields=AccountId,Name","referenceId":"ReadBack"},
 {"method":"GET","url":"/services/data/v60.0/sobjects/Account/@{ReadBack.AccountId}?fields=Name","referenceId":"Parent"}]}'
expect "composite: HTTP 200, each subrequest's status" "$STATUS $(json '[.compositeResponse[].httpStatusCode] | map(tostring) | join(",")')" "200 201,201,200,200"
NEWACC=$(json '.compositeResponse[0].body.id')
expect "composite: @{NewAccount.id} chains the Contact to the Account" "$(json '.compositeResponse[2].body.AccountId')" "$NEWACC"
expect "composite: references work in urls, field by field" "$(json '.compositeResponse[3].body.Name')" Chain
expect "composite: referenceIds come back" "$(json '[.compositeResponse[].referenceId] | join(",")')" "NewAccount,NewContact,ReadBack,Parent"
expect "composite: a 201 carries Location" "$(json '.compositeResponse[0].httpHeaders.Location')" "$V/sobjects/Account/$NEWACC"

post POST /composite '{"allOrNone":true,"compositeRequest":[
 {"method":"POST","url":"/services/data/v60.0/sobjects/Account","referenceId":"A","body":{"Name":"Doomed","PRM_Id__c":"CMP-1"}},
 {"method":"POST","url":"/services/data/v60.0/sobjects/Contact","referenceId":"B","body":{"AccountId":"@{A.id}"}},
 {"method":"GET","url":"/services/data/v60.0/sobjects/Account/@{A.id}","referenceId":"C"}]}'
expect "composite allOrNone: every subrequest is a 400" "$STATUS $(json '[.compositeResponse[].httpStatusCode] | map(tostring) | join(",")')" "200 400,400,400"
expect "composite allOrNone: the failure keeps its error" "$(json '.compositeResponse[1].body[0].errorCode')" REQUIRED_FIELD_MISSING
expect "composite allOrNone: the others are PROCESSING_HALTED" "$(jq -c '.compositeResponse[0].body' "$RESP")" \
	'[{"errorCode":"PROCESSING_HALTED","message":"The transaction was rolled back since another operation in the same transaction failed."}]'
api GET /sobjects/Account/PRM_Id__c/CMP-1
expect "composite allOrNone: the created Account is rolled back" "$STATUS" 404

post POST /composite '{"allOrNone":false,"compositeRequest":[
 {"method":"POST","url":"/services/data/v60.0/sobjects/Account","referenceId":"Bad","body":{"Phone":"1"}},
 {"method":"POST","url":"/services/data/v60.0/sobjects/Contact","referenceId":"Dependent","body":{"LastName":"D","AccountId":"@{Bad.id}"}},
 {"method":"POST","url":"/services/data/v60.0/sobjects/Account","referenceId":"Independent","body":{"Name":"Kept","PRM_Id__c":"CMP-2"}}]}'
expect "composite without allOrNone: only what depends on a failure fails" "$(json '[.compositeResponse[].httpStatusCode] | map(tostring) | join(",")')" "400,400,201"
expect "composite: a reference to a failed subrequest" "$(json '.compositeResponse[1].body[0].errorCode + ": " + .compositeResponse[1].body[0].message')" \
	"PROCESSING_HALTED: Invalid reference specified. No value for Bad.id found in Bad."
api GET /sobjects/Account/PRM_Id__c/CMP-2
expect "composite without allOrNone: the independent subrequest stays" "$STATUS" 200

SUBS=$(jq -cn '[range(26) | {method: "POST", url: "/services/data/v60.0/sobjects/Account", referenceId: "r\(.)", body: {Name: "Many", PRM_Id__c: "MANY-\(.)"}}]')
post POST /composite "{\"compositeRequest\":$SUBS}"
expect "composite with 26 subrequests is refused" "$(json '.compositeResponse[0].body[0].errorCode + " " + (.compositeResponse[0].httpStatusCode | tostring)')" "LIMIT_EXCEEDED 400"
api GET /sobjects/Account/PRM_Id__c/MANY-0
expect "composite with 26 subrequests runs none" "$STATUS" 404
post POST /composite '{"compositeRequest":[{"method":"GET","url":"/services/data/v60.0/limits","referenceId":"x"},{"method":"GET","url":"/services/data/v60.0/limits","referenceId":"x"}]}'
expect "composite: duplicate referenceIds are a 400" "$STATUS" 400
post POST /composite '{"compositeRequest":[{"method":"POST","url":"/services/data/v60.0/composite","referenceId":"x","body":{"compositeRequest":[]}}]}'
expect "composite: composites don't nest" "$(json '.compositeResponse[0].httpStatusCode')" 400

# --- batch ---
post POST /composite/batch "{\"haltOnError\":true,\"batchRequests\":[
 {\"method\":\"PATCH\",\"url\":\"v60.0/sobjects/Account/$C1\",\"richInput\":{\"Phone\":\"777\"}},
 {\"method\":\"GET\",\"url\":\"v60.0/sobjects/Account/001000000000000AAA\"},
 {\"method\":\"GET\",\"url\":\"v60.0/sobjects/Account/$C1?fields=Phone\"}]}"
expect "batch with haltOnError: 204, 404, then 412" "$STATUS $(json '[.results[].statusCode] | map(tostring) | join(",")')" "200 204,404,412"
expect "batch: hasErrors" "$(json .hasErrors)" true
expect "batch: the halted subrequest" "$(json '.results[2].result[0].errorCode')" BATCH_PROCESSING_HALTED
expect "batch: a 204 has a null result" "$(json '.results[0].result')" null
post POST /composite/batch "{\"batchRequests\":[
 {\"method\":\"GET\",\"url\":\"v60.0/sobjects/Account/001000000000000AAA\"},
 {\"method\":\"GET\",\"url\":\"v60.0/sobjects/Account/$C1?fields=Phone\"}]}"
expect "batch without haltOnError runs on; the PATCH committed" "$(json '[.results[].statusCode] | map(tostring) | join(",")') $(json '.results[1].result.Phone')" "404,200 777"

# --- API usage: a composite counts once, a batch per subrequest ---
admin GET /api-usage
BEFORE=$(json .used)
post POST /composite '{"compositeRequest":[
 {"method":"GET","url":"/services/data/v60.0/limits","referenceId":"l1"},
 {"method":"GET","url":"/services/data/v60.0/sobjects/Account/describe","referenceId":"d1"},
 {"method":"GET","url":"/services/data/v60.0/sobjects/Account/'"$C1"'","referenceId":"g1"}]}'
expect "a composite reports usage with itself counted once" "$(grep -i '^sforce-limit-info' "$HDRS" | tr -d '\r' | sed 's/.*api-usage=//; s#/.*##')" "$((BEFORE + 1))"
admin GET /api-usage
expect "a composite of 3 subrequests counts as 1 API call" "$(json .used)" "$((BEFORE + 1))"
post POST /composite/batch '{"batchRequests":[{"method":"GET","url":"v60.0/limits"},{"method":"GET","url":"v60.0/limits"}]}'
admin GET /api-usage
expect "a batch counts the call and each subrequest" "$(json .used)" "$((BEFORE + 4))"
finish
