# test_rest_query.sh - SOQL over /query and /queryAll: pages, relationships, aggregates, errors, Tooling.
. "$TOP/tests/integration/lib.sh"

start_rest_emu

q "SELECT Id, Name FROM Account ORDER BY Name"
expect "a query returns the seeded records in order" "$(json '[.records[].Name] | join(",")')" "Globex,Initech,Umbrella"
expect "totalSize and done" "$(json '[.totalSize, .done] | map(tostring) | join(",")')" "3,true"
expect "each record has attributes" "$(json '.records[0].attributes.type')" Account
expect "no nextRecordsUrl on the last page" "$(json 'has("nextRecordsUrl")')" false

# 2,450 records: two pages at the default 2,000, five at batchSize=500.
i=0
while [ $i -lt 13 ]; do
	recs=$(jq -nc --argjson base $((i * 200)) '[range(0;200) | {attributes:{type:"Account"}, Name:("Bulk " + (($base + .)|tostring)), NumberOfEmployees: ($base + .)}]')
	post POST /composite/sobjects "{\"allOrNone\":true,\"records\":$recs}"
	i=$((i + 1))
done
q "SELECT Id, Name, NumberOfEmployees FROM Account WHERE Name LIKE 'Bulk%'"
expect "totalSize counts every row" "$(json .totalSize)" 2600
expect "the first page holds 2,000 rows" "$(json '.records | length')" 2000
NEXT=$(json .nextRecordsUrl)
expect_match "nextRecordsUrl is a query locator" "$NEXT" '^/services/data/v60.0/query/01g[0-9A-Za-z]{15}-2000$'
req GET "$NEXT" -H "Authorization: Bearer $AT"
expect "the next page holds the rest" "$(json '[(.records | length), .done] | map(tostring) | join(",")')" "600,true"
req GET "$NEXT" -H "Authorization: Bearer $AT"
expect "a used-up locator is INVALID_QUERY_LOCATOR" "$(json '.[0].errorCode')" INVALID_QUERY_LOCATOR
q "SELECT Id FROM Account WHERE Name LIKE 'Bulk%'" -H 'Sforce-Query-Options: batchSize=500'
expect "Sforce-Query-Options: batchSize sets the page size" "$(json '.records | length')" 500
q "SELECT COUNT() FROM Account WHERE NumberOfEmployees >= 100 AND NumberOfEmployees < 200"
expect "COUNT() returns only totalSize" "$(json '[.totalSize, (.records|length)] | map(tostring) | join(",")')" "100,0"
q "SELECT Name FROM Account WHERE Name LIKE 'Bulk%' ORDER BY NumberOfEmployees DESC LIMIT 2 OFFSET 1"
expect "ORDER BY, LIMIT and OFFSET" "$(json '[.records[].Name] | join(",")')" "Bulk 2598,Bulk 2597"

# Relationships, nulls, case-insensitive matches.
post POST /sobjects/Contact '{"LastName":"Orphan"}'
q "SELECT Id FROM Account WHERE Name = 'globex'"
GLOBEX=$(json '.records[0].Id')
expect "= on text ignores case" "$(json .totalSize)" 1
post POST /sobjects/Contact "{\"FirstName\":\"Jane\",\"LastName\":\"Doe\",\"AccountId\":\"$GLOBEX\",\"Email\":\"jane@globex.example\"}"
q "SELECT Name, Account.Name, Account.Owner.Username FROM Contact ORDER BY LastName"
expect "a parent field nests under the relationship" "$(json '.records[0].Account.Name')" Globex
expect "grandparents nest too" "$(json '.records[0].Account.Owner.Username')" api@rest.test
expect "the parent carries attributes" "$(json '.records[0].Account.attributes.type')" Account
expect "an empty lookup reads null" "$(json '.records[1].Account')" null
q "SELECT Name FROM Account WHERE Region__c != 'EMEA' AND Name IN ('Globex','Umbrella','Initech')"
expect "!= matches the others" "$(json '[.records[].Name] | join(",")')" "Umbrella"
q "SELECT Name FROM Account WHERE Region__c = null AND Name LIKE 'Bulk 1%' LIMIT 1"
expect "= null finds empty values" "$(json .totalSize)" 1
q "SELECT Name, CreatedDate FROM Account WHERE CreatedDate = TODAY AND Name = 'Globex'"
expect "date literal TODAY" "$(json .totalSize)" 1
q "SELECT Name FROM Account WHERE CreatedDate > 2000-01-01T00:00:00Z AND Name = 'Globex'"
expect "datetime literal" "$(json .totalSize)" 1

post POST /sobjects/Deal__c "{\"Name\":\"D1\",\"Account__c\":\"$GLOBEX\",\"Amount__c\":100.5,\"Products__c\":\"Alpha;Beta\"}"
post POST /sobjects/Deal__c "{\"Name\":\"D2\",\"Account__c\":\"$GLOBEX\",\"Amount__c\":50,\"Products__c\":\"Gamma\"}"
q "SELECT Name, Account__r.Name FROM Deal__c WHERE Products__c INCLUDES ('Beta')"
expect "INCLUDES on a multi-select picklist; custom relationship" "$(json '.records[0].Name + " " + .records[0].Account__r.Name')" "D1 Globex"
q "SELECT Account__c, COUNT(Id), SUM(Amount__c) total FROM Deal__c GROUP BY Account__c"
expect "aggregates: expr0 and aliases" "$(json '.records[0] | [.expr0, .total] | map(tostring) | join(",")')" "2,150.5"
expect "aggregate rows are AggregateResult" "$(json '.records[0].attributes.type')" AggregateResult

