'use strict';
/* harness.js - start sfemu for a conformance test and report its cases as TAP. */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const READY_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;
const POLL_MS = 50;
const OUTPUT_LIMIT = 64 * 1024; /* bytes of sfemu output kept for diagnostics */
const REQUEST_LOG_LIMIT = 10000; /* request lines kept (--log-level debug) */
const LOG_SETTLE_MS = 100; /* for sfemu to log the last request of a case */

const DEFAULT_SFEMU = path.resolve(__dirname, '../../../build/sfemu');

/* Every Sfemu not yet stopped; killed on any exit, even a crash. */
const running = new Set();

process.on('exit', () => {
	for (const sfemu of running)
		sfemu.abandon();
});
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, () => {
		console.log(`# interrupted by ${sig}`);
		process.exit(1); /* the 'exit' hook above kills sfemu */
	});
}

/* Session ids look like "<15-char org id>!<secret>"; keep only the org id. */
function redact(text)
{
	return String(text).replace(/(00D\w{12,15})![.\w]+/g, '$1!<redacted>');
}

/* Safe to print: the shape of a token, never its secret part. */
function describeToken(token)
{
	if (typeof token !== 'string')
		return typeof token;
	const bang = token.indexOf('!');
	const prefix = bang < 0 ? '(no "!")' : JSON.stringify(token.slice(0, bang + 1));
	return `string of length ${token.length}, prefix ${prefix}`;
}

/* The last 3 characters of an 18-character id encode the case of the first 15. */
function hasIdChecksum(id)
{
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
	let suffix = '';
	for (let chunk = 0; chunk < 3; chunk++) {
		let bits = 0;
		for (let i = 0; i < 5; i++) {
			if (/[A-Z]/.test(id[chunk * 5 + i]))
				bits |= 1 << i;
		}
		suffix += alphabet[bits];
	}
	return id.slice(15) === suffix;
}

/* The lines that say what an error from jsforce (or node) was. */
function describeError(err)
{
	if (err instanceof StepError)
		return [`${err.message}:`, ...describeError(err.cause).map((line) => `  ${line}`)];
	if (!(err instanceof Error))
		return [`threw a non-Error: ${JSON.stringify(err)}`];
	const lines = [`${err.name}: ${err.message}`];
	if (err.errorCode !== undefined && err.errorCode !== err.name)
		lines.push(`errorCode: ${err.errorCode}`);
	if (err.cause instanceof Error)
		lines.push(`cause: ${err.cause.name}: ${err.cause.message}`);
	return lines;
}

/* Collects every failed expectation of a case, so one run shows them all. */
class Checks {
	constructor()
	{
		this.failures = [];
		this.context = [];
	}

	/* Lines shown after the failures, if there are any. */
	explain(...lines)
	{
		this.context.push(...lines);
	}

	equal(what, actual, expected)
	{
		if (actual !== expected)
			this.failures.push(`${what}: got ${JSON.stringify(actual)}, ` +
					   `want ${JSON.stringify(expected)}`);
	}

	match(what, actual, re)
	{
		if (typeof actual !== 'string' || !re.test(actual))
			this.failures.push(`${what}: got ${JSON.stringify(actual)}, want ${re}`);
	}

	/* Like match(), but the value is a secret: report only its shape. */
	matchSecret(what, actual, re)
	{
		if (typeof actual !== 'string' || !re.test(actual))
			this.failures.push(`${what}: got ${describeToken(actual)}, want ${re}`);
	}

	ok(what, cond)
	{
		if (!cond)
			this.failures.push(what);
	}

	/* Throws a CheckFailure listing every failure, if there was one. */
	done()
	{
		if (this.failures.length > 0)
			throw new CheckFailure([...this.failures, ...this.context]);
	}
}

class CheckFailure extends Error {
	constructor(failures)
	{
		super(failures.join('; '));
		this.name = 'CheckFailure';
		this.failures = failures;
	}
}

/* Settles like `promise`, or rejects once `ms` have passed. It cannot stop
 * the work behind `promise` (jsforce has no cancel), so a looping client
 * keeps running until the process exits. */
