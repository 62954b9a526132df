'use strict';
/* jsforce_query.js - the query half of bench/query.sh done by jsforce: rows/s and peak RSS.
 *
 * Usage: node bench/jsforce_query.js --url URL --user NAME --password-file F
 *            --client-id KEY --client-secret-file F [--rows N]
 * (bench/query.sh runs it; secrets come from files, never the command line.)
 *
 * The same work as bench_query's query mode: one OAuth password login, then
 * conn.query(SOQL) with autoFetch (maxFetch = every row), reading each
 * row's Id from the 'record' event, as jsforce's docs show for big results.
 * Memory: process.memoryUsage().rss sampled every 20 ms and at 100k rows,
 * half way and the end; the peak is the largest sample. Prints a table,
 * then one JSON line per figure; exits non-zero only when the run broke. */

const fs = require('node:fs');
const path = require('node:path');

const SOQL = 'SELECT Id, Name, NumberOfEmployees FROM Account';
const JSFORCE = path.join(__dirname, '..', 'tests', 'conformance', 'node_modules', 'jsforce');

function args(argv)
{
	const o = { rows: 1000000 };
	for (let i = 2; i < argv.length; i += 2) {
		const k = argv[i].replace(/^--/, '');
		const v = argv[i + 1];
		if (v === undefined)
			throw new Error(`${argv[i]} needs a value`);
		o[k] = k === 'rows' ? Number(v) : v;
	}
	for (const k of ['url', 'user', 'password-file', 'client-id', 'client-secret-file'])
		if (!o[k])
			throw new Error(`--${k} is required`);
	return o;
}

function secret(file)
{
	return fs.readFileSync(file, 'utf8').replace(/\n$/, '');
}

const mib = (b) => b / (1024 * 1024);

/* The form scripts/bench-all and bench_*.c print: {"bench": ..., "value": %.6g}. */
function jsonLine(metric, value, unit)
{
	console.log(`{"bench": "query", "metric": "jsforce_${metric}", "value": ` +
		`${Number(value.toPrecision(6))}, "unit": "${unit}"}`);
}

async function main()
{
	const o = args(process.argv);
	const jsforce = require(JSFORCE);
	const version = require(path.join(JSFORCE, 'package.json')).version;
	const conn = new jsforce.Connection({
		oauth2: { loginUrl: o.url, clientId: o['client-id'], clientSecret: secret(o['client-secret-file']) },
		version: '60.0',
		logLevel: 'NONE',
	});
	await conn.login(o.user, secret(o['password-file']));

	const marks = [];
	if (o.rows > 100000)
		marks.push(100000);
	if (o.rows / 2 > 100000)
		marks.push(Math.floor(o.rows / 2));
	marks.push(o.rows);
	const markRss = new Map();

	const rssStart = process.memoryUsage().rss;
	let peak = rssStart;
	const sampler = setInterval(() => {
		const r = process.memoryUsage().rss;
		if (r > peak)
			peak = r;
	}, 20);

	let rows = 0;
	let idBytes = 0;
	let total = 0;
	const cpu0 = process.cpuUsage();
	const t0 = process.hrtime.bigint();
	await new Promise((resolve, reject) => {
		const q = conn.query(SOQL)
			.on('record', (rec) => {
				idBytes += rec.Id ? rec.Id.length : 0;
				rows++;
				if (marks.includes(rows)) {
					const r = process.memoryUsage().rss;
					markRss.set(rows, r);
					if (r > peak)
						peak = r;
				}
			})
			.on('end', () => { total = q.totalSize; resolve(); })
			.on('error', reject);
		q.run({ autoFetch: true, maxFetch: o.rows });
	});
	const el = Number(process.hrtime.bigint() - t0) / 1e9;
	const cpuUsed = process.cpuUsage(cpu0);
	const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
	clearInterval(sampler);
	const rssEnd = process.memoryUsage().rss;
	if (rssEnd > peak)
		peak = rssEnd;

	const row = (label, value) => console.log(`  ${label.padEnd(34)} ${value.padStart(12)}`);
	console.log(`jsforce ${version} (Node ${process.version}, query().autoFetch): ${rows} rows of '${SOQL}'`);
	row('rows/s', (rows / el).toFixed(0));
	row('elapsed (s)', el.toFixed(2));
	row('totalSize', String(total));
	row('client CPU (s)', cpu.toFixed(2));
	row('client CPU per 1k rows (ms)', (rows ? 1e6 * cpu / rows : 0).toFixed(1));
	row('RSS before the query (MiB)', mib(rssStart).toFixed(1));
	for (const m of marks)
		if (markRss.has(m))
			console.log(`  RSS at ${String(m).padEnd(10)} rows (MiB)         ${mib(markRss.get(m)).toFixed(1).padStart(12)}`);
	row('peak RSS, sampled (MiB)', mib(peak).toFixed(1));

	jsonLine('rows_per_sec', rows / el, 'rows/s');
	jsonLine('rows', rows, 'count');
	jsonLine('elapsed_s', el, 's');
	jsonLine('client_cpu_s', cpu, 's');
	for (const m of marks)
		if (markRss.has(m))
			jsonLine(`rss_at_${m}_rows_mib`, mib(markRss.get(m)), 'MiB');
	jsonLine('peak_rss_sampled_mib', mib(peak), 'MiB');
	if (rows !== o.rows || idBytes === 0)
		throw new Error(`read ${rows} rows, expected ${o.rows}`);
}

main().catch((err) => {
	console.error(`jsforce_query: ${err.message}`);
	process.exit(1);
});
