/**
 * The data inventory: every kind of data postroom keeps, where, how it is protected and for
 * how long (generated from the code's declarations), with this site's periods in force;
 * and the site's own settings for them: its retention periods within the operator's
 * bounds, and the raw-mail audit switch with what switching it off costs.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { Declared, KindDays, Retention } from '../../api';
import { useFlags } from '../../components/Flags';
import { Show, useLoad } from '../../components/Load';
import { Table } from '../../components/Table';
import { ApiFailure } from '../../transport';

const KINDS: { key: keyof KindDays; label: string }[] = [
  { key: 'intake', label: 'Mail taken in and its raw copy' },
  { key: 'reports', label: 'Processing reports' },
  { key: 'sent_mail', label: 'Records of mail sent' },
];

export function Inventory() {
  const [loaded, reload] = useLoad(dataApi.inventory, []);
  return (
    <Show loaded={loaded}>
      {(inventory) => (
        <>
          <section class="card" aria-labelledby="in-force-title">
            <h3 id="in-force-title">This site's periods in force</h3>
            <dl class="facts">
              {KINDS.map((k) => [<dt key={`${k.key}-t`}>{k.label}</dt>, <dd key={`${k.key}-d`}>{inventory.in_force[k.key]} days</dd>])}
              <dt>Raw mail for the audit</dt>
              <dd>{inventory.raw_mail_kept ? 'kept for the intake period' : 'not kept: deleted once processed'}</dd>
              <dt>Access log</dt>
              <dd>7 days</dd>
            </dl>
          </section>
          <RetentionForm changed={reload} />
          <RawMail changed={reload} />
          <Declarations title="Database tables" rows={inventory.declared.tables} name={(d) => d.name} />
          <Declarations title="Stored files (blob store)" rows={inventory.declared.blobs} name={(d) => d.prefix ?? d.name} />
          <Declarations title="Files on disk" rows={inventory.declared.files} name={(d) => d.path} />
          <Declarations title="Sent elsewhere" rows={inventory.declared.sent} name={(d) => d.to} />
        </>
      )}
    </Show>
  );
}

function Declarations(props: { title: string; rows: Declared[]; name: (d: Declared) => string | undefined }) {
  const id = `inventory-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section class="card" aria-labelledby={id}>
      <h3 id={id}>{props.title}</h3>
      <Table
        caption={props.title}
        columns={[
          { key: 'name', label: 'What', cell: (d) => <code class="break">{props.name(d) ?? '—'}</code> },
          { key: 'holds', label: 'Holds', cell: (d) => d.what },
          { key: 'protection', label: 'Protection', cell: (d) => d.protection },
          { key: 'kept', label: 'Kept', cell: (d) => d.kept },
        ]}
        rows={props.rows.map((d, n) => ({ ...d, n }))}
        rowKey={(d) => String(d.n)}
        empty={<p>None.</p>}
      />
    </section>
  );
}

function RetentionForm(props: { changed: () => void }) {
  const [loaded, reload] = useLoad(dataApi.retention, []);
  return (
    <section class="card" aria-labelledby="retention-title">
      <h3 id="retention-title">How long this site keeps its audit</h3>
      <Show loaded={loaded}>
        {(retention) => (
          <RetentionFields
            retention={retention}
            saved={() => {
              reload();
              props.changed();
            }}
          />
        )}
      </Show>
    </section>
  );
}

function RetentionFields(props: { retention: Retention; saved: () => void }) {
  const { retention } = props;
  const [days, setDays] = useState<Record<keyof KindDays, string>>({
    intake: retention.own.intake?.toString() ?? '',
    reports: retention.own.reports?.toString() ?? '',
    sent_mail: retention.own.sent_mail?.toString() ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const flag = useFlags();
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      // An empty field returns the kind to the instance's period (0).
      await dataApi.setRetention({
        intake: Number(days.intake || 0),
        reports: Number(days.reports || 0),
        sent_mail: Number(days.sent_mail || 0),
      });
      flag({ kind: 'success', title: 'The periods are saved', description: 'The next purge uses them.' });
      props.saved();
    } catch (e) {
      if (e instanceof ApiFailure && e.fieldErrors.length) setErrors(Object.fromEntries(e.fieldErrors.map((f) => [f.field, f.message])));
      else flag({ kind: 'error', title: 'The periods were not saved', description: String(e instanceof Error ? e.message : e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" aria-label="Retention periods" noValidate onSubmit={save}>
      <p>
        Each within the operator's bounds; leave a field empty to keep the instance's {retention.default_days} days. A shorter
        period deletes older records at the next purge.
      </p>
      <div class="filters">
        {KINDS.map((k) => (
          <div class="field" key={k.key}>
            <label for={`retention-${k.key}`}>
              {k.label} (days, {retention.min_days[k.key]}–{retention.max_days[k.key]})
            </label>
            <input
              id={`retention-${k.key}`}
              type="number"
              inputMode="numeric"
              min={retention.min_days[k.key]}
              max={retention.max_days[k.key]}
              placeholder={String(retention.default_days)}
              value={days[k.key]}
              aria-invalid={errors[k.key] ? 'true' : undefined}
              aria-describedby={errors[k.key] ? `retention-${k.key}-error` : undefined}
              onInput={(e) => setDays({ ...days, [k.key]: e.currentTarget.value })}
            />
            {errors[k.key] && (
              <span id={`retention-${k.key}-error`} class="error-text">
                {errors[k.key]}
              </span>
            )}
          </div>
        ))}
      </div>
      <div>
        <button type="submit" class="button button-primary" disabled={busy}>
          Save periods
        </button>
      </div>
    </form>
  );
}

function RawMail(props: { changed: () => void }) {
  const [loaded, reload] = useLoad(dataApi.rawMail, []);
  const [busy, setBusy] = useState(false);
  const flag = useFlags();
  const set = async (keep: boolean) => {
    setBusy(true);
    try {
      await dataApi.setRawMail(keep);
      flag({ kind: 'success', title: keep ? 'Raw mail is kept for the audit' : 'Raw mail is no longer kept' });
      reload();
      props.changed();
    } catch (e) {
      flag({ kind: 'error', title: 'The switch was not changed', description: e instanceof ApiFailure ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="raw-mail-title">
      <h3 id="raw-mail-title">Raw-mail audit</h3>
      <Show loaded={loaded}>
        {(raw) => (
          <>
            <p>
              {raw.store_raw
                ? 'On: each mail’s original is kept, encrypted, for the intake period, so it can be read, downloaded, reprocessed or made a test case of.'
                : 'Off: each mail’s original is deleted as soon as it is processed; only the processing report stays.'}
            </p>
            <p>
              Switching it off means nothing can be diagnosed from the original any more: no reprocessing, no release of a held
              reply, no test case made from a mail, no download. Mail taken in before keeps its copy until its period ends.
            </p>
            <button type="button" class="button" disabled={busy} onClick={() => set(!raw.store_raw)}>
              {raw.store_raw ? 'Stop keeping raw mail' : 'Keep raw mail again'}
            </button>
          </>
        )}
      </Show>
    </section>
  );
}
