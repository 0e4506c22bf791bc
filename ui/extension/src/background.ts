/**
 * The extension's background (a service worker in Chromium, an event page in Firefox).
 *
 * It keeps one content-script registration in step with the options: the picker's script
 * runs only on the Jira sites the agent named *and* granted host permission for, and on no
 * other page. It also tells a picker frame which named site its tab shows, so that a page
 * the agent did not name cannot frame the picker (it is a web-accessible resource) and get
 * anything from it. It makes no network request.
 */
import { loadSettings, matchPattern, onSite } from './settings';

const SCRIPT_ID = 'postroom-picker';

// The token is for the extension's own pages only: the content script, which runs inside
// Jira's pages, has no use for it and may not read it. (Chromium only: Firefox has no such
// setting, and there the content script simply never reads the storage.)
void chrome.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => undefined);

let syncing: Promise<void> = Promise.resolve();

/** Registers the content script for the named, granted sites (one sync at a time). */
function sync(): Promise<void> {
  syncing = syncing.then(syncNow, syncNow);
  return syncing;
}

async function syncNow(): Promise<void> {
  const { sites } = await loadSettings();
  const patterns: string[] = [];
  for (const site of sites) {
    const pattern = matchPattern(site);
    if (await chrome.permissions.contains({ origins: [pattern] })) patterns.push(pattern);
  }
  const registered = await chrome.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (registered.length > 0) await chrome.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  if (patterns.length === 0) return;
  await chrome.scripting.registerContentScripts([
    { id: SCRIPT_ID, matches: patterns, js: ['content.js'], runAt: 'document_idle', allFrames: false, persistAcrossSessions: true },
  ]);
}

chrome.runtime.onInstalled.addListener(() => void sync());
chrome.runtime.onStartup.addListener(() => void sync());
chrome.storage.onChanged.addListener((_changes, area) => area === 'local' && void sync());
chrome.permissions.onAdded.addListener(() => void sync());
chrome.permissions.onRemoved.addListener(() => void sync());
// The toolbar button opens the options: the picker itself lives on Jira's pages.
chrome.action.onClicked.addListener(() => void chrome.runtime.openOptionsPage());

/** A picker frame asks which named site its tab shows: the site, or null. */
chrome.runtime.onMessage.addListener((message: unknown, sender, reply: (answer: { site: string | null }) => void) => {
  if ((message as { kind?: unknown } | null)?.kind !== 'site-of-frame') return false;
  const address = sender.tab?.url;
  void loadSettings().then(({ sites }) => reply({ site: address ? onSite(address, sites) : null }));
  return true;
});
