/**
 * The site's own addresses and domains (the profile's `own`): the mail postroom takes in
 * for this site, never treated as a person. Listed, added and removed here and saved into
 * the profile over the version this section loaded; an address another site on this
 * postroom already has is refused at that address.
 */
import { useState } from 'preact/hooks';
import { useFlags } from '../../components/Flags';
import { Show, useLoad } from '../../components/Load';
import { errorsAt, errorsByPath, profileApi, staleOf } from '../../profileApi';
import type { Stale, StoredProfile } from '../../profileApi';
import { Problems } from '../../components/Problems';
import { StringList } from '../../components/StringList';
import { StaleMessage } from '../notifications/StaleMessage';

export function OwnAddresses() {
  const [loaded, reload] = useLoad(profileApi.profile, []);
  return (
    <section class="card" aria-labelledby="own-title">
      <h2 id="own-title">The site’s own addresses</h2>
      <p>
        Mail to these addresses (and to any address of these domains) is this site’s: postroom takes it in and never treats them as a
        person. <code>support+SUP-12@…</code> counts as <code>support@…</code>.
      </p>
      <Show loaded={loaded}>{(stored) => <OwnForm key={stored.version} stored={stored} reload={reload} />}</Show>
    </section>
  );
}

type Kind = 'addresses' | 'domains';

function OwnForm(props: { stored: StoredProfile; reload: () => void }) {
  const { stored } = props;
  const flag = useFlags();
  const own = stored.profile.own ?? {};
  const [lists, setLists] = useState<Record<Kind, string[]>>({ addresses: own.addresses ?? [], domains: own.domains ?? [] });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [stale, setStale] = useState<Stale | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setStale(null);
    try {
      const profile = { ...stored.profile, own: { ...own, addresses: lists.addresses, domains: lists.domains } };
      const saved = await profileApi.save(stored.version, profile);
      setErrors({});
      flag({ kind: 'success', title: `Own addresses saved (profile version ${saved.version})` });
      props.reload();
    } catch (e) {
      const found = staleOf(e);
      if (found) setStale(found);
      else setErrors(errorsByPath(e));
    } finally {
      setBusy(false);
    }
  };

  const change = (kind: Kind, values: string[]) => {
    // Paths name positions: after a removal they no longer point at the same entries.
    if (values.length < lists[kind].length) setErrors({});
    setLists((l) => ({ ...l, [kind]: values }));
  };
  const outside = Object.entries(errors)
    .filter(([path]) => !path.startsWith('own.addresses') && !path.startsWith('own.domains'))
    .flatMap(([path, messages]) => messages.map((m) => (path === '.' ? m : `${path}: ${m}`)));

  const section = (kind: Kind, label: string, one: string, placeholder: string) => (
    <StringList
      id={`own-${kind}`}
      legend={label}
      one={one}
      placeholder={placeholder}
      values={lists[kind]}
      change={(values) => change(kind, values)}
      problems={(i) => errorsAt(errors, `own.${kind}[${i}]`)}
    />
  );

  return (
    <>
      {stale && <StaleMessage version={stale.version} differs={stale.differs} reload={props.reload} />}
      <form onSubmit={save} aria-label="The site’s own addresses" noValidate>
        <Problems id="own-form-error" messages={outside} />
        {section('addresses', 'Addresses', 'an address', 'support@example.com')}
        {section('domains', 'Domains (every address in them)', 'a domain', 'help.example.com')}
        <div class="picker-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            Save the addresses
          </button>
          <span class="subtle">Profile version {stored.version}</span>
        </div>
      </form>
    </>
  );
}
