// The agent's journey on `/agent`: find an issue, search templates as you type, choose with
// the keyboard, see the preview, answer the variable prompt, post a public reply and an
// internal note with a transition (checked through the sandbox's Jira API), save a reply as
// a personal template and find it; axe in light and dark. Prints, for BENCHMARKS.md, the
// time from a key stroke to the updated list and the bytes the picker transferred.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT npm run journeys
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, api, base, jira, launch, open, screenshots, signIn } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Types `text` into the focused search box one key at a time; the milliseconds from each
 * key stroke to the list showing that query's answer. */
async function typeTimed(page, text) {
  const times = [];
  let typed = await page.getByLabel('Find a template').inputValue();
  for (const key of text) {
    typed += key;
    const start = Date.now();
    await page.keyboard.type(key);
    await page.locator(`.picker-search[data-query="${typed}"]`).waitFor();
    times.push(Date.now() - start);
  }
  return times;
}

test('an agent answers an issue with a template, as a public reply and as an internal note', async (t) => {
  const stamp = Date.now();
  const name = `Journey wait ${stamp}`;
  const admin = await open(browser);
  await signIn(admin.page, 'Sandbox Admin');
  await admin.page.getByRole('heading', { name: 'Overview' }).waitFor();
  const made = await api(admin.page, 'POST', '/templates', {
    name,
    body: 'Hello {{ reporter.display_name }}, we expect an answer by {{ issue.due_date }}.',
    tags: ['journey'],
    scope: { kind: 'projects', values: ['SUP'] },
  });
  assert.equal(made.status, 201, made.body);
  await admin.context.close();
  const issue = await jira('POST', '/issue', {
    fields: { project: { key: 'SUP' }, summary: `Journey printer ${stamp}`, issuetype: { id: '10001' } },
  });

  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Agent');
  await page.getByRole('heading', { name: 'Answer an issue' }).waitFor();
  await page.goto(`${base}/agent`);
  await page.getByRole('heading', { name: 'Answer an issue' }).waitFor();
  const firstLoad = await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation');
    return navigation.transferSize + performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, 0);
  });

  await page.getByLabel('Issue key or JQL').fill(`project = SUP AND summary ~ "Journey printer ${stamp}"`);
  await page.getByRole('button', { name: 'Find issue' }).click();
  await page.getByRole('heading', { name: `Reply to ${issue.key}` }).waitFor();
  const search = page.getByLabel('Find a template');
  await search.waitFor();
  assert.ok(await search.evaluate((el) => el === document.activeElement), 'the search box has the focus');

  const pickerBytesBefore = await page.evaluate(() =>
    performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, 0),
  );
  const times = await typeTimed(page, `journey wait ${stamp}`);
  times.sort((a, b) => a - b);
  t.diagnostic(
    `key stroke to list: median ${times[Math.floor(times.length / 2)]} ms, worst ${times[times.length - 1]} ms over ${times.length} keys`,
  );
  const option = page.getByRole('option', { name: new RegExp(name) });
  await option.waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  const active = await search.getAttribute('aria-activedescendant');
  assert.equal(await page.locator(`#${active}`).getAttribute('aria-selected'), 'true');
  assert.match(await page.locator(`#${active}`).innerText(), new RegExp(name));
  await accessible(page, 'agent picker list');
  await screenshots(page, 'agent-search');

  // Enter inserts: the preview is filled from the issue, the due date is asked for.
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name }).waitFor();
  const preview = page.getByRole('document', { name: 'Preview' });
  assert.match(await preview.innerText(), /Hello Sandbox Admin, we expect an answer by \./);
  await page.getByRole('button', { name: /Post/ }).click();
  await page.getByText('Needed before posting').waitFor();
  await page.getByLabel('issue.due_date').fill('Friday');
  await page.getByLabel('issue.due_date').blur();
  await page.getByText(/answer by Friday\./).waitFor();
  await accessible(page, 'agent picker reply');
  await screenshots(page, 'agent-reply');

  // A public reply, no transition.
  const serviceDesk = (await page.getByRole('radio', { name: 'Internal note' }).count()) > 0;
  await page.getByRole('button', { name: 'Post reply' }).click();
  await page.getByText(new RegExp(`posted on ${issue.key}`)).waitFor();
  assert.equal(await search.inputValue(), '', 'the picker is reset');
  assert.ok(await search.evaluate((el) => el === document.activeElement), 'and ready for the next');

  // An internal note with a transition.
  await typeTimed(page, `wait ${stamp}`);
  await page.getByRole('option', { name: new RegExp(name) }).waitFor();
  await page.keyboard.press('Enter');
  await page.getByLabel('issue.due_date').fill('Monday');
  if (serviceDesk) await page.getByRole('radio', { name: 'Internal note' }).check();
  await page.getByLabel('Then').selectOption({ label: 'Wait for customer' });
  await page.getByRole('button', { name: serviceDesk ? 'Post internal note' : 'Post reply' }).click();
  await page.getByText(/Wait for customer done/).waitFor();

  const seen = await jira('GET', `/issue/${issue.key}?fields=status,comment`);
  assert.equal(seen.fields.status.name, 'Waiting for customer');
  const comments = seen.fields.comment.comments;
  assert.equal(comments.length, 2);
  assert.match(JSON.stringify(comments[0].body), /answer by Friday/);
  assert.match(JSON.stringify(comments[1].body), /answer by Monday/);
  if (serviceDesk) {
    assert.equal(comments[0].jsdPublic, true, 'the reply is public');
    assert.equal(comments[1].jsdPublic, false, 'the note is internal');
  }

  // Save a reply as a personal template, then find it.
  await typeTimed(page, `wait ${stamp}`);
  await page.getByRole('option', { name: new RegExp(name) }).waitFor();
  await page.keyboard.press('Enter');
  await page.getByLabel('issue.due_date').fill('Tuesday');
  await page.getByLabel('issue.due_date').blur();
  await page.getByText(/answer by Tuesday\./).waitFor();
  await page.getByRole('button', { name: 'Save this reply as a template' }).click();
  const mine = `Journey mine ${stamp}`;
  await page.getByLabel('Name of your new template').fill(mine);
  await page.getByRole('button', { name: 'Save for me' }).click();
  await page.getByText(new RegExp(`Saved as your template “${mine}”`)).waitFor();
  await page.keyboard.press('Escape');
  await search.waitFor();
  await search.focus();
  await typeTimed(page, `mine ${stamp}`);
  await page.getByRole('option', { name: new RegExp(mine) }).waitFor();
  const pickerBytes = await page.evaluate(
    (before) => performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, 0) - before,
    pickerBytesBefore,
  );
  t.diagnostic(`picker: first load of /agent ${firstLoad} bytes; the session's API calls after the issue was found ${pickerBytes} bytes`);
  assert.deepEqual(problems, []);
  await context.close();
});
