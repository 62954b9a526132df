# test_bulk.sh - Bulk API 2.0: ingest jobs (insert, update, upsert, delete, abort, results) and query jobs (paging).
. "$TOP/tests/integration/lib.sh"

# rest.json: Account.PRM_Id__c is a unique external id (seeded P-1, P-2);
# Partner_Tier__c a restricted picklist; Contact.AccountId a lookup.
start_rest_emu
DATA=$T_TMP
CSV="$DATA/upload.csv"

# job OP OBJECT [EXTRA_JSON]: creates an ingest job; its id in $J.
job() {
	post POST /jobs/ingest "{\"object\":\"$2\",\"operation\":\"$1\"${3:+,$3}}"
	J=$(json .id)
}
# upload CSV_TEXT [CONTENT_TYPE]: PUT the text to job $J's batches.
upload() {
	printf '%s' "$1" >"$CSV"
	api PUT "/jobs/ingest/$J/batches" -H "Content-Type: ${2:-text/csv}" --data-binary "@$CSV"
}
# uploadf FORMAT: upload the text printf makes of FORMAT (CR, LF exact).
uploadf() {
	printf "$1" >"$CSV"
	api PUT "/jobs/ingest/$J/batches" -H "Content-Type: text/csv" --data-binary "@$CSV"
}
close() { post PATCH "/jobs/ingest/$J" '{"state":"UploadComplete"}'; }
# rows WHICH: the CSV of successfulResults, failedResults or unprocessedrecords.
rows() { api GET "/jobs/ingest/$J/$1"; cat "$RESP"; }
count() { q "$1"; json .totalSize; }

# --- insert ---
job insert Account
expect "create an ingest job: 200, Open, V2Ingest" "$STATUS $(json '.state + " " + .jobType + " " + .operation + " " + .object')" "200 Open V2Ingest insert Account"
expect_match "its id is a 750 job id, contentUrl the batches" "$(json '.id + " " + .contentUrl')" "^750[0-9A-Za-z]{15} services/data/v60.0/jobs/ingest/750[0-9A-Za-z]{15}/batches$"
expect_match "createdDate looks like Salesforce's" "$(json .createdDate)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+0000$'
expect "defaults: COMMA, LF, CSV, Parallel" "$(jq -c '[.columnDelimiter, .lineEnding, .contentType, .concurrencyMode]' "$RESP")" '["COMMA","LF","CSV","Parallel"]'
expect_match "apiVersion is the number 60.0" "$(cat "$RESP")" '"apiVersion":60\.0,'
upload 'Name,Phone,Partner_Tier__c
Bulk One,111,Gold
"Bulk, Two","2""2",
'
expect "upload: 201, no body" "$STATUS $(wc -c <"$RESP")" "201 0"
upload 'Name,Phone,Partner_Tier__c
Bulk Three,#N/A,Platinum
,333,Silver
'
expect "a second upload while Open: 201" "$STATUS" 201
api GET "/jobs/ingest/$J"
expect "before close: Open, nothing processed" "$(json '.state + " " + (.numberRecordsProcessed | tostring)')" "Open 0"
expect "nothing written before close" "$(count "SELECT Id FROM Account WHERE Name LIKE 'Bulk%'")" 0
close
expect "close: 200, UploadComplete" "$STATUS $(json .state)" "200 UploadComplete"
api GET "/jobs/ingest/$J"
expect "next GET: JobComplete, 4 processed, 2 failed" "$(json '.state + " " + (.numberRecordsProcessed | tostring) + " " + (.numberRecordsFailed | tostring)')" "JobComplete 4 2"
expect "job info has every counter" "$(jq -c '[.retries, .totalProcessingTime, .apiActiveProcessingTime, .apexProcessingTime]' "$RESP")" '[0,0,0,0]'
rows successfulResults >/dev/null
expect "successfulResults: 200 text/csv" "$STATUS $(grep -i '^content-type' "$HDRS" | tr -d '\r' | cut -d' ' -f2)" "200 text/csv"
expect "successfulResults header" "$(head -1 "$RESP")" '"sf__Id","sf__Created","Name","Phone","Partner_Tier__c"'
expect_match "successful rows: id, created, the original cells" "$(sed -n 3p "$RESP")" '^"001[0-9A-Za-z]{15}","true","Bulk, Two","2""2",""$'
B1=$(sed -n 2p "$RESP" | cut -d'"' -f2)
api GET "/sobjects/Account/$B1?fields=Name,Phone,Partner_Tier__c"
expect "the record was written" "$(jq -c '[.Name, .Phone, .Partner_Tier__c]' "$RESP")" '["Bulk One","111","Gold"]'
rows failedResults >/dev/null
cp "$RESP" "$DATA/failed.csv"
expect "failedResults header" "$(head -1 "$DATA/failed.csv")" '"sf__Id","sf__Error","Name","Phone","Partner_Tier__c"'
post POST /sobjects/Account '{"Name":"x","Partner_Tier__c":"Platinum"}'
expect "a bad picklist value fails with the REST error code and text" "$(sed -n 2p "$DATA/failed.csv")" \
	"\"\",\"$(json '.[0].errorCode + ":" + .[0].message + ":" + (.[0].fields | join(",")) + " --"')\",\"Bulk Three\",\"#N/A\",\"Platinum\""
