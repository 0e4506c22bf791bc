/**
 * The options page: the agent's postroom, their API token and their Jira sites. Saving asks
 * the browser for host permission on exactly those sites and postroom's origin (in the
 * click, as browsers require), gives back the permission of sites no longer named, keeps
 * the settings in `storage.local`, and checks the token with postroom (`/api/v1/whoami`).
 * The background then registers the picker's content script for the granted sites.
 */
import 'virtual:ads-tokens.css';
import '../../src/console.css';
import './extension.css';
import { message } from '../../src/picker/Picker';
import { loadSettings, matchPattern, parseSite, saveSettings, siteText } from './settings';
import type { Settings } from './settings';
import { TokenTransport } from './token-transport';

const form = document.getElementById('options') as HTMLFormElement;
const postroom = document.getElementById('options-postroom') as HTMLInputElement;
const token = document.getElementById('options-token') as HTMLInputElement;
const sites = document.getElementById('options-sites') as HTMLTextAreaElement;
const status = document.getElementById('options-status') as HTMLElement;

document.documentElement.setAttribute('data-color-mode', matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');

function fieldError(input: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  const slot = document.getElementById(`${input.id}-error`);
  if (slot) slot.textContent = text;
  input.setAttribute('aria-invalid', String(text !== ''));
}

/** The form's settings, or null after marking each field that is wrong. */
function read(): Settings | null {
  for (const input of [postroom, token, sites]) fieldError(input, '');
  const server = parseSite(postroom.value);
  if (typeof server === 'string') fieldError(postroom, server);
  const secret = token.value.trim();
  if (!secret) fieldError(token, 'Paste the token postroom gave you.');
  const named: string[] = [];
  const wrong: string[] = [];
  for (const line of sites.value.split('\n').filter((l) => l.trim())) {
    const site = parseSite(line);
    if (typeof site === 'string') wrong.push(site);
    else if (!named.includes(siteText(site))) named.push(siteText(site));
  }
  if (wrong.length > 0) fieldError(sites, wrong.join('. '));
  else if (named.length === 0) fieldError(sites, 'Name at least one Jira site.');
  if (typeof server === 'string' || !secret || wrong.length > 0 || named.length === 0) return null;
  return { postroom: siteText(server), token: secret, sites: named };
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  status.textContent = '';
  const next = read();
  if (!next) {
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    return;
  }
  const origins = [matchPattern(next.postroom), ...next.sites.map(matchPattern)];
  // Asked first, before any other await: the browser grants only within the click.
  const asked = chrome.permissions.request({ origins });
  void (async () => {
    if (!(await asked)) {
      status.textContent = 'Not saved: the browser did not allow the extension on these sites.';
      return;
    }
    const before = await loadSettings();
    const kept = new Set(origins);
    const dropped = [before.postroom, ...before.sites].filter((s) => s).map(matchPattern).filter((p) => !kept.has(p));
    if (dropped.length > 0) await chrome.permissions.remove({ origins: dropped });
    await saveSettings(next);
    try {
      const who = await new TokenTransport(next.postroom, next.token).json<{ account_id: string; tenant: string }>('GET', '/whoami');
      status.textContent = `Saved. postroom knows this token as Jira account ${who.account_id}.`;
    } catch (e) {
      status.textContent = `Saved, but postroom did not accept the token: ${message(e)}`;
    }
  })();
});

void loadSettings().then((saved) => {
  postroom.value = saved.postroom;
  token.value = saved.token;
  sites.value = saved.sites.join('\n');
});
