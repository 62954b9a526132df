'use strict';
/* sf-cli.js - the real Salesforce CLI logs in to sfemu with an access token and works on records.
 *
 * Needs tests/conformance/sfcli/node_modules (scripts/deps). Run it alone with
 * `node tests/conformance/sf-cli.js` (SFEMU=path overrides build/sfemu);
 * CONFORMANCE_TRACE=1 lists the requests sfemu answered in every case, not
 * only in failed ones. */

const fs = require('node:fs');
const path = require('node:path');
const { Checks, NotRun, hasIdChecksum, main } = require('./lib/harness');
const { SfCli, describeRun, installProblem } = require('./lib/sf');

const ORG_FILE = path.join(__dirname, 'org-sf.json');
const org = require(ORG_FILE);
const user = org.users[0];
const app = org.apps[0];
const seeded = org.records.Account;

const ALIAS = 'emu';
/* Each sf command takes 1.5 to 3 s; a case runs at most three. */
const COMMAND_TIMEOUT_MS = 30000;
const CASE_TIMEOUT_MS = 3 * COMMAND_TIMEOUT_MS + 5000;
const TOKEN_TIMEOUT_MS = 5000;

const ACCESS_TOKEN = /^00D\w{12,15}![.\w]*$/;
const ORG_ID = /^00D[0-9A-Za-z]{15}$/;
const USER_ID = /^005[0-9A-Za-z]{15}$/;
const ACCOUNT_ID = /^001[0-9A-Za-z]{15}$/;

const NEW_ACCOUNT = { Name: 'Conformance Inc', Industry: 'Technology' };
const NEW_PHONE = '555-0100';
const BULK_PREFIX = 'Bulk CLI ';
const BULK_NAMES = ['Bulk CLI A', 'Bulk CLI B', 'Bulk CLI C'];

/* What the cases hand on to each other. */
const state = {
	problem: installProblem(), /* why sf cannot run at all */
	token: null,
	orgId: null,
	loggedIn: false,
	login: null, /* the login's result */
	accountId: null,
	bulkImported: false,
	hung: null, /* the first sf command that timed out */
};
const sf = state.problem ? null : new SfCli();

/* Throws NotRun unless sf is installed and every earlier step this case
 * builds on worked. */
function need(...steps)
{
	if (state.problem)
		throw new NotRun(`the Salesforce CLI cannot run: ${state.problem}`);
	for (const step of steps) {
		if (step === 'token' && !state.token)
			throw new NotRun('no access token (the OAuth password flow failed)');
		if (step === 'login' && !state.loggedIn)
			throw new NotRun('sf org login access-token failed');
		if (step === 'record' && !state.accountId)
			throw new NotRun('no record id (sf data create record failed)');
	}
	/* Keeps the file within tests/conformance/run's time limit. */
	if (state.hung)
		throw new NotRun(`an earlier sf command timed out: sf ${state.hung}`);
}

/* sf.run(), noting a timeout so that later cases do not wait as well. */
async function runSf(args, options)
{
	const r = await sf.run(args, { timeoutMs: COMMAND_TIMEOUT_MS, ...options });
	if (r.timedOut && !state.hung)
		state.hung = args.slice(0, 3).join(' ');
	return r;
}

/* A run that must have worked: exit 0 and {"status": 0, "result": ...}. */
function checkSuccess(c, r)
{
	c.explain(...describeRun(r));
	c.equal('exit code', r.code, 0);
	c.ok('stdout is not a --json document', r.json !== null && typeof r.json === 'object');
	if (r.json && typeof r.json === 'object') {
		c.equal('json.status', r.json.status, 0);
		if (r.json.status === 0)
			c.ok('json has no result', r.json.result !== undefined);
	}
	return r.json && typeof r.json === 'object' ? r.json.result : undefined;
}

/* A run that must have failed with sf's error document {name, exitCode, ...}. */
function checkFailure(c, r, { name, exitCode })
{
	c.explain(...describeRun(r));
	c.equal('exit code', r.code, exitCode);
	c.ok('stdout is not a --json document', r.json !== null && typeof r.json === 'object');
	if (r.json && typeof r.json === 'object') {
		c.equal('json.name', r.json.name, name);
		c.equal('json.status', r.json.status, exitCode);
		c.equal('json.exitCode', r.json.exitCode, exitCode);
	}
	return r.json && typeof r.json === 'object' ? r.json : {};
}

