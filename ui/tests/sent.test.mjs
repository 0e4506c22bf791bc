// The sent-mail audit: an agent's public comment on a SUP issue is mailed to its reporter
// (the journey profile's notification rule); the administrator finds that message on the
// Sent page, opens it — recipient, status, the message as it went out in a frame with no
// permission, its MIME to download — in light and dark, at 1280 and 375 px.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT node --test tests/sent.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { accessible, api, jira, launch, open, sandbox, screenshots, signIn } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('an administrator finds a sent notification and sees it as it went out', async () => {
  const stamp = Date.now();
  const issue = await jira('POST', '/issue', {
    fields: { project: { key: 'SUP' }, summary: `Journey sent ${stamp}`, issuetype: { id: '10001' } },
  });
  const agent = `Basic ${Buffer.from('agent@example.com:sandbox').toString('base64')}`;
  const comment = await fetch(`${sandbox}/rest/api/3/issue/${issue.key}/comment`, {
    method: 'POST',
    headers: { Authorization: agent, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: `Answer ${stamp}` }] }] },
    }),
  });
  assert.equal(comment.status, 201);

  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  let entry;
  for (let i = 0; i < 100 && !entry; i += 1) {
    const list = JSON.parse((await api(page, 'GET', '/audit/sent?since=1h')).body);
    entry = list.entries.find((e) => e.issue_key === issue.key && e.status !== 'queued');
    if (!entry) await sleep(300);
  }
  assert.ok(entry, `a message about ${issue.key} was sent`);

  await page.getByRole('link', { name: 'Sent' }).click();
  await page.getByRole('heading', { name: 'Sent mail' }).waitFor();
  const row = page.locator('tbody tr', { hasText: issue.key });
  await row.waitFor();
  await accessible(page, 'sent mail');
  await screenshots(page, 'sent');
  await row.getByRole('link').click();
  await page.getByRole('heading', { name: 'Sent message' }).waitFor();
  assert.equal(await page.locator('dd', { hasText: issue.key }).count(), 1);
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
