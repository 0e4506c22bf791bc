/**
 * One canned response, written or changed: name, description, folder, tags, scope and
 * body, with the variables the body may use beside it (a click inserts one at the cursor)
 * and a live preview filled from an issue the author names. A body that cannot compile is
 * refused by the server with the line and the reason, shown at the body with that line.
 *
 * The scopes offered are those the reader may give (personal always, projects they
 * administer, groups, global for Jira administrators); the server checks again. A template
 * the reader may only use is shown read-only.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { Draft, ScopeKind, Session, Template } from '../api';
import { useFlags } from '../components/Flags';
import { Problems } from '../components/Problems';
import { Show, useLoad } from '../components/Load';
import { PageHeader } from '../components/PageHeader';
import { ApiFailure } from '../transport';

const EMPTY: Draft = { name: '', body: '', description: '', folder: null, tags: [], scope: { kind: 'personal' } };

export function TemplateEditor(props: { id: string; session: Session }) {
  const isNew = props.id === 'new';
  const [loaded] = useLoad<Template | null>(() => (isNew ? Promise.resolve(null) : api.template(props.id)), [props.id]);
  return (
    <Show loaded={loaded}>
      {(template) => <Editor key={template?.id ?? 'new'} template={template} session={props.session} />}
    </Show>
  );
}

type Errors = Record<string, string[]>;

/** The API's refusal as messages per form field (`tags[1]` under `tags`, `scope.values` under `scope`). */
function errorsOf(e: unknown): Errors {
  const out: Errors = {};
  const add = (field: string, text: string) => (out[field] = [...(out[field] ?? []), text]);
  if (e instanceof ApiFailure && e.fieldErrors.length > 0) {
    for (const f of e.fieldErrors) add(f.field.replace(/[.[].*$/, '') || 'form', f.message);
  } else if (e instanceof ApiFailure && e.status === 403) {
    add('scope', e.message);
  } else {
    add('form', e instanceof Error ? e.message : String(e));
  }
  return out;
}

function Editor(props: { template: Template | null; session: Session }) {
  const { template, session } = props;
  const flag = useFlags();
  const readOnly = template !== null && template.access !== 'administer';
  const [draft, setDraft] = useState<Draft>(template ?? EMPTY);
  const [tagsText, setTagsText] = useState((template?.tags ?? []).join(', '));
  const [valuesText, setValuesText] = useState((template?.scope.values ?? []).join(', '));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const body = useRef<HTMLTextAreaElement>(null);
  const set = (part: Partial<Draft>) => setDraft((d) => ({ ...d, ...part }));

  const kinds = useMemo(() => {
    const offered: { kind: ScopeKind; label: string }[] = [{ kind: 'personal', label: 'Personal: only me' }];
    if (session.role !== 'agent') offered.push({ kind: 'projects', label: 'Projects: their people' });
    offered.push({ kind: 'groups', label: 'Groups: their members' });
    if (session.role === 'admin') offered.push({ kind: 'global', label: 'Global: everyone' });
    if (!offered.some((k) => k.kind === draft.scope.kind)) offered.push({ kind: draft.scope.kind, label: draft.scope.kind });
    return offered;
  }, [session.role, draft.scope.kind]);

  const list = (text: string) =>
    text
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);

  const save = async (event: Event) => {
    event.preventDefault();
    const takesValues = draft.scope.kind === 'projects' || draft.scope.kind === 'groups';
    const sent: Draft = {
      ...draft,
      folder: draft.folder?.trim() ? draft.folder.trim() : null,
      tags: list(tagsText),
      scope: takesValues ? { kind: draft.scope.kind, values: list(valuesText) } : { kind: draft.scope.kind },
    };
    setBusy(true);
    try {
      const saved = template ? await api.updateTemplate(template.id, sent) : await api.createTemplate(sent);
      setErrors({});
      flag({ kind: 'success', title: `Template “${saved.name}” saved` });
      window.location.hash = '#/templates';
    } catch (e) {
      const found = errorsOf(e);
      setErrors(found);
      const first = Object.keys(found)[0];
      if (first) document.getElementById(`template-${first}`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  const insert = (variable: string) => {
    const area = body.current;
    const text = `{{ ${variable} }}`;
    const at = area?.selectionStart ?? draft.body.length;
    const end = area?.selectionEnd ?? at;
    set({ body: draft.body.slice(0, at) + text + draft.body.slice(end) });
    window.setTimeout(() => {
      area?.focus();
      area?.setSelectionRange(at + text.length, at + text.length);
    }, 0);
  };

  const described = (field: string, hint?: string) => {
    const ids = [hint, errors[field] ? `template-${field}-error` : undefined].filter(Boolean).join(' ');
    return ids || undefined;
  };

  const title = template ? (readOnly ? template.name : `Edit “${template.name}”`) : 'New template';
  return (
    <>
      <PageHeader title={title} crumbs={[{ label: 'Canned responses', href: '#/templates' }]} />
      {readOnly && <p class="subtle">You may use this template but not change it: its scope is administered by others.</p>}
      <div class="editor-grid">
        <form class="card editor-form" onSubmit={save} aria-label="Template" noValidate>
          <FieldErrors field="form" errors={errors} />
          <div class="field">
            <label for="template-name">Name</label>
            <input
              id="template-name"
              type="text"
              maxLength={120}
              required
              disabled={readOnly}
              value={draft.name}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={described('name')}
              onInput={(e) => set({ name: e.currentTarget.value })}
            />
            <FieldErrors field="name" errors={errors} />
          </div>
          <div class="field">
            <label for="template-description">Description (what it is for)</label>
            <input
              id="template-description"
              type="text"
              disabled={readOnly}
              value={draft.description}
              aria-invalid={errors.description ? true : undefined}
              aria-describedby={described('description')}
              onInput={(e) => set({ description: e.currentTarget.value })}
            />
            <FieldErrors field="description" errors={errors} />
          </div>
          <div class="editor-row">
            <div class="field">
              <label for="template-folder">Folder</label>
              <input
                id="template-folder"
                type="text"
                placeholder="Billing/Refunds"
                disabled={readOnly}
                value={draft.folder ?? ''}
                aria-invalid={errors.folder ? true : undefined}
                aria-describedby={described('folder')}
                onInput={(e) => set({ folder: e.currentTarget.value })}
              />
              <FieldErrors field="folder" errors={errors} />
            </div>
            <div class="field">
              <label for="template-tags">Tags, separated by commas</label>
              <input
                id="template-tags"
                type="text"
                disabled={readOnly}
                value={tagsText}
                aria-invalid={errors.tags ? true : undefined}
                aria-describedby={described('tags')}
                onInput={(e) => setTagsText(e.currentTarget.value)}
              />
              <FieldErrors field="tags" errors={errors} />
            </div>
          </div>
          <div class="editor-row">
            <div class="field">
              <label for="template-scope">Who may use it</label>
              <select
                id="template-scope"
                disabled={readOnly}
                value={draft.scope.kind}
                aria-invalid={errors.scope ? true : undefined}
                aria-describedby={described('scope')}
                onChange={(e) => set({ scope: { kind: e.currentTarget.value as ScopeKind } })}
              >
                {kinds.map((k) => (
                  <option key={k.kind} value={k.kind}>
                    {k.label}
                  </option>
                ))}
              </select>
              <FieldErrors field="scope" errors={errors} />
            </div>
            {(draft.scope.kind === 'projects' || draft.scope.kind === 'groups') && (
              <div class="field">
                <label for="template-scope-values">{draft.scope.kind === 'projects' ? 'Project keys' : 'Group names'}, separated by commas</label>
                <input
                  id="template-scope-values"
                  type="text"
                  disabled={readOnly}
                  list={draft.scope.kind === 'projects' ? 'template-projects' : undefined}
                  placeholder={draft.scope.kind === 'projects' ? (session.projects[0] ?? 'SUP') : 'support-tier-2'}
                  value={valuesText}
                  aria-describedby="template-scope-hint"
                  onInput={(e) => setValuesText(e.currentTarget.value)}
                />
                <datalist id="template-projects">
                  {session.projects.map((p) => (
                    <option key={p} value={p} />
                  ))}
                </datalist>
                <p id="template-scope-hint" class="subtle">
                  {draft.scope.kind === 'projects'
                    ? session.role === 'admin'
                      ? 'Any project of this site.'
                      : `Projects you administer or lead: ${session.projects.join(', ') || 'none'}.`
                    : 'Groups you are a member of.'}
                </p>
              </div>
            )}
          </div>
          <div class="field field-body">
            <label for="template-body">Body</label>
            <textarea
              id="template-body"
              ref={body}
              rows={10}
              spellcheck
              disabled={readOnly}
              value={draft.body}
              aria-invalid={errors.body ? true : undefined}
              aria-describedby={described('body', 'template-body-hint')}
              onInput={(e) => set({ body: e.currentTarget.value })}
            />
            <p id="template-body-hint" class="subtle">
              Markdown: **bold**, _italic_, lists, links. Variables in double braces, such as {'{{ issue.key }}'}.
            </p>
            <FieldErrors field="body" errors={errors} source={draft.body} />
          </div>
          {!readOnly && (
            <div class="picker-actions">
              <button type="submit" class="button button-primary" disabled={busy}>
                {template ? 'Save changes' : 'Create template'}
              </button>
              <a class="button button-subtle" href="#/templates">
                Cancel
              </a>
            </div>
          )}
        </form>
        <div class="editor-side">
          {!readOnly && <VariablePicker insert={insert} />}
          <LivePreview
            body={draft.body}
            showAtBody={(found) =>
              setErrors((e) => {
                const rest = Object.fromEntries(Object.entries(e).filter(([field]) => field !== 'body'));
                return found ? { ...rest, body: found } : rest;
              })
            }
          />
        </div>
      </div>
    </>
  );
}

/** A field's problems; for the body, with the line each message names. */
function FieldErrors(props: { field: string; errors: Errors; source?: string }) {
  return <Problems id={`template-${props.field}-error`} messages={props.errors[props.field] ?? []} source={props.source} />;
}

function VariablePicker(props: { insert: (variable: string) => void }) {
  const [loaded] = useLoad(api.variables, []);
  const [filter, setFilter] = useState('');
  return (
    <section class="card" aria-labelledby="variables-title">
      <h2 id="variables-title">Variables</h2>
      <div class="field">
        <label for="variables-filter">Find a variable</label>
        <input id="variables-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </div>
      <Show loaded={loaded}>
        {(all) => (
          <ul class="variable-list" aria-label="Insert a variable into the body">
            {all
              .filter((v) => v.toLowerCase().includes(filter.trim().toLowerCase()))
              .map((v) => (
                <li key={v}>
                  <button type="button" class="button button-subtle variable" onClick={() => props.insert(v)}>
                    <code>{v}</code>
                  </button>
                </li>
              ))}
          </ul>
        )}
      </Show>
    </section>
  );
}

/** The body filled from an issue, again a moment after each change while an issue is named. */
function LivePreview(props: { body: string; showAtBody: (errors: string[] | undefined) => void }) {
  const [issue, setIssue] = useState('');
  const [shown, setShown] = useState<{ text: string; missing: string[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const asked = useRef(0);
  useEffect(() => {
    const key = issue.trim();
    if (!key || !props.body.trim()) {
      setShown(null);
      setProblem(null);
      return;
    }
    const ask = ++asked.current;
    const timer = window.setTimeout(() => {
      api.previewDraft(props.body, key).then(
        (preview) => {
          if (ask !== asked.current) return;
          setShown(preview);
          setProblem(null);
          props.showAtBody(undefined);
        },
        (e: unknown) => {
          if (ask !== asked.current) return;
          setShown(null);
          const atBody = e instanceof ApiFailure ? e.fieldErrors.filter((f) => f.field === 'body').map((f) => f.message) : [];
          if (atBody.length > 0) {
            setProblem('The body cannot be rendered; see the problem at the body.');
            props.showAtBody(atBody);
          } else {
            setProblem(e instanceof ApiFailure && e.fieldErrors[0] ? e.fieldErrors[0].message : e instanceof Error ? e.message : String(e));
          }
        },
      );
    }, 400);
    return () => window.clearTimeout(timer);
  }, [issue, props.body]);
  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <div class="field">
        <label for="preview-issue">Fill from issue</label>
        <input
          id="preview-issue"
          type="text"
          placeholder="SUP-12"
          autoComplete="off"
          value={issue}
          onInput={(e) => setIssue(e.currentTarget.value)}
        />
      </div>
      <div aria-live="polite">
        {problem && <p class="error-text">{problem}</p>}
        {shown && (
          <>
            <p class="picker-preview" data-testid="preview-text">
              {shown.text}
            </p>
            {shown.missing.length > 0 && <p class="subtle">No value on this issue for: {shown.missing.join(', ')}.</p>}
          </>
        )}
        {!shown && !problem && <p class="subtle">Name an issue to see the body filled from it.</p>}
      </div>
    </section>
  );
}
