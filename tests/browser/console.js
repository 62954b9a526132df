// console.js - Debian's chromium (driven by playwright-core) walks a real `sfbridge serve` + sfemu: sign in, Save, the menu.
//
// Prints TAP lines ("ok - ...", "not ok - ..."); exits non-zero if any failed.
// Screenshots of each step go to $SFB_ARTIFACTS (default BUILD/browser-artifacts).
'use strict';

const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const top = process.env.TOP || path.resolve(__dirname, '../..');
const build = process.env.BUILD || path.join(top, 'build');
const bridge = path.join(build, 'sfbridge');
const sfemu = process.env.SFEMU || path.join(build, 'sfemu');
// The scenario org's integration user (tests/data/scenarios/valid.json).
const sfUser = 'int@acme.test';
const sfPassword = 'Scn-Pass-7x!';
const sfToken = 'ScnTokenAbCdEfGhIjKlMnOp';
const sfWrongToken = 'WrongTokenAbCdEfGhIjKlMn';
const artifacts = process.env.SFB_ARTIFACTS || path.join(build, 'browser-artifacts');
const chromiumPath = process.env.CHROMIUM || '/usr/lib/chromium/chromium';
const email = 'ada@example.com';
const password = 'correct horse battery staple';

let failed = 0;
function ok(cond, name, detail) {
  if (cond) {
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    if (detail !== undefined) console.log(`#   ${String(detail).split('\n').join('\n#   ')}`);
  }
}

