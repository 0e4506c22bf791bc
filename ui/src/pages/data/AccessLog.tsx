/**
 * The access log: who called this site's API and console in the last 7 days — time,
 * route, answer, account and the client's address cut to its /24 or /48. Never a token,
 * a query string or a body.
 */
import { dataApi } from '../../api';
import { Show, useLoad } from '../../components/Load';
import { Table } from '../../components/Table';
import { when } from '../../format';

export function AccessLog() {
  const [loaded] = useLoad(dataApi.accessLog, []);
  return (
    <>
      <p>The last 7 days, newest first (at most 1,000 lines). Older lines are deleted every hour.</p>
      <Show loaded={loaded}>
        {(log) => (
          <Table
            caption="Requests of the last 7 days, newest first"
            columns={[
              { key: 'at', label: 'Time', cell: (r) => when(r.at_ms) },
              {
                key: 'route',
                label: 'Request',
                cell: (r) => (
                  <code class="break">
                    {r.method} {r.route}
                  </code>
                ),
              },
              { key: 'status', label: 'Answer', cell: (r) => r.status },
              { key: 'account', label: 'Account', cell: (r) => <span class="break">{r.account_id ?? '—'}</span> },
              { key: 'ip', label: 'From', cell: (r) => r.ip ?? '—' },
            ]}
            rows={log.entries.map((line, n) => ({ ...line, n }))}
            rowKey={(r) => String(r.n)}
            empty={<p>No requests in the last 7 days.</p>}
          />
        )}
      </Show>
    </>
  );
}
