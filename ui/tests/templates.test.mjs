// Canned responses, managed, and their Insights: a project administrator writes a project
// template (variable picker, live preview, a body that cannot compile shown at its line)
// that an agent of the project sees and may only use while an account of no role in it
// does not see at all; an import with an error is refused at its line of the file; a use
// made through the API is counted on the Insights page; a name that is markup stays text;
// axe in light and dark; nothing scrolls sideways at 375 px.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT node --test tests/templates.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, api, base, jira, launch, open, sandbox, sandboxAdmin, screenshots, signIn } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function fitsPhone(page, what) {
  await page.setViewportSize({ width: 375, height: 900 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 375, `${what} is ${wide} px wide at 375`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a project administrator writes a project template: its agents see it, others do not', async () => {
  const stamp = Date.now();
  const name = `Journey SUP answer ${stamp}`;
  const made = await fetch(`${sandbox}/_sandbox/accounts`, {
    method: 'POST',
    headers: { Authorization: sandboxAdmin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: `writer.${stamp}@example.com`, displayName: `Journey Writer ${stamp}`, roles: ['Administrators'] }),
  });
  assert.equal(made.status, 201);
  const issue = await jira('POST', '/issue', {
    fields: { project: { key: 'SUP' }, summary: `Journey template ${stamp}`, issuetype: { id: '10001' } },
  });

  const lead = await open(browser);
  await signIn(lead.page, `Journey Writer ${stamp}`);
  await lead.page.getByRole('heading', { name: 'Audit' }).waitFor();
  await lead.page.getByRole('link', { name: 'Canned responses' }).click();
  await lead.page.getByRole('heading', { name: 'Canned responses' }).waitFor();
  await lead.page.getByRole('link', { name: 'New template' }).click();
  await lead.page.getByRole('heading', { name: 'New template' }).waitFor();
  const scopes = await lead.page.locator('#template-scope option').evaluateAll((o) => o.map((x) => x.value));
  assert.deepEqual(scopes, ['personal', 'projects', 'groups'], 'a project administrator gives no global scope');

  await lead.page.getByLabel('Name', { exact: true }).fill(name);
  await lead.page.getByLabel('Folder').fill('Journeys');
  await lead.page.getByLabel('Tags, separated by commas').fill('journey, welcome');
  await lead.page.getByLabel('Who may use it').selectOption('projects');
  await lead.page.getByLabel('Project keys, separated by commas').fill('SUP');
  const body = lead.page.getByRole('textbox', { name: 'Body', exact: true });
  await body.fill('About ');
  await body.press('End');
  await lead.page.getByRole('button', { name: 'issue.key', exact: true }).click();
  assert.equal(await body.inputValue(), 'About {{ issue.key }}');

  await lead.page.getByLabel('Fill from issue').fill(issue.key);
  await lead.page.getByTestId('preview-text').filter({ hasText: `About ${issue.key}` }).waitFor();

  await body.fill('About {{ issue.key }}\nThanks {% if %}');
  const atBody = lead.page.locator('#template-body-error');
  await atBody.getByText(/line 2/).waitFor();
  assert.match(await atBody.locator('.error-line').innerText(), /^2\s+Thanks \{% if %\}$/);
  assert.equal(await body.getAttribute('aria-invalid'), 'true');
  await accessible(lead.page, 'template editor with a body that cannot compile');
  await screenshots(lead.page, 'template-error');
  await lead.page.getByRole('button', { name: 'Create template' }).click();
  await atBody.getByText(/line 2/).waitFor();
  assert.equal(await lead.page.getByRole('heading', { name: 'New template' }).count(), 1, 'refused: still on the editor');

  await body.fill('About {{ issue.key }}\nThanks, {{ agent.first_name }}.');
  await lead.page.getByTestId('preview-text').filter({ hasText: `About ${issue.key}` }).waitFor();
  await screenshots(lead.page, 'template-editor');
  await lead.page.getByRole('button', { name: 'Create template' }).click();
  await lead.page.getByRole('heading', { name: 'Canned responses' }).waitFor();
  const row = lead.page.getByRole('row', { name: new RegExp(name) });
  await row.waitFor();
  assert.match(await row.innerText(), /Projects: SUP/);
  await row.getByRole('button', { name: /^Delete/ }).waitFor();
  await accessible(lead.page, 'canned responses as a project administrator');
  await screenshots(lead.page, 'templates');
  await fitsPhone(lead.page, 'the list of templates');
  const listed = JSON.parse((await api(lead.page, 'GET', '/templates')).body);
  const id = listed.find((t) => t.name === name).id;
  await lead.context.close();

  const agent = await open(browser);
  await signIn(agent.page, 'Sandbox Agent');
  await agent.page.getByRole('heading', { name: 'Answer an issue' }).waitFor();
  await agent.page.goto(`${base}/#/templates`);
  const seen = agent.page.getByRole('row', { name: new RegExp(name) });
  await seen.waitFor();
  assert.match(await seen.innerText(), /use it/i);
  assert.equal(await seen.getByRole('button', { name: /^Delete/ }).count(), 0, 'an agent may not delete it');
  const change = await api(agent.page, 'PUT', `/templates/${id}`, { name: 'x', body: 'y', scope: { kind: 'projects', values: ['SUP'] } });
  assert.equal(change.status, 403, 'the server refuses what the page hides');
  await seen.getByRole('link', { name }).click();
  await agent.page.getByRole('heading', { name }).waitFor();
  assert.ok(await agent.page.getByRole('textbox', { name: 'Body', exact: true }).isDisabled(), 'shown read-only');
  await accessible(agent.page, 'a template an agent may only use');
  await agent.context.close();

  const other = await open(browser);
  await signIn(other.page, 'Sandbox Developer');
  await other.page.getByRole('heading', { name: 'Answer an issue' }).waitFor();
  await other.page.goto(`${base}/#/templates`);
  await other.page.getByRole('heading', { name: /templates$/ }).waitFor();
  assert.equal(await other.page.getByText(name).count(), 0, 'an account of no role in SUP does not see it');
  assert.equal((await api(other.page, 'GET', `/templates/${id}`)).status, 404);
  await other.context.close();
});