expect "an empty required cell: REQUIRED_FIELD_MISSING" "$(sed -n 3p "$DATA/failed.csv")" '"","REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --","","333","Silver"'
rows unprocessedrecords >/dev/null
expect "unprocessedrecords of a complete job: only the header" "$(cat "$RESP")" '"Name","Phone","Partner_Tier__c"'
B2=$(rows successfulResults | sed -n 3p | cut -d'"' -f2)

# --- update: empty cells leave fields alone, #N/A clears them ---
job update Account
upload "Id,Phone,Partner_Tier__c
$B1,,#N/A
$B2,999,
001000000000000AAA,1,
,2,
"
close
api GET "/jobs/ingest/$J"
expect "update: 4 processed, 2 failed" "$(json '(.numberRecordsProcessed | tostring) + " " + (.numberRecordsFailed | tostring)')" "4 2"
api GET "/sobjects/Account/$B1?fields=Phone,Partner_Tier__c"
expect "an empty cell is left as it was, #N/A is null" "$(jq -c '[.Phone, .Partner_Tier__c]' "$RESP")" '["111",null]'
api GET "/sobjects/Account/$B2?fields=Phone"
expect "the other row is updated" "$(json .Phone)" 999
expect "update successes: sf__Created false" "$(rows successfulResults | sed -n 2p | cut -d, -f1-2)" "\"$B1\",\"false\""
api GET "/jobs/ingest/$J/failedResults"
expect_match "a missing record and a missing Id fail" "$(cut -d, -f2 "$RESP" | tail -2 | cut -d: -f1 | tr '\n' ' ')" '^"(NOT_FOUND|ENTITY_IS_DELETED|INVALID_CROSS_REFERENCE_KEY|MALFORMED_ID) "MISSING_ARGUMENT $'

# --- upsert on PRM_Id__c: created true and false ---
job upsert Account '"externalIdFieldName":"PRM_Id__c","columnDelimiter":"SEMICOLON","lineEnding":"CRLF"'
expect "upsert job: externalIdFieldName, SEMICOLON, CRLF" "$(jq -c '[.externalIdFieldName, .columnDelimiter, .lineEnding]' "$RESP")" '["PRM_Id__c","SEMICOLON","CRLF"]'
uploadf 'PRM_Id__c;Name;Phone\r\nP-1;;P1 phone\r\nBU-1;Bulk Upserted;\r\nBU-2;Dup A;\r\nBU-2;Dup B;\r\n'
close
api GET "/jobs/ingest/$J/successfulResults"
expect "upsert: P-1 updated, BU-1 created (CRLF, ;)" "$(cut -d';' -f2,3 "$RESP" | tr -d '\r' | tail -2 | tr '\n' ' ')" '"false";"P-1" "true";"BU-1" '
api GET "/jobs/ingest/$J/failedResults"
expect "a key on two rows fails both, as collections do" "$(cut -d';' -f2 "$RESP" | tail -2 | tr -d '\r' | cut -d: -f1 | tr '\n' ' ')" '"DUPLICATE_VALUE "DUPLICATE_VALUE '
api GET /sobjects/Account/PRM_Id__c/P-1
expect "the upsert's update is stored" "$(json '.Name + " " + .Phone')" "Globex P1 phone"
post POST /jobs/ingest '{"object":"Account","operation":"upsert","externalIdFieldName":"Name__x"}'
expect "upsert on a field that isn't a key: 400" "$STATUS $(json '.[0].errorCode')" "400 INVALIDJOB"

# --- relationship column: Contact.Account.PRM_Id__c ---
job insert Contact
upload 'LastName,Account.PRM_Id__c
Bulkson,P-2
Nobody,NOPE
'
close
api GET "/jobs/ingest/$J/successfulResults"
CT=$(sed -n 2p "$RESP" | cut -d'"' -f2)
api GET "/sobjects/Contact/$CT?fields=AccountId,Account.Name"
q "SELECT Account.PRM_Id__c FROM Contact WHERE Id = '$CT'"
expect "Account.PRM_Id__c sets the lookup" "$(json '.records[0].Account.PRM_Id__c')" P-2
api GET "/jobs/ingest/$J/failedResults"
expect "an unknown parent key fails the row" "$(sed -n 2p "$RESP" | cut -d, -f2)" '"INVALID_FIELD:Foreign key external ID: NOPE not found for field PRM_Id__c in entity Account: --"'

