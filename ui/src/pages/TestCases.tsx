/**
 * Test cases (`#/testcases`): the site's own mail kept with the plan it is expected to
 * produce. Upload an `.eml` (or make one from the audit), run one or all against the
 * profile in force or the draft the Rules editor keeps, and read, per changed case, each
 * field with its expected and its actual value; accept a new plan or remove a case.
 */
import { useState } from 'preact/hooks';
import { useFlags } from '../components/Flags';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { Problems } from '../components/Problems';
import { Table } from '../components/Table';
import { when } from '../format';
import { rulesApi, storedDraft } from '../rulesApi';
import type { CaseResult, RunResult, TestCase } from '../rulesApi';
import { ApiFailure } from '../transport';
import { JsonValue } from './testcases/JsonValue';

type Against = 'in_force' | 'draft';

const message = (e: unknown) =>
  e instanceof ApiFailure && e.fieldErrors.length > 0
    ? e.fieldErrors.map((f) => `${f.field}: ${f.message}`)
    : [e instanceof Error ? e.message : String(e)];

export function TestCases() {
  const [loaded, reload] = useLoad(rulesApi.testCases, []);
  return (
    <>
      <PageHeader title="Test cases" />
      <p class="subtle">
        Real mail kept with the plan it should get. Run them before a profile change goes live to see which mail would go elsewhere.
      </p>
      <Show loaded={loaded}>{({ cases }) => <Cases cases={cases} reload={reload} />}</Show>
    </>
  );
}

function Cases(props: { cases: TestCase[]; reload: () => void }) {
  const flag = useFlags();
  const draft = storedDraft();
  const [against, setAgainst] = useState<Against>('in_force');
  const [results, setResults] = useState<Record<string, CaseResult>>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const candidate = () => (against === 'draft' ? storedDraft()?.profile : undefined);

  const busyWith = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblems([]);
    try {
      await work();
    } catch (e) {
      setProblems(message(e));
    } finally {
      setBusy(false);
    }
  };
  const run = (ids: string[] | null) =>
    busyWith(async () => {
      const answer: RunResult = await rulesApi.run(ids, candidate());
      setResults((before) => ({ ...(ids ? before : {}), ...Object.fromEntries(answer.cases.map((c) => [c.id, c])) }));
      const profile = answer.against === 'candidate' ? 'the draft' : 'the profile in force';
      setSummary(`${answer.cases.length} run against ${profile}: ${answer.changed} changed.`);
    });
  const accept = (c: TestCase) =>
    busyWith(async () => {
      await rulesApi.accept(c.id, candidate());
      setResults((before) => Object.fromEntries(Object.entries(before).filter(([id]) => id !== c.id)));
      flag({ kind: 'success', title: `${c.name}: its plan now is the expected one` });
      props.reload();
    });
  const remove = (c: TestCase) =>
    busyWith(async () => {
      await rulesApi.remove(c.id);
      flag({ kind: 'success', title: `Test case ${c.name} removed` });
      props.reload();
    });
  const changed = props.cases.map((c) => results[c.id]).filter((r): r is CaseResult => r?.changed === true);
  return (
    <>
      <Upload reload={props.reload} />
      <section class="card" aria-labelledby="cases-title">
        <h2 id="cases-title">Cases</h2>
        {draft && (
          <fieldset class="choice">
            <legend>Run against</legend>
            <label>
              <input type="radio" name="against" checked={against === 'in_force'} onChange={() => setAgainst('in_force')} /> The profile in force
            </label>
            <label>
              <input type="radio" name="against" checked={against === 'draft'} onChange={() => setAgainst('draft')} /> The draft being edited
              (from version {draft.base_version})
            </label>
          </fieldset>
        )}
        <div class="actions">
          <button type="button" class="button button-primary" disabled={busy || props.cases.length === 0} onClick={() => run(null)}>
            Run all
          </button>
        </div>
        <Problems id="cases-problems" messages={problems} />
        {summary && (
          <p role="status" class="subtle">
            {summary}
          </p>
        )}
        <Table
          caption="Test cases, oldest first"
          columns={[
            { key: 'name', label: 'Name', cell: (c) => <span class="template-name">{c.name}</span> },
            { key: 'added', label: 'Added', cell: (c) => when(c.created_at_ms) },
            { key: 'accepted', label: 'Plan accepted', cell: (c) => when(c.updated_at_ms) },
            { key: 'result', label: 'Last run', cell: (c) => <Verdict result={results[c.id]} /> },
            {
              key: 'actions',
              label: 'Action',
              cell: (c) => (
                <span class="row-actions">
                  <button type="button" class="button" disabled={busy} onClick={() => run([c.id])}>
                    Run<span class="visually-hidden"> {c.name}</span>
                  </button>
                  {results[c.id]?.changed && (
                    <button type="button" class="button" disabled={busy} onClick={() => accept(c)}>
                      Accept new plan<span class="visually-hidden"> of {c.name}</span>
                    </button>
                  )}
                  <button type="button" class="button button-danger" disabled={busy} onClick={() => remove(c)}>
                    Remove<span class="visually-hidden"> {c.name}</span>
                  </button>
                </span>
              ),
            },
          ]}
          rows={props.cases}
          rowKey={(c) => c.id}
          empty={<p>No test case yet. Upload an .eml here, or open a message in the Audit and make a test case of it.</p>}
        />
      </section>
      {changed.map((r) => (
        <section key={r.id} class="card case-changes" aria-labelledby={`changes-${r.id}`}>
          <h2 id={`changes-${r.id}`} class="template-name">
            {r.name}: {r.changes.length === 1 ? '1 field' : `${r.changes.length} fields`} changed
          </h2>
          <Table
            caption={`Fields of ${r.name} whose value changed`}
            columns={[
              { key: 'field', label: 'Field', cell: (c) => <code class="template-name">{c.field}</code> },
              { key: 'expected', label: 'Expected', cell: (c) => <JsonValue value={c.expected} absent="none" /> },
              { key: 'actual', label: 'Actual', cell: (c) => <JsonValue value={c.actual} absent="none" /> },
            ]}
            rows={r.changes}
            rowKey={(c) => c.field}
            empty={null}
          />
        </section>
      ))}
    </>
  );
}

function Verdict(props: { result: CaseResult | undefined }) {
  if (!props.result) return <span class="subtle">not run</span>;
  return props.result.changed ? <span class="lozenge lozenge-moved">changed</span> : <span class="lozenge lozenge-success">unchanged</span>;
}

function Upload(props: { reload: () => void }) {
  const flag = useFlags();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const upload = rulesApi.upload;
  if (!upload) return null;
  const send = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    if (!file) {
      setProblems(['Choose an .eml file first.']);
      return;
    }
    setBusy(true);
    setProblems([]);
    try {
      const made = await upload(file, name.trim() || file.name);
      flag({ kind: 'success', title: `Test case ${made.name} added`, description: 'Its expected plan is the one the profile in force gives it now.' });
      setFile(null);
      setName('');
      form.reset();
      props.reload();
    } catch (err) {
      setProblems(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Add a mail</h2>
      <form class="filters" onSubmit={send}>
        <div class="field">
          <label for="case-file">Mail (.eml)</label>
          <input
            id="case-file"
            type="file"
            accept=".eml,message/rfc822"
            aria-describedby={problems.length > 0 ? 'upload-problems' : undefined}
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <div class="field">
          <label for="case-name">Name (default: the file name)</label>
          <input id="case-name" type="text" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button button-primary" disabled={busy}>
          Add test case
        </button>
      </form>
      <Problems id="upload-problems" messages={problems} />
    </section>
  );
}
