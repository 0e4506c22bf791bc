// Mailboxes: an administrator adds a mailbox of the test Dovecot and sees its test pass
// step by step, then gives it a wrong password and sees the test fail at the
// authentication step; `serve` polls the mailbox added without a restart. Then a Google
// mailbox is connected through the test identity provider (scripts/test-idp.py, which plays
// Google and Microsoft) and its test passes with XOAUTH2. In light and dark, at 1280 and
// 375 px. Each mailbox reads a folder of its own, made empty for the journey.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT POSTROOM_TEST_IMAP=127.0.0.1:14143 \
//   POSTROOM_TEST_IDP=http://127.0.0.1:14180 node --test tests/mailboxes.test.mjs
// (the serve with console.oauth_google pointing at the IdP, as scripts/test starts it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { accessible, api, launch, open, screenshots, signIn } from './support.mjs';

const imap = process.env.POSTROOM_TEST_IMAP;
const idp = process.env.POSTROOM_TEST_IDP;
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A new, empty folder of the test user, made with Python's imaplib. */
function folder(name) {
  const [host, port] = imap.split(':');
  execFileSync('python3', [
    '-c',
    `import imaplib; m = imaplib.IMAP4('${host}', ${port}); m.login('alice@example.test', 'secret'); m.create('${name}'); m.logout()`,
  ]);
  return name;
}

/** Fills the mailbox form for the test Dovecot (plain IMAP on this machine). */
async function fill(page, fields) {
  const [host, port] = imap.split(':');
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByLabel('IMAP server').fill(host);
  await page.getByLabel('Port').fill(port);
  await page.getByLabel('Security').selectOption('plain');
}

async function step(page, name, step) {
  return page.locator(`li[data-step="${step}"]`).filter({ hasNotText: 'checking' }).first().getAttribute('data-status');
}

test('a mailbox passes its test, then fails at authentication with a wrong password', { skip: !imap }, async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('link', { name: 'Mailboxes' }).click();
  await page.getByRole('heading', { name: 'Mailboxes', level: 1 }).waitFor();
  const name = `journey-desk-${Date.now()}`;
  await page.getByRole('button', { name: 'Add a mailbox' }).click();
  await fill(page, { Name: name, 'User name': 'alice@example.test', Password: 'secret', 'Folder read': folder(`${name}-in`) });
  await page.getByRole('button', { name: 'Add and test' }).click();
  await page.getByText(`${name}: every step passed`).waitFor({ timeout: 30_000 });
  for (const s of ['dns', 'tcp', 'authentication', 'folder']) assert.equal(await step(page, name, s), 'ok', s);
  assert.equal(await step(page, name, 'tls'), 'skipped');

  // serve polls it without a restart: its first poll shows within seconds.
  let polled = null;
  for (let i = 0; i < 60 && !polled; i += 1) {
    const list = JSON.parse((await api(page, 'GET', '/mailboxes')).body);
    polled = list.mailboxes.find((m) => m.name === name)?.last_poll_ms ?? null;
    if (!polled) await sleep(500);
  }
  assert.ok(polled, 'serve polled the mailbox added in the console');
  const listed = (await api(page, 'GET', '/mailboxes')).body;
  assert.ok(!listed.includes('"secret"'), 'the password is in no answer');

  await accessible(page, 'mailboxes');
  await screenshots(page, 'mailboxes');

  await page.getByRole('button', { name: `Edit ${name}` }).click();
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Save and test' }).click();
  await page.getByText(`${name}: the test failed`).waitFor({ timeout: 30_000 });
  assert.equal(await step(page, name, 'authentication'), 'failed');
  assert.equal(await step(page, name, 'tcp'), 'ok');
  assert.equal(await step(page, name, 'folder'), 'not_reached');
  await page.getByText(/authentication refused/).first().waitFor();
  await accessible(page, 'mailboxes with a failed test');

  await page.getByRole('button', { name: `Remove ${name}` }).click();
  await page.getByRole('button', { name: `Remove ${name} now` }).click();
  await page.getByRole('button', { name: `Test ${name}` }).waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a Google mailbox is connected through the identity provider and logs in with XOAUTH2', { skip: !imap || !idp }, async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.goto(`${page.url().split('#')[0]}#/mailboxes`);
  await page.getByRole('heading', { name: 'Mailboxes', level: 1 }).waitFor();
  const name = `journey-gmail-${Date.now()}`;
  await page.getByRole('button', { name: 'Connect Google' }).click();
  assert.equal(await page.getByLabel('IMAP server').inputValue(), 'imap.gmail.com', "the provider's server is the default");
  await fill(page, { Name: name, 'Mailbox address': 'alice@example.test', 'Folder read': folder(`${name}-in`) });
  await page.getByRole('button', { name: 'Continue to Google' }).click();
  // The IdP consents at once and sends the browser back to the Mailboxes page.
  await page.waitForURL(new RegExp(`#/mailboxes/${name}$`));
  await page.getByText('connected with Google').first().waitFor();
  await page.getByRole('button', { name: `Test ${name}` }).click();
  await page.getByText(`${name}: every step passed`).waitFor({ timeout: 30_000 });
  await accessible(page, 'mailboxes with a connected mailbox');
  await page.getByRole('button', { name: `Remove ${name}` }).click();
  await page.getByRole('button', { name: `Remove ${name} now` }).click();
  await page.getByRole('button', { name: `Test ${name}` }).waitFor({ state: 'detached' });
  // The consent itself is the IdP's, another host by design.
  assert.deepEqual(
    problems.filter((p) => !p.startsWith(`request to another host: ${idp}`)),
    [],
  );
  await context.close();
});
