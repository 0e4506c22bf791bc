// Profile versions, against the running `postroom serve --sandbox` of scripts/test: an
// administrator's save through the API is kept as a new version; on the Versions page the
// two are compared (the changed value with its before and after) and the older one is
// restored, which saves it as a newer version and puts the profile back as it was. axe in
// light and dark, and screenshots.
//
// Run: POSTROOM_CONSOLE_URL=http://127.0.0.1:PORT node --test tests/versions.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessible, api, launch, open, screenshots, signIn, storedProfile } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('an administrator compares two profile versions and restores the older', async () => {
  const stamp = Date.now();
  const { context, page, problems } = await open(browser);
  await signIn(page, 'Sandbox Admin');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const original = await storedProfile(page);
  const changed = { ...original.profile, '//': `Journey versions ${stamp}` };
  const put = await api(page, 'PUT', '/profile', { base_version: original.version, profile: changed });
  assert.equal(put.status, 200, put.body);
  const newer = original.version + 1;

  await page.getByRole('link', { name: 'Versions' }).click();
  await page.getByRole('heading', { name: 'Profile versions' }).waitFor();
  await page.locator('tbody tr', { hasText: `Version ${newer} (in force)` }).waitFor();
  await page.getByLabel('Before').selectOption(String(original.version));
  await page.getByLabel('After').selectOption(String(newer));
  await page.getByRole('button', { name: 'Compare' }).click();
  const change = page.locator('tbody tr', { hasText: `Journey versions ${stamp}` });
  await change.waitFor();
  assert.match(await change.innerText(), /\/\//, 'the changed value is named at its path');
  await accessible(page, 'profile versions');
  await screenshots(page, 'versions');

  await page.getByRole('button', { name: `Restore version ${original.version}`, exact: true }).click();
  await page.getByText(`Version ${original.version} restored as version ${newer + 1}`).waitFor();
  await page.locator('tbody tr', { hasText: `Version ${newer + 1} (in force)` }).waitFor();
  const now = await storedProfile(page);
  assert.equal(now.version, newer + 1);
  assert.deepEqual(now.profile, original.profile, 'the older version is the profile again');
  assert.deepEqual(problems, []);
  await context.close();
});
