/**
 * Insights: how often the templates the reader administers were inserted into replies and
 * posted over the last 365 days — per template, per agent and per week, the ones nobody
 * used in 90 days and the most used in each project. Counts only, never what was written;
 * another person's personal template never appears (the API leaves it out).
 */
import { api } from '../api';
import type { Insights } from '../api';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { Table } from '../components/Table';
import { when } from '../format';
import { scopeText } from './Templates';

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

export function InsightsPage(props: { template: string }) {
  // The figures say which template they were narrowed to: while the next ones load, the
  // page keeps showing the last ones under their own heading.
  const [loaded] = useLoad(() => api.insights(props.template).then((insights) => ({ insights, of: props.template })), [props.template]);
  return (
    <>
      <PageHeader title="Insights" />
      <Show loaded={loaded}>{(shown) => <Figures insights={shown.insights} template={shown.of} />}</Show>
    </>
  );
}

function Figures(props: { insights: Insights; template: string }) {
  const { insights } = props;
  const chosen = insights.templates.find((t) => t.id === props.template);
  const narrowed = chosen ? ` of “${chosen.name}”` : '';
  return (
    <>
      <p class="subtle">
        Uses of the templates you administer over the last 365 days: inserted into a reply, and posted. Counts only.
      </p>
      <form class="filters" aria-label="Narrow Insights" onSubmit={(e) => e.preventDefault()}>
        <div class="field field-names">
          <label for="insights-template">Per agent and per week of</label>
          <select
            id="insights-template"
            value={props.template}
            onChange={(e) => {
              const id = e.currentTarget.value;
              window.location.hash = id ? `#/insights?template=${encodeURIComponent(id)}` : '#/insights';
            }}
          >
            <option value="">All these templates</option>
            {insights.templates.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div class="overview-grid">
        <section class="card card-wide" aria-labelledby="insights-templates-title">
          <h2 id="insights-templates-title">Per template</h2>
          <Table
            caption="Uses per template, most used first"
            columns={[
              {
                key: 'name',
                label: 'Template',
                cell: (t) => <a href={`#/insights?template=${encodeURIComponent(t.id)}`}>{t.name}</a>,
              },
              { key: 'scope', label: 'Scope', cell: (t) => scopeText(t.scope) },
              { key: 'inserted', label: 'Inserted', cell: (t) => t.inserted },
              { key: 'posted', label: 'Posted', cell: (t) => t.posted },
              { key: 'last', label: 'Last posted', cell: (t) => when(t.last_used_at_ms) },
            ]}
            rows={insights.templates}
            rowKey={(t) => t.id}
            empty={<p>You administer no template yet.</p>}
          />
        </section>
        <section class="card" aria-labelledby="insights-agents-title">
          <h2 id="insights-agents-title">Per agent{narrowed}</h2>
          <Table
            caption="Uses per agent"
            columns={[
              { key: 'agent', label: 'Agent (Jira account)', cell: (a) => <code>{a.account_id}</code> },
              { key: 'inserted', label: 'Inserted', cell: (a) => a.inserted },
              { key: 'posted', label: 'Posted', cell: (a) => a.posted },
            ]}
            rows={insights.agents}
            rowKey={(a) => a.account_id}
            empty={<p>No use yet.</p>}
          />
        </section>
        <section class="card" aria-labelledby="insights-weeks-title">
          <h2 id="insights-weeks-title">Per week{narrowed}</h2>
          <Table
            caption="Uses per week, newest first"
            columns={[
              { key: 'week', label: 'Week of (Monday, UTC)', cell: (w) => day.format(new Date(w.week_ms)) },
              { key: 'inserted', label: 'Inserted', cell: (w) => w.inserted },
              { key: 'posted', label: 'Posted', cell: (w) => w.posted },
            ]}
            rows={insights.weeks}
            rowKey={(w) => String(w.week_ms)}
            empty={<p>No use yet.</p>}
          />
        </section>
        <section class="card" aria-labelledby="insights-top-title">
          <h2 id="insights-top-title">Most used in each project</h2>
          <Table
            caption="The most used template of each project"
            columns={[
              { key: 'project', label: 'Project', cell: (p) => p.project },
              { key: 'name', label: 'Template', cell: (p) => p.name },
              { key: 'uses', label: 'Inserted and posted', cell: (p) => p.inserted + p.posted },
            ]}
            rows={insights.top_by_project}
            rowKey={(p) => p.project}
            empty={<p>No project template was used yet.</p>}
          />
        </section>
        <section class="card" aria-labelledby="insights-unused-title">
          <h2 id="insights-unused-title">Not used in 90 days</h2>
          <Table
            caption="Templates older than 90 days that nobody used in the last 90 days"
            columns={[
              { key: 'name', label: 'Template', cell: (u) => <a href={`#/templates/${encodeURIComponent(u.id)}`}>{u.name}</a> },
              { key: 'created', label: 'Written', cell: (u) => when(u.created_at_ms) },
              { key: 'last', label: 'Last posted', cell: (u) => when(u.last_used_at_ms) },
            ]}
            rows={insights.unused}
            rowKey={(u) => u.id}
            empty={<p>Every template older than 90 days was used in that time.</p>}
          />
        </section>
      </div>
    </>
  );
}
