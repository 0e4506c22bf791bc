/**
 * What postroom sent — notifications, acknowledgements, notices, and the tests of Settings
 * and of the notification templates — newest first: to whom, about which issue and event,
 * and whether it went out, was skipped, failed or bounced. Administrators only.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { Lozenge } from '../components/Lozenge';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { Table } from '../components/Table';
import { when } from '../format';

const KINDS = ['notification', 'acknowledgement', 'notice', 'test'];

export function Sent(props: { kind: string; since: string }) {
  const [kind, setKind] = useState(props.kind);
  const [since, setSince] = useState(props.since);
  const [loaded] = useLoad(() => api.sent({ kind: props.kind, since: props.since }), [props.kind, props.since]);
  const submit = (event: Event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (kind) query.set('kind', kind);
    if (since.trim()) query.set('since', since.trim());
    window.location.hash = `#/sent${query.size ? `?${query.toString()}` : ''}`;
  };
  return (
    <>
      <PageHeader title="Sent mail">
        <form class="filters" role="search" aria-label="Find sent mail" onSubmit={submit}>
          <div class="field">
            <label for="sent-kind">Kind</label>
            <select id="sent-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
              <option value="">Any</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="sent-since">Since (a date or an age: 24h, 7d)</label>
            <input id="sent-since" type="text" autoComplete="off" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
          </div>
          <button type="submit" class="button button-primary">
            Find
          </button>
        </form>
      </PageHeader>
      <Show loaded={loaded}>
        {(list) => (
          <Table
            caption="Mail postroom sent, newest first"
            columns={[
              {
                key: 'time',
                label: 'Queued',
                cell: (r) => <a href={`#/sent/${encodeURIComponent(r.id)}`}>{when(r.created_at_ms)}</a>,
              },
              { key: 'kind', label: 'Kind', cell: (r) => r.kind },
              { key: 'to', label: 'To', cell: (r) => <span class="template-name">{r.to ?? '—'}</span> },
              { key: 'subject', label: 'Subject', cell: (r) => <span class="template-name">{r.subject ?? '—'}</span> },
              { key: 'issue', label: 'Issue', cell: (r) => r.issue_key ?? '—' },
              { key: 'status', label: 'Status', cell: (r) => <Lozenge status={r.status} /> },
            ]}
            rows={list.entries}
            rowKey={(r) => r.id}
            empty={<p>Nothing was sent in this period.</p>}
          />
        )}
      </Show>
    </>
  );
}
