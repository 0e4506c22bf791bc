/**
 * The picker page, framed by the content script on a Jira issue page: the console's picker
 * over the agent's token, with an insert into Jira's comment editor.
 *
 * Before anything else it asks the background which of the agent's named Jira sites its
 * tab shows: the page is web-accessible (a frame must be able to load it), so a site the
 * agent did not name could frame it too, and then it shows nothing and calls nothing.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'virtual:ads-tokens.css';
import '../../src/console.css';
import './extension.css';
import { Picker, message } from '../../src/picker/Picker';
import { pickerApiOver } from '../../src/picker/api';
import type { Answerable, PickerApi } from '../../src/picker/api';
import { loadSettings } from './settings';
import { TokenTransport } from './token-transport';

const params = new URLSearchParams(location.search);
const key = params.get('issue') ?? '';
document.documentElement.setAttribute('data-color-mode', params.get('theme') === 'dark' ? 'dark' : 'light');

/** Asks the content script on the Jira page to insert `text`; where it went. */
function askJira(site: string, text: string): Promise<'editor' | 'none'> {
  const id = crypto.randomUUID();
  const origin = new URL(site).origin;
  return new Promise((resolve) => {
    const done = (where: 'editor' | 'none') => {
      window.removeEventListener('message', listen);
      window.clearTimeout(timer);
      resolve(where);
    };
    const listen = (event: MessageEvent) => {
      const answer = event.data as { postroom?: unknown; id?: unknown; where?: unknown } | null;
      if (event.source !== window.parent || event.origin !== origin) return;
      if (answer?.postroom === 'inserted' && answer.id === id) done(answer.where === 'editor' ? 'editor' : 'none');
    };
    const timer = window.setTimeout(() => done('none'), 3000);
    window.addEventListener('message', listen);
    window.parent.postMessage({ postroom: 'insert', id, text }, origin);
  });
}

/** Into Jira's comment editor, else onto the clipboard; says which. */
async function insert(site: string, text: string): Promise<string> {
  if ((await askJira(site, text)) === 'editor') {
    return "Inserted into Jira's comment editor. Review it there, then save the comment in Jira.";
  }
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    throw new Error("Jira's comment editor was not found on this page, and the clipboard refused the reply: copy it from the preview.");
  }
  return "Jira's comment editor was not found on this page, so the reply is on the clipboard: paste it into the comment.";
}

type State =
  | { kind: 'loading' }
  | { kind: 'stop'; text: string; options: boolean }
  | { kind: 'ready'; site: string; api: PickerApi; issue: Answerable };

function Frame() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    void (async () => {
      const { site } = (await chrome.runtime.sendMessage({ kind: 'site-of-frame' })) as { site: string | null };
      if (!site) {
        setState({ kind: 'stop', text: "postroom's picker works only on the Jira sites named in the extension's options.", options: false });
        return;
      }
      const settings = await loadSettings();
      if (!settings.postroom || !settings.token) {
        setState({ kind: 'stop', text: "Give the extension your postroom's address and an API token first.", options: true });
        return;
      }
      const api = pickerApiOver(new TokenTransport(settings.postroom, settings.token));
      try {
        setState({ kind: 'ready', site, api, issue: await api.issue(key) });
      } catch (e) {
        setState({ kind: 'stop', text: message(e), options: false });
      }
    })();
  }, []);

  if (state.kind === 'loading') return <p class="booting">Loading postroom's picker…</p>;
  if (state.kind === 'stop') {
    return (
      <section class="empty-state" aria-live="polite">
        <p>{state.text}</p>
        {state.options && (
          <button type="button" class="button button-primary" onClick={() => void chrome.runtime.openOptionsPage()}>
            Open the extension's options
          </button>
        )}
      </section>
    );
  }
  const { site, api, issue } = state;
  return <Picker issue={issue} host="extension" api={api} insert={(text) => insert(site, text)} />;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<Frame />, root);
}
