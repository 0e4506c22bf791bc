// The console inside Jira Cloud: the Forge app's pages as the sandbox's Forge platform
// hosts them (Forge's bridge on the page, the console's bundle as the app's resource),
// against a running `postroom serve --sandbox`, which installs the app into two Cloud
// sites. Every API call must go through the bridge (`invokeRemote`, with an invocation
// token naming the site and the person), never straight to postroom.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT npm run journeys
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, base, launch, open, sandboxAdmin, screenshots } from './support.mjs';

const AGENT_ACCOUNT_ID = '557058:0b5e0000-0000-4000-8000-000000000002';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The app's page `place` (as the index of the sandbox's Forge platform names it) for `who`, on the `site`-th site. */
async function openApp(page, place, who, site) {
  await page.goto(`${base}/sandbox/forge`);
  await page.getByRole('link', { name: `${place} (as ${who})` }).nth(site).click();
}

/** A fresh browser profile, noting every call that goes to postroom's API around the bridge. */
async function openInJira() {
  const opened = await open(browser);
  const direct = [];
  opened.page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/v1')) direct.push(r.url());
  });
  return { ...opened, direct };
}

/** A JSON call to postroom through the page's bridge, as Forge carries it. */
function throughBridge(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const answer = await globalThis.__bridge.callBridge('invoke', {
        path: `/api/v1${path}`,
        method,
        headers: { 'Content-Type': 'application/json' },
        body,
        invokeType: 'ui-remote-fetch',
      });
      return answer.success ? { status: answer.payload.status, body: answer.payload.body } : { status: answer.error.status, body: answer.error.body };
    },
    [method, path, body],
  );
}

/** Who the page's bridge says is signed in: one `invokeRemote` of `/api/v1/session`. */
async function sessionThroughBridge(page) {
  return (await throughBridge(page, 'GET', '/session')).body;
}

test("inside Jira the console speaks to postroom through Forge's bridge, as each site's own tenant", async () => {
  const { context, page, problems, direct } = await openInJira();

  await openApp(page, 'Jira settings → Apps → postroom', 'the administrator', 0);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  // The site's standing as an installation of the app, the licence its tokens carry.
  const app = page.locator('section', { has: page.getByRole('heading', { name: 'Jira Cloud app' }) });
  await app.waitFor();
  assert.match(await app.innerText(), /Licence\s+no licence information \(counts as licensed\)/);
  assert.match(await app.innerText(), /App token\s+held until/);
  // Jira signed the person in: there is nothing to sign out of here.
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  const first = await sessionThroughBridge(page);
  assert.equal(first.role, 'admin');
  assert.match(first.tenant, /^forge-/);
  await accessible(page, 'the overview inside Jira');
  await screenshots(page, 'forge-overview');

  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('heading', { name: 'Audit' }).waitFor();
  await accessible(page, 'the audit inside Jira');

  // The other site's installation is another tenant.
  await openApp(page, 'Jira settings → Apps → postroom', 'the administrator', 1);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const second = await sessionThroughBridge(page);
  assert.match(second.tenant, /^forge-/);
  assert.notEqual(second.tenant, first.tenant);

  // An agent of the site reaches the agent's page only; the server refuses the rest.
  await openApp(page, 'Project settings → postroom', 'the agent', 0);
  await page.getByRole('heading', { name: 'Answer an issue' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Overview' }).count(), 0);
  const refused = (await throughBridge(page, 'GET', '/overview')).status;
  assert.equal(refused, 403);

  assert.deepEqual(direct, [], 'no call went to postroom around the bridge');
  assert.deepEqual(problems, []);
  await context.close();
});

/** A Jira REST call to the first Cloud site as its administrator. */
async function cloudJira(method, path, body) {
  const response = await fetch(`${base}/sandbox/cloud-a/rest/api/3${path}`, {
    method,
    headers: { Authorization: sandboxAdmin, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  return response.json();
}

test("in Jira's issue view the agent chooses a canned response and posts it as themselves", async () => {
  const stamp = Date.now();
  const name = `Issue view hello ${stamp}`;
  const { context, page, problems, direct } = await openInJira();
  await openApp(page, 'Jira settings → Apps → postroom', 'the administrator', 0);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const made = await throughBridge(page, 'POST', '/templates', {
    name,
    body: 'Hello {{ reporter.display_name }}, about {{ issue.key }}: we are on it.',
    tags: ['issue-view'],
    scope: { kind: 'projects', values: ['SUP'] },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const issue = await cloudJira('POST', '/issue', {
    fields: { project: { key: 'SUP' }, summary: `Issue view printer ${stamp}`, issuetype: { id: '10001' } },
  });

  // The issue's Activity tab, as the agent, in Jira's dark theme.
  await page.goto(`${base}/sandbox/forge`);
  const form = page.getByRole('form', { name: /^Issue → Activity → postroom on / }).first();
  await form.getByLabel('Issue key').fill(issue.key);
  await form.getByLabel("Jira's theme").selectOption('dark');
  await form.getByRole('button', { name: "Open the issue's activity" }).click();
  await page.getByRole('heading', { name: `Reply to ${issue.key}` }).waitFor();
  assert.equal(await page.locator('html').getAttribute('data-color-mode'), 'dark', "Jira's theme is followed");
  const search = page.getByLabel('Find a template');
  await search.fill(`issue view hello ${stamp}`);
  await page.getByRole('option', { name: new RegExp(name) }).waitFor();
  await search.press('Enter');
  await page.getByRole('heading', { name }).waitFor();
  await screenshots(page, 'forge-issue-view');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await page.getByText(new RegExp(`posted on ${issue.key}`)).waitFor();

  const seen = await cloudJira('GET', `/issue/${issue.key}?fields=comment`);
  const comments = seen.fields.comment.comments;
  assert.equal(comments.length, 1);
  assert.match(JSON.stringify(comments[0].body), new RegExp(`Hello Sandbox Admin, about ${issue.key}: we are on it`));
  assert.equal(comments[0].author.accountId, AGENT_ACCOUNT_ID, 'posted as the agent, with their user token');
  await accessible(page, 'the picker in the issue view');
  assert.deepEqual(direct, [], 'no call went to postroom around the bridge');
  assert.deepEqual(problems, []);
  await context.close();
});
