// Settings: an administrator sees how the site's mail leaves, each value with where it comes
// from (here `serve --sandbox`), sends a test message and sees the answer (and finds it on the
// Sent page); rotates the webhook secret and sees a delivery signed with the old secret
// refused and one signed with the new taken; then registers the sandbox's webhook anew with
// the new secret, as the shown steps say, so that the journeys after this one still get
// notifications. In light and dark, at 1280 and 375 px.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT node --test tests/settings.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { accessible, api, base, launch, open, sandbox, sandboxAdmin, screenshots, signIn } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A Jira issue event no notification rule of the journey profile wants (it is dropped). */
const event = JSON.stringify({
  timestamp: 1,
  webhookEvent: 'jira:issue_created',
  user: { accountId: 'journey' },
  issue: { id: '10001', key: 'SUP-1', fields: { project: { key: 'SUP' } } },
});

/** Posts `event` to the site's webhook receiver, signed with `secret`; the status. */
async function deliver(secret, id) {
  const signature = `sha256=${createHmac('sha256', secret).update(event).digest('hex')}`;
  const response = await fetch(`${base}/webhooks/jira`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature': signature, 'X-Atlassian-Webhook-Identifier': id },
    body: event,
  });
  return response.status;
}

/** Rotates the secret through the page and reads the new one, shown once. */
async function rotate(page) {
  await page.getByRole('button', { name: 'Rotate the secret…' }).click();
  const now = page.getByRole('button', { name: 'Rotate now' });
  await now.click();
  await now.waitFor({ state: 'detached' });
  const field = page.getByLabel('New secret');
  await field.waitFor();
  const secret = await field.inputValue();
  assert.match(secret, /^[0-9a-f]{64}$/);
  return secret;
}

/** The sandbox's admin webhook to postroom, registered anew with `secret` (Jira's webhook admin). */
async function register(secret) {
  const url = `${base}/webhooks/jira`;
  const admin = `${sandbox}/rest/webhooks/1.0/webhook`;
  const headers = { Authorization: sandboxAdmin, 'Content-Type': 'application/json' };
  const listed = await (await fetch(admin, { headers })).json();
  for (const hook of listed.filter((h) => h.url === url)) {
    const removed = await fetch(hook.self, { method: 'DELETE', headers });
    assert.ok(removed.ok, `delete ${hook.self}: ${removed.status}`);
  }
  const made = await fetch(admin, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: 'postroom',
      url,
      secret,
      events: ['jira:issue_created', 'jira:issue_updated', 'comment_created', 'comment_updated'],
    }),
  });
  assert.equal(made.status, 201, await made.text());
}

test('an administrator sees where outbound values come from, sends a test and rotates the webhook secret', async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Outbound mail' }).waitFor();

  // The sandbox writes mail to files: each value says it comes from `serve --sandbox`, and
  // the site's own relay cannot be set here.
  const transport = page.locator('tbody tr', { hasText: 'Transport' });
  await transport.waitFor();
  assert.match(await transport.innerText(), /file[\s\S]*serve --sandbox/);
  assert.match(await page.locator('tbody tr', { hasText: 'Directory' }).innerText(), /outbox/);
  await page.getByText('The transport comes from serve --sandbox').waitFor();
  assert.equal(await page.getByLabel('Host').count(), 0, 'no relay form under the sandbox');

  // A test message: accepted (the file transport names the file it wrote), and on the Sent page.
  const to = `settings.${Date.now()}@example.net`;
  await page.getByLabel('To', { exact: true }).fill(to);
  await page.getByRole('button', { name: 'Send a test' }).click();
  const accepted = page.getByRole('status').filter({ hasText: 'Accepted' });
  await accepted.waitFor();
  assert.match(await accepted.innerText(), /\.eml/);
  const sent = JSON.parse((await api(page, 'GET', '/audit/sent?kind=test&since=1h')).body);
  const entry = sent.entries.find((e) => e.to === to);
  assert.ok(entry, 'the test is in the sent-mail audit');
  assert.equal(entry.status, 'sent');

  await page.getByRole('heading', { name: 'Webhook secret' }).waitFor();
  assert.match(await page.locator('dt:text-is("Secret") + dd').innerText(), /^set/);
  await accessible(page, 'settings');
  await page.setViewportSize({ width: 375, height: 900 });
  await accessible(page, 'settings at 375 px');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshots(page, 'settings-outbound');

  // Rotate twice: the first secret is then the old one, and Jira signing with it is refused.
  const first = await rotate(page);
  assert.ok([200, 202].includes(await deliver(first, `settings-a-${Date.now()}`)));
  await page.getByRole('heading', { name: 'Webhook secret' }).scrollIntoViewIfNeeded();
  const second = await rotate(page);
  assert.notEqual(first, second);
  assert.equal(await deliver(first, `settings-b-${Date.now()}`), 401, 'signed with the old secret');
  assert.ok([200, 202].includes(await deliver(second, `settings-c-${Date.now()}`)), 'signed with the new secret');
  assert.match(await page.getByRole('status').filter({ hasText: 'shown this once' }).innerText(), /webhooks\/jira/);
  assert.match(await page.locator('dt:text-is("Where from") + dd').innerText(), /this site/);
  await accessible(page, 'settings after a rotation');
  await page.setViewportSize({ width: 375, height: 900 });
  await accessible(page, 'settings after a rotation at 375 px');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshots(page, 'settings-webhook');

  // As the steps say: Jira's webhook gets the new secret, so notifications keep coming.
  await register(second);
  assert.deepEqual(problems, []);
  await context.close();
});
