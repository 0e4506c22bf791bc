// The Rules page, against the running `postroom serve --sandbox` of scripts/test: an
// administrator writes a routing rule (its subject pattern tried in the regex tester with
// Rust's syntax), tries a pasted mail and sees the decision change beside the profile in
// force, finds the draft in the tab's sessionStorage, saves, and a mail taken in afterwards
// follows the rule (its issue gets the rule's label); a second browser that loaded the
// profile before that save is refused with what changed. axe in light and dark at 375 px,
// and screenshots. The profile is put back as it was at the end: later journeys share it.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT node --test tests/rules.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, jira, launch, mailedIssue, open, restoreProfile, screenshots, signIn, storedProfile } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const profile = storedProfile;

async function openRules(page) {
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('link', { name: 'Rules', exact: true }).click();
  await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Routing rules' }).waitFor();
}

test('an administrator writes a rule, tries a mail under it, saves it and the next mail follows it; a stale save is refused', async () => {
  const stamp = Date.now();
  const label = `journey-${stamp}`;
  const subject = `Invoice ${stamp} is wrong`;
  const { context, page, problems } = await open(browser);
  const other = await open(browser);
  await openRules(page);
  const original = await profile(page);
  // The second browser loads the same version before the first saves.
  await openRules(other.page);
  try {
    // A new rule: its name, a subject pattern in Rust's syntax, a label.
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const index = original.profile.rules.length;
    const name = page.locator(`#f-rules-${index}-name`);
    await name.fill(`Invoices ${stamp}`);
    const card = page.locator('section.rule-card', { has: page.getByRole('heading', { name: `${index + 1}. Invoices ${stamp}` }) });
    await card.getByLabel('Subject (regex, searched)').fill(`(?i)^invoice (?P<number>${stamp})\\b`);
    await card.getByLabel('Labels, separated by commas').first().fill(label);

    // The tester answers with the server's regex: (?i) and (?P<name>…) are Rust's, not the browser's.
    await card.getByText(`Test this pattern (subject, Invoices ${stamp})`).click();
    await card.getByLabel('Sample text, one per line').fill(`INVOICE ${stamp} is wrong\nHello`);
    const results = card.getByTestId(`f-rules-${index}-match-subject-test-results`);
    await results.getByText('No match').waitFor();
    assert.equal(await results.getByText('Match', { exact: true }).count(), 1, await results.innerText());
    assert.match(await results.innerText(), new RegExp(`Group number: ${stamp}`));

    // Try a pasted mail: the edited profile labels it, the one in force does not.
    const mail = [
      `From: Journey Customer <rules.${stamp}@example.net>`,
      'To: support@example.com',
      `Subject: ${subject}`,
      '',
      'The amount is wrong.',
      '',
    ].join('\r\n');
    await page.getByLabel('Raw mail').fill(mail);
    await page.getByRole('button', { name: 'Try it', exact: true }).click();
    const differs = page.getByTestId('try-differs');
    await differs.waitFor();
    assert.match(await differs.innerText(), /action\.fields\.labels/);
    assert.match(await differs.innerText(), new RegExp(label));
    assert.equal(await page.getByTestId('try-candidate-action').textContent(), 'create_issue');
    assert.match(await page.getByTestId('try-in-force').innerText(), new RegExp(`In force \\(version ${original.version}\\)`));
    assert.match(await page.getByTestId('try-candidate').innerText(), new RegExp(`Invoices ${stamp}`), 'the report names the rule');

    // The draft is in this tab's sessionStorage, over the version it was loaded from.
    const draft = JSON.parse(await page.evaluate(() => window.sessionStorage.getItem('postroom.profileDraft')));
    assert.equal(draft.base_version, original.version);
    assert.equal(draft.profile.rules[index].then.labels[0], label);

    // A refused try: a pattern that does not compile is shown at its field.
    await card.getByLabel('Subject (regex, searched)').fill('(?i)^invoice (');
    await page.getByRole('button', { name: 'Try it', exact: true }).click();
    await page.locator(`#f-rules-${index}-match-subject-error`).waitFor();
    await card.getByLabel('Subject (regex, searched)').fill(`(?i)^invoice (?P<number>${stamp})\\b`);
    await page.getByRole('button', { name: 'Try it', exact: true }).click();
    await page.locator(`#f-rules-${index}-match-subject-error`).waitFor({ state: 'detached' });
    await differs.waitFor();

    await page.setViewportSize({ width: 375, height: 900 });
    await accessible(page, 'rules with a tried mail at 375 px');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshots(page, 'rules');

    // Saved; a mail taken in afterwards follows the rule.
    await page.getByRole('button', { name: 'Save the rules' }).click();
    await page.getByText(`Rules saved (profile version ${original.version + 1})`).waitFor();
    const saved = await profile(page);
    assert.equal(saved.profile.rules[index].name, `Invoices ${stamp}`);
    assert.equal(await page.evaluate(() => window.sessionStorage.getItem('postroom.profileDraft')), null, 'nothing unsaved');
    const key = await mailedIssue(page, `rules.${stamp}@example.net`, subject, 'The amount is wrong.');
    const issue = await jira('GET', `/issue/${key}`);
    assert.deepEqual(issue.fields.labels, [label], `${key} follows the rule`);

    // The second browser's save, over the version it loaded, is refused and says what changed.
    await other.page.getByLabel('Add a domain').first().fill('stale.example');
    await other.page.getByRole('button', { name: 'Add a domain' }).first().click();
    await other.page.getByRole('button', { name: 'Save the rules' }).click();
    const refused = other.page.getByRole('heading', { name: 'Someone saved the profile since you loaded it' });
    await refused.waitFor();
    assert.match(await other.page.getByRole('alert').filter({ has: refused }).innerText(), /differs from yours in: .*rules/);
    assert.deepEqual((await profile(page)).profile.own.domains, original.profile.own.domains, 'nothing of the stale save stored');
    await accessible(other.page, 'a stale save of the rules');
    assert.deepEqual(
      [...problems, ...other.problems].filter((p) => !/status of (409|422)/.test(p)),
      [],
    );
  } finally {
    await restoreProfile(page, original);
    await other.context.close();
    await context.close();
  }
});