# queryAll sees deleted rows; query doesn't.
post POST /sobjects/Account '{"Name":"Doomed"}'
DOOMED=$(json .id)
api DELETE "/sobjects/Account/$DOOMED"
q "SELECT Id FROM Account WHERE Name = 'Doomed'"
expect "query hides deleted records" "$(json .totalSize)" 0
api GET "/queryAll" -G --data-urlencode "q=SELECT Id, IsDeleted FROM Account WHERE Name = 'Doomed'"
expect "queryAll includes them" "$(json '.records[0].IsDeleted')" true

# Setup objects.
q "SELECT Username, Profile.Name, Profile.PermissionsApiEnabled FROM User WHERE Username = 'api@rest.test'"
expect "User with its Profile" "$(json '.records[0].Profile.Name + " " + (.records[0].Profile.PermissionsApiEnabled|tostring)')" "Integration true"
q "SELECT PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE Assignee.Username = 'api@rest.test' AND PermissionSet.PermissionsApiEnabled = true"
expect "the profile's own permission set is assigned implicitly" "$(json '.records[0].PermissionSet.IsOwnedByProfile')" true
q "SELECT IsPasswordLocked, IsFrozen FROM UserLogin WHERE User.Username = 'api@rest.test'"
expect "UserLogin shows the lock state" "$(json '.records[0] | [.IsPasswordLocked, .IsFrozen] | map(tostring) | join(",")')" "false,false"
q "SELECT Status, LoginType FROM LoginHistory ORDER BY LoginTime DESC LIMIT 1"
expect "LoginHistory rows from the logins" "$(json '.records[0].Status')" Success
q "SELECT Name, OrganizationType, IsSandbox FROM Organization"
expect "Organization is one row" "$(json '.records[0].Name + " / " + .records[0].OrganizationType')" "REST Test Org / Enterprise Edition"

# Errors as Salesforce words them.
q "SELECT Idd FROM Account"
expect "an unknown field" "$STATUS $(json '.[0].errorCode')" "400 INVALID_FIELD"
expect "the message points at it" "$(json '.[0].message')" "$(printf '\nSELECT Idd FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column '"'"'Idd'"'"' on entity '"'"'Account'"'"'. If you are attempting to use a custom field, be sure to append the '"'"'__c'"'"' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.')"
q "SELECT Id FROM Acount"
expect "an unknown object is INVALID_TYPE" "$(json '.[0].errorCode')" INVALID_TYPE
q "SELECT Id FROM Account WHERE"
expect "bad syntax is MALFORMED_QUERY" "$(json '.[0].errorCode')" MALFORMED_QUERY
q "SELECT Id FROM Account OFFSET 2001"
expect "OFFSET over 2,000" "$(json '.[0].errorCode')" NUMBER_OUTSIDE_VALID_RANGE
q "SELECT Id FROM Account WHERE Name = 'x'' OR 1=1 --'"
expect "a quote can't break out of a literal" "$STATUS" 400
q "SELECT Id FROM Account WHERE Name = 'x\\' OR Name != \\'y'"
expect "an escaped quote stays inside the literal" "$(json .totalSize)" 0
api GET /query
expect "no q" "$(json '.[0].errorCode')" MALFORMED_QUERY

# columns=true, as the Salesforce CLI asks.
q "SELECT Id, Name, Account.Name FROM Contact" --data-urlencode columns=true
expect "columns=true returns columnMetadata" "$(json '[.columnMetadata[].columnName] | join(",")')" "Id,Name,Account"
expect "a relationship column lists its join columns" "$(json '.columnMetadata[2].joinColumns[0].columnName')" Name

# Tooling: a profile's metadata (login hours and IP ranges aren't in SOQL).
q "SELECT Id, ProfileId FROM User WHERE Username = 'api@rest.test'"
PID=$(json '.records[0].ProfileId')
admin PATCH /profiles/Integration '{"loginHours":{"mondayStart":480,"mondayEnd":1020},"loginIpRanges":[{"startAddress":"10.0.0.0","endAddress":"10.0.0.255"}]}'
api GET "/tooling/query" -G --data-urlencode "q=SELECT Id, Metadata FROM Profile WHERE Id = '$PID'"
expect "Tooling returns the profile's login hours" "$(json '.records[0].Metadata.loginHours.mondayStart')" 480
expect "and its login IP ranges" "$(json '.records[0].Metadata.loginIpRanges[0].endAddress')" 10.0.0.255
expect_match "and its permissions" "$(json '[.records[0].Metadata.userPermissions[].name] | join(",")')" 'ApiEnabled'
api GET "/tooling/query" -G --data-urlencode "q=SELECT Id FROM SandboxProcess WHERE SandboxOrganization = 'x'"
expect "SandboxProcess is empty in a production org" "$(json .totalSize)" 0
finish