function waitForFile(file, child, ms) {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (fs.existsSync(file) && fs.statSync(file).size > 0) return resolve(fs.readFileSync(file, 'utf8').trim());
      if (child.exitCode !== null) return reject(new Error(`sfbridge exited with ${child.exitCode}`));
      if (Date.now() > until) return reject(new Error('sfbridge not ready within 10 s'));
      setTimeout(tick, 50);
    };
    tick();
  });
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sfb-browser-'));
  const data = path.join(tmp, 'data');
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'pw'), password + '\n', { mode: 0o600 });
  execFileSync(bridge, ['admin', 'create', '--email', email, '--password-file', path.join(tmp, 'pw'), '--data', data],
    { stdio: 'ignore' });

  const log = fs.openSync(path.join(tmp, 'bridge.log'), 'w');
  const emu = spawn(sfemu, ['--listen', '127.0.0.1:0', '--org', path.join(top, 'tests/data/scenarios/valid.json'),
    '--ready-file', path.join(tmp, 'emu.ready')], { stdio: ['ignore', 'ignore', 'ignore'] });
  const server = spawn(bridge, ['serve', '--listen', '127.0.0.1:0', '--data', data,
    '--ready-file', path.join(tmp, 'ready')], { stdio: ['ignore', 'ignore', log] });
  let browser;
  try {
    const emuUrl = await waitForFile(path.join(tmp, 'emu.ready'), emu, 10000);
    const url = await waitForFile(path.join(tmp, 'ready'), server, 10000);
    const host = new URL(url).host;

    // Flags from real-clients.md section 3: no DNS lookups, no phoning home.
    const args = [
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
      '--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
      '--disable-domain-reliability', '--no-default-browser-check', '--metrics-recording-only',
    ];
    if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
    const t0 = Date.now();
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
    console.log(`# chromium ${browser.version()} launched in ${Date.now() - t0} ms`);

    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    const foreign = [];
    // A page answered with 401 or 501 on purpose logs "Failed to load
    // resource"; that is the document itself. Subresources must all load.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource: the server responded/.test(m.text())) problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'document' && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => { if (new URL(r.url()).host !== host) foreign.push(r.url()); });
    const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

    // 1. The console sends a stranger to the sign-in page.
    await page.goto(url + '/');
    ok(new URL(page.url()).pathname === '/login', 'the console redirects a stranger to /login', page.url());
    await shot('01-login');

    // 2. A wrong password: the form says so and stays.
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    const alert = page.getByRole('alert');
    ok(await alert.isVisible() && /incorrect/.test(await alert.innerText()),
      'a wrong password shows an alert on the sign-in form');
    ok(await page.getByLabel('Email', { exact: true }).inputValue() === email, '... keeping the email');
    ok(await page.getByLabel('Password', { exact: true }).inputValue() === '', '... but not the password');
    await shot('02-login-wrong');

    // 3. Sign in by the labels "Email" and "Password".
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const heading = page.getByRole('heading', { level: 1, name: 'Salesforce Integration' });
    await heading.waitFor({ timeout: 10000 });
    ok(await heading.isVisible(), 'signing in through the form reaches the "Salesforce Integration" heading');
    ok(new URL(page.url()).pathname === '/settings/salesforce', '... at /settings/salesforce', page.url());
    ok(await page.getByText('Not connected').isVisible(), 'the status card says Not connected');
    const switches = page.getByRole('button', { name: /^Enable / });
    ok(await switches.count() === 5, 'five integrations have an Enable switch', await switches.count());
    let locked = 0;
    for (let i = 0; i < await switches.count(); i++) if (await switches.nth(i).isDisabled()) locked++;
    ok(locked === 5, '... all locked until credentials are valid', locked);
    ok(await page.getByRole('button', { name: 'Enable Deal Registration' }).isDisabled(),
      'a switch is named for screen readers ("Enable Deal Registration")');
    const cookies = await context.cookies();
    const sess = cookies.find((c) => c.name === 'sfb_session');
    ok(sess && sess.httpOnly && sess.sameSite === 'Lax', 'the session cookie is HttpOnly and SameSite=Lax',
      JSON.stringify(sess && { httpOnly: sess.httpOnly, sameSite: sess.sameSite }));
    ok(await page.evaluate(() => document.cookie.indexOf('sfb_session') < 0), 'scripts cannot read the session cookie');
    await shot('03-menu');

    // 4. The credentials form: labels, host choice, secrets never echoed.
    await page.getByRole('link', { name: 'Enter credentials' }).click();
    await page.getByRole('heading', { level: 1, name: 'Salesforce credentials' }).waitFor();
    for (const label of ['Username', 'Password', 'Security token']) {
      ok(await page.getByLabel(label, { exact: true }).isVisible(), `the credentials form shows "${label}"`);
    }
    ok(!(await page.getByLabel('Login URL', { exact: true }).isVisible()),
      '"Login URL" stays hidden until the URL host is chosen');
    await page.getByLabel('URL', { exact: true }).check();
    ok(await page.getByLabel('Login URL', { exact: true }).isVisible(), '... and shows once it is');
    await page.getByLabel('OAuth JWT').check();
    ok(!(await page.getByLabel('Security token', { exact: true }).isVisible()) &&
      await page.getByLabel('Private key (PEM)').isVisible(), 'the JWT method shows its own fields');
    await page.getByLabel('Username + password + security token').check();
    const fill = async (token) => {
      await page.getByLabel('URL', { exact: true }).check();
      await page.getByLabel('Login URL', { exact: true }).fill(emuUrl);
      await page.getByLabel('Username', { exact: true }).fill(sfUser);
      await page.getByLabel('Password', { exact: true }).fill(sfPassword);
      await page.getByLabel('Security token', { exact: true }).fill(token);
    };

    // 5. A wrong security token: the diagnosis with its code and fix steps; the form stays.
    await fill(sfWrongToken);
    await shot('04-credentials-filled');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState();
    const diag = page.locator('section.diagnosis').first();
    ok(await diag.isVisible() && (await diag.locator('code.code').innerText()) === 'invalid_login',
      'a wrong security token shows the invalid_login diagnosis');
    ok(await diag.locator('ol.steps > li').count() >= 2, '... with numbered fix steps',
      await diag.locator('ol.steps > li').count());
    ok(await page.getByRole('heading', { level: 1, name: 'Salesforce credentials' }).isVisible(),
      '... and stays on the form');
    ok(await page.getByLabel('Username', { exact: true }).inputValue() === sfUser &&
      await page.getByLabel('Login URL', { exact: true }).inputValue() === emuUrl,
    '... keeping the non-secret input');
    ok(await page.getByLabel('Password', { exact: true }).inputValue() === '' &&
      await page.getByLabel('Security token', { exact: true }).inputValue() === '',
    '... and never echoing a secret');
    ok(!(await page.content()).includes(sfPassword), '... anywhere in the page');
    await shot('05-credentials-invalid-login');

    // 6. The right token: back on the menu, connected, the integrations unlocked.
    await fill(sfToken);
    await page.getByRole('button', { name: 'Save' }).click();
    await heading.waitFor({ timeout: 10000 });
    ok(await page.getByRole('status').filter({ hasText: 'Credentials saved and validated' }).isVisible(),
      'the right token lands on the Salesforce Integration menu with a confirmation');
    ok(await page.getByText('Connected', { exact: true }).isVisible(), 'the status card says Connected');
    let open = 0;
    for (let i = 0; i < await switches.count(); i++) if (await switches.nth(i).isEnabled()) open++;
    ok(open === 5, 'the five integrations are unlocked', open);
    await shot('06-menu-connected');

    // 7. Switch an unlocked integration on.
    await page.getByRole('button', { name: 'Enable Deal Registration' }).click();
    await heading.waitFor();
    ok(await page.getByRole('button', { name: 'Disable Deal Registration' }).isVisible(),
      'Deal Registration can be switched on once the credentials are valid');
    await shot('07-integration-on');

    // 8. Salesforce side: remove API Enabled from the profile in sfemu's Setup.
    const setup = await context.newPage();
    setup.on('request', (r) => { if (new URL(r.url()).host !== new URL(emuUrl).host) foreign.push(r.url()); });
    const setPerm = async (on) => {
      await setup.goto(emuUrl + '/setup/profiles');
      await setup.getByRole('link', { name: 'Integration', exact: true }).click();
      const box = setup.getByLabel('API Enabled', { exact: true });
      await (on ? box.check() : box.uncheck());
      await setup.getByRole('button', { name: 'Save', exact: true }).click();
      await setup.waitForLoadState();
    };
    await setPerm(false);
    await setup.goto(emuUrl + '/setup/profiles');
    ok(/Integration\s+Salesforce\s+No/.test(await setup.locator('table').innerText()),
      'sfemu Setup shows the profile without API Enabled');
    await setup.screenshot({ path: path.join(artifacts, '08-sfemu-api-disabled.png'), fullPage: true });

    // ... and "Test again" on the console shows api_disabled_for_user.
    const testAgain = async () => {
      await page.bringToFront();
      await page.goto(url + '/settings/salesforce');
      await page.getByRole('button', { name: 'Test again' }).click();
      await heading.waitFor({ timeout: 10000 });
    };
    const codes = async () => page.locator('section.diagnosis code.code').allInnerTexts();
    const lockedCount = async () => {
      const all = page.locator('ul.integrations button.switch');
      let n = 0;
      for (let i = 0; i < await all.count(); i++) if (await all.nth(i).isDisabled()) n++;
      return n;
    };
    await testAgain();
    ok((await codes()).includes('api_disabled_for_user'), 'Test again shows api_disabled_for_user',
      (await codes()).join(' '));
    const diagOf = (code) => page.locator('section.diagnosis').filter({ has: page.locator('code.code', { hasText: code }) });
    ok(/API Enabled/.test(await diagOf('api_disabled_for_user').innerText()),
      '... with fix steps naming the API Enabled permission');
    ok(await lockedCount() === 4, '... and every switch locked again but the Disable of the one that is on',
      await lockedCount());
    ok(await page.getByText(/paused while locked/).isVisible(), '... which shows as paused');
    await shot('08-console-api-disabled');

    // 9. Put API Enabled back; lock the user by failed logins (someone mistyping, 10 times).
    await setPerm(true);
    for (let i = 0; i < 10; i++) {
      await fetch(emuUrl + '/services/Soap/u/60.0', {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', SOAPAction: 'login' },
        body: '<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>' +
          '<login xmlns="urn:partner.soap.sforce.com"><username>' + sfUser + '</username>' +
          '<password>not-the-password-' + i + '</password></login></Body></Envelope>',
      });
    }
    await setup.goto(emuUrl + '/setup/users');
    await setup.getByRole('link', { name: sfUser }).first().click();
    ok(await setup.getByRole('button', { name: 'Unlock' }).isVisible(),
      'sfemu Setup shows the user locked out (an Unlock button)');
    await setup.screenshot({ path: path.join(artifacts, '09-sfemu-locked.png'), fullPage: true });
    await testAgain();
    const lockedCodes = await codes();
    ok(lockedCodes.includes('invalid_login'), 'Test again on a locked-out user shows invalid_login',
      lockedCodes.join(' '));
    ok(/Unlock/.test((await page.locator('section.diagnosis').allInnerTexts()).join('\n')),
      '... whose fix steps say how to unlock the user');
    ok(await page.getByText(/Lockout guard: on/).isVisible(),
      '... and the lockout guard now holds the credentials');
    ok(await lockedCount() === 4, '... with the integrations locked', await lockedCount());
    await shot('09-console-locked-out');

    // 10. Unlock in Setup; Test again recovers, and Deal Registration is still on.
    await setup.getByRole('button', { name: 'Unlock' }).click();
    await setup.waitForLoadState();
    ok(!(await setup.getByRole('button', { name: 'Unlock' }).isVisible()), 'Unlock in sfemu Setup unlocks the user');
    await testAgain();
    ok(await page.getByText('Connected', { exact: true }).isVisible(), 'after Unlock, Test again reconnects');
    ok(await page.getByText(/Lockout guard: off/).isVisible(), '... the lockout guard lets go');
    ok(await lockedCount() === 0, '... the integrations unlock', await lockedCount());
    ok(await page.getByRole('button', { name: 'Disable Deal Registration' }).isVisible(),
      '... and Deal Registration is still on');
    ok(await page.getByRole('table', { name: /Validation history/ }).isVisible(),
      'the menu shows the validation history');
    ok(await page.getByRole('img', { name: /in the last 24 hours/ }).isVisible(),
      'the menu charts the API usage of the last 24 hours');
    await shot('10-console-recovered');
    await setup.close();

    // 11. A diagnosis code links to its help page.
    await page.goto(url + '/help/diagnoses/api_disabled_for_user');
    ok(await page.getByRole('heading', { level: 1 }).isVisible() &&
      /api_disabled_for_user/.test(await page.content()), 'each diagnosis code has a help page');
    await shot('11-help-page');

    // 12. On a phone the menu fits the screen.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(url + '/settings/salesforce');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    ok(overflow <= 0, 'on a 375 px phone the menu needs no sideways scrolling', `${overflow} px too wide`);
    await shot('12-menu-phone');
    await page.setViewportSize({ width: 1100, height: 900 });

    // 13. Sign out.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    await page.goto(url + '/settings/salesforce');
    ok(new URL(page.url()).pathname === '/login', 'after signing out the menu asks to sign in again');
    await shot('13-signed-out');

    ok(problems.length === 0, 'no script errors, no CSP violations, no failed subresources', problems.join('\n'));
    ok(foreign.length === 0, 'the pages load nothing from anywhere else', foreign.join('\n'));
  } catch (e) {
    ok(false, 'the browser walk finished', e.stack || e);
  } finally {
    if (browser) await browser.close();
    server.kill('SIGTERM');
    emu.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
    ok(server.exitCode === 0, 'sfbridge exits cleanly on SIGTERM', `status ${server.exitCode} ${server.signalCode || ''}`);
    const text = fs.readFileSync(path.join(tmp, 'bridge.log'), 'utf8');
    ok(!text.includes(password) && !text.includes(sfPassword) && !text.includes(sfToken) &&
      !text.includes(sfWrongToken),
      'the server log holds no password or token');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`# screenshots in ${artifacts}`);
  process.exitCode = failed ? 1 : 0;
}

main();
