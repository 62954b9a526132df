# test_credentials_diagnoses.sh - every diagnosis code, reproduced through
# `sfbridge credentials ... --json` against sfemu (an org file per scenario in
# tests/data/scenarios/), with its severity, fix steps and exit code; for
# every refused credential, exactly one login per Save and none afterwards.
# The few answers sfemu can't give (an HTML page, ORG_LOCKED, a 503
# maintenance page) come from a scripted stand-in server (perl, below).
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/creds_lib.sh"

OTHERKEY="$TOP/tests/data/keys/jwt-other.key"
CKEY=3MVG9ScenarioConsumerKeyPrm01
printf ' %s' "$PW" >"$S/pw-space"
printf '%s%s' "$PW" "$TOKEN" >"$S/pw-with-token"
printf 'ScnToken-bad' >"$S/tok-short"

unset SFBRIDGE_MASTER_KEY SFBRIDGE_WORKSPACE SFBRIDGE_DATA SFBRIDGE_LOG_LEVEL
COVERED=""
N=0
STANDIN_PID=""

integrations() {
	"$SFB" integrations list --data "$D" "$@" >"$OUT" 2>>"$ERRLOG" </dev/null
	RC=$?
}
# attempts: login requests sfemu answered (its debug log has every request;
# LoginHistory leaves out a few refusals, as Salesforce's does).
attempts() {
	grep -cE '(POST /services/Soap/u/[0-9.]+|POST /services/oauth2/token) -> ' "$T_TMP/emu.log"
}

# scenario ORG: sfemu on tests/data/scenarios/ORG.json, a fresh data dir.
scenario() {
	stop_emu
	start_emu "$SCN/$1.json" --log-level debug
	N=$((N + 1))
	D="$T_TMP/data-$N-$1"
	mark
}
# mark: the counts that the checks below compare against.
mark() {
	L0=$(logins)
	A0=$(attempts)
}

# save ARGS...: a password-method Save at sfemu as int@acme.test.
save() {
	creds set --json --login "$EMU_URL" --username int@acme.test "$@"
}

