// What the browser journeys share: the running postroom, a fresh browser profile that
// fails on any CSP violation, page error or request to another host, signing in through the
// sandbox's OAuth, axe in light and dark, and screenshots at 1280 and 375 px.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import axe from 'axe-core';

export const base = process.env.POSTROOM_CONSOLE_URL;
const chromiumPath = process.env.POSTROOM_CHROMIUM ?? '/usr/bin/chromium';
const shots = fileURLToPath(new URL('../../docs/console/', import.meta.url));
export const sandbox = `${base}/sandbox/jira`;
export const sandboxAdmin = `Basic ${Buffer.from('admin@example.com:sandbox').toString('base64')}`;

/** Debian's Chromium, headless. */
export async function launch() {
  assert.ok(base, 'POSTROOM_CONSOLE_URL names the running postroom serve --sandbox');
  mkdirSync(shots, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
}

/** A fresh browser profile; every CSP violation or page error fails the journey. */
export async function open(browser, width = 1280, colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) problems.push(`request to another host: ${r.url()}`);
  });
  return { context, page, problems };
}

/** Signs in through the sandbox's OAuth consent page as the account labelled `who`. */
export async function signIn(page, who) {
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Sign in with Jira' }).click();
  await page.getByLabel(who).check();
  await page.getByRole('button', { name: 'Accept' }).click();
}

/** No serious or critical axe violation, in light and in dark. */
export async function accessible(page, name) {
  for (const mode of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: mode });
    await page.evaluate(axe.source);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
      `${name} in ${mode}`,
    );
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Screenshots of the current page at 1280 and 375 px. */
export async function screenshots(page, name) {
  // Flags float over the page; the pictures show the page itself.
  const dismiss = page.getByRole('button', { name: /^Dismiss/ });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${shots}${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A JSON call through the signed-in page's own session (with its CSRF token). */
export async function api(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const session = await (await fetch('/api/v1/session')).json();
      const response = await fetch(`/api/v1${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.text() };
    },
    [method, path, body],
  );
}

/** The stored profile and its version, read through the signed-in page's session. */
export async function storedProfile(page) {
  const got = await api(page, 'GET', '/profile');
  assert.equal(got.status, 200, got.body);
  return JSON.parse(got.body);
}

/** Takes a mail in through the API, as the signed-in page's own session; its status. */
export async function upload(page, raw) {
  return page.evaluate(async (body) => {
    const session = await (await fetch('/api/v1/session')).json();
    const response = await fetch('/api/v1/mail', {
      method: 'POST',
      headers: { 'Content-Type': 'message/rfc822', 'X-CSRF-Token': session.csrf_token },
      body,
    });
    return response.status;
  }, raw);
}

/** A Jira REST call to the sandbox as its administrator. */
export async function jira(method, path, body) {
  const response = await fetch(`${sandbox}/rest/api/3${path}`, {
    method,
    headers: { Authorization: sandboxAdmin, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

/** A template for `project` made by the sandbox's administrator through the console's API. */
export async function adminTemplate(browser, template) {
  const admin = await open(browser);
  await signIn(admin.page, 'Sandbox Admin');
  await admin.page.getByRole('heading', { name: 'Overview' }).waitFor();
  const made = await api(admin.page, 'POST', '/templates', template);
  assert.equal(made.status, 201, made.body);
  await admin.context.close();
  return JSON.parse(made.body);
}

/** A customer's mail from `from` taken in through the API; the key of the issue it made. */
export async function mailedIssue(page, from, subject, text) {
  const raw = [
    `From: Journey Customer <${from}>`,
    'To: support@example.com',
    `Subject: ${subject}`,
    `Message-ID: <journey-${Date.now()}-${Math.random().toString(16).slice(2)}@example.net>`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');
  assert.equal(await upload(page, raw), 202);
  for (let i = 0; i < 100; i += 1) {
    const list = JSON.parse((await api(page, 'GET', `/audit?from=${encodeURIComponent(from)}`)).body);
    const key = list.entries.find((e) => e.issue_key)?.issue_key;
    if (key) return key;
    await sleep(300);
  }
  assert.fail(`the mail from ${from} made no issue`);
}

/** A public comment of the sandbox's agent on `key`: the journey profile mails it to the customer. */
export async function agentComment(key, text) {
  const agent = `Basic ${Buffer.from('agent@example.com:sandbox').toString('base64')}`;
  const comment = await fetch(`${sandbox}/rest/api/3/issue/${key}/comment`, {
    method: 'POST',
    headers: { Authorization: agent, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] },
    }),
  });
  assert.equal(comment.status, 201);
}

/** Puts `original` (a stored profile) back over whatever version is stored now. */
export async function restoreProfile(page, original) {
  const now = await storedProfile(page);
  const put = await api(page, 'PUT', '/profile', { base_version: now.version, profile: original.profile });
  assert.equal(put.status, 200, put.body);
}
