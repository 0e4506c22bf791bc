/**
 * The content script, registered by the background only for the Jira sites the agent
 * named. On an issue page (the key read from the address: `/browse/KEY`, or
 * `?selectedIssue=KEY` in boards and the issue navigator) it adds a button that opens
 * postroom's picker in a frame of the extension's own, and puts the reply the agent chooses
 * into Jira's comment editor where it finds one. It never sends anything anywhere: the
 * picker frame speaks to postroom, and this script only to that frame.
 *
 * Jira is a single-page application: the address changes without a new page, so it is
 * looked at again every second and the picker follows the issue shown.
 */
import { findEditor, insertInto } from './editor';

const KEY = /^[A-Z][A-Z0-9_]*-[1-9][0-9]*$/;
const HOST_ID = 'postroom-picker';

/** The issue key an address shows, or null. */
function issueKey(address: string): string | null {
  const url = new URL(address);
  const selected = url.searchParams.get('selectedIssue');
  if (selected && KEY.test(selected)) return selected;
  const browse = /\/browse\/([^/?#]+)\/?$/.exec(url.pathname);
  const key = browse?.[1] ? decodeURIComponent(browse[1]) : null;
  return key && KEY.test(key) ? key : null;
}

const extensionOrigin = new URL(chrome.runtime.getURL('')).origin;

/** Jira's theme, as Jira Cloud marks it on `<html>` (Data Center has none: light). */
function jiraTheme(): 'light' | 'dark' {
  return document.documentElement.getAttribute('data-color-mode') === 'dark' ? 'dark' : 'light';
}

let shown: { key: string; host: HTMLElement; frame: HTMLIFrameElement } | null = null;

function mount(key: string): void {
  const host = document.createElement('div');
  host.id = HOST_ID;
  Object.assign(host.style, { position: 'fixed', right: '16px', bottom: '16px', zIndex: '2147483000' });
  const root = host.attachShadow({ mode: 'open' });
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.textContent = 'Canned responses';
  toggle.setAttribute('aria-expanded', 'true');
  Object.assign(toggle.style, {
    display: 'block',
    marginLeft: 'auto',
    font: '600 14px system-ui, sans-serif',
    padding: '6px 12px',
    border: '1px solid #0c66e4',
    borderRadius: '3px',
    background: '#0c66e4',
    color: '#ffffff',
    cursor: 'pointer',
  });
  const frame = document.createElement('iframe');
  const src = new URL(chrome.runtime.getURL('picker.html'));
  src.searchParams.set('issue', key);
  src.searchParams.set('theme', jiraTheme());
  frame.src = src.href;
  frame.title = `postroom: canned responses for ${key}`;
  frame.allow = 'clipboard-write';
  Object.assign(frame.style, {
    display: 'block',
    width: 'min(440px, calc(100vw - 32px))',
    height: 'min(600px, calc(100vh - 80px))',
    marginTop: '8px',
    border: '1px solid #8590a2',
    borderRadius: '3px',
    background: jiraTheme() === 'dark' ? '#1d2125' : '#ffffff',
  });
  toggle.addEventListener('click', () => {
    const open = frame.style.display !== 'none';
    frame.style.display = open ? 'none' : 'block';
    toggle.setAttribute('aria-expanded', String(!open));
  });
  root.append(toggle, frame);
  document.body.append(host);
  shown = { key, host, frame };
}

function follow(): void {
  const key = issueKey(location.href);
  if (shown && shown.key === key) return;
  shown?.host.remove();
  shown = null;
  if (key) mount(key);
}

/** The picker frame asks to insert a reply; the answer says where it went. */
window.addEventListener('message', (event: MessageEvent) => {
  if (!shown || event.source !== shown.frame.contentWindow || event.origin !== extensionOrigin) return;
  const ask = event.data as { postroom?: unknown; id?: unknown; text?: unknown } | null;
  if (ask?.postroom !== 'insert' || typeof ask.text !== 'string') return;
  const editor = findEditor(document);
  const where = editor && insertInto(editor, ask.text) ? 'editor' : 'none';
  shown.frame.contentWindow?.postMessage({ postroom: 'inserted', id: ask.id, where }, extensionOrigin);
});

follow();
window.setInterval(follow, 1000);