# diag CODE SEVERITY EXIT: the last command exited EXIT and its JSON holds
# CODE with SEVERITY, a title, an explanation and fix steps.
diag() {
	expect "$1: exit $3" "$RC" "$3"
	expect "$1: $2, with title, explanation and fix steps" \
		"$(out "[.diagnoses[] | select(.code == \"$1\")][0] |
			\"\(.severity) \(.title != \"\") \(.explanation != \"\") \((.fix | length) > 0)\"")" \
		"$2 true true true"
	COVERED="$COVERED $1"
}

# refused NAME HISTORY ARGS...: the last Save made one login attempt (and,
# with HISTORY "history", one LoginHistory row); show, test and
# integrations make none; the same Save (ARGS) again makes exactly one more.
refused() {
	name=$1
	hist=$2
	shift 2
	expect "$name: one login attempt for the Save" "$(($(attempts) - A0))" 1
	[ "$hist" = history ] &&
		expect "$name: one LoginHistory row for the Save" "$(($(logins) - L0))" 1
	A1=$(attempts)
	L1=$(logins)
	creds show --json
	expect "$name: nothing was activated" "$(out '.active')" "false"
	creds test --json
	integrations --json
	creds show
	expect "$name: no login from show, test or integrations afterwards" \
		"$(($(attempts) - A1)) $(($(logins) - L1))" "0 0"
	"$@"
	expect "$name: the same Save again, exactly one more attempt" "$(($(attempts) - A1))" 1
}

# local_only NAME: the last Save made no login and no API call.
local_only() {
	expect "$1: blocked with zero network calls" \
		"$(($(attempts) - A0)) $(($(logins) - L0)) $(($(api_used) - U0))" "0 0 0"
}

# ---- local checks: nothing reaches the network ----
scenario valid
U0=$(api_used)
save --token-file "$S/tok"
diag field_missing error 2
expect "field_missing names the password" "$(out '.diagnoses[0].detail.field')" password
local_only field_missing
save --password-file "$S/pw" --token-file "$S/tok" --username integration-user
diag username_not_email error 2
local_only username_not_email
save --password-file "$S/pw-space" --token-file "$S/tok"
diag whitespace_in_secret error 2
expect "whitespace_in_secret names the field" "$(out '.diagnoses[0].detail.field')" password
local_only whitespace_in_secret
save --password-file "$S/pw" --token-file "$S/tok-short"
diag token_malformed error 2
local_only token_malformed
save --password-file "$S/pw-with-token" --token-file "$S/tok"
diag password_includes_token error 2
local_only password_includes_token
creds set --json --login https://evil.example.com --username int@acme.test \
	--password-file "$S/pw" --token-file "$S/tok"
diag login_url_invalid error 2
local_only login_url_invalid
creds set --json --login http://127.0.0.2.example.com:80 --username int@acme.test \
	--password-file "$S/pw" --token-file "$S/tok"
expect "plain http off loopback: login_url_invalid" "$RC $(out '.diagnoses[0].code')" "2 login_url_invalid"
creds set --json --login production --username ops@acme.example.uat \
	--password-file "$S/pw" --token-file "$S/tok"
diag sandbox_host_mismatch error 2
expect "sandbox_host_mismatch says which side is which" \
	"$(out '.diagnoses[0].detail | "\(.username_looks_like) \(.host)"')" "sandbox production"
local_only sandbox_host_mismatch

# ---- the connection ----
creds set --json --login http://127.0.0.1:1 --username int@acme.test \
	--password-file "$S/pw" --token-file "$S/tok"
diag network_unreachable error 3
creds set --json --login "https://${EMU_URL#http://}" --username int@acme.test \
	--password-file "$S/pw" --token-file "$S/tok"
diag tls_failed error 3
expect "tls_failed: sfemu speaks no TLS, so it logged nothing" "$(($(logins) - L0))" 0

# A stand-in that answers every request with one canned reply and logs it.
standin() {
	[ -z "$STANDIN_PID" ] || kill "$STANDIN_PID" 2>/dev/null
	rm -f "$T_TMP/standin.port" "$T_TMP/standin.log"
	perl -MIO::Socket::INET -e '
		my ($mode, $pf, $log) = @ARGV;
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
			Listen => 5, ReuseAddr => 1) or die "listen: $!";
		open(my $p, ">", "$pf.tmp") or die; print $p $s->sockport; close $p;
		rename("$pf.tmp", $pf);
		my %r = (
		  html => [200, "text/html", "<!DOCTYPE html><html><body><h1>Welcome to Acme</h1></body></html>"],
		  maintenance => [503, "text/html", "<html><body>Salesforce is down for maintenance.</body></html>"],
		  orglocked => [500, "text/xml", q{<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:ORG_LOCKED</faultcode><faultstring>ORG_LOCKED: Your organization is locked.</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>ORG_LOCKED</sf:exceptionCode><sf:exceptionMessage>Your organization is locked.</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>}],
		);
		while (my $c = $s->accept) {
			my ($len, $line0) = (0, undef);
			while (my $l = <$c>) {
				$l =~ s/\r?\n$//;
				$line0 //= $l;
				last if $l eq "";
				$len = $1 if $l =~ /^content-length:\s*(\d+)/i;
			}
			my $b = ""; read($c, $b, $len) if $len;
			open(my $lg, ">>", $log); print $lg "$line0\n"; close $lg;
			my ($st, $ct, $body) = @{$r{$mode}};
			print $c "HTTP/1.1 $st X\r\nContent-Type: $ct\r\nContent-Length: " .
				length($body) . "\r\nConnection: close\r\n\r\n$body";
			close $c;
		}' "$1" "$T_TMP/standin.port" "$T_TMP/standin.log" 2>>"$T_TMP/standin.err" &
	STANDIN_PID=$!
	i=0
	while [ ! -s "$T_TMP/standin.port" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	STANDIN="http://127.0.0.1:$(cat "$T_TMP/standin.port")"
}
standin_save() {
	creds set --json --login "$STANDIN" --username int@acme.test \
		--password-file "$S/pw" --token-file "$S/tok"
	expect "$1: one request reached the host" "$(wc -l <"$T_TMP/standin.log" | tr -d ' ')" 1
}
standin html
standin_save not_salesforce
diag not_salesforce error 2
standin orglocked
standin_save org_unavailable
diag org_unavailable error 2
expect "org_unavailable keeps Salesforce's words" "$(out '.diagnoses[0].detail.salesforce.code')" ORG_LOCKED
standin maintenance
standin_save salesforce_unavailable
diag salesforce_unavailable error 3
kill "$STANDIN_PID" 2>/dev/null
wait "$STANDIN_PID" 2>/dev/null
STANDIN_PID=""

# ---- what Salesforce says to the login ----
scenario valid
save --password-file "$S/wrongpw" --token-file "$S/tok"
diag invalid_login error 2
expect "invalid_login: a first setup ranks wrong password, then wrong token" \
	"$(out '.diagnoses[0].detail.causes[0:2] | join(" ")')" "wrong_password wrong_token"
expect_match "invalid_login: how to tell the causes apart" \
	"$(out '.diagnoses[0].fix | join("\n")')" 'incognito'
refused invalid_login history save --password-file "$S/wrongpw" --token-file "$S/tok"
expect "invalid_login: two refused Saves shown as attempts in the window" \
	"$(out '.diagnoses[0].detail | "\(.attempts) \(.lockoutWindow)"')" "2 15"

mark
save --password-file "$S/pw"
diag security_token_required error 2
refused security_token_required history save --password-file "$S/pw"

mark
creds set --json --login "$EMU_URL" --username int@acme.test --password-file "$S/pw" \
	--token-file "$S/tok" --consumer-key 3MVG9NoSuchKey --consumer-secret-file "$S/cs"
diag oauth_client_invalid error 2
expect "oauth_client_invalid: Salesforce's code" "$(out '.diagnoses[0].detail.salesforce.code')" invalid_client_id
refused oauth_client_invalid nohistory creds set --json --login "$EMU_URL" \
	--username int@acme.test --password-file "$S/pw" --token-file "$S/tok" \
	--consumer-key 3MVG9NoSuchKey --consumer-secret-file "$S/cs"

mark
creds set --json --method jwt --login "$EMU_URL" --username int@acme.test \
	--consumer-key "$CKEY" --private-key-file "$OTHERKEY"
diag oauth_jwt_rejected error 2
refused oauth_jwt_rejected nohistory creds set --json --method jwt --login "$EMU_URL" \
	--username int@acme.test --consumer-key "$CKEY" --private-key-file "$OTHERKEY"

scenario api-disabled-for-org
save --password-file "$S/pw" --token-file "$S/tok"
diag api_disabled_for_org error 2
refused api_disabled_for_org history save --password-file "$S/pw" --token-file "$S/tok"

scenario api-disabled-for-user
save --password-file "$S/pw" --token-file "$S/tok"
diag api_disabled_for_user error 2
refused api_disabled_for_user history save --password-file "$S/pw" --token-file "$S/tok"
# With OAuth the token is issued, and the first API call is refused.
mark
save --password-file "$S/pw" --token-file "$S/tok" --consumer-key "$CKEY" --consumer-secret-file "$S/cs"
expect "api_disabled_for_user through OAuth too" "$RC $(out '.diagnoses[0].code')" "2 api_disabled_for_user"

scenario login-hours
admin POST /clock '{"now": "2026-11-29T18:00:00Z"}' # Sunday 10:00 in Los Angeles
save --password-file "$S/pw" --token-file "$S/tok"
diag login_hours_restricted error 2
refused login_hours_restricted history save --password-file "$S/pw" --token-file "$S/tok"
admin POST /clock '{"now": "2026-11-30T18:00:00Z"}' # Monday 10:00
mark
save --password-file "$S/pw" --token-file "$S/tok"
diag login_hours_set warning 0
expect "login_hours_set: the hours, in the org's time zone" \
	"$(out '[.diagnoses[] | select(.code == "login_hours_set")][0].detail | "\(.loginHours.mondayStart)-\(.loginHours.mondayEnd) \(.timeZone)"')" \
	"480-1020 America/Los_Angeles"
# Sunday again: the stored credentials are refused, with the hours last seen.
admin POST /clock '{"now": "2026-12-06T18:00:00Z"}'
creds test --json
expect "login_hours_restricted on a test: the guard, and the known hours" \
	"$RC $(out '[.diagnoses[].code] | join(" ")') $(out '[.diagnoses[] | select(.code == "login_hours_restricted")][0].detail | "\(.loginHours.mondayStart) \(.timeZone)"')" \
	"2 credentials_stopped_working login_hours_restricted 480 America/Los_Angeles"

scenario ip-restricted
save --password-file "$S/pw" --token-file "$S/tok"
diag ip_restricted error 2
refused ip_restricted history save --password-file "$S/pw" --token-file "$S/tok"
mark
save --password-file "$S/pw" --token-file "$S/tok" --consumer-key "$CKEY" --consumer-secret-file "$S/cs"
expect "ip_restricted through OAuth says it may be the login hours" \
	"$RC $(out '.diagnoses[0] | "\(.code) \(.detail.mayBeLoginHours)"')" "2 ip_restricted true"

scenario ip-ranges-restrictive
save --password-file "$S/pw" --token-file "$S/tok"
diag login_ip_ranges_restrictive warning 0

scenario password-expired
save --password-file "$S/pw" --token-file "$S/tok"
diag password_expired error 2
refused password_expired history save --password-file "$S/pw" --token-file "$S/tok"
mark
save --password-file "$S/pw" --token-file "$S/tok" --consumer-key "$CKEY" --consumer-secret-file "$S/cs"
expect "password_expired through OAuth (the API refuses the session)" "$RC $(out '.diagnoses[0].code')" "2 password_expired"

scenario soap-login-disabled
save --password-file "$S/pw" --token-file "$S/tok"
diag soap_login_unavailable error 2
expect_match "soap_login_unavailable: switch to OAuth first" "$(out '.diagnoses[0].fix[0]')" 'client credentials'
refused soap_login_unavailable nohistory save --password-file "$S/pw" --token-file "$S/tok"

scenario jwt-not-approved
creds set --json --method jwt --login "$EMU_URL" --username int@acme.test \
	--consumer-key "$CKEY" --private-key-file "$KEY"
diag oauth_user_not_approved error 2
expect_match "oauth_user_not_approved: the Permitted Users policy" "$(out '.diagnoses[0].fix[0]')" \
	'Permitted Users: choose "Admin approved users are pre-authorized"'
refused oauth_user_not_approved nohistory creds set --json --method jwt \
	--login "$EMU_URL" --username int@acme.test --consumer-key "$CKEY" \
	--private-key-file "$KEY"

scenario login-rate
save --password-file "$S/pw" --token-file "$S/tok"
expect "login-rate: the first Save is valid" "$RC" 0
save --password-file "$S/pw" --token-file "$S/tok"
diag login_rate_exceeded error 3
expect_match "login_rate_exceeded: when logins work again" "$(out '.diagnoses[0].detail.resetsAt')" '^20[0-9-]+T'
creds show --json
expect "login-rate: the first credentials stay active" "$(out '"\(.active) \(.valid)"')" "true true"

# ---- the guard ----
scenario valid
save --password-file "$S/pw" --token-file "$S/tok"
diag legacy_auth_retiring warning 0
expect_match "legacy_auth_retiring: the days left" "$(out '.diagnoses[0].detail | "\(.retiresOn) \(.days)"')" '^2027-06-01 [0-9]+$'
admin PATCH /users/int@acme.test '{"isFrozen": true}'
mark
creds test --json
diag credentials_stopped_working error 2
expect "credentials_stopped_working: then invalid_login" "$(out '.diagnoses[1].code')" invalid_login
mark
creds test --json
creds show --json
integrations --json
expect "the guard: no login from test, show or integrations" "$(($(attempts) - A0))" 0

# ---- the preflight ----
scenario missing-permission
save --password-file "$S/pw" --token-file "$S/tok"
diag missing_permission error 2
expect "missing_permission: Modify All Data is an error, the other two warnings" \
	"$(out '[.diagnoses[] | select(.code == "missing_permission") | "\(.detail.permission):\(.severity)"] | join(" ")')" \
	"ModifyAllData:error CustomizeApplication:warning ManageProfilesPermissionsets:warning"
expect_match "missing_permission: the exact screen" "$(out '.diagnoses[0].fix[0]')" \
	'^Setup > Users > Profiles > Integration > System Permissions > Modify All Data'
refused missing_permission history save --password-file "$S/pw" --token-file "$S/tok"

scenario password-may-expire
save --password-file "$S/pw" --token-file "$S/tok"
diag password_may_expire info 0

scenario api-budget-low
admin PATCH /org '{"dailyApiRequestsUsed": 114000}'
save --password-file "$S/pw" --token-file "$S/tok"
diag api_budget_low warning 0
expect "api_budget_low: what is left" \
	"$(out '[.diagnoses[] | select(.code == "api_budget_low")][0].detail | "\(.used)/\(.max)"')" "114002/115000"
admin PATCH /org '{"dailyApiRequestsUsed": 115000}'
save --password-file "$S/pw" --token-file "$S/tok"
expect "a spent budget: api_budget_low as an error, exit 3" \
	"$RC $(out '[.diagnoses[] | select(.code == "api_budget_low")][0].severity')" "3 error"
stop_emu

# ---- every code of the vocabulary was reproduced ----
for code in field_missing username_not_email whitespace_in_secret \
	token_malformed password_includes_token login_url_invalid \
	sandbox_host_mismatch network_unreachable tls_failed not_salesforce \
	invalid_login security_token_required api_disabled_for_org \
	api_disabled_for_user login_hours_restricted ip_restricted \
	password_expired login_rate_exceeded soap_login_unavailable \
	oauth_client_invalid oauth_user_not_approved oauth_jwt_rejected \
	org_unavailable salesforce_unavailable credentials_stopped_working \
	missing_permission login_hours_set login_ip_ranges_restrictive \
	password_may_expire api_budget_low legacy_auth_retiring; do
	case " $COVERED " in
	*" $code "*) ;;
	*) fail "every code is reproduced: $code is not" ;;
	esac
done
pass "every code is reproduced ($(echo $COVERED | wc -w | tr -d ' ') checks)"

# No secret in any output.
for sec in "$PW" "$TOKEN" "$CSECRET" "$(sed -n 2p "$KEY")" "$(sed -n 2p "$OTHERKEY")"; do
	if grep -aqF -- "$sec" "$ALLOUT" "$ERRLOG" "$T_TMP"/data-*/* 2>/dev/null; then
		fail "no secret in the outputs or the stores (a ${#sec}-character one leaked)"
	fi
done
pass "no secret in the outputs or the stores"
finish
