// The journeys of "People and data" and "Feedback", against the running `postroom serve
// --sandbox` of scripts/test: a bounced address cleared from the suppression list gets the
// next notification; a person's data exported and erased; a backup made and verified; a
// token made, used and revoked; the inventory, the access log and the site's erasure (its
// typed confirmation); feedback reaching the operator's webhook (a listener here, on the
// port scripts/test named in POSTROOM_OPERATOR_HOOK_PORT), with the address only when
// ticked. axe in light and dark and screenshots at 1280 and 375 px on every page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { accessible, api, base, jira, launch, open, screenshots, signIn, upload } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const unique = (name) => `${name}.${Date.now()}.${Math.random().toString(16).slice(2, 8)}@customer.example`;

function mail(from, subject) {
  return [
    `From: Journey Customer <${from}>`,
    'To: support@example.com',
    `Subject: ${subject}`,
    `Message-ID: <data-${Date.now()}-${Math.random().toString(16).slice(2)}@customer.example>`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Please call me back.',
    '',
  ].join('\r\n');
}

/**
 * A delivery status notification: postroom's mail `sent` (an entry of the sent-mail audit)
 * bounced for good. It comes back to that mail's VERP return path, `bounces+ID@…`.
 */
function bounce(to, sent) {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
    `To: bounces+${sent}@mail.example.com`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <dsn-${Date.now()}@mx.customer.example>`,
    `Date: ${new Date().toUTCString()}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.customer.example',
    '',
    `Final-Recipient: rfc822; ${to}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 no such user',
    '',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    'From: Example Support <support@example.com>',
    `To: ${to}`,
    '',
    '--b1--',
    '',
  ].join('\r\n');
}

/** Asks `probe` every half second until it returns something, for at most a minute. */
async function eventually(what, probe) {
  for (let i = 0; i < 120; i++) {
    const found = await probe();
    if (found) return found;
    await sleep(500);
  }
  assert.fail(`gave up waiting: ${what}`);
}

/** The sent-mail audit's entries of `kind` to `to`, newest first. */
async function sentTo(page, kind, to) {
  const listed = await api(page, 'GET', `/audit/sent?kind=${kind}&limit=1000`);
  assert.equal(listed.status, 200, listed.body);
  return JSON.parse(listed.body).entries.filter((e) => e.to === to);
}

async function adminAt(width = 1280) {
  const session = await open(browser, width);
  await signIn(session.page, 'Sandbox Admin');
  await session.page.getByRole('heading', { name: 'Overview' }).waitFor();
  return session;
}

async function section(page, name) {
  await page.getByRole('link', { name: 'People and data' }).click();
  await page.getByRole('navigation', { name: 'People and data' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
}

async function comment(key, text) {
  await jira('POST', `/issue/${key}/comment`, {
    body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] },
  });
}

test('an address that bounced is found on the suppression list, cleared, and gets the next notification', async () => {
  const { context, page, problems } = await adminAt();
  const customer = unique('bouncing');
  assert.equal(await upload(page, mail(customer, 'My parcel never came')), 202);
  // The acknowledgement goes out, and bounces.
  const ack = await eventually('the acknowledgement', async () => (await sentTo(page, 'acknowledgement', customer)).find((e) => e.status === 'sent'));
  assert.equal(await upload(page, bounce(customer, ack.id)), 202);

  await section(page, 'Suppression list');
  const row = page.locator('tbody tr', { hasText: customer });
  await eventually('the address on the list', async () => {
    await page.getByRole('button', { name: 'Find' }).click();
    return (await row.count()) > 0;
  });
  await page.getByLabel('Address', { exact: true }).fill(customer.replace('@customer.example', '@Customer.Example'));
  await page.getByRole('button', { name: 'Find' }).click();
  await row.waitFor();
  assert.equal(await page.locator('tbody tr').count(), 1, 'found by its address, in any case');
  assert.match(await row.textContent(), /suppressed.*1 bounce, permanent.*5\.1\.1.*550 5\.1\.1 no such user/s);

  // While suppressed, a notification to it is held back.
  await comment(ack.issue_key, 'Held back: the address bounces.');
  await eventually('a skipped notification', async () => (await sentTo(page, 'notification', customer)).find((e) => e.status === 'skipped'));
  await page.getByRole('button', { name: 'Find' }).click();
  await row.waitFor();
  await accessible(page, 'suppression list');
  await screenshots(page, 'data-suppressions');

  await page.getByRole('button', { name: `Clear ${customer}` }).click();
  await page.getByText(`${customer} can get mail again`).waitFor();
  await page.getByText(/is not on the suppression list: postroom mails it/).waitFor();
  await comment(ack.issue_key, 'Your parcel is on its way.');
  const sent = await eventually('a notification that went out', async () =>
    (await sentTo(page, 'notification', customer)).find((e) => e.status === 'sent'),
  );
  assert.equal(sent.issue_key, ack.issue_key);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a person's data is found, exported as one archive, and erased after typing the address", async () => {
  const { context, page, problems } = await adminAt();
  const customer = unique('erase.me');
  assert.equal(await upload(page, mail(customer, 'Forget me, please')), 202);
  await eventually('the mail processed', async () => {
    const listed = JSON.parse((await api(page, 'GET', `/audit?from=${encodeURIComponent(customer)}`)).body);
    return listed.entries.some((e) => e.status === 'created');
  });

  await section(page, "A person's data");
  await page.getByLabel('Their e-mail address').fill(customer);
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByRole('heading', { name: `What postroom holds about ${customer}` }).waitFor();
  const facts = page.locator('dl.facts');
  assert.match(await facts.textContent(), /Mails they sent1/);
  await accessible(page, "a person's data");
  await screenshots(page, 'data-person');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download their data' }).click();
  const download = await downloading;
  const archive = readFileSync(await download.path());
  assert.ok(archive.length > 1024, 'a tar archive');
  assert.equal(archive.subarray(257, 262).toString(), 'ustar', 'a tar archive');
  const text = archive.toString('latin1');
  assert.ok(text.includes('summary.json') && text.includes('postroom-person-export/1'), 'with its summary');
  assert.ok(text.includes('Forget me, please'), 'and the mail itself');

  const erase = page.getByRole('button', { name: 'Erase their data' });
  assert.equal(await erase.isDisabled(), true, 'not before the address is typed');
  await page.getByLabel(`Type ${customer} to confirm`).fill('someone.else@customer.example');
  assert.equal(await erase.isDisabled(), true);
  await page.getByLabel(`Type ${customer} to confirm`).fill(customer);
  await erase.click();
  await page.getByText(/^Erased: 1 mails taken in/).waitFor();
  const after = JSON.parse((await api(page, 'GET', `/audit?from=${encodeURIComponent(customer)}`)).body);
  assert.deepEqual(after.entries, [], 'nothing of them is left in the audit');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByText(/^Nothing: postroom holds no record of them/).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a backup is made, listed with the last run, and verified', async () => {
  const { context, page, problems } = await adminAt();
  await section(page, 'Backups');
  await page.getByRole('button', { name: 'Back up now' }).click();
  await page.getByText('A backup was made').waitFor();
  const verify = page.getByRole('button', { name: /^Verify backup/ }).last();
  await verify.waitFor();
  assert.doesNotMatch(await page.locator('dl.facts').textContent(), /none yet/);
  await verify.click();
  await page.getByText(/^Backup \S+ is intact: \d+ blobs/).waitFor();
  await accessible(page, 'backups');
  await screenshots(page, 'data-backups');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a token is made with a scope, its secret shown once, used, listed and revoked', async () => {
  const { context, page, problems } = await adminAt();
  await section(page, 'API tokens');
  await page.getByLabel('What it is for').fill('journey script');
  await page.getByLabel('Scope').selectOption('agent');
  await page.getByRole('button', { name: 'Make a token' }).click();
  const secret = await page.getByLabel('Secret').inputValue();
  assert.match(secret, /^pr_[0-9a-f]{64}$/);
  const whoami = async () => (await fetch(`${base}/api/v1/whoami`, { headers: { Authorization: `Bearer ${secret}` } })).status;
  assert.equal(await whoami(), 200);
  await page.locator('tbody tr', { hasText: 'journey script' }).waitFor();
  await accessible(page, 'API tokens');
  await screenshots(page, 'data-tokens');
  await page.reload();
  await page.locator('tbody tr', { hasText: 'journey script' }).waitFor();
  assert.equal(await page.getByLabel('Secret').count(), 0, 'the secret is shown only once');
  await page.getByRole('button', { name: 'Revoke token journey script' }).click();
  await page.getByText('Token journey script is revoked').waitFor();
  assert.equal(await whoami(), 401);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the inventory, the access log and erasing the site are there, on a phone too', async () => {
  const { context, page, problems } = await adminAt(375);
  await section(page, 'Data inventory');
  await page.getByRole('heading', { name: "This site's periods in force" }).waitFor();
  await page.getByRole('cell', { name: 'console_sessions' }).first().waitFor();
  await page.getByLabel(/^Mail taken in and its raw copy/).fill('100000');
  await page.getByRole('button', { name: 'Save periods' }).click();
  await page.locator('#retention-intake-error').waitFor();
  await page.getByText('Switching it off means nothing can be diagnosed from the original any more', { exact: false }).waitFor();
  await accessible(page, 'data inventory');
  await screenshots(page, 'data-inventory');

  await section(page, 'Access log');
  await page.locator('tbody tr', { hasText: '/api/v1/settings/retention' }).first().waitFor();
  await accessible(page, 'access log');
  await screenshots(page, 'data-access-log');

  await section(page, 'Erase this site');
  const erase = page.getByRole('button', { name: "Erase this site's data" });
  await page.getByLabel('Type default to confirm').fill('defaul');
  assert.equal(await erase.isDisabled(), true, 'only the exact name arms it');
  await page.getByText('it is emptied, not removed', { exact: false }).waitFor();
  await accessible(page, 'erase this site');
  await screenshots(page, 'data-erase');
  // The refusal of a wrong name, through the API twin: nothing is erased.
  const refused = await api(page, 'POST', '/site/erase', { confirm: 'defaul' });
  assert.equal(refused.status, 422);
  assert.equal((await api(page, 'GET', '/whoami')).status, 200);
  // The browser logs the refusals this journey asked for (a period out of bounds, a wrong name).
  assert.deepEqual(
    problems.filter((p) => !/status of 422/.test(p)),
    [],
  );
  await context.close();
});

test('feedback reaches the operator, with the address only when ticked', async () => {
  const port = Number(process.env.POSTROOM_OPERATOR_HOOK_PORT);
  assert.ok(port, 'POSTROOM_OPERATOR_HOOK_PORT names the port of the operator webhook postroom was started with');
  const received = [];
  const listener = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(body);
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((resolve) => listener.listen(port, '127.0.0.1', resolve));
  try {
    const { context, page, problems } = await adminAt();
    await page.getByRole('link', { name: 'Feedback' }).click();
    await page.getByRole('heading', { name: 'Feedback', level: 1 }).waitFor();
    const anonymous = `The suppression list saved my day ${Date.now()}`;
    await page.getByLabel('Your feedback', { exact: true }).fill(anonymous);
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Thank you: your feedback is on its way').waitFor();
    const first = await eventually('the feedback at the webhook', async () => received.find((b) => b.includes(anonymous)));
    assert.doesNotMatch(first, /@/, 'no address unless asked');

    const answerable = `Please call me about backups ${Date.now()}`;
    await page.getByLabel('Your feedback', { exact: true }).fill(answerable);
    await page.getByLabel('Include my address so you can answer').check();
    await page.getByLabel('Your address').fill('admin.journey@example.com');
    await accessible(page, 'feedback');
    await screenshots(page, 'feedback');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Thank you: your feedback is on its way').waitFor();
    const second = await eventually('the answerable feedback', async () => received.find((b) => b.includes(answerable)));
    assert.match(second, /admin\.journey@example\.com/);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});

test("settings test the site's Jira connection as `jira check` does", async () => {
  const { context, page, problems } = await adminAt();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Test the connection' }).click();
  await page.getByText(/^Connected to http/).waitFor();
  await page.getByRole('cell', { name: 'SUP', exact: true }).waitFor();
  await accessible(page, 'settings');
  await screenshots(page, 'settings');
  assert.deepEqual(problems, []);
  await context.close();
});
