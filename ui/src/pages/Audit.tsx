/**
 * The inbound audit: every mail taken in, newest first. A sender is found by typing their
 * address: the server hashes it with the instance's key and matches the stored hash, so
 * the address itself is never stored or listed.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { PageHeader } from '../components/PageHeader';
import { Lozenge } from '../components/Lozenge';
import { Show, useLoad } from '../components/Load';
import { Table } from '../components/Table';
import { when } from '../format';

const STATUSES = ['pending', 'refused', 'created', 'commented', 'ignored', 'held', 'rejected', 'failed'];

export function Audit(props: { from: string; status: string }) {
  const [from, setFrom] = useState(props.from);
  const [status, setStatus] = useState(props.status);
  const [loaded] = useLoad(() => api.audit({ from: props.from, status: props.status }), [props.from, props.status]);
  const submit = (event: Event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (from.trim()) query.set('from', from.trim());
    if (status) query.set('status', status);
    window.location.hash = `#/audit${query.size ? `?${query.toString()}` : ''}`;
  };
  return (
    <>
      <PageHeader title="Audit">
        <form class="filters" role="search" aria-label="Find mail" onSubmit={submit}>
          <div class="field">
            <label for="audit-from">Sender's address</label>
            <input
              id="audit-from"
              type="search"
              inputMode="email"
              autoComplete="off"
              placeholder="name@example.com"
              value={from}
              onInput={(e) => setFrom(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="audit-status">Outcome</label>
            <select id="audit-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="button button-primary">
            Find
          </button>
        </form>
      </PageHeader>
      <Show loaded={loaded}>
        {(list) => (
          <Table
            caption="Mail taken in, newest first"
            columns={[
              {
                key: 'time',
                label: 'Received',
                cell: (r) => <a href={`#/audit/${encodeURIComponent(r.id)}`}>{when(r.received_at_ms)}</a>,
              },
              { key: 'mailbox', label: 'Mailbox', cell: (r) => r.mailbox },
              { key: 'status', label: 'Outcome', cell: (r) => <Lozenge status={r.status} /> },
              { key: 'issue', label: 'Issue', cell: (r) => r.issue_key ?? '—' },
            ]}
            rows={list.entries}
            rowKey={(r) => r.id}
            empty={
              props.from || props.status ? (
                <p>No mail matches. Check the address, or clear the filters.</p>
              ) : (
                <p>
                  No mail was taken in yet. Send some to a listener, or import a mailbox with <code>postroom process PATH</code>.
                </p>
              )
            }
          />
        )}
      </Show>
    </>
  );
}
