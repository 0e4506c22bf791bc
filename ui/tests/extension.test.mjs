// The browser extension (scripts/build-extension's unpacked folder) in Debian's Chromium
// (`--headless=new --load-extension`), against the stand-in Jira issue page the sandbox
// serves (/sandbox/jira/browse/KEY; see crates/jira-sandbox/src/routes/browse.rs):
// options saved with the agent's API token; the picker added on a named site's issue page;
// a reply inserted into Cloud's ProseMirror editor and into Data Center's textarea; with
// no editor, on the clipboard; posted through postroom; and on a site the agent did not
// name, no content script and no request. Screenshots for docs/extension.md.
//
// Headless Chromium cannot answer the host-permission prompt of `permissions.request`, so
// the test loads a copy of the built extension whose manifest already grants the two test
// origins (`host_permissions`): the options page's request then resolves without a prompt,
// and everything after it (saving, registering the content script for the named site
// only) runs as shipped.
//
// Run: POSTROOM_CONSOLE_URL=… POSTROOM_AGENT_TOKEN=… POSTROOM_EXTENSION_DIR=… npm run journeys
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import axe from 'axe-core';
import { adminTemplate, base, jira, launch } from './support.mjs';

const built = process.env.POSTROOM_EXTENSION_DIR ?? fileURLToPath(new URL('../../target/extension/unpacked', import.meta.url));
const token = process.env.POSTROOM_AGENT_TOKEN;
const shots = fileURLToPath(new URL('../../docs/extension/', import.meta.url));
const site = `${base}/sandbox/jira`;
// The same sandbox under another host name: a Jira site the agent did not name.
const other = site.replace('127.0.0.1', 'localhost');

let browser;
let context;
let worker;
let profile;