function timeLimit(ms, what, promise)
{
	let timer;
	const timeout = new Promise((resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/* A step of a case failed; `cause` is what the client threw. */
class StepError extends Error {
	constructor(step, cause)
	{
		super(`${step} failed`, { cause });
		this.name = 'StepError';
		this.step = step;
	}
}

/* One client call: limited to `ms`, and a failure says which call it was. */
function within(ms, what, promise)
{
	return timeLimit(ms, what, promise.catch((err) => {
		throw new StepError(what, err);
	}));
}

/* Thrown by a case that cannot run because an earlier one failed. */
class NotRun extends Error {
	constructor(why)
	{
		super(why);
		this.name = 'NotRun';
	}
}

/* Resolves to the error `promise` rejects with; rejects if it succeeds. */
async function rejectionOf(what, promise)
{
	try {
		await promise;
	} catch (err) {
		return err;
	}
	throw new Error(`${what}: succeeded, but should have failed`);
}

/* Keeps the last OUTPUT_LIMIT bytes of a stream. */
function tail(stream)
{
	let kept = '';
	stream.setEncoding('utf8');
	stream.on('data', (chunk) => {
		kept = (kept + chunk).slice(-OUTPUT_LIMIT);
	});
	return () => kept;
}

function sleep(ms)
{
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/* Calls `fn` with each whole line of a stream. */
function eachLine(stream, fn)
{
	let partial = '';
	stream.on('data', (chunk) => {
		const lines = (partial + chunk).split('\n');
		partial = lines.pop();
		lines.forEach(fn);
	});
}

/* sfemu --log-level debug logs each request as
 * "<time> DEBUG <METHOD> <path> -> <status> (<client>)". */
const REQUEST_LINE = /\sDEBUG\s+([A-Z]+ \S+ -> \d{3}\b.*)$/;

/* A running sfemu: `baseUrl` once ready; stop() ends it and reports how.
 * `requests` holds the request lines sfemu logged, oldest first. */
class Sfemu {
	constructor(binary, orgFile, extraArgs = [])
	{
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfemu-conformance-'));
		this.readyFile = path.join(this.dir, 'ready');
		this.baseUrl = null;
		this.exit = null; /* {code, signal} once the process is gone */
		this.spawnError = null;

		this.child = spawn(binary, ['--listen', '127.0.0.1:0', '--org', orgFile,
					    '--ready-file', this.readyFile, ...extraArgs],
				   { stdio: ['ignore', 'pipe', 'pipe'] });
		running.add(this);
		this.stdout = tail(this.child.stdout);
		this.stderr = tail(this.child.stderr);
		this.requests = [];
		this.requestsDropped = 0;
		eachLine(this.child.stderr, (line) => {
			const m = REQUEST_LINE.exec(line);
			if (!m)
				return;
			this.requests.push(m[1]);
			if (this.requests.length > REQUEST_LOG_LIMIT) {
				this.requests.shift();
				this.requestsDropped++;
			}
		});
		this.exited = new Promise((resolve) => {
			this.child.on('error', (err) => {
				this.spawnError = err;
				resolve();
			});
			this.child.on('close', (code, signal) => {
				this.exit = { code, signal };
				resolve();
			});
		});
	}

	/* Waits for the ready file; throws if sfemu fails to get there. The
	 * file counts once two polls read the same text, in case sfemu writes
	 * it in pieces rather than by rename. */
	async waitReady()
	{
		const deadline = Date.now() + READY_TIMEOUT_MS;
		let last = '';
		while (Date.now() < deadline) {
			if (this.spawnError)
				throw new Error(`cannot run sfemu (build it, or set SFEMU): ` +
						this.spawnError.message);
			if (this.exit)
				throw new Error(`sfemu exited before it was ready (${this.exitText()})`);
			const text = readIfExists(this.readyFile);
			if (text !== '' && text === last) {
				const url = text.trim().replace(/\/+$/, '');
				if (!/^http:\/\/[^/\s]+$/.test(url))
					throw new Error(`ready file holds ${JSON.stringify(text)}, not a base URL`);
				this.baseUrl = url;
				return;
			}
			last = text;
			await sleep(POLL_MS);
		}
		throw new Error(`sfemu wrote no ready file within ${READY_TIMEOUT_MS} ms`);
	}

	/* Ends sfemu and removes its temp dir. Returns problems (strings):
	 * sfemu gone before it was asked to stop, or not stopping cleanly. */
	async stop()
	{
		const problems = [];
		if (!this.spawnError) {
			if (this.exit)
				problems.push(`sfemu exited on its own (${this.exitText()})`);
			else
				problems.push(...(await this.terminate()));
		}
		running.delete(this);
		fs.rmSync(this.dir, { recursive: true, force: true });
		return problems;
	}

	/* For the 'exit' hook: synchronous, so no clean stop, no report. */
	abandon()
	{
		this.child.kill('SIGKILL');
		fs.rmSync(this.dir, { recursive: true, force: true });
	}

	/* SIGTERM, then SIGKILL if it lingers. A clean stop is status 0, or
	 * death by the SIGTERM itself. */
	async terminate()
	{
		this.child.kill('SIGTERM');
		const stopped = await Promise.race([this.exited.then(() => true),
						    sleep(STOP_TIMEOUT_MS).then(() => false)]);
		if (!stopped) {
			this.child.kill('SIGKILL');
			await this.exited;
			return [`sfemu still running ${STOP_TIMEOUT_MS} ms after SIGTERM; killed it`];
		}
		if (this.exit.code === 0 || this.exit.signal === 'SIGTERM')
			return [];
		return [`sfemu exited badly on SIGTERM (${this.exitText()})`];
	}

	exitText()
	{
		const { code, signal } = this.exit;
		return signal ? `signal ${signal}` : `status ${code}`;
	}

	/* What sfemu printed, as diagnostic lines. */
	outputLines()
	{
		const lines = [];
		for (const [name, text] of [['stdout', this.stdout()], ['stderr', this.stderr()]]) {
			if (text.trim() === '')
				continue;
			lines.push(`sfemu ${name}:`);
			for (const line of text.trimEnd().split('\n'))
				lines.push(`  ${line}`);
		}
		return lines;
	}
}

function readIfExists(file)
{
	try {
		return fs.readFileSync(file, 'utf8');
	} catch (err) {
		if (err.code === 'ENOENT')
			return '';
		throw err;
	}
}

function printResult(name, passed, diagnostics)
{
	console.log(`${passed ? 'ok' : 'not ok'} - ${name}`);
	for (const line of diagnostics)
		for (const part of redact(line).split('\n'))
			console.log(`  # ${part}`);
}

/* The request lines sfemu logged since `mark`, a count of the lines logged before. */
function requestsSince(sfemu, mark)
{
	const from = Math.max(0, mark - sfemu.requestsDropped);
	return sfemu.requests.slice(from).map((line) => `  ${line}`);
}

/*
 * Starts sfemu with `orgFile`, runs each case in order as
 * `await fn(baseUrl)` (a throw is a failure; each case is limited to
 * `caseTimeoutMs`), prints one TAP line per case, stops sfemu and exits
 * 0 if everything passed, else 1.  SFEMU in the environment overrides the
 * binary (default build/sfemu).
 *
 * With `traceRequests`, sfemu runs with --log-level debug and a failed case
 * lists the requests sfemu answered during it; CONFORMANCE_TRACE=1 in the
 * environment lists them for passing cases too.
 */
async function main(cases, { orgFile, caseTimeoutMs, traceRequests = false })
{
	const sfemu = new Sfemu(process.env.SFEMU || DEFAULT_SFEMU, orgFile,
				traceRequests ? ['--log-level', 'debug'] : []);
	const traceAll = traceRequests && process.env.CONFORMANCE_TRACE === '1';
	let failed = 0;
	let startError = null;

	try {
		await sfemu.waitReady();
	} catch (err) {
		startError = err;
	}

	for (const { name, fn } of cases) {
		let diagnostics = [];
		const mark = sfemu.requests.length + sfemu.requestsDropped;
		let ran = false; /* whether it got to talk to sfemu */
		if (startError) {
			diagnostics = [`not run: ${startError.message}`];
		} else {
			ran = true;
			try {
				await timeLimit(caseTimeoutMs, 'test case', fn(sfemu.baseUrl));
			} catch (err) {
				if (err instanceof NotRun) {
					ran = false;
					diagnostics = [`not run: ${err.message}`];
				} else {
					diagnostics = err instanceof CheckFailure ? err.failures :
						describeError(err);
				}
			}
		}
		const passed = diagnostics.length === 0;
		if (!passed)
			failed++;
		if (traceRequests && ran && (traceAll || !passed)) {
			await sleep(LOG_SETTLE_MS);
			const seen = requestsSince(sfemu, mark);
			diagnostics.push(seen.length > 0 ? 'sfemu answered:' : 'sfemu answered no requests',
					 ...seen);
		}
		printResult(name, passed, diagnostics);
	}

	const stopProblems = await sfemu.stop();
	if (failed > 0 || stopProblems.length > 0) {
		for (const line of [...stopProblems, ...sfemu.outputLines()])
			console.log(`# ${redact(line)}`);
		process.exit(1);
	}
	process.exit(0);
}

module.exports = { Checks, NotRun, describeError, describeToken, hasIdChecksum, main, rejectionOf, within };
