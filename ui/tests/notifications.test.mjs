// The Notifications page and the site's own addresses, against the running `postroom serve
// --sandbox` of scripts/test: an administrator edits a rule's templates and sees the live
// preview change in the frames at phone and desktop width (and a template that cannot
// compile refused at its field with the line), saves, and the next real notification uses
// the saved words; a save over a version someone else replaced is refused and the page
// reloads it; a test is sent, found as a file in the sandbox's outbox (DATA_DIR/outbox,
// named by POSTROOM_DATA_DIR) and on the Sent page; an own address is added (a bad one
// refused at its field) and removed in Settings. axe in light and dark at 375 px, and
// screenshots. The profile is put back as it was at the end: later journeys share it.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT POSTROOM_DATA_DIR=DIR/data \
//      node --test tests/notifications.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { accessible, agentComment, api, jira, launch, mailedIssue, open, restoreProfile, screenshots, signIn, storedProfile } from './support.mjs';

const dataDir = process.env.POSTROOM_DATA_DIR;

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const profile = storedProfile;
const restore = restoreProfile;

/** The text of the element `selector` inside the preview frame of `width` px, once it says `expected`. */
async function frameText(page, width, expected) {
  const body = page.frameLocator(`iframe.notify-frame[data-width="${width}"]`).locator('body');
  await body.filter({ hasText: expected }).waitFor();
  return body.innerText();
}

/** The `.eml` file of the outbox addressed to `to`, waiting for the send job. */
async function outboxMail(to) {
  const outbox = join(dataDir, 'outbox');
  for (let i = 0; i < 100; i += 1) {
    let names = [];
    try {
      names = readdirSync(outbox).filter((n) => n.endsWith('.eml'));
    } catch {
      names = [];
    }
    for (const name of names) {
      const text = readFileSync(join(outbox, name), 'utf8');
      if (text.includes(to)) return text;
    }
    await sleep(300);
  }
  assert.fail(`no mail to ${to} in ${outbox}`);
}

