/**
 * The Forge app's issue-view module (`jira:issueActivity`, a tab of the issue's Activity
 * section; app/forge/README.md says why there): the canned-response picker for the issue
 * Jira shows. The issue comes from Forge's context, the colours from Jira's own light or
 * dark theme (`view.theme.enable()`), and every call goes through Forge's bridge with the
 * person's user token, so the reply is posted as them.
 *
 * A bundle of its own (`dist/issue/`): a tab on every issue page loads only the picker,
 * not the console.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'virtual:ads-tokens.css';
import './console.css';
import { Picker, message } from './picker/Picker';
import { pickerApiOver } from './picker/api';
import type { Answerable } from './picker/api';
import { transport } from './transport';

const api = pickerApiOver(transport);

/** The issue Jira shows this module, from Forge's context. */
async function shownIssue(): Promise<string> {
  const { view } = await import('@forge/bridge');
  await view.theme.enable().catch(() => undefined);
  const context = await view.getContext();
  const key = (context.extension as { issue?: { key?: unknown } } | undefined)?.issue?.key;
  if (typeof key !== 'string' || !key) throw new Error('Jira did not say which issue this is. Reload the issue.');
  return key;
}

function IssueActivity() {
  const [issue, setIssue] = useState<Answerable | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    shownIssue()
      .then((key) => api.issue(key))
      .then(setIssue, (e: unknown) => setError(message(e)));
  }, []);
  if (error) return <p class="error-text" role="alert">{error}</p>;
  if (!issue) return <p class="booting">Loading postroom's picker…</p>;
  return <Picker issue={issue} host="jira" api={api} />;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<IssueActivity />, root);
}