function getRecord(id)
{
	return runSf(['data', 'get', 'record', '-s', 'Account', '-i', id, '-o', ALIAS, '--json']);
}

/* `Name='Conformance Inc' Industry=Technology`, as sf's --values wants it. */
function valuesFlag(values)
{
	return Object.entries(values)
		.map(([field, value]) => (/\s/.test(value) ? `${field}='${value}'` : `${field}=${value}`))
		.join(' ');
}

const cases = [
	{
		name: 'oauth password flow gives a token for sf',
		fn: async (base) => {
			const res = await fetch(`${base}/services/oauth2/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({
					grant_type: 'password',
					client_id: app.consumerKey,
					client_secret: app.consumerSecret,
					username: user.username,
					password: user.password + user.securityToken,
				}).toString(),
				signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
			});
			const text = await res.text();
			let body = null;
			try {
				body = JSON.parse(text);
			} catch {
				/* reported below */
			}
			const c = new Checks();
			c.equal('status', res.status, 200);
			c.ok(`body is not JSON: ${text.slice(0, 300)}`, body !== null);
			if (body) {
				c.matchSecret('access_token', body.access_token, ACCESS_TOKEN);
				c.equal('instance_url', body.instance_url, base);
				/* id is <login host>/id/<org id>/<user id> */
				const m = /\/id\/(\w+)\/(\w+)$/.exec(String(body.id));
				c.ok(`id ${JSON.stringify(body.id)} is not .../id/<org id>/<user id>`, m !== null);
				if (m) {
					c.match('org id in id', m[1], ORG_ID);
					c.match('user id in id', m[2], USER_ID);
				}
				if (res.status === 200 && m && ACCESS_TOKEN.test(body.access_token)) {
					state.token = body.access_token;
					state.orgId = m[1];
				}
				if (res.status !== 200)
					c.explain(`body: ${text.slice(0, 300)}`);
			}
			c.done();
		},
	},
	{
		name: 'sf org login access-token',
		fn: async (base) => {
			need('token');
			const r = await runSf(['org', 'login', 'access-token', '--instance-url', base,
						'--no-prompt', '--alias', ALIAS, '--json'],
					       { env: { SF_ACCESS_TOKEN: state.token } });
			const c = new Checks();
			const result = checkSuccess(c, r);
			if (result && typeof result === 'object') {
				c.equal('result.username', result.username, user.username);
				c.equal('result.orgId', result.orgId, state.orgId);
				/* sf stores the URL as URL.href has it: with a slash. */
				c.equal('result.instanceUrl', result.instanceUrl, `${base}/`);
				/* A query for ScratchOrgInfo that does not fail makes sf
				 * take the org for a Dev Hub. */
				c.equal('result.isDevHub', result.isDevHub, false);
			}
			/* sf 2.150 hides the token ("[REDACTED] Use 'sf org auth
			 * show-access-token' to view"); make sure it stays hidden. */
			c.ok('sf printed the access token', !r.stdout.includes(state.token) &&
			     !r.stderr.includes(state.token));
			/* Later cases need only the alias to work. */
			state.loggedIn = r.code === 0 && result?.username === user.username;
			state.login = result;
			c.done();
		},
	},
	{
		/* Without the Organization record sf still logs in, but then
		 * queries Organization again before every later command. */
		name: 'sf org login access-token read the Organization record',
		fn: async () => {
			need('login');
			const result = state.login;
			const c = new Checks();
			c.equal('result.name (Organization.Name)', result.name, org.orgName);
			c.equal('result.orgEdition (Organization.OrganizationType)', result.orgEdition,
				`${org.edition} Edition`);
			c.equal('result.isSandbox (Organization.IsSandbox)', result.isSandbox, false);
			c.equal('result.namespacePrefix (Organization.NamespacePrefix)',
				result.namespacePrefix, null);
			c.ok(`result.instanceName (Organization.InstanceName) ${JSON.stringify(result.instanceName)} ` +
			     'is not a non-empty string',
			     typeof result.instanceName === 'string' && result.instanceName !== '');
			c.done();
		},
	},
	{
		name: 'sf data query returns the seeded accounts',
		fn: async () => {
			need('login');
			const r = await runSf(['data', 'query', '-q', 'SELECT Id, Name FROM Account ORDER BY Name',
						'-o', ALIAS, '--json']);
			const c = new Checks();
			const result = checkSuccess(c, r);
			if (result && typeof result === 'object') {
				const want = seeded.map((a) => a.Name).sort();
				c.equal('result.totalSize', result.totalSize, want.length);
				c.equal('result.done', result.done, true);
				const records = Array.isArray(result.records) ? result.records : [];
				c.ok('result.records is not an array', Array.isArray(result.records));
				c.equal('record names, in order', JSON.stringify(records.map((rec) => rec.Name)),
					JSON.stringify(want));
				for (const rec of records) {
					c.match(`Id of ${rec.Name}`, rec.Id, ACCOUNT_ID);
					c.equal(`attributes.type of ${rec.Name}`, rec.attributes && rec.attributes.type,
						'Account');
				}
			}
			c.done();
		},
	},
	{
		name: 'sf data create record makes an Account',
		fn: async () => {
			need('login');
			const r = await runSf(['data', 'create', 'record', '-s', 'Account',
						'-v', valuesFlag(NEW_ACCOUNT), '-o', ALIAS, '--json']);
			const c = new Checks();
			const result = checkSuccess(c, r);
			if (result && typeof result === 'object') {
				c.match('result.id', result.id, ACCOUNT_ID);
				if (ACCOUNT_ID.test(result.id))
					c.ok(`result.id ${result.id} has a wrong checksum suffix`, hasIdChecksum(result.id));
				c.equal('result.success', result.success, true);
				c.equal('result.errors', JSON.stringify(result.errors), '[]');
				if (r.code === 0 && ACCOUNT_ID.test(result.id))
					state.accountId = result.id;
			}
			c.done();
		},
	},
	{
		name: 'sf data get record reads it back',
		fn: async () => {
			need('login', 'record');
			const r = await getRecord(state.accountId);
			const c = new Checks();
			const result = checkSuccess(c, r);
			if (result && typeof result === 'object') {
				c.equal('result.Id', result.Id, state.accountId);
				c.equal('result.Name', result.Name, NEW_ACCOUNT.Name);
				c.equal('result.Industry', result.Industry, NEW_ACCOUNT.Industry);
				c.equal('result.attributes.type', result.attributes && result.attributes.type,
					'Account');
			}
			c.done();
		},
	},
	{
		name: 'sf data update record sets the phone',
		fn: async () => {
			need('login', 'record');
			const r = await runSf(['data', 'update', 'record', '-s', 'Account', '-i', state.accountId,
						'-v', `Phone=${NEW_PHONE}`, '-o', ALIAS, '--json']);
			const c = new Checks();
			checkSuccess(c, r);
			c.done(); /* no point reading it back if the update failed */

			const got = await getRecord(state.accountId);
			const after = new Checks();
			after.explain('reading the record back after the update:');
			const result = checkSuccess(after, got);
			if (result && typeof result === 'object') {
				after.equal('Phone after the update', result.Phone, NEW_PHONE);
				after.equal('Name after the update', result.Name, NEW_ACCOUNT.Name);
			}
			after.done();
		},
	},
	{
		name: 'sf data delete record deletes it; sf data get record then fails with ENTITY_IS_DELETED',
		fn: async () => {
			need('login', 'record');
			const r = await runSf(['data', 'delete', 'record', '-s', 'Account', '-i', state.accountId,
						'-o', ALIAS, '--json']);
			const c = new Checks();
			checkSuccess(c, r);
			c.done();

			/* Salesforce answers a deleted record's GET with 404
			 * [{"errorCode":"ENTITY_IS_DELETED","message":"entity is deleted"}];
			 * sf reports the errorCode as the error's name. */
			const got = await getRecord(state.accountId);
			const after = new Checks();
			after.explain('reading the record back after the delete:');
			const err = checkFailure(after, got, { name: 'ENTITY_IS_DELETED', exitCode: 1 });
			after.equal('json.message', err.message, 'entity is deleted');
			after.done();
		},
	},
	{
		name: 'sf data create record without the required fields fails with REQUIRED_FIELD_MISSING',
		fn: async () => {
			need('login');
			const r = await runSf(['data', 'create', 'record', '-s', 'Lead', '-v', 'FirstName=No',
						'-o', ALIAS, '--json']);
			const c = new Checks();
			const err = checkFailure(c, r, { name: 'REQUIRED_FIELD_MISSING', exitCode: 1 });
			/* Salesforce: "Required fields are missing: [LastName, Company]" */
			const m = /^Required fields are missing: \[(.*)\]$/.exec(String(err.message));
			c.ok(`json.message ${JSON.stringify(err.message)} is not ` +
			     '"Required fields are missing: [...]"', m !== null);
			if (m)
				c.equal('missing fields', m[1].split(', ').sort().join(', '), 'Company, LastName');
			c.done();
		},
	},
	{
		name: 'sf data import bulk loads a CSV file into Accounts (Bulk API 2.0 ingest)',
		fn: async () => {
			need('login');
			const file = path.join(sf.home, 'bulk-import.csv');
			fs.writeFileSync(file, `Name,Phone\n${BULK_NAMES.map((n, i) => `${n},555-01${i}`).join('\n')}\n`);
			const r = await runSf(['data', 'import', 'bulk', '--file', file, '--sobject', 'Account',
						'--wait', '1', '-o', ALIAS, '--json']);
			const c = new Checks();
			const result = checkSuccess(c, r);
			c.done();
			c.explain(`result: ${JSON.stringify(result)}`);
			c.equal('processedRecords', result.processedRecords, BULK_NAMES.length);
			c.equal('successfulRecords', result.successfulRecords, BULK_NAMES.length);
			c.equal('failedRecords', result.failedRecords, 0);
			c.match('jobId', result.jobId, /^750[0-9A-Za-z]{15}$/);
			c.done();
			state.bulkImported = true;
		},
	},
	{
		name: 'sf data export bulk writes the query results to a CSV file over several result pages',
		fn: async () => {
			need('login');
			if (!state.bulkImported)
				throw new NotRun('sf data import bulk failed');
			const file = path.join(sf.home, 'bulk-export.csv');
			const r = await runSf(['data', 'export', 'bulk', '--query',
						`SELECT Id, Name, Phone FROM Account WHERE Name LIKE '${BULK_PREFIX}%' ORDER BY Name`,
						'--output-file', file, '--wait', '1', '-o', ALIAS, '--json']);
			const c = new Checks();
			const result = checkSuccess(c, r);
			c.done();
			c.explain(`result: ${JSON.stringify(result)}`);
			const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
			c.explain(`file: ${JSON.stringify(text)}`);
			const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
			/* org-sf.json pages results one row at a time: sf followed the
			 * locators and kept one header row. */
			c.equal('header', lines[0], '"Id","Name","Phone"');
			c.equal('rows', lines.length - 1, BULK_NAMES.length);
			for (const [i, name] of BULK_NAMES.entries())
				c.match(`row ${i + 1}`, lines[i + 1] || '',
					new RegExp(`^"001[0-9A-Za-z]{15}","${name}","555-01${i}"$`));
			c.done();
		},
	},
	{
		name: 'sf org list limits reports DailyApiRequests',
		fn: async () => {
			need('login');
			const r = await runSf(['org', 'list', 'limits', '-o', ALIAS, '--json']);
			const c = new Checks();
			const result = checkSuccess(c, r);
			c.ok('result is not an array', Array.isArray(result));
			if (Array.isArray(result)) {
				const api = result.find((l) => l && l.name === 'DailyApiRequests');
				c.ok(`no DailyApiRequests among ${result.length} limits`, api !== undefined);
				if (api) {
					c.ok(`DailyApiRequests.max ${JSON.stringify(api.max)} is not a positive integer`,
					     Number.isInteger(api.max) && api.max > 0);
					c.ok(`DailyApiRequests.remaining ${JSON.stringify(api.remaining)} is not ` +
					     'an integer from 0 to max',
					     Number.isInteger(api.remaining) && api.remaining >= 0 &&
					     api.remaining <= api.max);
				}
			}
			c.done();
		},
	},
];

process.on('exit', () => {
	if (sf)
		sf.cleanup();
});

main(cases, { orgFile: ORG_FILE, caseTimeoutMs: CASE_TIMEOUT_MS, traceRequests: true });
