/**
 * Importing a templates file (the exchange format of Export). The server checks the whole
 * file and saves all of it or nothing; each problem it names by path
 * (`templates[3].body`) is shown here at its line of the file, with that line.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { useFlags } from '../components/Flags';
import { PageHeader } from '../components/PageHeader';
import { lineOf, pathOf } from '../jsonLines';
import { ApiFailure } from '../transport';

interface Problem {
  field: string;
  message: string;
  line: number | null;
}

/** The line a `JSON.parse` error points at, from its "position N" or "line N". */
function syntaxLine(text: string, error: unknown): number | null {
  const said = error instanceof Error ? error.message : '';
  const line = /line (\d+)/.exec(said);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(said);
  return position ? text.slice(0, Number(position[1])).split('\n').length : null;
}

export function TemplateImport() {
  const flag = useFlags();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = async (event: Event) => {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setFileName(file.name);
    setText(await file.text());
    setProblems(null);
  };

  const send = async (event: Event) => {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      setProblems([{ field: 'file', message: `not JSON: ${e instanceof Error ? e.message : String(e)}`, line: syntaxLine(text, e) }]);
      return;
    }
    setBusy(true);
    try {
      const done = await api.importTemplates(parsed);
      setProblems(null);
      flag({ kind: 'success', title: `${done.imported.length} templates imported` });
      window.location.hash = '#/templates';
    } catch (e) {
      if (e instanceof ApiFailure && e.fieldErrors.length > 0) {
        setProblems(e.fieldErrors.map((f) => ({ ...f, line: f.field ? lineOf(text, pathOf(f.field)) : null })));
      } else {
        setProblems([{ field: 'file', message: e instanceof Error ? e.message : String(e), line: null }]);
      }
    } finally {
      setBusy(false);
    }
  };

  const lines = text.split('\n');
  return (
    <>
      <PageHeader title="Import templates" crumbs={[{ label: 'Canned responses', href: '#/templates' }]} />
      <form class="card editor-form" onSubmit={send} aria-label="Import a templates file">
        <p>
          A file made by Export (<code>postroom.templates</code>, version 1). Every template is checked first: either all are imported
          or none. Imported templates are yours; scopes you may not give are refused.
        </p>
        <div class="field">
          <label for="import-file">Templates file</label>
          <input id="import-file" type="file" accept=".json,application/json" onChange={choose} />
        </div>
        <div class="field field-body">
          <label for="import-text">Or paste its contents</label>
          <textarea
            id="import-text"
            rows={8}
            spellcheck={false}
            value={text}
            aria-describedby={problems ? 'import-problems' : undefined}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setFileName('');
            }}
          />
        </div>
        <div class="picker-actions">
          <button type="submit" class="button button-primary" disabled={busy || !text.trim()}>
            Import{fileName ? ` ${fileName}` : ''}
          </button>
        </div>
      </form>
      {problems && (
        <section class="card" aria-labelledby="import-problems-title">
          <h2 id="import-problems-title">Nothing was imported: {problems.length === 1 ? 'one problem' : `${problems.length} problems`}</h2>
          <div id="import-problems" role="alert">
          <ul class="import-problems">
            {problems.map((p, i) => (
              <li key={i}>
                <p class="error-text">
                  {p.line !== null && <strong>Line {p.line}: </strong>}
                  {p.field && p.field !== 'file' && <code>{p.field}</code>} {p.message}
                </p>
                {p.line !== null && lines[p.line - 1] !== undefined && (
                  <code class="error-line">
                    <span class="error-line-number">{p.line}</span> {lines[p.line - 1]}
                  </code>
                )}
              </li>
            ))}
          </ul>
          </div>
        </section>
      )}
    </>
  );
}
