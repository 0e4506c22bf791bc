/**
 * A person's data: find what postroom holds about an address (or an agent's Jira account
 * id), download it as one archive, or erase it after typing the address again. The person
 * travels in the request's body, never in an address bar or an access log.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { PersonErased, PersonFound, PersonQuery } from '../../api';
import { useFlags } from '../../components/Flags';
import { ErrorText, failureText, useSubmit } from '../../components/Failure';

type By = 'address' | 'account_id';

export function Person() {
  const [by, setBy] = useState<By>('address');
  const [value, setValue] = useState('');
  const [deep, setDeep] = useState(false);
  const [asked, setAsked] = useState<PersonQuery | null>(null);
  const [found, setFound] = useState<PersonFound | null>(null);
  const { busy, error, submit: find } = useSubmit(async () => {
    const query: PersonQuery = by === 'address' ? { address: value.trim(), deep } : { account_id: value.trim(), deep };
    setFound(null);
    setAsked(null);
    setFound(await dataApi.findPerson(query));
    setAsked(query);
  });
  return (
    <>
      <p>
        When someone asks what the help desk holds about them, or asks for it to be deleted: find them by the address they
        wrote from, or an agent by their Jira account id. Each request is recorded (who asked, when, how much), never whose
        data.
      </p>
      <form class="stack" aria-label="Find a person's data" onSubmit={find}>
        <fieldset class="choice">
          <legend>Find by</legend>
          <label>
            <input type="radio" name="person-by" checked={by === 'address'} onChange={() => setBy('address')} /> E-mail address
          </label>
          <label>
            <input type="radio" name="person-by" checked={by === 'account_id'} onChange={() => setBy('account_id')} /> Jira account
            id (an agent)
          </label>
        </fieldset>
        <div class="field">
          <label for="person-value">{by === 'address' ? 'Their e-mail address' : 'Their Jira account id'}</label>
          <input
            id="person-value"
            type={by === 'address' ? 'email' : 'text'}
            autoComplete="off"
            required
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </div>
        <label class="check">
          <input type="checkbox" checked={deep} onChange={(e) => setDeep(e.currentTarget.checked)} /> Deep search: also open
          every stored mail and take those that only name them (in a Cc, a quote). Slow.
        </label>
        <div>
          <button type="submit" class="button button-primary" disabled={busy || !value.trim()}>
            Find
          </button>
        </div>
      </form>
      <ErrorText error={error} />
      {found && asked && <Found found={found} asked={asked} erased={() => setFound(null)} />}
    </>
  );
}

function Found(props: { found: PersonFound; asked: PersonQuery; erased: () => void }) {
  const { found, asked } = props;
  const who = asked.address ?? asked.account_id ?? '';
  const counts: [string, number][] = [
    ['Mails they sent', found.messages.length],
    ['Mails postroom sent them', found.sent.length],
    ['Suppression entry', found.suppression ? 1 : 0],
    ['Rate counters', found.rate_counters.length],
    ['Jira account lookups', found.jira_accounts.length],
    ['Threading entries', found.thread_map.length],
    ['Test cases', found.test_cases.length],
    ['Issues in Jira', found.jira.issues.length],
  ];
  if (found.canned_responses) {
    for (const [kind, rows] of Object.entries(found.canned_responses))
      if (Array.isArray(rows)) counts.push([`Canned responses: ${kind.replace(/_/g, ' ')}`, rows.length]);
  }
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  return (
    <section class="card" aria-labelledby="found-title">
      <h3 id="found-title">What postroom holds about {who}</h3>
      {total === 0 ? (
        <p>Nothing: postroom holds no record of them{found.deep ? '' : ' (a deep search also looks for mail that only names them)'}.</p>
      ) : (
        <dl class="facts">
          {counts.map(([label, n]) => (
            <Fragment key={label}>
              <dt>{label}</dt>
              <dd>{n}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      {found.jira.issues.length > 0 && (
        <p>
          In Jira, to erase there: {found.jira.issues.map((i) => i.key).join(', ')}. postroom lists them; it does not delete
          issues.
        </p>
      )}
      {found.jira.note && <p class="subtle">{found.jira.note}</p>}
      <details>
        <summary>What this does not cover</summary>
        <ul>
          {found.not_covered.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </details>
      <Export asked={asked} />
      {total > 0 && <Erase asked={asked} who={who} erased={props.erased} />}
    </section>
  );
}

function Export(props: { asked: PersonQuery }) {
  const [busy, setBusy] = useState(false);
  const flag = useFlags();
  const download = async () => {
    const archive = dataApi.exportPerson(props.asked);
    if (!archive) {
      flag({ kind: 'error', title: 'Downloads are made in postroom’s own console', description: 'Open postroom at its own address.' });
      return;
    }
    setBusy(true);
    try {
      const blob = await archive;
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `person-export-${Math.floor(Date.now() / 1000)}.tar`;
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      flag({ kind: 'success', title: 'The export is downloaded', description: 'One tar archive: a JSON file per kind, and the mails as .eml files.' });
    } catch (e) {
      flag({ kind: 'error', title: 'The export failed', description: failureText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      <button type="button" class="button" disabled={busy} onClick={download}>
        Download their data
      </button>
    </div>
  );
}

function Erase(props: { asked: PersonQuery; who: string; erased: () => void }) {
  const [typed, setTyped] = useState('');
  const [includeSuppression, setIncludeSuppression] = useState(false);
  const [jira, setJira] = useState(false);
  const [done, setDone] = useState<PersonErased | null>(null);
  const flag = useFlags();
  const matches = typed.trim().toLowerCase() === props.who.toLowerCase();
  const { busy, error, submit: erase } = useSubmit(async () => {
    setDone(await dataApi.erasePerson({ ...props.asked, include_suppression: includeSuppression, jira }));
    flag({ kind: 'success', title: `${props.who}'s data is erased` });
  });
  if (done)
    return (
      <div role="status" class="section-message section-message-success">
        <p>
          Erased: {done.erased.rows.intake} mails taken in, {done.erased.rows.sent_mail} mails sent, {done.erased.blobs} stored
          files, {done.erased.rows.thread_map} threading entries.
          {done.erased.rows.suppression_marker && ' The address stays suppressed as a marker (its hash and counts only).'}
        </p>
        <button type="button" class="button" onClick={props.erased}>
          Done
        </button>
      </div>
    );
  return (
    <form class="stack danger-zone" aria-labelledby="erase-person-title" onSubmit={erase}>
      <h4 id="erase-person-title">Erase their data</h4>
      <p>Deletes everything listed above from postroom, at once and for good. Backups made before keep it until they age out.</p>
      <label class="check">
        <input type="checkbox" checked={includeSuppression} onChange={(e) => setIncludeSuppression(e.currentTarget.checked)} />{' '}
        Also remove them from the suppression list (postroom may then mail a bouncing address again)
      </label>
      <label class="check">
        <input type="checkbox" checked={jira} onChange={(e) => setJira(e.currentTarget.checked)} /> Also remove the address from
        the e-mail field of their issues in Jira
      </label>
      <div class="field">
        <label for="erase-person-confirm">Type {props.who} to confirm</label>
        <input id="erase-person-confirm" type="text" autoComplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      </div>
      <ErrorText error={error} />
      <div>
        <button type="submit" class="button button-danger" disabled={busy || !matches}>
          Erase their data
        </button>
      </div>
    </form>
  );
}
