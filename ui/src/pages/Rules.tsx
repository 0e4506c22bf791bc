/**
 * Rules: the site's profile as forms — own addresses, the routing rules in order (add,
 * remove, move, switch on and off), the default, directives, threading, people, the mail
 * checks, the acknowledgement and notice — with a regex tester beside every pattern and
 * "Try it", which runs a mail through the dry run under the profile as edited and under
 * the profile in force. The draft is kept in the tab's sessionStorage (`postroom.profileDraft`)
 * so that a reload keeps it and other pages can run against it. Saving replaces the stored
 * profile over the version this page loaded: when someone saved first, the page says what
 * changed; every mistake the server finds is shown at its field.
 */
import { useEffect, useState } from 'preact/hooks';
import { useFlags } from '../components/Flags';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { Problems } from '../components/Problems';
import { profileApi, profileDraft, showRefusal } from '../profileApi';
import type { Profile, Stale, StoredProfile } from '../profileApi';
import { StaleMessage } from './notifications/StaleMessage';
import { Errors, idOf, setIn } from './rules/fields';
import type { Json } from './rules/fields';
import { RoutingRule } from './rules/RoutingRule';
import { ChecksSection, DirectivesSection, OwnSection, PeopleSection, ReplySection, ThreadingSection } from './rules/Sections';
import { ThenEditor } from './rules/ThenEditor';
import { TryIt } from './rules/TryIt';

export function Rules() {
  const [loaded, reload] = useLoad(profileApi.profile, []);
  return (
    <>
      <PageHeader title="Rules" />
      <p class="subtle">
        How this site’s mail becomes issues and comments: the profile, section by section. Try a mail before saving; the next mail uses what you
        save.
      </p>
      <Show loaded={loaded}>{(stored) => <Editor key={stored.version} stored={stored} reload={reload} />}</Show>
    </>
  );
}

/** The paths the page shows at a field; any other refused path is listed above the form. */
const SHOWN = /^(own|rules|default|directives|threading|people|trusted_authserv_id|thresholds|bounces|acknowledgement|notice)\b/;

let nextKey = 1;

