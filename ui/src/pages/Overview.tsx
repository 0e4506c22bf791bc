/** The overview: is postroom well, and what needs an administrator now. */
import { Fragment } from 'preact';
import { api } from '../api';
import type { ForgeStanding, OutcomeCount, Overview as Data, Usage } from '../api';
import { PageHeader } from '../components/PageHeader';
import { Show, useLoad } from '../components/Load';
import { Table } from '../components/Table';
import { when } from '../format';

export function Overview() {
  const [loaded] = useLoad(api.overview, []);
  return (
    <>
      <PageHeader title="Overview" />
      <Show loaded={loaded}>{(data) => <Body data={data} />}</Show>
      <UsageCard />
    </>
  );
}

const FLAG_NAMES: Record<string, string> = {
  picker_opened: 'Picker opened',
  template_inserted: 'Template inserted',
  comment_posted: 'Comment posted',
  filters_used: 'Search words used',
  extension_used: 'Picker used in the browser extension',
  extension_not_used: 'Picker used outside the extension',
};

/** What postroom counted about its own use: kept here only, never sent anywhere. */
function UsageCard() {
  const [loaded] = useLoad(api.usage, []);
  return (
    <section class="card usage-card" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage, last 365 days</h2>
      <Show loaded={loaded}>{(usage) => <UsageBody usage={usage} />}</Show>
    </section>
  );
}

function UsageBody({ usage }: { usage: Usage }) {
  const inserted = usage.insights.reduce((sum, w) => sum + w.inserted, 0);
  const posted = usage.insights.reduce((sum, w) => sum + w.posted, 0);
  return (
    <>
      <p class="subtle">
        Counted in this postroom's database only and never sent to anyone.{' '}
        {usage.flags_enabled ? (
          <>
            Turn the flags off with <code>usage.flags = false</code>.
          </>
        ) : (
          <>
            Usage flags are off (<code>usage.flags = false</code>): nothing new is counted.
          </>
        )}
      </p>
      <dl class="facts">
        {usage.flags.map((f) => (
          <Fragment key={f.flag}>
            <dt>{FLAG_NAMES[f.flag] ?? f.flag}</dt>
            <dd>{f.count}</dd>
          </Fragment>
        ))}
        <dt>Insights: templates inserted</dt>
        <dd>{inserted}</dd>
        <dt>Insights: replies posted</dt>
        <dd>{posted}</dd>
      </dl>
    </>
  );
}

