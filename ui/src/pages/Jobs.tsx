/** The job queue: how much waits of each kind, and the dead jobs with their last error. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import type { Job } from '../api';
import { useFlags } from '../components/Flags';
import { PageHeader } from '../components/PageHeader';
import { Lozenge } from '../components/Lozenge';
import { Show, useLoad } from '../components/Load';
import { Table } from '../components/Table';
import { when } from '../format';
import { ApiFailure } from '../transport';

export function Jobs() {
  const [loaded, reload] = useLoad(api.jobs, []);
  const flag = useFlags();
  const [busy, setBusy] = useState<number | null>(null);
  const retry = async (job: Job) => {
    setBusy(job.id);
    try {
      await api.retryJob(job.id);
      flag({ kind: 'success', title: `Job ${job.id} is queued again` });
      reload();
    } catch (e) {
      flag({ kind: 'error', title: `Job ${job.id} could not be retried`, description: e instanceof ApiFailure ? e.message : String(e) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <PageHeader title="Jobs" />
      <Show loaded={loaded}>
        {(jobs) => (
          <>
            <section class="card" aria-labelledby="depth-title">
              <h2 id="depth-title">Waiting by kind</h2>
              <Table
                caption="Queue depth by kind"
                columns={[
                  { key: 'kind', label: 'Kind', cell: (r) => <code>{r.kind}</code> },
                  { key: 'ready', label: 'Waiting', cell: (r) => r.ready },
                  { key: 'dead', label: 'Dead', cell: (r) => r.dead },
                  { key: 'oldest', label: 'Oldest due', cell: (r) => when(r.oldest_due_ms) },
                ]}
                rows={jobs.depth}
                rowKey={(r) => r.kind}
                empty={<p>Nothing is queued.</p>}
              />
            </section>
            <section class="card" aria-labelledby="dead-title">
              <h2 id="dead-title">Dead jobs</h2>
              <Table
                caption="Dead jobs with their last error"
                columns={[
                  { key: 'id', label: 'Job', cell: (r) => r.id },
                  { key: 'kind', label: 'Kind', cell: (r) => <code>{r.kind}</code> },
                  { key: 'state', label: 'State', cell: (r) => <Lozenge status={r.state} /> },
                  { key: 'error', label: 'Last error', cell: (r) => <span class="error-text">{r.last_error ?? '—'}</span> },
                  { key: 'created', label: 'Created', cell: (r) => when(r.created_at_ms) },
                  {
                    key: 'retry',
                    label: 'Action',
                    cell: (r) => (
                      <button type="button" class="button" disabled={busy === r.id} onClick={() => retry(r)}>
                        Retry<span class="visually-hidden"> job {r.id}</span>
                      </button>
                    ),
                  },
                ]}
                rows={jobs.dead}
                rowKey={(r) => String(r.id)}
                empty={<p>No dead jobs. A job that Jira or a mail server refuses for good is parked here with the reason.</p>}
              />
            </section>
          </>
        )}
      </Show>
    </>
  );
}
