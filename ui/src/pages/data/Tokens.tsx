/**
 * API tokens: make one for a script or the browser extension (it acts as you, with the
 * scope you choose; its secret is shown this once), see the site's tokens, revoke one.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { ApiToken } from '../../api';
import { useFlags } from '../../components/Flags';
import { Show, useLoad } from '../../components/Load';
import { Table } from '../../components/Table';
import { when } from '../../format';
import { ErrorText, useSubmit } from '../../components/Failure';
import { ApiFailure } from '../../transport';

export function Tokens() {
  const [loaded, reload] = useLoad(dataApi.tokens, []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiToken['scope']>('agent');
  const [made, setMade] = useState<{ token: ApiToken; secret: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const flag = useFlags();
  const { busy: creating, error, submit: create } = useSubmit(async () => {
    setMade(await dataApi.createToken(name.trim(), scope));
    setName('');
    reload();
  });
  const revoke = async (token: ApiToken) => {
    setBusy(token.id);
    try {
      await dataApi.revokeToken(token.id);
      if (made?.token.id === token.id) setMade(null);
      flag({ kind: 'success', title: `Token ${token.name || token.id} is revoked`, description: 'Its next request is refused.' });
      reload();
    } catch (e) {
      flag({ kind: 'error', title: 'The token was not revoked', description: e instanceof ApiFailure ? e.message : String(e) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <form class="filters" aria-label="Make a token" onSubmit={create}>
        <div class="field">
          <label for="token-name">What it is for</label>
          <input id="token-name" type="text" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="token-scope">Scope</label>
          <select id="token-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as ApiToken['scope'])}>
            <option value="agent">agent: canned responses, as an agent</option>
            <option value="admin">admin: everything an administrator may do</option>
          </select>
        </div>
        <button type="submit" class="button button-primary" disabled={creating || busy !== null || !name.trim()}>
          Make a token
        </button>
      </form>
      <ErrorText error={error} />
      {made && (
        <div class="section-message section-message-success" role="status">
          <p>
            Token <strong>{made.token.name}</strong> ({made.token.scope}) acts as you. Copy its secret now: postroom keeps only a
            hash of it and never shows it again.
          </p>
          <div class="field field-wide">
            <label for="token-secret">Secret</label>
            <input id="token-secret" class="secret" type="text" readOnly value={made.secret} onFocus={(e) => e.currentTarget.select()} />
          </div>
        </div>
      )}
      <Show loaded={loaded}>
        {(list) => (
          <Table
            caption="This site's API tokens, oldest first"
            columns={[
              { key: 'name', label: 'Name', cell: (r) => r.name || '—' },
              { key: 'scope', label: 'Scope', cell: (r) => <span class="lozenge lozenge-default">{r.scope}</span> },
              { key: 'account', label: 'Acts as', cell: (r) => <span class="break">{r.account_id}</span> },
              { key: 'created', label: 'Made', cell: (r) => when(r.created_at_ms) },
              {
                key: 'revoke',
                label: 'Action',
                cell: (r) => (
                  <button type="button" class="button" disabled={busy === r.id} onClick={() => revoke(r)}>
                    Revoke<span class="visually-hidden"> token {r.name || r.id}</span>
                  </button>
                ),
              },
            ]}
            rows={list.tokens}
            rowKey={(r) => r.id}
            empty={<p>No tokens. Make one for a script, or for the browser extension (scope agent).</p>}
          />
        )}
      </Show>
    </>
  );
}
