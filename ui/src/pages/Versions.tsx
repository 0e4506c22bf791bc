/**
 * Versions (`#/profile/versions`): every kept version of the site's profile with who saved
 * it and when; two of them compared value by value; an older one restored, which saves it
 * as a new version through the checks of any save (a stale restore is refused, as a stale
 * save is).
 */
import { useState } from 'preact/hooks';
import { useFlags } from '../components/Flags';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { Problems } from '../components/Problems';
import { Table } from '../components/Table';
import { when } from '../format';
import { errorsByPath, staleOf } from '../profileApi';
import type { Stale } from '../profileApi';
import { rulesApi } from '../rulesApi';
import type { ProfileVersion, VersionDiff, VersionList } from '../rulesApi';
import { ApiFailure } from '../transport';
import { StaleMessage } from './notifications/StaleMessage';
import { JsonValue } from './testcases/JsonValue';

export function Versions() {
  const [loaded, reload] = useLoad(rulesApi.versions, []);
  return (
    <>
      <PageHeader title="Profile versions" />
      <p class="subtle">Every saved version of the site&apos;s profile: compare two, or restore an older one as a new version.</p>
      <Show loaded={loaded}>{(list) => <History key={list.current} list={list} reload={reload} />}</Show>
    </>
  );
}

function History(props: { list: VersionList; reload: () => void }) {
  const { list } = props;
  const flag = useFlags();
  const numbers = list.versions.map((v) => v.version);
  const [from, setFrom] = useState(numbers[1] ?? numbers[0] ?? 0);
  const [to, setTo] = useState(numbers[0] ?? 0);
  const [diff, setDiff] = useState<VersionDiff | null>(null);
  const [failure, setFailure] = useState<string[]>([]);
  const [stale, setStale] = useState<Stale | null>(null);
  const [busy, setBusy] = useState(false);

  const compare = async (e: Event) => {
    e.preventDefault();
    setFailure([]);
    try {
      setDiff(await rulesApi.diff(from, to));
    } catch (err) {
      setDiff(null);
      setFailure([err instanceof ApiFailure ? err.message : String(err)]);
    }
  };
  const restore = async (v: ProfileVersion) => {
    setBusy(true);
    setFailure([]);
    setStale(null);
    try {
      const saved = await rulesApi.restore(v.version, list.current);
      flag({ kind: 'success', title: `Version ${v.version} restored as version ${saved.version}`, description: 'The next mail follows it.' });
      props.reload();
    } catch (err) {
      const refused = staleOf(err);
      if (refused) setStale(refused);
      else setFailure(Object.entries(errorsByPath(err)).flatMap(([path, m]) => m.map((text) => (path === '.' ? text : `${path}: ${text}`))));
    } finally {
      setBusy(false);
    }
  };
  const label = (v: ProfileVersion) => `Version ${v.version}${v.version === list.current ? ' (in force)' : ''}`;
  return (
    <>
      {stale && <StaleMessage version={stale.version} differs={stale.differs} reload={props.reload} />}
      <Problems id="versions-problems" messages={failure} />
      <section class="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Saved versions</h2>
        <p class="subtle">{list.kept}.</p>
        <Table
          caption="Saved versions of the profile, newest first"
          columns={[
            { key: 'version', label: 'Version', cell: (v) => label(v) },
            { key: 'by', label: 'Saved by', cell: (v) => <span class="template-name">{v.saved_by}</span> },
            { key: 'at', label: 'Saved', cell: (v) => when(v.saved_at_ms) },
            {
              key: 'restore',
              label: 'Action',
              cell: (v) =>
                v.version === list.current ? (
                  '—'
                ) : (
                  <button type="button" class="button" disabled={busy} onClick={() => restore(v)}>
                    Restore<span class="visually-hidden"> version {v.version}</span>
                  </button>
                ),
            },
          ]}
          rows={list.versions}
          rowKey={(v) => String(v.version)}
          empty={<p>No version is saved yet. Import a profile or save one from the console; each save is kept here.</p>}
        />
      </section>
      {numbers.length > 1 && (
        <section class="card" aria-labelledby="compare-title">
          <h2 id="compare-title">Compare two versions</h2>
          <form class="filters" onSubmit={compare}>
            <VersionPick id="compare-from" label="Before" value={from} numbers={numbers} set={setFrom} />
            <VersionPick id="compare-to" label="After" value={to} numbers={numbers} set={setTo} />
            <button type="submit" class="button button-primary">
              Compare
            </button>
          </form>
          {diff && <Changes diff={diff} />}
        </section>
      )}
    </>
  );
}

function VersionPick(props: { id: string; label: string; value: number; numbers: number[]; set: (n: number) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={String(props.value)} onChange={(e) => props.set(Number(e.currentTarget.value))}>
        {props.numbers.map((n) => (
          <option key={n} value={String(n)}>
            Version {n}
          </option>
        ))}
      </select>
    </div>
  );
}

function Changes(props: { diff: VersionDiff }) {
  const { diff } = props;
  return (
    <div aria-live="polite">
      <h3>
        Version {diff.from.version} → version {diff.to.version}
      </h3>
      <Table
        caption={`What changed from version ${diff.from.version} to version ${diff.to.version}`}
        columns={[
          { key: 'path', label: 'Where', cell: (c) => <code class="template-name">{c.path}</code> },
          { key: 'before', label: `Version ${diff.from.version}`, cell: (c) => <JsonValue value={c.before} absent="not set" /> },
          { key: 'after', label: `Version ${diff.to.version}`, cell: (c) => <JsonValue value={c.after} absent="not set" /> },
        ]}
        rows={diff.changes}
        rowKey={(c) => c.path}
        empty={<p>The two versions are alike.</p>}
      />
    </div>
  );
}
