/**
 * One chosen template on its way to the issue: the preview filled from the issue, a prompt
 * for each variable the issue has no value for, public reply or internal note (service
 * desks), an optional transition, post — or insert it into Jira's comment editor where
 * the host offers that; and "save this reply as a template".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Answerable, PickerApi } from './api';
import type { Chosen, Insert } from './Picker';
import { message } from './Picker';

export function Reply(props: {
  issue: Answerable;
  api: PickerApi;
  insert?: Insert;
  chosen: Chosen;
  favourite: boolean;
  toggleFavourite: () => void;
  back: () => void;
  posted: (text: string) => void;
  inserted: (text: string) => void;
  saved: (text: string) => void;
  failed: (text: string) => void;
}) {
  const { issue, chosen, api: pickerApi } = props;
  const [text, setText] = useState(chosen.text);
  const [missing] = useState(chosen.missing);
  const [values, setValues] = useState<Record<string, string>>({});
  const [unanswered, setUnanswered] = useState<string[]>([]);
  const [visibility, setVisibility] = useState<'public' | 'internal'>('public');
  const [transition, setTransition] = useState('');
  const [busy, setBusy] = useState(false);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const first = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    first.current?.focus();
  }, [chosen.template.id]);

  const answered = (given: Record<string, string> = values) =>
    Object.fromEntries(Object.entries(given).filter(([, v]) => v.trim() !== ''));

  // The field's own value is taken as it is at the blur: a blur right after typing can come
  // before the state of that typing is rendered, and the preview would miss the last words.
  const refresh = async (path: string, value: string) => {
    try {
      const preview = await pickerApi.render(chosen.template.id, issue.key, answered({ ...values, [path]: value }), false);
      setText(preview.text);
    } catch (e) {
      props.failed(message(e));
    }
  };

  /** Whether every variable the issue has no value for is answered; else marks them. */
  const complete = () => {
    const open = missing.filter((path) => !(values[path] ?? '').trim());
    setUnanswered(open);
    if (open.length > 0) document.getElementById(fieldId(open[0] ?? ''))?.focus();
    return open.length === 0;
  };

  const post = async (event: Event) => {
    event.preventDefault();
    if (!complete()) return;
    setBusy(true);
    try {
      const done = await pickerApi.apply(chosen.template.id, {
        issue: issue.key,
        public: issue.service_desk ? visibility === 'public' : null,
        transition: transition || null,
        values: answered(),
      });
      const moved = transition ? `, ${issue.transitions.find((t) => t.id === transition)?.name ?? 'transition'} done` : '';
      const kind = issue.service_desk && visibility === 'internal' ? 'Internal note' : 'Reply';
      props.posted(`${kind} posted on ${issue.key} (comment ${done.comment_id})${moved}.`);
    } catch (e) {
      props.failed(message(e));
      setBusy(false);
    }
  };

  // The text is rendered again with every answer: the preview may not have caught up yet.
  const insert = async (host: Insert) => {
    if (!complete()) return;
    try {
      const preview = await pickerApi.render(chosen.template.id, issue.key, answered(), false);
      setText(preview.text);
      props.inserted(await host(preview.text));
    } catch (e) {
      props.failed(message(e));
    }
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!name.trim()) {
      props.failed('Give the new template a name.');
      return;
    }
    try {
      await pickerApi.savePersonal(name.trim(), text);
      setNaming(false);
      setName('');
      // The form goes away: keep the focus in the reply, where Esc still works.
      first.current?.focus();
      props.saved(`Saved as your template “${name.trim()}”. Only you see it.`);
    } catch (e) {
      props.failed(message(e));
    }
  };

  return (
    <div
      class="picker-reply"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.back();
        }
      }}
    >
      <div class="picker-reply-head">
        <h3 id="picker-chosen" tabIndex={-1} ref={first}>
          {chosen.template.name}
        </h3>
        <button type="button" class="button button-subtle" aria-pressed={props.favourite} onClick={props.toggleFavourite}>
          {props.favourite ? '★ Favourite' : '☆ Favourite'}
        </button>
      </div>
      <form class="picker-form" onSubmit={post} aria-labelledby="picker-chosen">
        {missing.length > 0 && (
          <fieldset class="picker-values">
            <legend>The issue does not say these; fill them in</legend>
            {missing.map((path) => (
              <div class="field" key={path}>
                <label for={fieldId(path)}>{path}</label>
                <input
                  id={fieldId(path)}
                  type="text"
                  value={values[path] ?? ''}
                  aria-invalid={unanswered.includes(path)}
                  aria-describedby={unanswered.includes(path) ? `${fieldId(path)}-error` : undefined}
                  onInput={(e) => {
                    setValues({ ...values, [path]: e.currentTarget.value });
                    setUnanswered(unanswered.filter((p) => p !== path));
                  }}
                  onBlur={(e) => void refresh(path, e.currentTarget.value)}
                />
                {unanswered.includes(path) && (
                  <span id={`${fieldId(path)}-error`} class="error-text">
                    Needed before posting
                  </span>
                )}
              </div>
            ))}
          </fieldset>
        )}
        <div class="picker-preview-label" id="picker-preview-label">
          Preview
        </div>
        <div class="picker-preview" role="document" aria-labelledby="picker-preview-label" tabIndex={0}>
          {text}
        </div>
        {issue.service_desk && (
          <fieldset class="picker-visibility">
            <legend>Who sees it</legend>
            <label>
              <input type="radio" name="visibility" checked={visibility === 'public'} onChange={() => setVisibility('public')} />
              Reply to the customer
            </label>
            <label>
              <input type="radio" name="visibility" checked={visibility === 'internal'} onChange={() => setVisibility('internal')} />
              Internal note
            </label>
          </fieldset>
        )}
        <div class="field">
          <label for="picker-transition">Then</label>
          <select id="picker-transition" value={transition} onChange={(e) => setTransition(e.currentTarget.value)}>
            <option value="">Leave the status as it is</option>
            {issue.transitions.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div class="picker-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {issue.service_desk && visibility === 'internal' ? 'Post internal note' : 'Post reply'}
          </button>
          {props.insert && (
            <button type="button" class="button" onClick={() => props.insert && void insert(props.insert)}>
              Insert into Jira's comment
            </button>
          )}
          <button type="button" class="button button-subtle" onClick={props.back}>
            Back to the list
          </button>
          <button type="button" class="button button-subtle" aria-expanded={naming} onClick={() => setNaming(!naming)}>
            Save this reply as a template
          </button>
        </div>
      </form>
      {naming && (
        <form class="picker-save" onSubmit={save}>
          <div class="field">
            <label for="picker-save-name">Name of your new template</label>
            <input id="picker-save-name" type="text" value={name} maxLength={120} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <button type="submit" class="button">
            Save for me
          </button>
        </form>
      )}
    </div>
  );
}

function fieldId(path: string): string {
  return `picker-value-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
