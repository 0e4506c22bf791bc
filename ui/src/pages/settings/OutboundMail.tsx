/**
 * Outbound mail: how this site's mail leaves, each value with where it comes from (values
 * from `postroom.toml` are read-only here); the site's own bounce address and DKIM key; its
 * own SMTP relay where the operator configured no `[outbound]` (the password is sealed and
 * never shown again); and a test send.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { OutboundSettings } from '../../api';
import { ErrorText, useSubmit } from '../../components/Failure';
import { Show, useLoad } from '../../components/Load';
import { Table } from '../../components/Table';
import { RelayForm } from './RelayForm';
import { Source } from './Source';
import { TestMail } from './TestMail';

export function OutboundMail() {
  const [loaded, reload] = useLoad(dataApi.outbound, []);
  return (
    <section class="card" aria-labelledby="outbound-title">
      <h2 id="outbound-title">Outbound mail</h2>
      <p>How acknowledgements, notices and notifications leave, and where each value comes from.</p>
      <Show loaded={loaded}>
        {(settings) => (
          <>
            <Table
              caption="How this site's mail leaves"
              columns={[
                { key: 'label', label: 'Setting', cell: (r) => r.label },
                {
                  key: 'value',
                  label: 'Value',
                  cell: (r) => (r.secret ? (r.set ? 'set (never shown)' : 'not set') : <span class="break">{r.value ?? '—'}</span>),
                },
                { key: 'source', label: 'Where from', cell: (r) => <Source source={r.source} tomlKey={r.key} /> },
              ]}
              rows={settings.settings}
              rowKey={(r) => r.label}
              empty={<p>No setting.</p>}
            />
            <Identity settings={settings} onSaved={reload} />
            {settings.relay_editable ? (
              <RelayForm relay={settings.relay} onSaved={reload} />
            ) : (
              <p class="subtle">
                The transport comes from {settings.relay_locked_by}: it is changed there, not here.
              </p>
            )}
            <TestMail />
          </>
        )}
      </Show>
    </section>
  );
}

/** The site's own bounce address and DKIM key (`postroom tenant set --bounce-address/--dkim-key`). */
function Identity(props: { settings: OutboundSettings; onSaved: () => void }) {
  const { settings } = props;
  const [bounce, setBounce] = useState(settings.bounce_address ?? '');
  const [dkim, setDkim] = useState(settings.dkim_key ?? '');
  const [warnings, setWarnings] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    setSaved(false);
    const answer = await dataApi.setOutbound({ bounce_address: bounce.trim(), dkim_key: dkim });
    setWarnings(answer.warnings);
    setSaved(true);
    props.onSaved();
  });
  return (
    <form class="stack" aria-labelledby="identity-title" onSubmit={submit}>
      <h3 id="identity-title">This site's sending identity</h3>
      <p>
        Its bounce address is the base of the return paths its bounces come back to (empty: the transport's); list it among the
        site's own addresses. Its DKIM key is one of those the operator configured.
      </p>
      <div class="filters">
        <div class="field">
          <label for="identity-bounce">Bounce address</label>
          <input id="identity-bounce" type="email" value={bounce} placeholder="bounces@example.com" onInput={(e) => setBounce(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="identity-dkim">DKIM key</label>
          <select id="identity-dkim" value={dkim} onChange={(e) => setDkim(e.currentTarget.value)}>
            <option value="">the instance's</option>
            {settings.dkim_keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button-primary" disabled={busy}>
          Save the identity
        </button>
      </div>
      <ErrorText error={error} />
      {saved && (
        <div class={`section-message ${warnings.length ? 'section-message-warning' : 'section-message-success'}`} role="status">
          <p>{warnings.length ? warnings.join(' ') : 'Saved: the next mail uses it.'}</p>
        </div>
      )}
    </form>
  );
}