function Body({ data }: { data: Data }) {
  return (
    <div class="overview-grid">
      <section class="card card-wide" aria-labelledby="attention-title">
        <h2 id="attention-title">Needs attention</h2>
        {data.attention.length === 0 ? (
          <p class="subtle">Nothing needs you now.</p>
        ) : (
          <ul class="attention">
            {data.attention.map((item) => (
              <li key={item.text} class={`attention-${item.severity}`}>
                <span>{item.text}</span>{' '}
                {item.link && <a href={item.link}>{item.link.startsWith('#/jobs') ? 'Open the jobs' : 'Show these mails'}</a>}
                {item.command && (
                  <>
                    {' '}
                    Run <code>{item.command}</code>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {data.forge && <ForgeCard forge={data.forge} />}
      <section class="card" aria-labelledby="mail-title">
        <h2 id="mail-title">Mail, last 24 hours</h2>
        <OutcomeChart counts={data.last_24h} />
      </section>
      <section class="card" aria-labelledby="jira-title">
        <h2 id="jira-title">Jira</h2>
        {data.jira.configured ? (
          <dl class="facts">
            <dt>Site</dt>
            <dd>{data.jira.url}</dd>
            <dt>Connected</dt>
            <dd>{data.jira.reachable === null ? 'not checked yet' : data.jira.reachable ? 'yes' : 'no'}</dd>
            <dt>Pace</dt>
            <dd>{data.jira.requests_per_sec === null ? '—' : `${data.jira.requests_per_sec.toFixed(1)} requests/s`}</dd>
            <dt>Limit seen</dt>
            <dd>{data.jira.limit_seen === null ? 'none yet' : `${data.jira.limit_seen.toFixed(1)} requests/s`}</dd>
            <dt>Rate-limited (429)</dt>
            <dd>{data.jira.throttled === null ? '—' : `${data.jira.throttled} times`}</dd>
            <dt>Time spent waiting</dt>
            <dd>{data.jira.waited_secs === null ? '—' : `${data.jira.waited_secs.toFixed(1)} s`}</dd>
            <dt>In flight at once</dt>
            <dd>{data.jira.concurrency === null ? '—' : `up to ${data.jira.concurrency}`}</dd>
            {Object.entries(data.jira.rate_limit_headers).map(([name, value]) => (
              <Fragment key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
        ) : (
          <p>
            No Jira site is configured: mail is taken in and held. Set <code>[jira]</code> in <code>postroom.toml</code>.
          </p>
        )}
      </section>
      <section class="card" aria-labelledby="queue-title">
        <h2 id="queue-title">Queue</h2>
        <Table
          caption="Jobs waiting by kind"
          columns={[
            { key: 'kind', label: 'Kind', cell: (r) => <code>{r.kind}</code> },
            { key: 'ready', label: 'Waiting', cell: (r) => r.ready },
            { key: 'dead', label: 'Dead', cell: (r) => (r.dead > 0 ? <a href="#/jobs">{r.dead}</a> : 0) },
          ]}
          rows={data.queue}
          rowKey={(r) => r.kind}
          empty={<p>The queue is empty.</p>}
        />
      </section>
      <section class="card" aria-labelledby="listeners-title">
        <h2 id="listeners-title">Listeners</h2>
        <Table
          caption="Listeners"
          columns={[
            { key: 'name', label: 'Listener', cell: (r) => r.name },
            { key: 'address', label: 'Address', cell: (r) => <code>{r.address}</code> },
          ]}
          rows={data.listeners}
          rowKey={(r) => r.name}
          empty={<p>No listener is running. Start one with <code>postroom serve --smtp ADDR</code>.</p>}
        />
      </section>
      <section class="card" aria-labelledby="mailboxes-title">
        <h2 id="mailboxes-title">Mailboxes</h2>
        <Table
          caption="IMAP mailboxes"
          columns={[
            { key: 'name', label: 'Mailbox', cell: (r) => r.name },
            { key: 'poll', label: 'Last poll', cell: (r) => when(r.last_poll_ms) },
            { key: 'waiting', label: 'Waiting', cell: (r) => (r.waiting === null ? '–' : String(r.waiting)) },
            {
              key: 'error',
              label: 'Last error',
              cell: (r) =>
                r.last_error === null ? 'none' : `${r.last_error} (since ${when(r.last_error_ms ?? r.last_poll_ms)})`,
            },
          ]}
          rows={data.mailboxes}
          rowKey={(r) => r.name}
          empty={<p>No mailbox is polled. Add one under <code>[[mailboxes]]</code>, then check it with <code>postroom mailbox test NAME</code>.</p>}
        />
      </section>
    </div>
  );
}

/** The site's standing as a Jira Cloud site with postroom's app: install, licence, token. */
function ForgeCard({ forge }: { forge: ForgeStanding }) {
  const licence =
    forge.licence_active === null
      ? 'no licence information (counts as licensed)'
      : forge.licence_active
        ? 'active'
        : 'inactive: mail is taken in and held';
  return (
    <section class="card" aria-labelledby="forge-title">
      <h2 id="forge-title">Jira Cloud app</h2>
      <dl class="facts">
        <dt>Installed</dt>
        <dd>{when(forge.installed_at_ms)}</dd>
        {forge.uninstalled_at_ms !== null && (
          <>
            <dt>Uninstalled</dt>
            <dd>{when(forge.uninstalled_at_ms)}</dd>
          </>
        )}
        {forge.erase_at_ms !== null && (
          <>
            <dt>Erased on</dt>
            <dd>{when(forge.erase_at_ms)} unless installed again</dd>
          </>
        )}
        <dt>Licence</dt>
        <dd>{licence}</dd>
        <dt>App token</dt>
        <dd>
          {forge.system_token_until_ms === null
            ? 'none held: Jira work waits for the next call from Forge'
            : `held until ${when(forge.system_token_until_ms)}`}
        </dd>
      </dl>
    </section>
  );
}

/** Mails by outcome as bars; the numbers are in the text too, for screen readers. */
function OutcomeChart({ counts }: { counts: OutcomeCount[] }) {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  if (total === 0) return <p class="subtle">No mail in the last 24 hours.</p>;
  const max = Math.max(...counts.map((c) => c.count));
  return (
    <ul class="bars">
      {counts.map((c) => (
        <li key={c.status}>
          <a href={`#/audit?status=${encodeURIComponent(c.status)}`} class="bar-label">
            {c.status}
          </a>
          <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect class={`bar-fill bar-${c.status}`} x="0" y="0" height="10" width={Math.max(2, (c.count / max) * 100)} />
          </svg>
          <span class="bar-count">{c.count}</span>
        </li>
      ))}
    </ul>
  );
}