function Editor(props: { stored: StoredProfile; reload: () => void }) {
  const { stored } = props;
  const flag = useFlags();
  const [start] = useState(() => {
    const kept = profileDraft.read();
    const same = kept !== null && JSON.stringify(kept.profile) === JSON.stringify(stored.profile);
    if (kept && kept.base_version === stored.version && !same) return { profile: kept.profile, note: 'restored' as const };
    if (kept && kept.base_version !== stored.version) return { profile: stored.profile, note: 'dropped' as const };
    return { profile: stored.profile, note: null };
  });
  const [draft, setDraft] = useState<Json>(start.profile as Json);
  const [note, setNote] = useState(start.note);
  const [keys, setKeys] = useState<number[]>(() => (Array.isArray(start.profile.rules) ? start.profile.rules : []).map(() => nextKey++));
  const [generation, setGeneration] = useState(0);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [stale, setStale] = useState<Stale | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (JSON.stringify(draft) === JSON.stringify(stored.profile)) profileDraft.clear();
    else profileDraft.write({ base_version: stored.version, profile: draft as Profile });
  }, [draft]);

  const rules = Array.isArray(draft.rules) ? (draft.rules as Json[]) : [];
  const set = (path: (string | number)[], value: unknown) => setDraft((d) => setIn(d, path, value) as Json);
  const setRules = (next: Json[], nextKeys: number[]) => {
    setKeys(nextKeys);
    set(['rules'], next);
    // Paths name positions: after a move or a removal they point at other rules.
    setErrors({});
  };
  const move = (index: number, by: number) => {
    const nextRules = [...rules];
    const nextKeys = [...keys];
    const [rule] = nextRules.splice(index, 1);
    const [key] = nextKeys.splice(index, 1);
    if (rule && key !== undefined) {
      nextRules.splice(index + by, 0, rule);
      nextKeys.splice(index + by, 0, key);
    }
    setRules(nextRules, nextKeys);
  };
  const add = () => {
    const index = rules.length;
    setRules([...rules, { name: `Rule ${index + 1}`, match: {}, then: {} }], [...keys, nextKey++]);
    window.setTimeout(() => document.getElementById(idOf(`rules[${index}].name`))?.focus(), 0);
  };
  const discard = () => {
    profileDraft.clear();
    setDraft(stored.profile as Json);
    setKeys((Array.isArray(stored.profile.rules) ? stored.profile.rules : []).map(() => nextKey++));
    setErrors({});
    setNote(null);
    setGeneration((g) => g + 1);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setStale(null);
    try {
      const saved = await profileApi.save(stored.version, draft as Profile);
      setErrors({});
      profileDraft.clear();
      const title = `Rules saved (profile version ${saved.version})`;
      flag(saved.notes.length ? { kind: 'success', title, description: saved.notes.join(' ') } : { kind: 'success', title });
      props.reload();
    } catch (e) {
      showRefusal(e, setStale, setErrors);
    } finally {
      setBusy(false);
    }
  };

  const outside = Object.entries(errors)
    .filter(([path]) => !SHOWN.test(path))
    .flatMap(([path, messages]) => messages.map((m) => (path === '.' ? m : `${path}: ${m}`)));
  const changed = JSON.stringify(draft) !== JSON.stringify(stored.profile);
  const sectionProps = { profile: draft, set };
  return (
    <Errors.Provider value={errors}>
      {stale && <StaleMessage version={stale.version} differs={stale.differs} reload={props.reload} />}
      {note === 'restored' && (
        <section class="section-message section-message-warning" aria-labelledby="draft-title">
          <h2 id="draft-title">Your unsaved changes were kept</h2>
          <p>This tab had changes to version {stored.version} that were not saved; they are shown below.</p>
          <button type="button" class="button" onClick={discard}>
            Discard them
          </button>
        </section>
      )}
      {note === 'dropped' && (
        <p class="subtle" role="status">
          Unsaved changes of an older version were left out: version {stored.version} is stored now.
        </p>
      )}
      <form id="rules-form" key={generation} onSubmit={save} aria-label="Rules" noValidate>
        <Problems id="rules-form-error" messages={outside} />
        <OwnSection {...sectionProps} />
        <section aria-labelledby="routing-title">
          <h2 id="routing-title">Routing rules</h2>
          <p class="subtle">Tried in order: the first rule switched on whose every condition holds decides; the default catches the rest.</p>
          {rules.length === 0 && <p class="subtle">No rule: the default decides for every mail.</p>}
          <ol class="rule-list">
            {rules.map((rule, index) => (
              <li key={keys[index] ?? index}>
                <RoutingRule
                  rule={rule}
                  index={index}
                  count={rules.length}
                  change={(next) => set(['rules', index], next)}
                  move={(by) => move(index, by)}
                  remove={() =>
                    setRules(
                      rules.filter((_, i) => i !== index),
                      keys.filter((_, i) => i !== index),
                    )
                  }
                />
              </li>
            ))}
          </ol>
          <button type="button" class="button" onClick={add}>
            Add a rule
          </button>
        </section>
        <section class="card" aria-labelledby="default-title">
          <h2 id="default-title">Default</h2>
          <p class="subtle">What happens when no rule matches, and what every rule leaves unset.</p>
          <ThenEditor path="default" value={(draft.default as Json) ?? {}} isDefault change={(v) => set(['default'], v)} />
        </section>
        <DirectivesSection {...sectionProps} />
        <ThreadingSection {...sectionProps} />
        <PeopleSection {...sectionProps} />
        <ChecksSection {...sectionProps} />
        <ReplySection {...sectionProps} kind="acknowledgement" />
        <ReplySection {...sectionProps} kind="notice" />
        <div class="picker-actions save-bar">
          <button type="submit" class="button button-primary" disabled={busy}>
            Save the rules
          </button>
          <button type="button" class="button" disabled={!changed} onClick={discard}>
            Discard changes
          </button>
          <span class="subtle">
            Profile version {stored.version}
            {changed ? ' — changed here, not saved' : ''}
          </span>
        </div>
      </form>
      <TryIt draft={draft as Profile} refused={setErrors} />
    </Errors.Provider>
  );
}
