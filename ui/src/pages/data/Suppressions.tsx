/**
 * The suppression list: addresses postroom stopped mailing because mail to them bounced.
 * Find one by typing it (the server hashes it and matches the stored hash), see why, and
 * clear it so that the next mail to it goes out.
 */
import { useState } from 'preact/hooks';
import { dataApi } from '../../api';
import type { SuppressionEntry } from '../../api';
import { useFlags } from '../../components/Flags';
import { Show, useLoad } from '../../components/Load';
import { Table } from '../../components/Table';
import { when } from '../../format';
import { ApiFailure } from '../../transport';

export function Suppressions() {
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  const [loaded, reload] = useLoad(() => dataApi.suppressions(query), [query]);
  const [busy, setBusy] = useState<string | null>(null);
  const flag = useFlags();
  const clear = async (entry: SuppressionEntry) => {
    setBusy(entry.address_hash);
    try {
      await dataApi.clearSuppression(entry.address);
      flag({ kind: 'success', title: `${entry.address} can get mail again`, description: 'The next mail to it goes out.' });
      reload();
    } catch (e) {
      flag({ kind: 'error', title: `${entry.address} was not cleared`, description: e instanceof ApiFailure ? e.message : String(e) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <p>
        An address lands here when mail postroom sent to it bounced: at once for a permanent failure, after a few soft ones
        otherwise. While it is suppressed, postroom sends it nothing and counts what it held back.
      </p>
      <form
        class="filters"
        role="search"
        aria-label="Find a suppressed address"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(typed.trim());
        }}
      >
        <div class="field">
          <label for="suppression-address">Address</label>
          <input
            id="suppression-address"
            type="search"
            inputMode="email"
            autoComplete="off"
            placeholder="name@example.com"
            value={typed}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button button-primary">
          Find
        </button>
      </form>
      <Show loaded={loaded}>
        {(list) => (
          <Table
            caption="Suppressed addresses, most recent bounce first"
            columns={[
              { key: 'address', label: 'Address', cell: (r) => <span class="break">{r.address}</span> },
              {
                key: 'state',
                label: 'State',
                cell: (r) => <span class={`lozenge lozenge-${r.suppressed ? 'removed' : 'default'}`}>{r.suppressed ? 'suppressed' : 'counting'}</span>,
              },
              { key: 'why', label: 'Why', cell: (r) => <Why entry={r} /> },
              { key: 'withheld', label: 'Held back', cell: (r) => r.withheld },
              { key: 'last', label: 'Last bounce', cell: (r) => when(r.last_at_ms) },
              {
                key: 'clear',
                label: 'Action',
                cell: (r) =>
                  r.address.startsWith('(erased') ? (
                    <span class="subtle">erased person</span>
                  ) : (
                    <button type="button" class="button" disabled={busy === r.address_hash} onClick={() => clear(r)}>
                      Clear<span class="visually-hidden"> {r.address}</span>
                    </button>
                  ),
              },
            ]}
            rows={list.entries}
            rowKey={(r) => r.address_hash}
            empty={query ? <p>{query} is not on the suppression list: postroom mails it.</p> : <p>No address is suppressed. Nothing bounced.</p>}
          />
        )}
      </Show>
    </>
  );
}

function Why(props: { entry: SuppressionEntry }) {
  const { entry } = props;
  const bounces = `${entry.bounces} ${entry.bounces === 1 ? 'bounce' : 'bounces'}, ${entry.hard ? 'permanent' : 'soft'}`;
  return (
    <span>
      {bounces}
      {entry.status && (
        <>
          {' '}
          (<code>{entry.status}</code>)
        </>
      )}
      {entry.diagnostic && <span class="diagnostic">{entry.diagnostic}</span>}
    </span>
  );
}
