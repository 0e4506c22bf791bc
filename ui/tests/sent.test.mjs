// The sent-mail audit: a customer's mail makes an issue, and an agent's public comment on it
// is mailed to the customer (the journey profile's notification rule); the administrator finds that message on the
// Sent page, opens it — recipient, status, the message as it went out in a frame with no
// permission, its MIME to download — in light and dark, at 1280 and 375 px.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT node --test tests/sent.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { accessible, agentComment, api, launch, mailedIssue, open, screenshots, signIn } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('an administrator finds a sent notification and sees it as it went out', async () => {
  const stamp = Date.now();
  const sender = `sent.${stamp}@example.net`;
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const key = await mailedIssue(page, sender, `Journey sent ${stamp}`, 'Where is my parcel?');
  // An agent's public comment is mailed to the customer (the journey profile's rule).
  await agentComment(key, `On its way ${stamp}`);
  let entry;
  for (let i = 0; i < 100 && !entry; i += 1) {
    const list = JSON.parse((await api(page, 'GET', '/audit/sent?kind=notification&since=1h')).body);
    entry = list.entries.find((e) => e.issue_key === key && e.status !== 'queued');
    if (!entry) await sleep(300);
  }
  assert.ok(entry, `a notification about ${key} was sent`);
  const issue = { key };

  await page.getByRole('link', { name: 'Sent' }).click();
  await page.getByRole('heading', { name: 'Sent mail' }).waitFor();
  const row = page.locator('tbody tr', { hasText: issue.key }).filter({ hasText: 'notification' });
  await row.waitFor();
  await accessible(page, 'sent mail');
  await screenshots(page, 'sent');
  await row.getByRole('link').click();
  await page.getByRole('heading', { name: 'Sent message' }).waitFor();
  assert.equal(await page.locator('dt:text-is("Issue") + dd').innerText(), issue.key);
  if (entry.mime_kept) {
    const frame = page.locator('iframe.mail-frame');
    assert.equal(await frame.getAttribute('sandbox'), '', 'a frame with no permission');
    await page.frameLocator('iframe.mail-frame').locator('body').waitFor();
    const mime = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/audit/sent/${id}/mime`);
      return { status: r.status, type: r.headers.get('content-type') };
    }, entry.id);
    assert.deepEqual(mime, { status: 200, type: 'message/rfc822' });
    await page.getByRole('link', { name: 'Download MIME' }).waitFor();
  }
  await accessible(page, 'one sent message');
  await screenshots(page, 'sent-message');
  assert.deepEqual(problems, []);
  await context.close();
});
