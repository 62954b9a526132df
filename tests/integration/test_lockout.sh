# test_lockout.sh - lockout after N failures, the lockout interval on the test clock, unlock, rate limit.
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/login.json"   # maxLoginAttempts 3, lockoutInterval 15
T=LockLockLockLockLockLock
start_emu "$ORG"

soap_login lock@login.test "wrong-1"
soap_login lock@login.test "wrong-2"
admin GET /users/lock@login.test
expect "two failures are counted" "$(json .failedLoginAttempts)" 2
expect "two failures do not lock" "$(json .isPasswordLocked)" false
soap_login lock@login.test "wrong-3"
admin GET /users/lock@login.test
expect "the third failure locks the user" "$(json .isPasswordLocked)" true
soap_login lock@login.test "Lock-Pass-1$T"
expect "a locked user gets INVALID_LOGIN even with the right password" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
req GET /_emu/login-history?username=lock@login.test
expect "LoginHistory tells the real reason" "$(json '.records[-1].status')" "Password Lockout"

admin POST /clock '{"advanceSeconds": 840}'
soap_login lock@login.test "Lock-Pass-1$T"
expect "still locked after 14 minutes" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
admin POST /clock '{"advanceSeconds": 70}'
soap_login lock@login.test "Lock-Pass-1$T"
expect "unlocked once the 15-minute lockout interval passed" "$STATUS" 200

soap_login lock@login.test "wrong-a"
soap_login lock@login.test "Lock-Pass-1$T"
soap_login lock@login.test "wrong-b"
soap_login lock@login.test "wrong-c"
admin GET /users/lock@login.test
expect "a success resets the failure count" "$(json '.failedLoginAttempts, .isPasswordLocked' | tr '\n' ' ')" "2 false "

soap_login lock@login.test "wrong-d"
soap_login lock@login.test "Lock-Pass-1"
admin GET /users/lock@login.test
expect "a missing token counts toward lockout" "$(json .isPasswordLocked)" true
admin POST /users/lock@login.test/unlock
expect "unlock answers 200" "$STATUS" 200
soap_login lock@login.test "Lock-Pass-1$T"
expect "an admin unlock lets the user in at once" "$STATUS" 200

admin PATCH /org '{"settings":{"passwordPolicies":{"lockoutInterval":0}}}'
expect "the lockout interval can be set to forever" "$STATUS" 200
for i in 1 2 3; do soap_login lock@login.test "wrong-$i"; done
admin POST /clock '{"advanceSeconds": 86400}'
soap_login lock@login.test "Lock-Pass-1$T"
expect "a forever lockout does not lapse" "$(xml_text faultcode)" "sf:INVALID_LOGIN"
admin PATCH /users/lock@login.test '{"isPasswordLocked": false}'
soap_login lock@login.test "Lock-Pass-1$T"
expect "UserLogin-style PATCH isPasswordLocked=false unlocks" "$STATUS" 200
admin PATCH /users/lock@login.test '{"isPasswordLocked": true}'
expect "isPasswordLocked cannot be set to true" "$STATUS" 400

admin PATCH /org '{"settings":{"passwordPolicies":{"maxLoginAttempts":0}}}'
for i in 1 2 3 4 5; do soap_login lock@login.test "wrong-$i"; done
admin GET /users/lock@login.test
expect "maxLoginAttempts 0 never locks" "$(json .isPasswordLocked)" false

admin PATCH /org '{"settings":{"loginRatePerHour": 3}}'
soap_login int@login.test "Int-Pass-1AbCdEfGhIjKlMnOpQrStUvWx"
soap_login int@login.test "Int-Pass-1AbCdEfGhIjKlMnOpQrStUvWx"
soap_login int@login.test "Int-Pass-1AbCdEfGhIjKlMnOpQrStUvWx"
soap_login int@login.test "Int-Pass-1AbCdEfGhIjKlMnOpQrStUvWx"
expect "past the hourly login rate: Login Rate Exceeded" "$(xml_text faultstring)" "REQUEST_LIMIT_EXCEEDED: Login Rate Exceeded"
admin POST /clock '{"advanceSeconds": 3601}'
soap_login int@login.test "Int-Pass-1AbCdEfGhIjKlMnOpQrStUvWx"
expect "an hour later logins work again" "$STATUS" 200
admin PATCH /org '{"settings":{"maxLoginAttempts": 5}}'
expect "an unknown settings key is refused" "$STATUS" 400
finish
