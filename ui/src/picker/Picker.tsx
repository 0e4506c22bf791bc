/**
 * The canned-response picker: search as you type among the templates this agent may use on
 * this issue, choose with the keyboard, review the reply filled from the issue, answer
 * what the issue does not say, and post it — or, where the host can, insert it into
 * Jira's own comment editor. Built to be embedded: it needs only an issue, its host's name
 * and the host's {@link PickerApi}, and shows its own status instead of relying on the
 * console's flags.
 *
 * Keys: type to search; ↑ ↓ move; Enter inserts the highlighted template; Esc goes back
 * (from a reply to the list, from the list to an empty search).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from '../transport';
import type { Answerable, PickerApi, TemplateHit } from './api';
import { Reply } from './Reply';

/** Where the picker is shown: postroom's console, Jira's issue view (Forge), the extension. */
export type Host = 'console' | 'jira' | 'extension';

/**
 * What a host does with a finished reply besides posting it: the extension puts it into
 * Jira's comment editor (or the clipboard) and answers what it did, in words for the agent.
 */
export type Insert = (text: string) => Promise<string>;

export interface Chosen {
  template: TemplateHit;
  text: string;
  missing: string[];
}

export function Picker(props: { issue: Answerable; host: Host; api: PickerApi; insert?: Insert }) {
  const { issue, api: pickerApi } = props;
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<TemplateHit[]>([]);
  const [shownFor, setShownFor] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [favourites, setFavourites] = useState<ReadonlySet<string>>(new Set());
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [status, setStatus] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const [round, setRound] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  const asked = useRef(0);
  const filtered = useRef(false);

  useEffect(() => {
    pickerApi.flag('picker_opened').catch(() => undefined);
    pickerApi.flag(props.host === 'extension' ? 'extension_used' : 'extension_not_used').catch(() => undefined);
    pickerApi.favourites().then((ids) => setFavourites(new Set(ids)), () => undefined);
    search.current?.focus();
  }, [issue.key]);

  useEffect(() => {
    // Only the answer to the latest key stroke is shown; an older one arriving late is dropped.
    const ask = ++asked.current;
    pickerApi.search(query, issue.project).then(
      (list) => {
        if (ask !== asked.current) return;
        setHits(list);
        setActive(0);
        setShownFor(query);
      },
      (e: unknown) => ask === asked.current && setStatus({ kind: 'error', text: message(e) }),
    );
    if (query.trim() && !filtered.current) {
      filtered.current = true;
      pickerApi.flag('filters_used').catch(() => undefined);
    }
  }, [query, issue.project, round]);

  const insert = async (template: TemplateHit) => {
    setStatus(null);
    try {
      const preview = await pickerApi.render(template.id, issue.key, {}, true);
      setChosen({ template, text: preview.text, missing: preview.missing });
    } catch (e) {
      setStatus({ kind: 'error', text: message(e) });
    }
  };

  const reset = (done: string | null) => {
    setChosen(null);
    setQuery('');
    setRound((r) => r + 1);
    setStatus(done ? { kind: 'info', text: done } : null);
    window.setTimeout(() => search.current?.focus(), 0);
  };

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (hits.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + hits.length) % hits.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const hit = hits[active];
      if (hit) void insert(hit);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setQuery('');
    }
  };

  const toggleFavourite = async (template: string) => {
    const on = !favourites.has(template);
    try {
      await pickerApi.setFavourite(template, on);
      const next = new Set(favourites);
      if (on) next.add(template);
      else next.delete(template);
      setFavourites(next);
    } catch (e) {
      setStatus({ kind: 'error', text: message(e) });
    }
  };

  const listId = `picker-list-${issue.key}`;
  const optionId = (i: number) => `${listId}-${i}`;
  return (
    <section class="picker" aria-labelledby="picker-title">
      <h2 id="picker-title">Reply to {issue.key}</h2>
      <p class="picker-status" role="status" aria-live="polite">
        {status && <span class={status.kind === 'error' ? 'error-text' : undefined}>{status.text}</span>}
      </p>
      {chosen ? (
        <Reply
          issue={issue}
          api={pickerApi}
          {...(props.insert ? { insert: props.insert } : {})}
          chosen={chosen}
          favourite={favourites.has(chosen.template.id)}
          toggleFavourite={() => toggleFavourite(chosen.template.id)}
          back={() => reset(null)}
          posted={(text) => reset(text)}
          inserted={(text) => setStatus({ kind: 'info', text })}
          saved={(text) => setStatus({ kind: 'info', text })}
          failed={(text) => setStatus({ kind: 'error', text })}
        />
      ) : (
        <div class="picker-search" data-query={shownFor ?? undefined}>
          <label for="picker-query">Find a template</label>
          <input
            id="picker-query"
            ref={search}
            type="text"
            role="combobox"
            autoComplete="off"
            spellcheck={false}
            aria-expanded={hits.length > 0}
            aria-controls={hits.length > 0 ? listId : undefined}
            aria-activedescendant={hits.length > 0 ? optionId(active) : undefined}
            aria-describedby="picker-keys"
            placeholder="Type a word of its name, a tag or its text"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            onKeyDown={onKey}
          />
          <p id="picker-keys" class="subtle">
            ↑ ↓ to move, Enter to insert, Esc to clear. Favourites and your recent templates come first.
          </p>
          {hits.length > 0 && (
            <ul id={listId} class="picker-list" role="listbox" aria-label="Templates">
              {hits.map((hit, i) => (
                <li
                  key={hit.id}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  class={i === active ? 'picker-option picker-option-active' : 'picker-option'}
                  onMouseDown={(e) => {
                    // Keep the focus in the search box while the mouse chooses.
                    e.preventDefault();
                    void insert(hit);
                  }}
                >
                  <span class="picker-option-name">
                    {favourites.has(hit.id) && (
                      <>
                        <span aria-hidden="true">★ </span>
                        <span class="visually-hidden">Favourite: </span>
                      </>
                    )}
                    {hit.name}
                  </span>
                  {hit.description && <span class="picker-option-description">{hit.description}</span>}
                </li>
              ))}
            </ul>
          )}
          {shownFor !== null && hits.length === 0 && (
            <p class="empty-state">
              {shownFor.trim() ? 'No template matches. Try fewer words.' : 'There is no template for this project yet.'}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

export function message(e: unknown): string {
  if (e instanceof ApiFailure) {
    const fields = e.fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ');
    return fields ? `${e.message} (${fields})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
