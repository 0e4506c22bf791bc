/**
 * Settings: the site's Jira connection as postroom knows it, tested on request with the
 * read-only calls of `postroom jira check`. (Outbound mail, the webhook secret and the
 * site's addresses are set in `postroom.toml` and with `postroom tenant` for now.)
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { dataApi } from '../api';
import type { JiraCheck } from '../api';
import { ErrorText, useSubmit } from '../components/Failure';
import { PageHeader } from '../components/PageHeader';
import { Table } from '../components/Table';
import { OwnAddresses } from './settings/OwnAddresses';

export function Settings() {
  const [checked, setChecked] = useState<JiraCheck | null>(null);
  const { busy, error, submit } = useSubmit(async () => setChecked(await dataApi.jiraCheck()));
  const report = checked?.report;
  return (
    <>
      <PageHeader title="Settings" />
      <section class="card" aria-labelledby="jira-title">
        <h2 id="jira-title">Jira connection</h2>
        <p>
          Test it as <code>postroom jira check</code> does: with read-only calls, as the account postroom acts as. Change it in{' '}
          <code>postroom.toml</code> (<code>[jira]</code>) or with <code>postroom tenant set</code>.
        </p>
        <form onSubmit={submit} aria-label="Test the Jira connection">
          <button type="submit" class="button button-primary" disabled={busy}>
            Test the connection
          </button>
        </form>
        <ErrorText error={error} />
        {checked && (
          <div role="status" class={`section-message ${checked.connected ? 'section-message-success' : 'section-message-error'}`}>
            <p>{checked.connected ? `Connected to ${checked.url ?? 'Jira'}.` : `Not connected: ${checked.problem ?? 'unknown'}`}</p>
          </div>
        )}
        {checked && (
          <dl class="facts">
            <dt>Site</dt>
            <dd>{checked.url ?? '—'}</dd>
            <dt>Signs in with</dt>
            <dd>{checked.auth ?? '—'}</dd>
            {report && (
              <>
                <dt>Jira</dt>
                <dd>
                  {report.deployment_type} {report.version}
                </dd>
                <dt>Acts as</dt>
                <dd>
                  {report.account_name} (<code class="break">{report.account_id}</code>)
                </dd>
                <dt>Sees e-mail addresses</dt>
                <dd>{report.can_see_email_addresses ? 'yes' : 'no: senders are matched to accounts less often'}</dd>
                {Object.entries(report.rate_limit_headers).map(([name, value]) => (
                  <Fragment key={name}>
                    <dt>
                      <code>{name}</code>
                    </dt>
                    <dd>{value}</dd>
                  </Fragment>
                ))}
              </>
            )}
          </dl>
        )}
        {report && (
          <Table
            caption="Projects postroom can create issues in"
            columns={[
              { key: 'key', label: 'Project', cell: (p) => <code>{p.key}</code> },
              { key: 'name', label: 'Name', cell: (p) => p.name },
              {
                key: 'reporter',
                label: 'Can set the reporter',
                cell: (p) => (p.can_set_reporter === null ? 'no issue type to ask' : p.can_set_reporter ? 'yes' : 'no'),
              },
            ]}
            rows={report.projects}
            rowKey={(p) => p.key}
            empty={<p>No project: the account cannot create issues anywhere. Give it the Create issues permission.</p>}
          />
        )}
      </section>
      <OwnAddresses />
    </>
  );
}