# --- an unknown column fails the whole job ---
job insert Account
upload 'Name,Nope__c
X,1
'
close
api GET "/jobs/ingest/$J"
expect "a header naming no field: Failed, errorMessage" "$(json '.state + " " + .errorMessage')" "Failed InvalidBatch : Field name not found : Nope__c"
expect "its rows are unprocessed" "$(rows unprocessedrecords | tr '\n' ' ')" '"Name","Nope__c" "X","1" '

# --- delete ---
job delete Account
upload "Id
$B1
$B1
"
close
api GET "/jobs/ingest/$J"
expect "delete: 2 processed, the second fails" "$(json '(.numberRecordsProcessed | tostring) + " " + (.numberRecordsFailed | tostring)')" "2 1"
api GET "/sobjects/Account/$B1"
expect "the record is gone" "$STATUS" 404
expect_match "deleting it again: the REST error" "$(rows failedResults | sed -n 2p)" "^\"$B1\",\"ENTITY_IS_DELETED:entity is deleted:"

# --- abort, unprocessed records, delete of a job ---
job insert Account
upload 'Name
Aborted One
Aborted Two
'
post PATCH "/jobs/ingest/$J" '{"state":"Aborted"}'
expect "abort: 200, Aborted" "$STATUS $(json .state)" "200 Aborted"
expect "abort wrote nothing" "$(count "SELECT Id FROM Account WHERE Name LIKE 'Aborted%'")" 0
expect "unprocessedrecords: the original rows" "$(rows unprocessedrecords | tr '\n' ' ')" '"Name" "Aborted One" "Aborted Two" '
upload 'Name
Late
'
expect "upload to an aborted job: 409 INVALIDJOBSTATE" "$STATUS $(json '.[0].errorCode')" "409 INVALIDJOBSTATE"
close
expect "closing an aborted job: 409" "$STATUS" 409
ABORTED=$J
job insert Account
OPEN=$J
api DELETE "/jobs/ingest/$OPEN"
expect "deleting an Open job: 409" "$STATUS" 409
api GET /jobs/ingest
expect "GET /jobs/ingest lists the jobs" "$(json "[.records[] | select(.id == \"$ABORTED\" or .id == \"$OPEN\")] | length") $(json .done)" "2 true"
api DELETE "/jobs/ingest/$ABORTED"
expect "deleting a terminal job: 204" "$STATUS" 204
api GET "/jobs/ingest/$ABORTED"
expect "then it is gone: 404 NOT_FOUND" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"

# --- bad requests: the right 4xx and nothing written ---
post POST /jobs/ingest '{"object":"Account","operation":"merge"}'
expect "unknown operation: 400" "$STATUS $(json '.[0].errorCode')" "400 INVALIDJOB"
post POST /jobs/ingest '{"object":"Account","operation":"insert","columnDelimiter":"COLON"}'
expect "bad delimiter: 400" "$STATUS $(json '.[0].errorCode')" "400 INVALIDJOB"
post POST /jobs/ingest '{"object":"Nope","operation":"insert"}'
expect "unknown object: 400" "$STATUS $(json '.[0].message')" "400 InvalidJob : Unable to find object: Nope"
post POST /jobs/ingest '{"object":'
expect "bad JSON: 400 JSON_PARSER_ERROR" "$STATUS $(json '.[0].errorCode')" "400 JSON_PARSER_ERROR"
job insert Account
upload 'Name
"Unbalanced
'
expect "an unbalanced quote: 400 INVALID_CSV" "$STATUS $(json '.[0].errorCode')" "400 INVALID_CSV"
upload 'Name,Phone
A,1,2
'
expect "a row with more cells than the header: 400" "$STATUS" 400
uploadf 'Name\r\nCRLF in an LF job\r\n'
expect "CRLF in an LF job: 400" "$STATUS $(json '.[0].message')" "400 ClientInputError : row 1: LineEnding is invalid on user data. Current LineEnding setting is LF"
upload '{"Name":"json"}' application/json
expect "a non-CSV content type: 415" "$STATUS" 415
close
api GET "/jobs/ingest/$J"
expect "refused uploads left nothing: 0 processed" "$(json '.state + " " + (.numberRecordsProcessed | tostring)')" "JobComplete 0"
expect "and wrote nothing" "$(count "SELECT Id FROM Account WHERE Name IN ('Unbalanced', 'A', 'CRLF in an LF job', 'json')")" 0
upload 'Name
Closed
'
expect "upload to a closed job: 409" "$STATUS" 409
api GET /jobs/ingest/750000000000000AAA
expect "an unknown job: 404" "$STATUS $(json '.[0].errorCode')" "404 NOT_FOUND"
USED=$(api_used)
api GET "/jobs/ingest/$J"
grep -qi '^Sforce-Limit-Info: api-usage=' "$HDRS" && pass "Bulk replies carry Sforce-Limit-Info" || fail "Bulk replies carry Sforce-Limit-Info"
expect "each Bulk call counts one API request" "$(api_used)" "$((USED + 1))"

# --- query jobs ---
job insert Account
upload "Name,Phone
$(for i in $(seq 1 25); do echo "Paged $i,p$i"; done)
"
close
post POST /jobs/query "{\"operation\":\"query\",\"query\":\"SELECT Id, Name, Phone FROM Account WHERE Name LIKE 'Paged%' ORDER BY Name\"}"
expect "create a query job: 200 UploadComplete V2Query" "$STATUS $(json '.state + " " + .jobType + " " + .object')" "200 UploadComplete V2Query Account"
QJ=$(json .id)
api GET "/jobs/query/$QJ"
expect "next GET: JobComplete, 25 processed" "$(json '.state + " " + (.numberRecordsProcessed | tostring)')" "JobComplete 25"
hdr() { grep -i "^$1:" "$HDRS" | tr -d '\r' | cut -d' ' -f2; }
api GET "/jobs/query/$QJ/results?maxRecords=10"
expect "page 1: 10 records, a locator, columns in query order" "$(hdr Sforce-NumberOfRecords) $(head -1 "$RESP") $(($(wc -l <"$RESP") - 1))" '10 "Id","Name","Phone" 10'
L=$(hdr Sforce-Locator)
expect_match "the locator is opaque, not null" "$L" '^[A-Za-z0-9+/]+$'
api GET "/jobs/query/$QJ/results?maxRecords=10&locator=$L"
expect "page 2: 10 more" "$(hdr Sforce-NumberOfRecords)" 10
api GET "/jobs/query/$QJ/results?maxRecords=10&locator=$(hdr Sforce-Locator)"
expect "last page: 5 records, Sforce-Locator: null" "$(hdr Sforce-NumberOfRecords) $(hdr Sforce-Locator) $(tail -1 "$RESP")" "5 null $(tail -1 "$RESP" | grep '"Paged 9","p9"$')"
api GET "/jobs/query/$QJ/results"
expect "no maxRecords: every row at once" "$(hdr Sforce-NumberOfRecords) $(hdr Sforce-Locator)" "25 null"
api GET "/jobs/query/$QJ/results?locator=bogus"
expect "a bad locator: 400" "$STATUS" 400
req GET "/services/data/v59.0/jobs/query/$QJ/results" -H "Authorization: Bearer $AT"
expect "results through another API version: 409" "$STATUS" 409
post POST /jobs/query "{\"query\":\"SELECT Name, Account.PRM_Id__c FROM Contact WHERE Id = '$CT'\",\"columnDelimiter\":\"PIPE\"}"
api GET "/jobs/query/$(json .id)/results"
expect "relationship columns as Account.PRM_Id__c, PIPE" "$(tr '\n' ' ' <"$RESP")" '"Name"|"Account.PRM_Id__c" "Bulkson"|"P-2" '
post POST /jobs/query '{"operation":"query","query":"SELECT Idd FROM Account"}'
expect "a bad query: 400 with the SOQL error" "$STATUS $(json '.[0].errorCode')" "400 INVALID_FIELD"
post POST /jobs/query '{"operation":"query","query":"SELECT COUNT() FROM Account"}'
expect "COUNT() is refused" "$STATUS" 400
post POST /jobs/query '{"operation":"upsert","query":"SELECT Id FROM Account"}'
expect "a query job's unknown operation: 400" "$STATUS $(json '.[0].errorCode')" "400 INVALIDJOB"
post POST /jobs/query "{\"operation\":\"queryAll\",\"query\":\"SELECT Id FROM Account WHERE Id = '$B1'\"}"
api GET "/jobs/query/$(json .id)/results"
expect "queryAll sees the deleted record" "$(hdr Sforce-NumberOfRecords)" 1
api DELETE "/jobs/query/$QJ"
expect "delete a query job: 204" "$STATUS" 204
api GET /jobs/query
expect "the list no longer has it" "$(json "[.records[] | select(.id == \"$QJ\")] | length")" 0
finish
