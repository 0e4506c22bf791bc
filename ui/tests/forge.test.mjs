// The console inside Jira Cloud: the Forge app's pages as the sandbox's Forge platform
// hosts them (Forge's bridge on the page, the console's bundle as the app's resource),
// against a running `postroom serve --sandbox`, which installs the app into two Cloud
// sites. Every API call must go through the bridge (`invokeRemote`, with an invocation
// token naming the site and the person), never straight to postroom.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT npm run journeys
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, base, launch, open, screenshots } from './support.mjs';

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

/** Who the page's bridge says is signed in: one `invokeRemote` of `/api/v1/session`. */
function sessionThroughBridge(page) {
  return page.evaluate(async () => {
    const answer = await globalThis.__bridge.callBridge('invoke', {
      path: '/api/v1/session',
      method: 'GET',
      invokeType: 'ui-remote-fetch',
    });
    return answer.payload.body;
  });
}

test("inside Jira the console speaks to postroom through Forge's bridge, as each site's own tenant", async () => {
  const { context, page, problems } = await open(browser);
  const direct = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/v1')) direct.push(r.url());
  });

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
  const refused = await page.evaluate(async () => {
    const answer = await globalThis.__bridge.callBridge('invoke', {
      path: '/api/v1/overview',
      method: 'GET',
      invokeType: 'ui-remote-fetch',
    });
    return answer.error?.status;
  });
  assert.equal(refused, 403);

  assert.deepEqual(direct, [], 'no call went to postroom around the bridge');
  assert.deepEqual(problems, []);
  await context.close();
});
