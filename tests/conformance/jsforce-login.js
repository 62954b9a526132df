'use strict';
/* jsforce-login.js - jsforce 3 logs in to sfemu by SOAP and OAuth password flow, and out. */

const path = require('node:path');
const jsforce = require('jsforce');
const { Checks, describeError, describeToken, hasIdChecksum, main, rejectionOf, within } = require('./lib/harness');

const ORG_FILE = path.join(__dirname, 'org.json');
const org = require(ORG_FILE);
const user = org.users[0];
const app = org.apps[0];

const VERSION = '60.0';
const WRONG_TOKEN = 'WrongSecurityToken000000';
/* jsforce logs in again on every 401, without limit: no client call may
 * wait longer than this. */
const CALL_TIMEOUT_MS = 5000;
const CASE_TIMEOUT_MS = 20000;

const USER_ID = /^005[0-9A-Za-z]{15}$/;
const ORG_ID = /^00D[0-9A-Za-z]{15}$/;
const ACCESS_TOKEN = /^00D\w{12,15}![.\w]*$/;
const INVALID_LOGIN = 'INVALID_LOGIN: Invalid username, password, security token; or user locked out.';

function call(what, promise)
{
	return within(CALL_TIMEOUT_MS, what, promise);
}

/* logLevel NONE: with JSFORCE_LOG_LEVEL set, jsforce would log session ids
 * to stdout, in among the TAP lines. */
function soapConnection(base)
{
	return new jsforce.Connection({ loginUrl: base, version: VERSION, logLevel: 'NONE' });
}

function oauthConnection(base)
{
	return new jsforce.Connection({
		oauth2: { loginUrl: base, clientId: app.consumerKey, clientSecret: app.consumerSecret },
		version: VERSION,
		logLevel: 'NONE',
	});
}

/* A connection that only has a token: on a 401 it cannot log in again,
 * so it fails instead of looping. */
function tokenConnection(base, accessToken)
{
	return new jsforce.Connection({ instanceUrl: base, accessToken, version: VERSION,
					logLevel: 'NONE' });
}

/* What a successful login must leave behind, whichever way it went. */
function checkSession(conn, info, base)
{
	const c = new Checks();
	c.match('userInfo.id', info.id, USER_ID);
	c.match('userInfo.organizationId', info.organizationId, ORG_ID);
	if (USER_ID.test(info.id))
		c.ok(`userInfo.id ${info.id} has a wrong checksum suffix`, hasIdChecksum(info.id));
	if (ORG_ID.test(info.organizationId)) {
		c.ok(`userInfo.organizationId ${info.organizationId} has a wrong checksum suffix`,
		     hasIdChecksum(info.organizationId));
		/* Salesforce session ids start with the 15-character org id. */
		c.ok(`accessToken (${describeToken(conn.accessToken)}) does not start with ` +
		     `the org id ${info.organizationId.slice(0, 15)}`,
		     String(conn.accessToken).startsWith(`${info.organizationId.slice(0, 15)}!`));
	}
	c.equal('instanceUrl', conn.instanceUrl, base);
	c.matchSecret('accessToken', conn.accessToken, ACCESS_TOKEN);
	c.done();
}

const cases = [
	{
		name: 'soap login succeeds',
		fn: async (base) => {
			const conn = soapConnection(base);
			const info = await call('soap login',
						conn.login(user.username, user.password + user.securityToken));
			checkSession(conn, info, base);
		},
	},
	{
		name: `rest /services/data/v${VERSION}/ works after soap login`,
		fn: async (base) => {
			const conn = soapConnection(base);
			await call('soap login', conn.login(user.username, user.password + user.securityToken));
			const res = await call(`GET /services/data/v${VERSION}/`,
					       conn.request(`/services/data/v${VERSION}/`));
			const c = new Checks();
			c.ok(`response has no "sobjects" key: ${String(JSON.stringify(res)).slice(0, 300)}`,
			     res !== null && typeof res === 'object' && 'sobjects' in res);
			c.done();
		},
	},
	{
		name: 'soap login with a wrong security token fails with INVALID_LOGIN',
		fn: async (base) => {
			const conn = soapConnection(base);
			const err = await call('soap login', rejectionOf('soap login with a wrong token',
						conn.login(user.username, user.password + WRONG_TOKEN)));
			const c = new Checks();
			c.equal('error message', err.message, INVALID_LOGIN);
			c.explain(...describeError(err));
			c.done();
		},
	},
	{
		name: 'oauth password flow succeeds',
		fn: async (base) => {
			const conn = oauthConnection(base);
			const info = await call('oauth password flow',
						conn.login(user.username, user.password + user.securityToken));
			checkSession(conn, info, base);
		},
	},
	{
		name: 'oauth password flow with a wrong security token fails with invalid_grant',
		fn: async (base) => {
			const conn = oauthConnection(base);
			const err = await call('oauth password flow',
					       rejectionOf('oauth password flow with a wrong token',
							   conn.login(user.username, user.password + WRONG_TOKEN)));
			/* jsforce puts the OAuth "error" in name, "error_description" in message. */
			const c = new Checks();
			c.equal('error name', err.name, 'invalid_grant');
			c.ok(`error message ${JSON.stringify(err.message)} lacks "authentication failure"`,
			     String(err.message).includes('authentication failure'));
			c.explain(...describeError(err));
			c.done();
		},
	},
	{
		name: 'soap logout ends the session for rest',
		fn: async (base) => {
			const conn = soapConnection(base);
			await call('soap login', conn.login(user.username, user.password + user.securityToken));
			const token = conn.accessToken;
			const get = `GET /services/data/v${VERSION}/`;
			const resource = `/services/data/v${VERSION}/`;

			await call(`${get} before logout`, tokenConnection(base, token).request(resource));
			await call('soap logout', conn.logout());
			const err = await call(`${get} after logout`,
					       rejectionOf(`${get} after logout`,
							   tokenConnection(base, token).request(resource)));
			const c = new Checks();
			c.equal('errorCode', err.errorCode, 'INVALID_SESSION_ID');
			c.explain(...describeError(err));
			c.done();
		},
	},
];

main(cases, { orgFile: ORG_FILE, caseTimeoutMs: CASE_TIMEOUT_MS });
