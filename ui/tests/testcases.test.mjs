// Test cases, against the running `postroom serve --sandbox` of scripts/test: a customer's
// mail makes an issue; the administrator makes a test case of it from its audit entry,
// runs it on the Test cases page (unchanged), changes a routing rule through the API (mail
// from that sender is held), runs it again and reads the diff: the action's kind expected
// and actual. With a draft in the Rules editor's session storage, the page offers to run
// against it. axe in light and dark, and screenshots. The profile is put back at the end.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT node --test tests/testcases.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, api, launch, mailedIssue, open, screenshots, signIn, storedProfile } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The profile `base` with a first rule that holds mail from `sender`. */
function holding(base, sender) {
  const hold = { name: 'journey hold', match: { sender: [sender] }, then: { action: 'hold', reason: 'journey' } };
  return { ...base, rules: [hold, ...(base.rules ?? [])] };
}

test('an administrator makes a test case from the audit and sees a rule change move it', async () => {
  const stamp = Date.now();
  const sender = `cases.${stamp}@example.net`;
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const original = await storedProfile(page);
  await mailedIssue(page, sender, `Journey case ${stamp}`, 'My invoice is wrong.');
  const list = JSON.parse((await api(page, 'GET', `/audit?from=${encodeURIComponent(sender)}`)).body);
  const entry = list.entries[0];

  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, `#/audit/${entry.id}`);
  await page.getByRole('button', { name: 'Make a test case' }).click();
  await page.getByText(`Test case audit-${entry.id} made`).waitFor();

  await page.getByRole('link', { name: 'Test cases' }).click();
  await page.getByRole('heading', { name: 'Test cases', level: 1 }).waitFor();
  const row = page.locator('tbody tr', { hasText: `audit-${entry.id}` });
  await row.getByRole('button', { name: /^Run/ }).click();
  await row.getByText('unchanged').waitFor();

  const put = await api(page, 'PUT', '/profile', { base_version: original.version, profile: holding(original.profile, sender) });
  assert.equal(put.status, 200, put.body);
  try {
    await row.getByRole('button', { name: /^Run/ }).click();
    await row.getByText('changed', { exact: true }).waitFor();
    const diff = page.locator('section', { hasText: `audit-${entry.id}: ` });
    const kind = diff.locator('tbody tr', { hasText: 'action.kind' });
    await kind.waitFor();
    assert.match(await kind.innerText(), /hold/, 'the actual action is the new rule’s');
    await accessible(page, 'test cases');
    await screenshots(page, 'testcases');

    // A draft in the Rules editor's keeping is offered as the profile to run against.
    await page.evaluate(
      ([draft]) => window.sessionStorage.setItem('postroom.profileDraft', JSON.stringify(draft)),
      [{ base_version: original.version, profile: original.profile }],
    );
    await page.reload();
    await page.getByLabel('The draft being edited (from version', { exact: false }).check();
    await page.locator('tbody tr', { hasText: `audit-${entry.id}` }).getByRole('button', { name: /^Run/ }).click();
    await page.locator('tbody tr', { hasText: `audit-${entry.id}` }).getByText('unchanged').waitFor();
    await accessible(page, 'test cases against a draft');
  } finally {
    const now = await storedProfile(page);
    const back = await api(page, 'PUT', '/profile', { base_version: now.version, profile: original.profile });
    assert.equal(back.status, 200, back.body);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
