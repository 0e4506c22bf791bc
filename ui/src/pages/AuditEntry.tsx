/** One mail of the audit: what was decided and why, and what an administrator can do next. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import type { AuditDetail, Session } from '../api';
import { useFlags } from '../components/Flags';
import { PageHeader } from '../components/PageHeader';
import { Lozenge } from '../components/Lozenge';
import { Show, useLoad } from '../components/Load';
import { size, when } from '../format';
import { ApiFailure } from '../transport';

export function AuditEntry(props: { id: string; session: Session }) {
  const [loaded, reload] = useLoad(() => api.auditEntry(props.id), [props.id]);
  return (
    <>
      <PageHeader title="Mail" crumbs={[{ label: 'Audit', href: '#/audit' }]} />
      <Show loaded={loaded}>{(entry) => <Body entry={entry} session={props.session} reload={reload} />}</Show>
    </>
  );
}

function Body(props: { entry: AuditDetail; session: Session; reload: () => void }) {
  const { entry } = props;
  const flag = useFlags();
  const [busy, setBusy] = useState(false);
  const act = async (what: 'reprocess' | 'release' | 'make a test case of') => {
    setBusy(true);
    try {
      if (what === 'make a test case of') {
        const made = await api.makeTestCase(entry.id);
        flag({
          kind: 'success',
          title: `Test case ${made.name} made`,
          description: 'Test cases (or postroom testcase run) replays it against the profile and shows when its plan changes.',
        });
        return;
      }
      await (what === 'reprocess' ? api.reprocess(entry.id) : api.release(entry.id));
      flag({
        kind: 'success',
        title: what === 'reprocess' ? 'Queued to be processed again' : 'Released',
        description: 'Its new result replaces this one when it is carried out.',
      });
      props.reload();
    } catch (e) {
      flag({ kind: 'error', title: `Could not ${what} this mail`, description: e instanceof ApiFailure ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  // Inside Jira the browser cannot open postroom's own addresses: no downloads there.
  const rawHref = api.rawHref(entry.id);
  const bundleHref = api.bundleHref(entry.id, true);
  return (
    <>
      <div class="page-actions">
        {entry.store_raw && props.session.role === 'admin' && rawHref && (
          <a class="button" href={rawHref} download={`${entry.id}.eml`}>
            Download raw mail
          </a>
        )}
        {props.session.role === 'admin' && bundleHref && (
          <a class="button" href={bundleHref} download={`postroom-bundle-${entry.id}.json`}>
            Flag for support (redacted bundle)
          </a>
        )}
        {entry.store_raw && props.session.role === 'admin' && (
          <button type="button" class="button" disabled={busy} onClick={() => act('make a test case of')}>
            Make a test case
          </button>
        )}
        {entry.status === 'held' && (
          <button type="button" class="button" disabled={busy} onClick={() => act('release')}>
            Release
          </button>
        )}
        {entry.store_raw && (
          <button type="button" class="button button-primary" disabled={busy} onClick={() => act('reprocess')}>
            Reprocess
          </button>
        )}
      </div>
      <dl class="facts card">
        <dt>Outcome</dt>
        <dd>
          <Lozenge status={entry.status} />
        </dd>
        <dt>Received</dt>
        <dd>{when(entry.received_at_ms)}</dd>
        <dt>Processed</dt>
        <dd>{when(entry.processed_at_ms)}</dd>
        <dt>Mailbox</dt>
        <dd>
          {entry.mailbox} ({entry.source})
        </dd>
        <dt>Size</dt>
        <dd>{size(entry.size)}</dd>
        <dt>Issue</dt>
        <dd>{entry.issue_key ?? '—'}</dd>
        {entry.reason && (
          <>
            <dt>Reason</dt>
            <dd>{entry.reason}</dd>
          </>
        )}
      </dl>
      {entry.store_raw && props.session.role === 'admin' && <MailView id={entry.id} />}
      <section class="card" aria-labelledby="report-title">
        <h2 id="report-title">Processing report</h2>
        {entry.report === null ? (
          <p class="subtle">Not processed yet.</p>
        ) : (
          <Report value={entry.report} />
        )}
      </section>
    </>
  );
}

/**
 * The report as postroom wrote it: who wrote and about what, the decision path line by
 * line, and the plan in full for whoever needs it. Every value is set as text.
 */
function Report({ value }: { value: unknown }) {
  const report = (value ?? {}) as { from?: unknown; subject?: unknown; lines?: unknown; error?: unknown };
  const lines = Array.isArray(report.lines) ? report.lines.filter((l): l is string => typeof l === 'string') : [];
  return (
    <>
      <dl class="facts">
        {typeof report.from === 'string' && (
          <>
            <dt>From</dt>
            <dd>{report.from}</dd>
          </>
        )}
        {typeof report.subject === 'string' && (
          <>
            <dt>Subject</dt>
            <dd>{report.subject}</dd>
          </>
        )}
        {typeof report.error === 'string' && (
          <>
            <dt>Error</dt>
            <dd class="error-text">{report.error}</dd>
          </>
        )}
      </dl>
      {lines.length > 0 && (
        <ol class="report">
          {lines.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ol>
      )}
      <details class="report-details">
        <summary>The whole report</summary>
        <pre class="report-json">{JSON.stringify(value, null, 2)}</pre>
      </details>
    </>
  );
}

/**
 * The mail as its sender wrote it, on request. Its HTML is never part of the console's own
 * document: it is loaded into a frame sandboxed twice over (the `sandbox` attribute here,
 * and the policy postroom serves it with), so no script in it runs and nothing it links
 * reaches the console.
 */
function MailView({ id }: { id: string }) {
  const [shown, setShown] = useState(false);
  const href = api.htmlHref(id);
  return (
    <section class="card" aria-labelledby="mail-view-title">
      <h2 id="mail-view-title">The mail</h2>
      {href === null ? (
        <p>The mail as its sender wrote it can be shown in postroom&apos;s own console, not inside Jira.</p>
      ) : shown ? (
        <iframe class="mail-frame" sandbox="" src={href} title="The mail as its sender wrote it" />
      ) : (
        <button type="button" class="button" onClick={() => setShown(true)}>
          Show the mail
        </button>
      )}
    </section>
  );
}
