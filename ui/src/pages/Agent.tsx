/**
 * The agent's page (`/agent`): find the issue to answer by its key or a JQL query, then
 * answer it with the canned-response picker.
 */
import { useState } from 'preact/hooks';
import { PageHeader } from '../components/PageHeader';
import { Picker, message } from '../picker/Picker';
import { pickerApiOver } from '../picker/api';
import type { Answerable, IssueBrief } from '../picker/api';
import { transport } from '../transport';

const pickerApi = pickerApiOver(transport);

export function Agent() {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<IssueBrief[] | null>(null);
  const [issue, setIssue] = useState<Answerable | null>(null);
  const [error, setError] = useState<string | null>(null);

  const open = async (key: string) => {
    setError(null);
    try {
      setIssue(await pickerApi.issue(key));
    } catch (e) {
      setError(message(e));
    }
  };

  const find = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setIssue(null);
    try {
      const list = await pickerApi.findIssues(query);
      setFound(list);
      const [only] = list;
      if (list.length === 1 && only) await open(only.key);
    } catch (e) {
      setFound(null);
      setError(message(e));
    }
  };

  return (
    <>
      <PageHeader title="Answer an issue">
        <form class="filters" role="search" aria-label="Find an issue" onSubmit={find}>
          <div class="field field-wide">
            <label for="agent-issue">Issue key or JQL</label>
            <input
              id="agent-issue"
              type="search"
              autoComplete="off"
              placeholder="SUP-12, or project = SUP AND status = Open"
              value={query}
              aria-invalid={error !== null}
              aria-describedby={error ? 'agent-issue-error' : undefined}
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="button button-primary">
            Find issue
          </button>
        </form>
        {error && (
          <p id="agent-issue-error" class="error-text" role="alert">
            {error}
          </p>
        )}
      </PageHeader>
      {found && found.length === 0 && <p class="empty-state">No issue you may see matches. Check the key, or widen the JQL.</p>}
      {found && found.length > 1 && (
        <ul class="issue-list" aria-label="Issues found">
          {found.map((brief) => (
            <li key={brief.key}>
              <button type="button" class="button button-subtle" aria-pressed={issue?.key === brief.key} onClick={() => open(brief.key)}>
                <strong>{brief.key}</strong> {brief.summary} <span class="subtle">({brief.status})</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {issue && (
        <>
          <p class="issue-brief">
            <strong>{issue.key}</strong> {issue.summary} <span class="lozenge">{issue.status}</span>
          </p>
          <Picker key={issue.key} issue={issue} host="console" api={pickerApi} />
        </>
      )}
    </>
  );
}
