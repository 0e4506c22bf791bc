// The console's browser journeys: Debian's Chromium driven by playwright-core against a
// running `postroom serve --sandbox` (scripts/test starts one and sets
// POSTROOM_CONSOLE_URL), with axe-core checking every page in light and dark. Screenshots
// of every page at 1280 and 375 px are written to docs/console/.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT npm run journeys
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, base, launch, open as openIn, sandbox, sandboxAdmin, screenshots, signIn, upload } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const open = (width, colorScheme) => openIn(browser, width, colorScheme);

function mail(from, to, subject) {
  const id = `<journey-${Date.now()}-${Math.random().toString(16).slice(2)}@example.net>`;
  return [
    `From: Journey Customer <${from}>`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The printer on the third floor <b>jams</b> again.',
    '',
  ].join('\r\n');
}

test('the sign-in page is accessible', async (t) => {
  const { context, page, problems } = await open();
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Sign in to postroom' }).waitFor();
  // The first load, for BENCHMARKS.md: bytes over the wire, and when the page was usable
  // (the app rendered its first page after asking who is signed in).
  const load = await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation');
    const resources = performance.getEntriesByType('resource');
    return {
      bytes: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
      requests: 1 + resources.length,
      interactiveMs: Math.round(performance.now()),
    };
  });
  t.diagnostic(`first load: ${load.requests} requests, ${load.bytes} bytes, interactive after ${load.interactiveMs} ms`);
  await accessible(page, 'sign-in');
  await screenshots(page, 'signin');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an administrator signs in, finds a mail by its sender, reprocesses it and retries a dead job', async () => {
  const { context, page, problems } = await open();
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();

  const sender = `journey.${Date.now()}@customer.example`;
  assert.equal(await upload(page, mail(sender, 'support@example.com', 'Printer <script>alert(1)</script> jams')), 202);
  assert.equal(await upload(page, mail(sender, 'nowhere@example.com', 'For a project that does not exist')), 202);

  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByLabel("Sender's address").fill(sender);
  await page.getByRole('button', { name: 'Find' }).click();
  const rows = page.locator('tbody tr');
  await assert.doesNotReject(rows.nth(1).waitFor());
  // The unfiltered list (other journeys' mail too) shows until the search's answer replaces it.
  await page
    .waitForFunction(() => document.querySelectorAll('tbody tr').length === 2, null, { timeout: 10_000 })
    .catch(() => {});
  assert.equal(await rows.count(), 2, 'both mails of this sender, and only they');
  await accessible(page, 'audit');
  await screenshots(page, 'audit');

  // Wait until the printer mail has its issue, then open its report.
  for (let i = 0; i < 60; i++) {
    await page.reload();
    await page.getByRole('button', { name: 'Find' }).waitFor();
    if ((await page.getByText(/^SUP-\d+$/).count()) > 0) break;
    await page.waitForTimeout(500);
  }
  await page.locator('tbody tr', { hasText: /SUP-\d+/ }).getByRole('link').click();
  await page.getByRole('heading', { name: 'Processing report' }).waitFor();
  assert.equal(await page.locator('script', { hasText: 'alert' }).count(), 0, 'markup in a subject stays text');
  await accessible(page, 'audit entry');
  await screenshots(page, 'audit-entry');
  await page.getByRole('button', { name: 'Reprocess' }).click();
  await page.getByText('Queued to be processed again').waitFor();
  await page.getByRole('button', { name: 'Make a test case' }).click();
  await page.getByText(/^Test case audit-.+ made$/).waitFor();

  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('heading', { name: 'Dead jobs' }).waitFor();
  let retry = page.getByRole('button', { name: /^Retry job/ });
  for (let i = 0; i < 60 && (await retry.count()) === 0; i++) {
    await page.waitForTimeout(500);
    await page.reload();
    retry = page.getByRole('button', { name: /^Retry job/ });
  }
  await accessible(page, 'jobs');
  await screenshots(page, 'jobs');
  await retry.first().click();
  await page.getByText(/is queued again$/).waitFor();

  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Needs attention' }).waitFor();
  await accessible(page, 'overview');
  await screenshots(page, 'overview');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to postroom' }).waitFor();
  const after = await page.evaluate(async () => (await fetch('/api/v1/whoami')).status);
  assert.equal(after, 401, 'the session is useless after sign-out');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an account of another site is refused', async () => {
  const { context, page } = await open(375);
  await signIn(page, 'Olive Outsider');
  await page.getByRole('heading', { name: 'You cannot sign in here' }).waitFor();
  const status = await page.evaluate(async () => (await fetch('/api/v1/whoami')).status);
  assert.equal(status, 401);
  await context.close();
});

test('a project administrator sees only the audit of their projects; an agent sees no administrator page', async () => {
  const made = await fetch(`${sandbox}/_sandbox/accounts`, {
    method: 'POST',
    headers: { Authorization: sandboxAdmin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: `lead.${Date.now()}@example.com`, displayName: 'Journey Lead', roles: ['Administrators'] }),
  });
  assert.equal(made.status, 201);

  const lead = await open();
  await signIn(lead.page, 'Journey Lead');
  await lead.page.getByRole('heading', { name: 'Audit' }).waitFor();
  assert.equal(await lead.page.getByRole('link', { name: 'Overview' }).count(), 0);
  assert.equal(await lead.page.getByRole('link', { name: 'Jobs' }).count(), 0);
  const issues = await lead.page.locator('tbody td[data-label="Issue"]').allTextContents();
  assert.ok(issues.length > 0, 'the SUP entries are listed');
  assert.ok(issues.every((key) => key.startsWith('SUP-')), `only SUP entries: ${issues}`);
  const overview = await lead.page.evaluate(async () => (await fetch('/api/v1/overview')).status);
  assert.equal(overview, 403);
  await accessible(lead.page, 'audit as project administrator');
  await lead.context.close();

  const agent = await open(375);
  await signIn(agent.page, 'Sandbox Agent');
  await agent.page.getByRole('heading', { name: 'Answer an issue' }).waitFor();
  for (const name of ['Overview', 'Audit', 'Jobs']) assert.equal(await agent.page.getByRole('link', { name }).count(), 0, name);
  for (const path of ['/api/v1/overview', '/api/v1/audit', '/api/v1/jobs']) {
    const status = await agent.page.evaluate(async (p) => (await fetch(p)).status, path);
    assert.equal(status, 403, path);
  }
  await accessible(agent.page, 'agent');
  await agent.context.close();
});
