# test_libsf_client.sh - libsf's client (every login method, the login guard,
# re-auth, threads, throttle, secrets in logs) against sfemu: itest_client.
. "$TOP/tests/integration/lib.sh"

BIN="$BUILD/tests/itest_client"
if [ ! -x "$BIN" ]; then
	echo "not ok - $BIN is built"
	exit 1
fi
start_emu "$TOP/tests/data/orgs/login.json"

# Secrets go through the environment, never argv.
EMU_URL="$EMU_URL" \
SF_TEST_PASSWORD=Int-Pass-1 \
SF_TEST_TOKEN=AbCdEfGhIjKlMnOpQrStUvWx \
SF_TEST_CONSUMER_KEY=3MVG9TestConsumerKeyForLoginTests \
SF_TEST_CONSUMER_SECRET=TestConsumerSecret0123456789 \
SF_TEST_KEY="$TOP/tests/data/keys/jwt-test.key" \
	"$BIN" || T_FAILED=1

expect_absent "no password appears in sfemu's output" "Int-Pass-1"
expect_absent "no consumer secret appears in sfemu's output" "TestConsumerSecret0123456789"
finish