test('an administrator edits a template with a live preview, saves it, sends a test and is refused a stale save', async () => {
  assert.ok(dataDir, 'POSTROOM_DATA_DIR names the data directory of the running postroom serve --sandbox');
  const stamp = Date.now();
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const original = await profile(page);
  const issue = await jira('POST', '/issue', {
    fields: { project: { key: 'SUP' }, summary: `Journey preview ${stamp}`, issuetype: { id: '10001' } },
  });
  try {
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const rule = original.profile.notifications.rules[0].name;
    await page.getByRole('button', { name: `Edit the templates (${rule})` }).click();
    await page.getByRole('heading', { name: `Templates of “${rule}”` }).waitFor();

    // The example, rendered by postroom's defaults, in both frames.
    const subject = page.getByTestId('preview-subject');
    await subject.filter({ hasText: 'EXAMPLE-42' }).waitFor();
    const before375 = await frameText(page, 375, 'EXAMPLE-42');
    assert.ok(!before375.includes(`Journey ${stamp}`));
    assert.equal(await page.locator('iframe.notify-frame').first().getAttribute('sandbox'), '', 'frames with no permission');

    // A template of the rule's own changes the preview at both widths.
    await page.getByLabel('Subject', { exact: true }).fill(`Journey {{ issue.key }} {{ event.kind }}`);
    await subject.filter({ hasText: 'Journey EXAMPLE-42 comment_added' }).waitFor();
    await page.getByLabel('HTML (values are HTML-escaped)', { exact: true }).fill(`<p>Journey ${stamp}: {{ issue.summary }}</p>`);
    for (const width of [375, 1024]) {
      const text = await frameText(page, width, `Journey ${stamp}`);
      assert.match(text, /Invoices for March/, `${width} px`);
    }
    // The mail itself is laid out at those widths (the frames' borders are outside them).
    const widths = [];
    for (const frame of page.frames().filter((f) => f.url().includes('/notifications/previews/'))) {
      widths.push(await frame.evaluate(() => window.innerWidth));
    }
    assert.deepEqual(
      widths.sort((a, b) => a - b),
      [375, 1024],
      'phone and desktop width',
    );

    // A template that cannot compile is refused at its field, with the line.
    await page.getByLabel('Plain text', { exact: true }).fill('Hello\n{% if issue.key %}\nno end');
    const refused = page.locator('#template-text-error');
    await refused.filter({ hasText: 'line' }).waitFor();
    assert.equal(await page.getByLabel('Plain text', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Plain text', { exact: true }).fill('');
    await refused.waitFor({ state: 'detached' });

    // For an issue of the site: fetched from Jira when the preview is asked.
    await page.getByLabel('An issue of this site').check();
    await page.getByLabel('Issue key (fetched from Jira)').fill(issue.key);
    await subject.filter({ hasText: `Journey ${issue.key} comment_added` }).waitFor();
    await page.getByLabel('The built-in example').check();
    await subject.filter({ hasText: 'EXAMPLE-42' }).waitFor();

    for (const width of [375, 1024]) await frameText(page, width, `Journey ${stamp}`);
    await page.setViewportSize({ width: 375, height: 900 });
    await accessible(page, 'notifications with the template editor at 375 px');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshots(page, 'notifications-templates');

    // Saved, and the next real notification uses the saved words.
    await page.getByRole('button', { name: 'Save notifications' }).first().click();
    await page.getByText(`Notifications saved (profile version ${original.version + 1})`).waitFor();
    const saved = await profile(page);
    assert.equal(saved.profile.notifications.rules[0].subject, 'Journey {{ issue.key }} {{ event.kind }}');
    const customer = `notify.${stamp}@example.net`;
    const key = await mailedIssue(page, customer, `Journey notifications ${stamp}`, 'My invoice is wrong.');
    await agentComment(key, `Checking ${stamp}`);
    let told;
    for (let i = 0; i < 100 && !told; i += 1) {
      const list = JSON.parse((await api(page, 'GET', '/audit/sent?kind=notification&since=1h')).body);
      told = list.entries.find((e) => e.issue_key === key);
      if (!told) await sleep(300);
    }
    assert.ok(told, `a notification about ${key}`);
    assert.equal(told.subject, `Journey ${key} comment_added`, 'the saved subject');

    // A save over a version someone else replaced meanwhile is refused; the page reloads it.
    await page.getByLabel('From name').fill('Journey Desk');
    const behind = await profile(page);
    const bumped = await api(page, 'PUT', '/profile', { base_version: behind.version, profile: behind.profile });
    assert.equal(bumped.status, 200, bumped.body);
    await page.getByRole('button', { name: 'Save notifications' }).first().click();
    await page.getByRole('heading', { name: 'Someone saved the profile since you loaded it' }).waitFor();
    assert.equal((await profile(page)).profile.notifications.from_name, behind.profile.notifications.from_name, 'nothing stored');
    await accessible(page, 'a stale save');
    await page.getByRole('button', { name: 'Reload the stored profile' }).click();
    await page.getByText(`Profile version ${behind.version + 1}`).waitFor();

    // A test, through the sandbox's transport: a file in the outbox, and on the Sent page.
    await page.getByRole('button', { name: `Edit the templates (${rule})` }).click();
    await subject.filter({ hasText: 'Journey EXAMPLE-42' }).waitFor();
    const to = `test.${stamp}@example.net`;
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByRole('button', { name: 'Send the test' }).click();
    await page.getByRole('link', { name: 'See it on the Sent page' }).waitFor();
    const eml = await outboxMail(to);
    assert.match(eml, /Subject: Journey EXAMPLE-42 comment_added/);
    assert.match(eml, /Auto-Submitted: auto-generated/);
    await page.getByRole('link', { name: 'See it on the Sent page' }).click();
    await page.getByRole('heading', { name: 'Sent message' }).waitFor();
    assert.equal(await page.locator('dt:text-is("To") + dd').innerText(), to);
    assert.equal(await page.locator('dt:text-is("Kind") + dd').innerText(), 'test');

    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await page.setViewportSize({ width: 375, height: 900 });
    await accessible(page, 'notifications at 375 px');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshots(page, 'notifications');
    // The refusals the journey asked for (a template that cannot compile, the stale save).
    assert.deepEqual(
      problems.filter((p) => !/status of (409|422)/.test(p)),
      [],
    );
  } finally {
    await restore(page, original);
    await context.close();
  }
});

test("the site's own addresses are added, refused at the field when bad, and removed in Settings", async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const original = await profile(page);
  try {
    await page.getByRole('link', { name: 'Settings' }).click();
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'The site’s own addresses' }) });
    await section.locator('code', { hasText: 'support@example.com' }).waitFor();
    const count = original.profile.own.addresses.length;

    const add = async (address) => {
      await section.getByLabel('Add an address').fill(address);
      await section.getByRole('button', { name: 'Add an address' }).click();
    };
    // Not an address: refused at its entry, nothing stored.
    await add('not an address');
    await section.getByRole('button', { name: 'Save the addresses' }).click();
    await section.locator(`#own-addresses-${count}-error`).waitFor();
    assert.equal((await profile(page)).version, original.version, 'nothing stored');
    await section.getByRole('button', { name: 'Remove not an address' }).click();
    // The address of the sandbox's Cloud site cloud-a belongs to that site: refused at its
    // entry, without naming the site.
    await add('help@cloud-a.example');
    await section.getByRole('button', { name: 'Save the addresses' }).click();
    const taken = section.locator(`#own-addresses-${count}-error`);
    await taken.waitFor();
    assert.match(await taken.innerText(), /belongs to another site/);
    assert.doesNotMatch(await taken.innerText(), /tenant/, 'the other site is not named');
    assert.equal((await profile(page)).version, original.version, 'nothing stored');
    await page.setViewportSize({ width: 375, height: 900 });
    await accessible(page, 'own addresses with a refused address at 375 px');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshots(page, 'settings-own-addresses');
    await section.getByRole('button', { name: 'Remove help@cloud-a.example' }).click();

    await section.getByLabel('Add an address').fill('journey-own@example.org');
    await section.getByRole('button', { name: 'Add an address' }).click();
    await section.getByRole('button', { name: 'Save the addresses' }).click();
    await page.getByText(`Own addresses saved (profile version ${original.version + 1})`).waitFor();
    assert.deepEqual((await profile(page)).profile.own.addresses, [...original.profile.own.addresses, 'journey-own@example.org']);

    await section.getByRole('button', { name: 'Remove journey-own@example.org' }).click();
    await section.getByRole('button', { name: 'Save the addresses' }).click();
    await page.getByText(`Own addresses saved (profile version ${original.version + 2})`).waitFor();
    assert.deepEqual((await profile(page)).profile.own.addresses, original.profile.own.addresses);
    // The refusals the journey asked for (a bad address, another site's address).
    assert.deepEqual(
      problems.filter((p) => !/status of 422/.test(p)),
      [],
    );
  } finally {
    await restore(page, original);
    await context.close();
  }
});
