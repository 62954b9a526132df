'use strict';
/* jsforce-data.js - jsforce 3 works on records in sfemu: queries over several
 * pages, single and collection CRUD and upsert, describe, limits, and errors.
 *
 * Run it alone with `node tests/conformance/jsforce-data.js` (SFEMU=path
 * overrides build/sfemu); CONFORMANCE_TRACE=1 lists the requests sfemu
 * answered in every case, not only in failed ones. */

const path = require('node:path');
const jsforce = require('jsforce');
const { Checks, NotRun, describeError, main, rejectionOf, within } = require('./lib/harness');

const ORG_FILE = path.join(__dirname, 'org-data.json');
const org = require(ORG_FILE);
const user = org.users[0];
const app = org.apps[0];
const seeded = org.records.Account;

const VERSION = '60.0';
/* jsforce logs in again on every 401, without limit: no client call may
 * wait longer than this. */
const CALL_TIMEOUT_MS = 5000;
/* Creating the bulk records: 22 collection calls of up to 200 records. */
const BULK_TIMEOUT_MS = 30000;
/* Reading them back: three or more pages. */
const QUERY_TIMEOUT_MS = 15000;
const CASE_TIMEOUT_MS = 40000;

/* Salesforce's default query batch is 2,000 rows: more than 4,000 make at
 * least three pages. */
const PAGE_SIZE = 2000;
const BULK_COUNT = 4321;
const BULK_PREFIX = 'Bulk Co ';
const COLLECTION_MAX = 200;

const ACCOUNT_ID = /^001[0-9A-Za-z]{15}$/;
const CONTACT_ID = /^003[0-9A-Za-z]{15}$/;
const LOCATOR_URL = new RegExp(`^/services/data/v${VERSION.replace('.', '\\.')}/query/[^/?]+$`);
const ROLLED_BACK = 'ALL_OR_NONE_OPERATION_ROLLED_BACK';

/* What the cases hand on to each other. */
const state = {
	conn: null,
	bulkIds: null, /* ids of the BULK_COUNT records, in order */
	hung: null, /* the first call that got no answer in time */
};

/* A client call, limited to `ms`; a timeout is noted so that later cases do
 * not wait as well (keeping the file within tests/conformance/run's limit). */
function call(what, promise, ms = CALL_TIMEOUT_MS)
{
	return within(ms, what, promise).catch((err) => {
		if (!state.hung && /no answer within \d+ ms$/.test(err.message))
			state.hung = what;
		throw err;
	});
}

/* logLevel NONE: with JSFORCE_LOG_LEVEL set, jsforce would log session ids
 * to stdout, in among the TAP lines. */
function oauthConnection(base)
{
	return new jsforce.Connection({
		oauth2: { loginUrl: base, clientId: app.consumerKey, clientSecret: app.consumerSecret },
		version: VERSION,
		logLevel: 'NONE',
	});
}

function need(...steps)
{
	if (state.hung)
		throw new NotRun(`an earlier call got no answer in time: ${state.hung}`);
	if (!state.conn)
		throw new NotRun('no session (the OAuth password login failed)');
	for (const step of steps) {
		if (step === 'bulk' && !state.bulkIds)
			throw new NotRun(`the ${BULK_COUNT} bulk records were not created`);
	}
	return state.conn;
}

function show(value, max = 300)
{
	const text = JSON.stringify(value);
	return text === undefined ? String(value) :
		text.length > max ? `${text.slice(0, max)}...` : text;
}

