/**
 * Mailboxes: every IMAP mailbox postroom polls for this site. Those of `postroom.toml` and
 * the profile are read-only here, with where they come from; those added here are edited
 * and removed here. Any of them can be tested now, step by step (DNS, TCP, TLS,
 * authentication, folder). Google and Microsoft 365 mailboxes are connected through the
 * provider's consent when the operator set the provider's app up.
 */
import { useState } from 'preact/hooks';
import { ErrorText, failureText, useSubmit } from '../components/Failure';
import { Lozenge } from '../components/Lozenge';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { Table } from '../components/Table';
import { when } from '../format';
import { mailboxApi, providerLabel } from '../mailboxApi';
import type { Mailbox, MailboxInput, MailboxList, MailboxTest } from '../mailboxApi';
import { MailboxForm } from './mailboxes/MailboxForm';
import type { FormMode } from './mailboxes/MailboxForm';
import { TestSteps } from './mailboxes/TestSteps';

const SOURCES: Record<Mailbox['source'], string> = {
  postroom_toml: 'postroom.toml',
  profile: 'the profile',
  site: 'this site',
};

export function Mailboxes(props: { focus: string }) {
  const [loaded, reload] = useLoad(mailboxApi.list, []);
  const [mode, setMode] = useState<FormMode | null>(null);
  const [tests, setTests] = useState<Record<string, MailboxTest | 'running' | string>>({});
  const runTest = async (name: string) => {
    setTests((t) => ({ ...t, [name]: 'running' }));
    try {
      const result = await mailboxApi.test(name);
      setTests((t) => ({ ...t, [name]: result }));
    } catch (e) {
      setTests((t) => ({ ...t, [name]: failureText(e) }));
    }
    reload();
  };
  return (
    <>
      <PageHeader title="Mailboxes">
        <p>
          The IMAP mailboxes postroom reads for this site. Those from <code>postroom.toml</code> and the profile are changed
          where they come from; passwords and tokens entered here are sealed with the site's key and never shown again.
        </p>
      </PageHeader>
      <Show loaded={loaded}>
        {(list) => (
          <>
            <Actions list={list} onChoose={setMode} />
            {mode && (
              <MailboxForm
                key={mode.kind + (mode.kind === 'edit' ? mode.mailbox.name : mode.kind === 'connect' ? mode.provider : '')}
                mode={mode}
                providers={list.providers}
                onDone={(name) => {
                  setMode(null);
                  reload();
                  if (name) void runTest(name);
                }}
                onCancel={() => setMode(null)}
              />
            )}
            <MailboxTable list={list} focus={props.focus} tests={tests} onTest={runTest} onEdit={(m) => setMode({ kind: 'edit', mailbox: m })} onRemoved={reload} />
          </>
        )}
      </Show>
    </>
  );
}

function Actions(props: { list: MailboxList; onChoose: (mode: FormMode) => void }) {
  const configured = props.list.providers.filter((p) => p.configured);
  return (
    <div class="actions">
      <button type="button" class="button button-primary" onClick={() => props.onChoose({ kind: 'add' })}>
        Add a mailbox
      </button>
      {configured.map((p) => (
        <button key={p.name} type="button" class="button" onClick={() => props.onChoose({ kind: 'connect', provider: p.name })}>
          Connect {providerLabel(p.name)}
        </button>
      ))}
    </div>
  );
}

function MailboxTable(props: {
  list: MailboxList;
  focus: string;
  tests: Record<string, MailboxTest | 'running' | string>;
  onTest: (name: string) => Promise<void>;
  onEdit: (m: Mailbox) => void;
  onRemoved: () => void;
}) {
  return (
    <Table
      caption="Mailboxes"
      columns={[
        {
          key: 'name',
          label: 'Mailbox',
          cell: (m) => (
            <div class={m.name === props.focus ? 'stack highlight' : 'stack'}>
              <strong>{m.name}</strong>
              <span class="break subtle">
                {m.user ?? '—'} at {m.server || '—'}:{m.port} ({m.security}), {m.folder}
              </span>
            </div>
          ),
        },
        {
          key: 'source',
          label: 'Where from',
          cell: (m) => (
            <span>
              {SOURCES[m.source]}
              {m.provider && ` (connected with ${providerLabel(m.provider)})`}
              {m.key && (
                <>
                  {' '}
                  (<code>{m.key}</code>, read-only here)
                </>
              )}
            </span>
          ),
        },
        { key: 'state', label: 'State', cell: (m) => <State mailbox={m} /> },
        {
          key: 'actions',
          label: 'Actions',
          cell: (m) => <RowActions mailbox={m} test={props.tests[m.name]} onTest={props.onTest} onEdit={props.onEdit} onRemoved={props.onRemoved} />,
        },
      ]}
      rows={props.list.mailboxes}
      rowKey={(m) => `${m.source}:${m.name}`}
      empty={<p>No mailbox yet: add one, or connect a Google or Microsoft 365 mailbox.</p>}
    />
  );
}

function State(props: { mailbox: Mailbox }) {
  const m = props.mailbox;
  if (m.problem) return <span class="error-text">{m.problem}</span>;
  if (m.last_error)
    return (
      <span>
        <Lozenge status="failed" /> {m.last_error} (since {when(m.last_error_ms)})
      </span>
    );
  if (m.last_poll_ms === null) return <span class="subtle">not polled yet</span>;
  return (
    <span>
      last poll {when(m.last_poll_ms)}
      {m.waiting !== null && `, ${m.waiting} waiting`}
    </span>
  );
}

function RowActions(props: {
  mailbox: Mailbox;
  test: MailboxTest | 'running' | string | undefined;
  onTest: (name: string) => Promise<void>;
  onEdit: (m: Mailbox) => void;
  onRemoved: () => void;
}) {
  const m = props.mailbox;
  const [confirming, setConfirming] = useState(false);
  const remove = useSubmit(async () => {
    await mailboxApi.remove(m.name);
    props.onRemoved();
  });
  const test = props.test;
  return (
    <div class="stack">
      <div class="actions">
        <button type="button" class="button" disabled={test === 'running'} onClick={() => void props.onTest(m.name)}>
          Test <span class="visually-hidden">{m.name}</span>
        </button>
        {m.editable && (
          <button type="button" class="button" onClick={() => props.onEdit(m)}>
            Edit <span class="visually-hidden">{m.name}</span>
          </button>
        )}
        {m.editable && !confirming && (
          <button type="button" class="button" onClick={() => setConfirming(true)}>
            Remove <span class="visually-hidden">{m.name}</span>
          </button>
        )}
        {confirming && (
          <>
            <button type="button" class="button button-danger" disabled={remove.busy} onClick={(e) => void remove.submit(e)}>
              Remove {m.name} now
            </button>
            <button type="button" class="button button-subtle" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        )}
      </div>
      <ErrorText error={remove.error} />
      {test !== undefined && <TestSteps name={m.name} test={test} />}
    </div>
  );
}

export type { MailboxInput };