before(async () => {
  assert.ok(token, 'POSTROOM_AGENT_TOKEN holds an agent token of the running postroom');
  browser = await launch();
  profile = mkdtempSync(join(tmpdir(), 'postroom-extension-'));
  const dir = join(profile, 'extension');
  cpSync(built, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.host_permissions = [`${new URL(base).protocol}//${new URL(base).hostname}/*`];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  context = await chromium.launchPersistentContext(join(profile, 'user'), {
    executablePath: process.env.POSTROOM_CHROMIUM ?? '/usr/bin/chromium',
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--headless=new', `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await context?.close();
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const extensionId = () => new URL(worker.url()).host;

/** Every request the context makes to postroom's API from now on. */
function apiRequests() {
  const seen = [];
  const listen = (r) => new URL(r.url()).pathname.startsWith('/api/v1') && seen.push(r.url());
  context.on('request', listen);
  return { seen, stop: () => context.off('request', listen) };
}

/** No serious or critical axe violation in `target`, a page or a frame. */
async function noAxeViolations(target, name) {
  await target.evaluate(axe.source);
  const result = await target.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], name);
}

/** The issue page, its picker frame, and the template chosen in it. */
async function chooseOn(page, address, name) {
  await page.goto(address);
  const frame = page.frameLocator('#postroom-picker iframe');
  const search = frame.getByLabel('Find a template');
  await search.waitFor();
  await search.fill(name);
  await frame.getByRole('option', { name: new RegExp(name) }).waitFor();
  await search.press('Enter');
  await frame.getByRole('heading', { name }).waitFor();
  return frame;
}

test('the extension inserts a chosen reply into Jira, falls back to the clipboard, posts, and stays off sites not named', async () => {
  const stamp = Date.now();
  const name = `Extension hello ${stamp}`;
  await adminTemplate(browser, {
    name,
    body: 'Hello {{ reporter.display_name }}, about {{ issue.key }}: we are on it.',
    tags: ['extension'],
    scope: { kind: 'projects', values: ['SUP'] },
  });
  const issue = await jira('POST', '/issue', {
    fields: { project: { key: 'SUP' }, summary: `Extension printer ${stamp}`, issuetype: { id: '10001' } },
  });
  const expected = `Hello Sandbox Admin, about ${issue.key}: we are on it.`;

  // Options: postroom, the token, one Jira site; the token is checked with postroom.
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId()}/options.html`);
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText('Paste the token postroom gave you.').waitFor();
  await options.getByLabel("Your postroom's address").fill(base);
  await options.getByLabel('Your API token').fill(token);
  await options.getByLabel('Your Jira sites, one address a line').fill(`${site}\nftp://jira.example.com`);
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText(/must use https/).waitFor();
  await options.getByLabel('Your Jira sites, one address a line').fill(site);
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText(/^Saved\. postroom knows this token as Jira account 557058:/).waitFor();
  await noAxeViolations(options, 'the options page');
  await options.screenshot({ path: `${shots}options.png`, fullPage: true });
  const stored = await worker.evaluate(() => chrome.storage.local.get('settings'));
  assert.deepEqual(stored.settings, { postroom: base, token, sites: [site] });
  for (let i = 0; i < 50; i++) {
    const scripts = await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
    if (scripts.length === 1) {
      assert.deepEqual(scripts[0].matches, ['http://127.0.0.1/sandbox/jira/*']);
      break;
    }
    await options.waitForTimeout(100);
  }
  await options.close();

  // Jira Cloud's editor: the reply is inserted where the agent writes.
  const page = await context.newPage();
  let frame = await chooseOn(page, `${site}/browse/${issue.key}`, name);
  await frame.getByRole('button', { name: "Insert into Jira's comment" }).click();
  await frame.getByText(/^Inserted into Jira's comment editor/).waitFor();
  assert.equal((await page.locator('.ProseMirror').innerText()).trim(), expected);
  await page.screenshot({ path: `${shots}insert.png` });
  const pickerFrame = page.frames().find((f) => f.url().startsWith(`chrome-extension://${extensionId()}/picker.html`));
  await noAxeViolations(pickerFrame, 'the picker in its frame');

  // Posting goes through postroom.
  await frame.getByRole('button', { name: 'Post reply' }).click();
  await frame.getByText(new RegExp(`posted on ${issue.key}`)).waitFor();
  const seen = await jira('GET', `/issue/${issue.key}?fields=comment`);
  assert.equal(seen.fields.comment.comments.length, 1);
  assert.match(JSON.stringify(seen.fields.comment.comments[0].body), new RegExp(`about ${issue.key}: we are on it`));
  // With an API token there is no user token of the agent's: postroom posts with the site's
  // own Jira credentials (the sandbox's administrator), as the console's agent page does.
  assert.equal(seen.fields.comment.comments[0].author.accountId, '557058:0b5e0000-0000-4000-8000-000000000001');

  // Jira Data Center's textarea, in the issue navigator's address; and the dark theme.
  frame = await chooseOn(page, `${site}/issues/?selectedIssue=${issue.key}&editor=server&theme=dark`, name);
  assert.equal(await frame.locator('html').getAttribute('data-color-mode'), 'dark');
  await noAxeViolations(page.frames().find((f) => f.url().includes('theme=dark')), 'the picker in its frame, dark');
  await page.locator('#comment').fill('Before. ');
  await frame.getByRole('button', { name: "Insert into Jira's comment" }).click();
  await frame.getByText(/^Inserted into Jira's comment editor/).waitFor();
  assert.equal(await page.locator('#comment').inputValue(), `Before. ${expected}`);

  // No editor on the page: the clipboard, and the agent is told.
  frame = await chooseOn(page, `${site}/browse/${issue.key}?editor=none`, name);
  await frame.getByRole('button', { name: "Insert into Jira's comment" }).click();
  await frame.getByText(/the reply is on the clipboard/).waitFor();
  await page.bringToFront();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
  await page.screenshot({ path: `${shots}clipboard.png` });

  // A page of a named site that shows no issue: no picker.
  await page.goto(`${site}/browse/${issue.key.toLowerCase()}-draft`);
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('#postroom-picker').count(), 0, 'no picker without an issue key');

  // A site the agent did not name: no content script, no request, and the picker's page
  // framed by that site itself refuses to work.
  const requests = apiRequests();
  await page.goto(`${other}/browse/${issue.key}`);
  await page.getByRole('heading', { name: `Extension printer ${stamp}` }).waitFor();
  await page.waitForTimeout(2500);
  assert.equal(await page.locator('#postroom-picker').count(), 0, 'no picker on a site not named');
  await page.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    document.body.append(frame);
  }, `chrome-extension://${extensionId()}/picker.html?issue=${issue.key}`);
  await page.frameLocator('iframe').getByText(/works only on the Jira sites named/).waitFor();
  requests.stop();
  assert.deepEqual(requests.seen, [], 'nothing was asked of postroom from a site not named');
  await page.close();
});