function escapeRegExp(text)
{
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/* The name of bulk record i, padded so that names sort as numbers. */
function bulkName(i)
{
	return `${BULK_PREFIX}${String(i).padStart(5, '0')}`;
}

/* Checks a save result (create, update, upsert, destroy) that succeeded. */
function checkSaved(c, what, res, { id, idPattern = ACCOUNT_ID, created } = {})
{
	if (res === null || typeof res !== 'object') {
		c.ok(`${what}: not an object: ${show(res)}`, false);
		return;
	}
	c.equal(`${what}.success`, res.success, true);
	c.ok(`${what}.errors is not []: ${show(res.errors)}`,
	     Array.isArray(res.errors) && res.errors.length === 0);
	if (id !== undefined)
		c.equal(`${what}.id`, res.id, id);
	else
		c.match(`${what}.id`, res.id, idPattern);
	if (created !== undefined)
		c.equal(`${what}.created`, res.created, created);
}

/* Checks a save result that failed with `statusCode` (and `fields`). */
function checkFailed(c, what, res, statusCode, fields)
{
	if (res === null || typeof res !== 'object') {
		c.ok(`${what}: not an object: ${show(res)}`, false);
		return;
	}
	c.equal(`${what}.success`, res.success, false);
	const errors = Array.isArray(res.errors) ? res.errors : [];
	c.ok(`${what}.errors is not a non-empty array: ${show(res.errors)}`, errors.length > 0);
	if (errors.length === 0)
		return;
	c.equal(`${what}.errors[0].statusCode`, errors[0].statusCode, statusCode);
	c.ok(`${what}.errors[0].message is not a non-empty string: ${show(errors[0].message)}`,
	     typeof errors[0].message === 'string' && errors[0].message.length > 0);
	if (fields !== undefined)
		c.equal(`${what}.errors[0].fields`, show(errors[0].fields), show(fields));
}

/* An array result of `n` entries, else a failure and []. */
function resultArray(c, what, res, n)
{
	if (!Array.isArray(res)) {
		c.ok(`${what}: not an array: ${show(res)}`, false);
		return [];
	}
	c.equal(`${what}: number of results`, res.length, n);
	return res;
}

function checkAccountRecord(c, what, rec, { id, name } = {})
{
	if (rec === null || typeof rec !== 'object') {
		c.ok(`${what}: not a record: ${show(rec)}`, false);
		return;
	}
	c.equal(`${what}.attributes.type`, rec.attributes && rec.attributes.type, 'Account');
	if (id !== undefined)
		c.equal(`${what}.Id`, rec.Id, id);
	if (name !== undefined)
		c.equal(`${what}.Name`, rec.Name, name);
}

/* Runs `query` as a stream (Query#run, 'record' events); resolves to the
 * records and the number of pages jsforce fetched. */
function streamQuery(query, options)
{
	return new Promise((resolve, reject) => {
		const records = [];
		let pages = 0;
		query.on('fetch', () => pages++);
		query.on('record', (rec) => records.push(rec));
		query.on('end', () => resolve({ records, pages }));
		query.on('error', reject);
		query.run(options);
		/* The query's own promise rejects too when it fails; nothing else
		 * waits on it, and an unhandled rejection would end the process. */
		query.then(null, () => {});
	});
}

/* What a bulk query returned: every record once, complete. */
function checkBulkRecords(c, what, records)
{
	c.equal(`${what}: number of records`, records.length, BULK_COUNT);
	const want = new Map(state.bulkIds.map((id, i) => [id, bulkName(i)]));
	const seen = new Set();
	let bad = 0;
	for (const [i, rec] of records.entries()) {
		const ok = rec && typeof rec === 'object' && rec.attributes &&
			rec.attributes.type === 'Account' && want.get(rec.Id) === rec.Name &&
			!seen.has(rec.Id);
		if (!ok && bad++ < 3)
			c.ok(`${what}: record ${i} is wrong or repeated: ${show(rec)}`, false);
		if (rec && rec.Id)
			seen.add(rec.Id);
	}
	if (bad > 3)
		c.ok(`${what}: ${bad - 3} more records wrong or repeated`, false);
	c.equal(`${what}: distinct bulk ids returned`, [...seen].filter((id) => want.has(id)).length,
		BULK_COUNT);
}

const BULK_SOQL = `SELECT Id, Name FROM Account WHERE Name LIKE '${BULK_PREFIX}%' ORDER BY Name`;

const cases = [
	{
		name: `oauth password login (version ${VERSION})`,
		fn: async (base) => {
			const conn = oauthConnection(base);
			const info = await call('oauth password login',
						conn.login(user.username, user.password + user.securityToken));
			const c = new Checks();
			c.match('userInfo.id', info.id, /^005[0-9A-Za-z]{15}$/);
			c.equal('instanceUrl', conn.instanceUrl, base);
			c.equal('version', conn.version, VERSION);
			c.done();
			state.conn = conn;
		},
	},
	{
		name: `create of ${COLLECTION_MAX + 1} records without allowRecursive rejects with EXCEEDED_ID_LIMIT`,
		fn: async () => {
			const conn = need();
			const records = Array.from({ length: COLLECTION_MAX + 1 },
						   (_, i) => ({ Name: `Too Many ${i}` }));
			const err = await call('create (201 records)',
					       rejectionOf('create of 201 records',
							   conn.sobject('Account').create(records)));
			const c = new Checks();
			c.equal('errorCode', err.errorCode, 'EXCEEDED_ID_LIMIT');
			c.explain(...describeError(err));
			c.done();
			const left = await call('query the refused records',
						conn.query("SELECT Id FROM Account WHERE Name LIKE 'Too Many %'"));
			c.equal('records written by the refused call', left.totalSize, 0);
			c.done();
		},
	},
	{
		name: `create of ${BULK_COUNT} records with allowRecursive (collections of ${COLLECTION_MAX}) all succeed`,
		fn: async () => {
			const conn = need();
			const records = Array.from({ length: BULK_COUNT },
						   (_, i) => ({ Name: bulkName(i), Ext_Id__c: `bulk-${i}` }));
			const res = await call(`create (${BULK_COUNT} records, allowRecursive)`,
					       conn.sobject('Account').create(records, { allowRecursive: true }),
					       BULK_TIMEOUT_MS);
			const c = new Checks();
			const results = resultArray(c, 'create results', res, BULK_COUNT);
			let bad = 0;
			for (const [i, r] of results.entries()) {
				const one = new Checks();
				checkSaved(one, `results[${i}]`, r);
				if (one.failures.length > 0 && bad++ < 3)
					c.failures.push(...one.failures);
			}
			if (bad > 3)
				c.ok(`${bad - 3} more results failed`, false);
			c.equal('distinct ids', new Set(results.map((r) => r && r.id)).size, BULK_COUNT);
			c.done();
			state.bulkIds = results.map((r) => r.id);
		},
	},
	{
		name: `query with autoFetch reads all ${BULK_COUNT} records over 3 or more pages`,
		fn: async () => {
			const conn = need('bulk');
			const query = conn.query(BULK_SOQL, { autoFetch: true, maxFetch: 100000 });
			let pages = 0;
			query.on('fetch', () => pages++);
			const res = await call('query (autoFetch)', query, QUERY_TIMEOUT_MS);
			const c = new Checks();
			c.equal('totalSize', res.totalSize, BULK_COUNT);
			c.equal('done', res.done, true);
			c.ok(`pages fetched: got ${pages}, want at least 3`, pages >= 3);
			checkBulkRecords(c, 'records', res.records || []);
			c.ok('records are not in ORDER BY Name order',
			     (res.records || []).every((r, i) => r && r.Name === bulkName(i)));
			c.done();
		},
	},
	{
		name: 'query streamed with run({autoFetch}) emits every record',
		fn: async () => {
			const conn = need('bulk');
			const { records, pages } = await call('query (run, autoFetch)',
				streamQuery(conn.query(BULK_SOQL), { autoFetch: true, maxFetch: 100000 }),
				QUERY_TIMEOUT_MS);
			const c = new Checks();
			c.ok(`pages fetched: got ${pages}, want at least 3`, pages >= 3);
			checkBulkRecords(c, 'streamed records', records);
			c.done();
		},
	},
	{
		name: 'query without autoFetch gets one page and a locator; queryMore gets the next',
		fn: async (base) => {
			const conn = need('bulk');
			const first = await call('query (first page)', conn.query(BULK_SOQL), QUERY_TIMEOUT_MS);
			const c = new Checks();
			c.equal('totalSize', first.totalSize, BULK_COUNT);
			c.equal('done', first.done, false);
			c.equal('records on the first page', (first.records || []).length, PAGE_SIZE);
			/* jsforce keeps the last segment of sfemu's nextRecordsUrl and
			 * rebuilds the URL on the instance. */
			c.match('nextRecordsUrl (as jsforce rebuilds it)', first.nextRecordsUrl,
				new RegExp(`^${escapeRegExp(base)}${LOCATOR_URL.source.slice(1)}`));
			c.done();
			const locator = first.nextRecordsUrl.split('/').pop();
			const second = await call('queryMore', conn.queryMore(locator), QUERY_TIMEOUT_MS);
			c.equal('second page: records', (second.records || []).length, PAGE_SIZE);
			c.equal('second page: first record', show((second.records || [])[0] &&
				second.records[0].Name), show(bulkName(PAGE_SIZE)));
			c.equal('second page: done', second.done, false);
			c.done();
			/* sfemu's own reply, as Salesforce sends it: a path, not a URL. */
			const raw = await call('GET query (raw)', conn.request(
				`/services/data/v${VERSION}/query?q=${encodeURIComponent(BULK_SOQL)}`), QUERY_TIMEOUT_MS);
			c.match('raw nextRecordsUrl', raw.nextRecordsUrl, LOCATOR_URL);
			c.done();
		},
	},
	{
		name: 'single create, retrieve, update, upsert (insert then update), destroy',
		fn: async () => {
			const conn = need();
			const account = conn.sobject('Account');
			const c = new Checks();

			const created = await call('create', account.create({ Name: 'Single Co', Industry: 'Energy' }));
			checkSaved(c, 'create result', created);
			c.done();
			const id = created.id;

			const got = await call('retrieve', account.retrieve(id));
			checkAccountRecord(c, 'retrieved', got, { id, name: 'Single Co' });
			c.equal('retrieved.Industry', got.Industry, 'Energy');

			const updated = await call('update', account.update({ Id: id, Name: 'Single Co Renamed' }));
			checkSaved(c, 'update result', updated, { id });
			const again = await call('retrieve after update',
						 account.retrieve(id, { fields: ['Name', 'Industry'] }));
			c.equal('Name after update', again.Name, 'Single Co Renamed');
			c.equal('Industry after update', again.Industry, 'Energy');

			const ext = 'single-upsert-1';
			const ins = await call('upsert (new external id)',
					       account.upsert({ Name: 'Upsert Co', Ext_Id__c: ext }, 'Ext_Id__c'));
			checkSaved(c, 'upsert insert result', ins, { created: true });
			const upd = await call('upsert (same external id)',
					       account.upsert({ Name: 'Upsert Co 2', Ext_Id__c: ext }, 'Ext_Id__c'));
			checkSaved(c, 'upsert update result', upd, { id: ins.id, created: false });
			const up = await call('retrieve after upsert', account.retrieve(ins.id));
			c.equal('Name after upsert', up.Name, 'Upsert Co 2');
			c.equal('Ext_Id__c after upsert', up.Ext_Id__c, ext);

			const gone = await call('destroy', account.destroy(id));
			checkSaved(c, 'destroy result', gone, { id });
			const err = await call('retrieve after destroy',
					       rejectionOf('retrieve after destroy', account.retrieve(id)));
			c.equal('retrieve after destroy: errorCode', err.errorCode, 'ENTITY_IS_DELETED');
			c.explain(...describeError(err));
			await call('destroy upserted', account.destroy(ins.id));
			c.done();
		},
	},
	{
		name: 'array create, retrieve, update, upsert and destroy use collections',
		fn: async () => {
			const conn = need();
			const account = conn.sobject('Account');
			const c = new Checks();
			const names = ['Coll A', 'Coll B', 'Coll C'];

			const created = await call('create (array)',
						   account.create(names.map((Name, i) => ({ Name, Ext_Id__c: `coll-${i}` }))));
			const cr = resultArray(c, 'create results', created, 3);
			cr.forEach((r, i) => checkSaved(c, `create results[${i}]`, r));
			c.done();
			const ids = cr.map((r) => r.id);

			/* jsforce describes Account, then POSTs composite/sobjects/Account. */
			const got = await call('retrieve (array)', account.retrieve(ids));
			resultArray(c, 'retrieved', got, 3).forEach((rec, i) =>
				checkAccountRecord(c, `retrieved[${i}]`, rec, { id: ids[i], name: names[i] }));
			if (Array.isArray(got) && got[0])
				c.equal('retrieved[0].Ext_Id__c', got[0].Ext_Id__c, 'coll-0');
			const picked = await call('retrieve (array, fields)',
						  account.retrieve([ids[2], ids[0]], { fields: ['Id', 'Name'] }));
			resultArray(c, 'retrieved with fields', picked, 2).forEach((rec, i) =>
				checkAccountRecord(c, `retrieved with fields[${i}]`, rec,
						   { id: ids[2 - 2 * i], name: names[2 - 2 * i] }));

			const updated = await call('update (array)',
				account.update(ids.map((Id, i) => ({ Id, Industry: `Industry ${i}` }))));
			resultArray(c, 'update results', updated, 3).forEach((r, i) =>
				checkSaved(c, `update results[${i}]`, r, { id: ids[i] }));

			/* Two existing (one from the org file), one new. */
			const upserted = await call('upsert (array)', account.upsert([
				{ Ext_Id__c: 'coll-1', Name: 'Coll B upserted' },
				{ Ext_Id__c: seeded[0].Ext_Id__c, Phone: '555-0199' },
				{ Ext_Id__c: 'coll-new', Name: 'Coll New' },
			], 'Ext_Id__c'));
			const ur = resultArray(c, 'upsert results', upserted, 3);
			if (ur.length === 3) {
				checkSaved(c, 'upsert results[0]', ur[0], { id: ids[1], created: false });
				checkSaved(c, 'upsert results[1]', ur[1], { created: false });
				checkSaved(c, 'upsert results[2]', ur[2], { created: true });
			}
			c.done();

			const after = await call('query after upsert', conn.query(
				"SELECT Id, Name, Industry, Phone, Ext_Id__c FROM Account " +
				`WHERE Ext_Id__c IN ('coll-0', 'coll-1', 'coll-new', '${seeded[0].Ext_Id__c}') ` +
				'ORDER BY Ext_Id__c'));
			const rows = new Map((after.records || []).map((r) => [r.Ext_Id__c, r]));
			c.equal('rows after upsert', rows.size, 4);
			c.equal('coll-0 Industry', rows.get('coll-0') && rows.get('coll-0').Industry, 'Industry 0');
			c.equal('coll-1 Name', rows.get('coll-1') && rows.get('coll-1').Name, 'Coll B upserted');
			c.equal('coll-1 Industry kept', rows.get('coll-1') && rows.get('coll-1').Industry,
				'Industry 1');
			c.equal('seeded Phone', rows.get(seeded[0].Ext_Id__c) &&
				rows.get(seeded[0].Ext_Id__c).Phone, '555-0199');
			c.equal('seeded Name kept', rows.get(seeded[0].Ext_Id__c) &&
				rows.get(seeded[0].Ext_Id__c).Name, seeded[0].Name);
			c.equal('coll-new Name', rows.get('coll-new') && rows.get('coll-new').Name, 'Coll New');

			const doomed = [...ids, ur[2].id];
			const destroyed = await call('destroy (array)', account.destroy(doomed));
			resultArray(c, 'destroy results', destroyed, 4).forEach((r, i) =>
				checkSaved(c, `destroy results[${i}]`, r, { id: doomed[i] }));
			const left = await call('query after destroy', conn.query(
				"SELECT Id FROM Account WHERE Ext_Id__c IN ('coll-0', 'coll-1', 'coll-2', 'coll-new')"));
			c.equal('records left after destroy', left.totalSize, 0);
			/* Collections retrieve answers null for an id it cannot return. */
			const dead = await call('retrieve (array) after destroy',
						account.retrieve(doomed.slice(0, 2), { fields: ['Id', 'Name'] }));
			c.equal('retrieve after destroy', show(dead), show([null, null]));
			c.done();
		},
	},
	{
		name: 'array create with a record lacking Name: allOrNone false saves the others',
		fn: async () => {
			const conn = need();
			const res = await call('create (array, allOrNone false)', conn.sobject('Account').create([
				{ Name: 'Partial A' }, { Industry: 'No Name' }, { Name: 'Partial C' },
			]));
			const c = new Checks();
			const rs = resultArray(c, 'results', res, 3);
			if (rs.length === 3) {
				checkSaved(c, 'results[0]', rs[0]);
				checkFailed(c, 'results[1]', rs[1], 'REQUIRED_FIELD_MISSING', ['Name']);
				checkSaved(c, 'results[2]', rs[2]);
			}
			c.done();
			const saved = await call('query', conn.query(
				"SELECT Name FROM Account WHERE Name LIKE 'Partial %' ORDER BY Name"));
			c.equal('saved names', show((saved.records || []).map((r) => r.Name)),
				show(['Partial A', 'Partial C']));
			c.done();
		},
	},
	{
		name: 'array create with a record lacking Name: allOrNone true saves none',
		fn: async () => {
			const conn = need();
			/* jsforce resolves with the per-record results; it does not reject. */
			const res = await call('create (array, allOrNone true)', conn.sobject('Account').create([
				{ Name: 'Atomic A' }, { Industry: 'No Name' }, { Name: 'Atomic C' },
			], { allOrNone: true }));
			const c = new Checks();
			const rs = resultArray(c, 'results', res, 3);
			if (rs.length === 3) {
				checkFailed(c, 'results[0]', rs[0], ROLLED_BACK);
				checkFailed(c, 'results[1]', rs[1], 'REQUIRED_FIELD_MISSING', ['Name']);
				checkFailed(c, 'results[2]', rs[2], ROLLED_BACK);
				for (const [i, r] of rs.entries())
					c.ok(`results[${i}] has an id: ${show(r)}`, !r || !r.id);
			}
			c.done();
			const saved = await call('query', conn.query(
				"SELECT Name FROM Account WHERE Name LIKE 'Atomic %'"));
			c.equal('records saved', saved.totalSize, 0);
			c.done();
		},
	},
	{
		name: 'describe Account: Name is a string, Ext_Id__c an external id',
		fn: async () => {
			const conn = need();
			const d = await call('describe Account', conn.sobject('Account').describe());
			const c = new Checks();
			c.equal('name', d.name, 'Account');
			c.equal('keyPrefix', d.keyPrefix, '001');
			const fields = new Map((Array.isArray(d.fields) ? d.fields : []).map((f) => [f.name, f]));
			const name = fields.get('Name');
			const ext = fields.get('Ext_Id__c');
			const region = fields.get('Region__c');
			c.ok('no Name field', name);
			c.ok('no Ext_Id__c field', ext);
			c.ok('no Region__c field', region);
			if (name)
				c.equal('Name.type', name.type, 'string');
			if (ext) {
				c.equal('Ext_Id__c.type', ext.type, 'string');
				c.equal('Ext_Id__c.externalId', ext.externalId, true);
				c.equal('Ext_Id__c.unique', ext.unique, true);
				c.equal('Ext_Id__c.length', ext.length, 64);
				c.equal('Ext_Id__c.custom', ext.custom, true);
			}
			if (region) {
				c.equal('Region__c.externalId', region.externalId, true);
				c.equal('Region__c.unique', region.unique, false);
			}
			c.done();
		},
	},
	{
		name: 'describeGlobal lists Account, Contact, Lead and Opportunity',
		fn: async () => {
			const conn = need();
			const g = await call('describeGlobal', conn.describeGlobal());
			const c = new Checks();
			const names = new Set((Array.isArray(g.sobjects) ? g.sobjects : []).map((s) => s.name));
			for (const want of ['Account', 'Contact', 'Lead', 'Opportunity'])
				c.ok(`sobjects lacks ${want}`, names.has(want));
			c.ok(`maxBatchSize is not a number: ${show(g.maxBatchSize)}`,
			     typeof g.maxBatchSize === 'number');
			c.done();
		},
	},
	{
		name: 'limits and conn.limitInfo (Sforce-Limit-Info) agree',
		fn: async () => {
			const conn = need();
			const limits = await call('limits', conn.limits());
			const c = new Checks();
			const daily = limits && limits.DailyApiRequests;
			c.ok(`DailyApiRequests is not {Max, Remaining}: ${show(daily)}`,
			     daily && typeof daily.Max === 'number' && typeof daily.Remaining === 'number');
			c.done();
			c.ok(`DailyApiRequests.Max ${daily.Max} is not > 0`, daily.Max > 0);
			c.ok(`DailyApiRequests.Remaining ${daily.Remaining} > Max ${daily.Max}`,
			     daily.Remaining <= daily.Max);
			const usage = conn.limitInfo && conn.limitInfo.apiUsage;
			c.ok(`conn.limitInfo.apiUsage is not filled in: ${show(conn.limitInfo)}`,
			     usage && Number.isInteger(usage.used) && Number.isInteger(usage.limit));
			c.done();
			c.equal('limitInfo.apiUsage.limit', usage.limit, daily.Max);
			c.ok(`limitInfo.apiUsage.used ${usage.used} is not >= 1`, usage.used >= 1);
			await call('query', conn.query('SELECT Id FROM Account LIMIT 1'));
			c.ok(`limitInfo.apiUsage.used did not grow after a query: ${usage.used} -> ` +
			     `${conn.limitInfo.apiUsage.used}`, conn.limitInfo.apiUsage.used > usage.used);
			c.done();
		},
	},
	{
		name: 'create Lead without LastName and Company rejects with REQUIRED_FIELD_MISSING',
		fn: async () => {
			const conn = need();
			const err = await call('create Lead', rejectionOf('create Lead without required fields',
						conn.sobject('Lead').create({ FirstName: 'x' })));
			const c = new Checks();
			c.equal('errorCode', err.errorCode, 'REQUIRED_FIELD_MISSING');
			c.equal('name', err.name, 'REQUIRED_FIELD_MISSING');
			c.equal('message', err.message, 'Required fields are missing: [LastName, Company]');
			c.equal('data.fields', show(err.data && err.data.fields), show(['LastName', 'Company']));
			c.explain(...describeError(err));
			c.done();
		},
	},
	{
		name: 'query of an unknown field rejects with INVALID_FIELD',
		fn: async () => {
			const conn = need();
			const err = await call('query', rejectionOf('query SELECT Nope FROM Account',
						conn.query('SELECT Nope FROM Account')));
			const c = new Checks();
			c.equal('errorCode', err.errorCode, 'INVALID_FIELD');
			c.ok(`message lacks "No such column 'Nope' on entity 'Account'": ${show(err.message)}`,
			     String(err.message).includes("No such column 'Nope' on entity 'Account'"));
			c.explain(...describeError(err));
			c.done();
		},
	},
	{
		name: 'describe of an unknown sObject rejects with NOT_FOUND',
		fn: async () => {
			const conn = need();
			const err = await call('describe Nope__c', rejectionOf('describe Nope__c',
						conn.sobject('Nope__c').describe()));
			const c = new Checks();
			c.equal('errorCode', err.errorCode, 'NOT_FOUND');
			c.explain(...describeError(err));
			c.done();
		},
	},
	{
		name: 'upsert on a non-unique external id matching two records rejects as "Multiple records found"',
		fn: async () => {
			const conn = need();
			const account = conn.sobject('Account');
			const region = 'region-dup';
			const made = await call('create (array)', account.create([
				{ Name: 'Region One', Region__c: region }, { Name: 'Region Two', Region__c: region },
			]));
			const c = new Checks();
			const ids = resultArray(c, 'create results', made, 2).map((r) => r && r.id);
			c.done();
			const err = await call('upsert', rejectionOf('upsert on Region__c',
						account.upsert({ Region__c: region, Name: 'Region Three' }, 'Region__c')));
			c.equal('errorCode', err.errorCode, 'MULTIPLE_CHOICES');
			c.equal('message', err.message, 'Multiple records found');
			const urls = Array.isArray(err.data) ? err.data : [];
			c.ok(`data is not an array of 2 record URLs: ${show(err.data)}`, urls.length === 2);
			for (const id of ids)
				c.ok(`data lacks /services/data/v${VERSION}/sobjects/Account/${id}: ${show(err.data)}`,
				     urls.includes(`/services/data/v${VERSION}/sobjects/Account/${id}`));
			c.explain(...describeError(err));
			const names = await call('query', conn.query(
				`SELECT Name FROM Account WHERE Region__c = '${region}' ORDER BY Name`));
			c.equal('records after the refused upsert', show((names.records || []).map((r) => r.Name)),
				show(['Region One', 'Region Two']));
			c.done();
		},
	},
	{
		name: 'bulk2.loadAndWaitForResults inserts records; a row missing Name fails with the REST error',
		fn: async () => {
			const conn = need();
			const res = await call('bulk2 insert', conn.bulk2.loadAndWaitForResults({
				object: 'Account', operation: 'insert', pollInterval: 200, pollTimeout: 10000,
				input: [
					{ Name: 'Bulk2 One', Ext_Id__c: 'b2-1', Region__c: 'bulk2' },
					{ Name: 'Bulk2 Two', Ext_Id__c: 'b2-2', Region__c: null },
					{ Ext_Id__c: 'b2-3', Region__c: 'bulk2' },
				],
			}), BULK_TIMEOUT_MS);
			const c = new Checks();
			const ok = res.successfulResults || [];
			const failed = res.failedResults || [];
			c.equal('successfulResults', ok.length, 2);
			c.equal('failedResults', failed.length, 1);
			c.equal('unprocessedRecords', (res.unprocessedRecords || []).length, 0);
			c.done();
			for (const [i, r] of ok.entries()) {
				c.match(`successfulResults[${i}].sf__Id`, r.sf__Id, ACCOUNT_ID);
				c.equal(`successfulResults[${i}].sf__Created`, String(r.sf__Created), 'true');
			}
			c.equal('failedResults[0].Ext_Id__c', failed[0].Ext_Id__c, 'b2-3');
			c.match('failedResults[0].sf__Error', failed[0].sf__Error,
				/^REQUIRED_FIELD_MISSING:Required fields are missing: \[Name\]:Name --$/);
			c.done();
			const back = await call('query', conn.query(
				"SELECT Name, Region__c FROM Account WHERE Ext_Id__c LIKE 'b2-%' ORDER BY Name"));
			c.equal('records written', show((back.records || []).map((r) => [r.Name, r.Region__c])),
				show([['Bulk2 One', 'bulk2'], ['Bulk2 Two', null]]));
			c.done();
		},
	},
	{
		name: 'bulk2.loadAndWaitForResults upserts on an external id (created true and false)',
		fn: async () => {
			const conn = need();
			const res = await call('bulk2 upsert', conn.bulk2.loadAndWaitForResults({
				object: 'Account', operation: 'upsert', externalIdFieldName: 'Ext_Id__c',
				pollInterval: 200, pollTimeout: 10000,
				input: [{ Ext_Id__c: 'b2-1', Name: 'Bulk2 One Again' }, { Ext_Id__c: 'b2-9', Name: 'Bulk2 Nine' }],
			}), BULK_TIMEOUT_MS);
			const c = new Checks();
			const ok = res.successfulResults || [];
			c.equal('successfulResults', ok.length, 2);
			c.equal('failedResults', (res.failedResults || []).length, 0);
			c.done();
			const created = Object.fromEntries(ok.map((r) => [r.Ext_Id__c, String(r.sf__Created)]));
			c.equal('created', show(created), show({ 'b2-1': 'false', 'b2-9': 'true' }));
			c.done();
		},
	},
	{
		name: `bulk2.query reads all ${BULK_COUNT} records back over several result pages`,
		fn: async (base) => {
			const conn = need('bulk');
			const stream = await call('bulk2 query', conn.bulk2.query(BULK_SOQL,
				{ pollInterval: 200, pollTimeout: 10000 }), QUERY_TIMEOUT_MS);
			const records = await call('read the record stream', new Promise((resolve, reject) => {
				const got = [];
				stream.on('record', (r) => got.push(r));
				stream.on('error', reject);
				stream.on('end', () => resolve(got));
			}), QUERY_TIMEOUT_MS);
			/* jsforce 3.10.16 pipes every page into one CSV parser, and
			 * every page starts with the header row (as on Salesforce), so
			 * pages 2 and 3 each add a record {Id: "Id", Name: "Name"}. */
			const headers = records.filter((r) => r && r.Id === 'Id' && r.Name === 'Name');
			const data = records.filter((r) => !(r && r.Id === 'Id' && r.Name === 'Name'));
			const c = new Checks();
			c.equal('records', data.length, BULK_COUNT);
			c.equal('header rows of pages 2 and 3', headers.length, 2);
			c.ok('records are not the bulk records in ORDER BY Name order',
			     data.every((r, i) => r && r.Name === bulkName(i) && r.Id === state.bulkIds[i]));
			c.done();
			/* The org file pages results at 2,000 rows: the same job read
			 * directly shows the first page and its locator. */
			const job = await call('create a query job', conn.request({
				method: 'POST', url: `/services/data/v${VERSION}/jobs/query`,
				body: JSON.stringify({ operation: 'query', query: BULK_SOQL }),
				headers: { 'Content-Type': 'application/json' },
			}));
			const page = await call('first results page', fetch(
				`${base}/services/data/v${VERSION}/jobs/query/${job.id}/results`,
				{ headers: { Authorization: `Bearer ${conn.accessToken}` } }));
			c.equal('Sforce-NumberOfRecords', page.headers.get('sforce-numberofrecords'), String(PAGE_SIZE));
			c.ok(`Sforce-Locator is not a locator: ${page.headers.get('sforce-locator')}`,
			     /^[A-Za-z0-9+/=]+$/.test(page.headers.get('sforce-locator') || '') &&
			     page.headers.get('sforce-locator') !== 'null');
			c.done();
		},
	},
	{
		name: 'relationship query: Contact with Account.Name',
		fn: async () => {
			const conn = need();
			const acct = await call('create Account', conn.sobject('Account').create({ Name: 'Parent Co' }));
			const c = new Checks();
			checkSaved(c, 'create Account', acct);
			c.done();
			const con = await call('create Contact', conn.sobject('Contact').create({
				FirstName: 'Rel', LastName: 'Child', AccountId: acct.id,
			}));
			checkSaved(c, 'create Contact', con, { idPattern: CONTACT_ID });
			c.done();
			const res = await call('query', conn.query(
				`SELECT Name, Account.Name FROM Contact WHERE Id = '${con.id}'`));
			c.equal('totalSize', res.totalSize, 1);
			const rec = (res.records || [])[0];
			c.ok(`no record: ${show(res)}`, rec);
			c.done();
			c.equal('Name', rec.Name, 'Rel Child');
			c.ok(`Account is not an object: ${show(rec.Account)}`,
			     rec.Account !== null && typeof rec.Account === 'object');
			c.done();
			c.equal('Account.Name', rec.Account.Name, 'Parent Co');
			c.equal('Account.attributes.type', rec.Account.attributes && rec.Account.attributes.type,
				'Account');
			c.done();
		},
	},
];

main(cases, { orgFile: ORG_FILE, caseTimeoutMs: CASE_TIMEOUT_MS, traceRequests: true });
