# test_libsf_rest.sh - libsf's REST API against sfemu: runs build/tests/itest_rest (TAP).
. "$TOP/tests/integration/lib.sh"

ORG="$TOP/tests/data/orgs/rest.json"
BIN="${BUILD:-$TOP/build}/tests/itest_rest"
if [ ! -x "$BIN" ]; then
	fail "itest_rest is built" "missing: $BIN (make all)"
	finish
fi
start_emu "$ORG"

# Secrets go to files only we can read; never onto a command line.
(
	umask 077
	jq -r '.users[0].password' "$ORG" >"$T_TMP/password"
	jq -r '.users[0].securityToken' "$ORG" >"$T_TMP/token"
	jq -r '.apps[0].consumerSecret' "$ORG" >"$T_TMP/client-secret"
)
SF_ITEST_URL=$EMU_URL \
SF_ITEST_USER=$(jq -r '.users[0].username' "$ORG") \
SF_ITEST_CLIENT_ID=$(jq -r '.apps[0].consumerKey' "$ORG") \
SF_ITEST_PASSWORD_FILE=$T_TMP/password \
SF_ITEST_TOKEN_FILE=$T_TMP/token \
SF_ITEST_CLIENT_SECRET_FILE=$T_TMP/client-secret \
	"$BIN" >"$T_TMP/itest.out" 2>"$T_TMP/itest.err"
rc=$?
cat "$T_TMP/itest.out"
if [ $rc -ne 0 ]; then
	if ! grep -q '^not ok' "$T_TMP/itest.out"; then
		fail "itest_rest exits 0" "exit status $rc" "$(tail -20 "$T_TMP/itest.err")"
	fi
	T_FAILED=1
	sed 's/^/#   stderr: /' "$T_TMP/itest.err" | tail -40
fi
expect_absent "sfemu's log holds no password" "$(cat "$T_TMP/password")"
expect_absent "sfemu's log holds no token" "$(cat "$T_TMP/token")"
if grep -qF -e "$(cat "$T_TMP/password")" -e "$(cat "$T_TMP/client-secret")" \
	"$T_TMP/itest.out" "$T_TMP/itest.err"; then
	fail "the test's output holds no secret"
else
	pass "the test's output holds no secret"
fi
finish