test('an import with an error is refused and shown at its line of the file', async () => {
  const stamp = Date.now();
  const good = `Journey imported ${stamp}`;
  const file = [
    '{',
    '  "format": "postroom.templates",',
    '  "version": 1,',
    '  "templates": [',
    `    {"name": "${good}", "body": "Hello {{ reporter.first_name }}", "folder": "Imported", "tags": ["journey"],`,
    '     "scope": {"kind": "projects", "values": ["SUP"]}},',
    `    {"name": "Journey broken ${stamp}",`,
    '     "body": "Hi\\n{{ reporter.frist_name }}",',
    '     "scope": {"kind": "global"}}',
    '  ]',
    '}',
  ].join('\n');
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('link', { name: 'Canned responses' }).click();
  await page.getByRole('link', { name: 'Import' }).click();
  await page.getByRole('heading', { name: 'Import templates' }).waitFor();
  await page.getByLabel('Templates file', { exact: true }).setInputFiles({ name: 'journey.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await page.getByRole('button', { name: 'Import journey.json' }).click();
  const shown = page.locator('#import-problems li').first();
  await shown.waitFor();
  assert.match(await shown.innerText(), /^Line 8: templates\[1\]\.body unknown variable reporter\.frist_name \(line 2\)/);
  assert.match(await shown.locator('.error-line').innerText(), /^8\s+"body": "Hi\\n\{\{ reporter\.frist_name \}\}",$/);
  await accessible(page, 'an import refused');
  await screenshots(page, 'templates-import');
  const before = JSON.parse((await api(page, 'GET', '/templates')).body);
  assert.ok(!before.some((t) => t.name === good), 'nothing of the file was imported');

  await page.getByLabel('Or paste its contents').fill(file.replace('frist_name', 'first_name'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { name: 'Canned responses' }).waitFor();
  await page.getByRole('row', { name: new RegExp(good) }).waitFor();
  assert.deepEqual(
    problems.filter((p) => !/status of 422/.test(p)),
    [],
    'nothing went wrong but the refusal itself',
  );
  await context.close();
});

test('Insights count a use made through the API, for whoever administers the template', async () => {
  const stamp = Date.now();
  const name = `Journey counted ${stamp}`;
  const issue = await jira('POST', '/issue', {
    fields: { project: { key: 'SUP' }, summary: `Journey insights ${stamp}`, issuetype: { id: '10001' } },
  });
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const made = await api(page, 'POST', '/templates', { name, body: 'Seen {{ issue.key }}.', scope: { kind: 'projects', values: ['SUP'] } });
  assert.equal(made.status, 201, made.body);
  const id = JSON.parse(made.body).id;

  const token = process.env.POSTROOM_AGENT_TOKEN;
  const applied = token
    ? await fetch(`${base}/api/v1/templates/${id}/apply`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ issue: issue.key }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }))
    : await api(page, 'POST', `/templates/${id}/apply`, { issue: issue.key });
  assert.equal(applied.status, 200, applied.body);

  await page.getByRole('link', { name: 'Insights' }).click();
  await page.getByRole('heading', { name: 'Insights' }).waitFor();
  const row = page.locator('section[aria-labelledby="insights-templates-title"] tbody tr', { hasText: name });
  await row.waitFor();
  assert.equal(await row.locator('td[data-label="Posted"]').innerText(), '1');
  await page.getByLabel('Per agent and per week of').selectOption(id);
  await page.getByRole('heading', { name: `Per agent of “${name}”` }).waitFor();
  const agents = await page.locator('section[aria-labelledby="insights-agents-title"] tbody tr').count();
  assert.equal(agents, 1, 'one agent used it');
  const weeks = page.locator('section[aria-labelledby="insights-weeks-title"] td[data-label="Posted"]');
  assert.equal(await weeks.first().innerText(), '1');
  const top = page.locator('section[aria-labelledby="insights-top-title"] tbody tr', { hasText: 'SUP' });
  await top.waitFor();
  await accessible(page, 'Insights');
  await screenshots(page, 'insights');
  await fitsPhone(page, 'Insights');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a template named like markup is shown as text', async () => {
  const name = `<img src=x onerror="window.__pwned=1"> ${Date.now()}`;
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const made = await api(page, 'POST', '/templates', {
    name,
    body: '<script>window.__pwned=2</script> {{ issue.key }}',
    description: '<b>bold?</b>',
    scope: { kind: 'global' },
  });
  assert.equal(made.status, 201, made.body);
  const id = JSON.parse(made.body).id;
  for (const route of ['#/templates', `#/templates/${id}`, '#/insights']) {
    await page.goto(`${base}/${route}`);
    await page.locator('main a, main h1').filter({ hasText: name }).first().waitFor();
    assert.equal(await page.locator('main img').count(), 0, `${route}: no image element`);
    assert.equal(await page.locator('main script').count(), 0, `${route}: no script element`);
  }
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(problems, []);
  await context.close();
});
